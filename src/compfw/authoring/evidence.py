"""`compfw evidence add`: one new evidence file, checked before it is written.

The entry's id is `ev-<date>-<slug of title>` unless given; the file is
`evidence/<date>-<slug of title>.yaml`. Competency ids are checked against the framework version
the portfolio is pinned to, and the entry against the same rules `compfw validate` applies, so a
file this command writes never fails validation.
"""

from __future__ import annotations

import datetime as dt
import difflib
import re
from dataclasses import dataclass
from pathlib import Path

from compfw.authoring.scaffold import slug
from compfw.files.problems import UserError, display_path

ID_MAX = 64
_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._\-]*$")


@dataclass
class NewEvidence:
    path: Path
    text: str
    id: str
    competencies: list[str]


def _unique(items: list[str]) -> list[str]:
    out: list[str] = []
    for item in items:
        item = item.strip()
        if item and item not in out:
            out.append(item)
    return out


def prepare_evidence(folder: Path, competencies: list[str], title: str, narrative: str, date: dt.date,
                     documents: list[str], evidence_id: str | None, today: dt.date) -> NewEvidence:
    from compfw.checks.rules import check_portfolio
    from compfw.checks.workspace import open_portfolio
    from compfw.files.yaml_located import YamlDocument
    from compfw.files.yaml_parse import dump_yaml, parse_text
    from compfw.model.loading import Record, find_repo_root
    from compfw.model.modelerrors import validate_as
    from compfw.model.models import Evidence
    from compfw.model.schemas import modeline

    opened = open_portfolio(folder, today)
    lp, lf = opened.portfolio, opened.framework
    fw = lf.framework
    ids = _unique(competencies)
    if not ids:
        raise UserError("no competency given", "pass --competency ID (repeat it for several)")
    unknown = [cid for cid in ids if cid not in lf.catalog.by_id]
    if unknown:
        known = list(lf.catalog.by_id)
        close = [f"{m} for {cid}" for cid in unknown for m in difflib.get_close_matches(cid, known, n=1, cutoff=0.6)]
        hint = f"see `compfw framework show {fw.id} --version {fw.version}`"
        if close:
            hint = f"did you mean {', '.join(close)}? " + hint
        raise UserError(f"unknown competency id(s) in {fw.id} {fw.version}: {', '.join(unknown)}; nothing was written",
                        hint)
    title = " ".join(title.split())
    if not title:
        raise UserError("the title is empty", "pass --title with a few words about the work")
    narrative = narrative.strip("\n").rstrip()
    if not narrative.strip():
        raise UserError("the narrative is empty", "say what you did, what happened and what you learnt")

    _refuse_long_values([("--title", title), ("the narrative", narrative), *(("--document", d) for d in documents)])

    title_slug = slug(title, 48) or "evidence"
    if evidence_id is None:
        evidence_id = f"ev-{date.isoformat()}-{title_slug}"[:ID_MAX].rstrip("-")
    elif not _ID.match(evidence_id) or len(evidence_id) > ID_MAX:
        raise UserError(f"--id {evidence_id!r} is not a valid id",
                        f"letters, digits, '.', '_' and '-', starting with a letter or digit, at most {ID_MAX}")
    for record in lp.evidence:
        if record.model.id == evidence_id:
            raise UserError(f"evidence id {evidence_id!r} is already used in {record.shown}",
                            "pass --id with another id, or change the title")

    path = lp.folder / "evidence" / f"{date.isoformat()}-{title_slug}.yaml"
    if path.exists():
        raise UserError(f"{display_path(path)} already exists",
                        "compfw never overwrites a file; give this evidence a different --title")
    data: dict = {"id": evidence_id, "date": date, "title": title, "narrative": narrative}
    if documents:
        data["documents"] = list(documents)
    data["competencies"] = ids
    root = find_repo_root(lp.folder.resolve())
    text = modeline("evidence", path, root) + dump_yaml(data)

    doc = YamlDocument(path, parse_text(text), text)
    model, problems = validate_as(doc, Evidence)
    if model is None:
        raise UserError("this would not be a valid evidence entry; nothing was written", "fix the values below",
                        problems)
    trial = lp.with_records(evidence=[*lp.evidence, Record(model, doc)])
    mine = [p for p in check_portfolio(trial, opened.store, today) if p.path == doc.shown and p.severity == "error"]
    if mine:
        raise UserError("this would not be a valid evidence entry; nothing was written", "fix the values below", mine)
    return NewEvidence(path, text, evidence_id, ids)


def _refuse_long_values(values: list[tuple[str, str]]) -> None:
    """What validate would refuse to read is not written: each text within the YAML module's limit."""
    from compfw.files.yaml_limits import MAX_TEXT_CHARS

    for name, value in values:
        if len(value) > MAX_TEXT_CHARS:
            raise UserError(f"{name} has {len(value):,} characters; compfw reads up to {MAX_TEXT_CHARS:,} in one "
                            "value, so nothing was written",
                            "shorten it; keep a long document in a file of its own and name it with --document")


def read_narrative(source: str) -> str:
    """The narrative from a file, or from standard input for '-'."""
    import sys

    if source == "-":
        return sys.stdin.read()
    path = Path(source)
    try:
        return path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise UserError(f"no such file: {source}", "give the path of a text or Markdown file, or - for stdin") from None
    except IsADirectoryError:
        raise UserError(f"{source} is a folder", "give the path of a text or Markdown file") from None
    except UnicodeDecodeError:
        raise UserError(f"{source} is not UTF-8 text", "save the narrative as UTF-8 text") from None
    except OSError as exc:
        raise UserError(f"cannot read {source}: {exc.strerror or exc}", "check the path and its permissions") from None


def write_evidence(new: NewEvidence) -> Path:
    from compfw.files.writing import AlreadyExists, write_new

    try:
        return write_new(new.path, new.text)
    except AlreadyExists:
        raise UserError(f"{display_path(new.path)} already exists",
                        "compfw never overwrites a file; give this evidence a different --title") from None
