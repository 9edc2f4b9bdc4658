"""`compfw init`: scaffold a new portfolio folder that passes `compfw validate` as written.

What is written, all or nothing, never over an existing file:

    <folder>/portfolio.yaml      with the editor schema line and a comment header
    <folder>/evidence/.gitkeep   (unless evidence/ exists) so that git keeps the empty folder
    <folder>/signoffs/.gitkeep   (likewise)
    <repo>/schemas/*.json        only the schema files the repository does not have yet, so that
                                 the `# yaml-language-server: $schema=` lines resolve
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path

from compfw.files.problems import UserError, display_path


def slug(text: str, max_length: int = 80) -> str:
    """Lower-case ASCII letters, digits and single hyphens: 'Asha Patel' -> 'asha-patel'."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    out = re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")
    return out[:max_length].rstrip("-")


@dataclass
class PlacementSpec:
    name: str
    start: dt.date
    end: dt.date
    manager_name: str
    manager_email: str
    organisation: str = ""


@dataclass
class InitRequest:
    folder: Path
    framework_id: str
    framework_version: str | None
    trainee_id: str
    name: str
    email: str
    scheme_start: dt.date
    scheme_end: dt.date
    programme_manager_name: str
    programme_manager_email: str
    specialism: str | None = None
    target_level: int | None = None
    placement: PlacementSpec | None = None


def untargeted(lf) -> list[str]:
    """Rated competencies with no target of their own and no framework default."""
    fw = lf.framework
    return [p.id for p in lf.catalog.placed if p.assessment == "rated" and p.target(fw, None)[0] is None]


def portfolio_data(req: InitRequest, lf) -> dict:
    fw = lf.framework
    data: dict = {
        "trainee": {"id": req.trainee_id, "name": req.name, "email": req.email},
        "framework": {"id": fw.id, "version": fw.version},
    }
    specialism = req.specialism if req.specialism is not None else fw.specialism
    if specialism:
        data["specialism"] = specialism
    if req.target_level is not None:
        data["target_level"] = req.target_level
    data["scheme"] = {"start": req.scheme_start, "end": req.scheme_end}
    data["programme_manager"] = {"name": req.programme_manager_name, "email": req.programme_manager_email}
    placements = []
    if req.placement is not None:
        p = req.placement
        entry: dict = {"name": p.name}
        if p.organisation:
            entry["organisation"] = p.organisation
        entry.update({"start": p.start, "end": p.end, "manager": {"name": p.manager_name, "email": p.manager_email}})
        placements.append(entry)
    data["placements"] = placements
    data["plan"] = {}
    return data


HEADER = """\
# {name}'s portfolio, written by the trainee (scaffolded by `compfw init` on {today}).
# - Evidence: one file per entry in evidence/ (`compfw evidence add` writes one).
# - Sign-offs: one file each in signoffs/, written by a manager (`compfw signoff`); never edited.
# - Add placements as a list under 'placements' (name, organisation, start, end, manager:
#   {{name, email}}); plan competencies per placement under 'plan' ('<placement name>': [ids]).
# - Quote ids and versions ("4.1.3", "2.1"); dates are YYYY-MM-DD. `compfw validate` checks it all.
"""


def _refuse_outside_portfolios(folder: Path, root: Path) -> None:
    """Every command finds portfolios one level down in portfolios/, so init writes only there:
    a cohort folder (portfolios/cohort-2026/x) would hold a portfolio nothing else reads."""
    portfolios = root / "portfolios"
    try:
        parent = folder.absolute().parent.resolve()
        direct = parent == portfolios.resolve()
    except OSError:
        direct = False
    if direct:
        return
    name = folder.name or "NAME"
    try:
        below = folder.absolute().resolve().relative_to(portfolios.resolve())
    except (OSError, ValueError):
        below = None
    where = "is nested in a folder inside" if below is not None else "is not in"
    raise UserError(f"{display_path(folder)} {where} {display_path(portfolios)}; nothing was written",
                    f"a portfolio is a folder directly in portfolios/ (e.g. portfolios/{name}): validate, "
                    "status, report, audit and codeowners look for portfolios only there")


def prepare_init(req: InitRequest, root: Path, today: dt.date) -> dict[Path, str]:
    """The files to write, checked as `compfw validate` would check them; raises UserError."""
    from compfw.checks.rules import check_portfolio
    from compfw.files.yaml_located import YamlDocument
    from compfw.files.yaml_parse import dump_yaml, parse_text
    from compfw.model.loading import resolve
    from compfw.model.loading import PORTFOLIO_FILE, FrameworkStore, LoadedPortfolio, find_portfolio_by_email
    from compfw.model.modelerrors import validate_as
    from compfw.model.models import Portfolio
    from compfw.model.schemas import KINDS, SCHEMA_DIR, file_name, modeline, schema_text

    folder = req.folder
    target = folder / PORTFOLIO_FILE
    _refuse_outside_portfolios(folder, root)
    if target.exists():
        raise UserError(f"{display_path(target)} already exists",
                        "init never overwrites a portfolio; edit it, or choose another folder")
    if folder.exists() and not folder.is_dir():
        raise UserError(f"{display_path(folder)} is a file, not a folder", "choose a folder for the new portfolio")
    store = FrameworkStore.for_repo(root)
    lf = resolve(store, req.framework_id, req.framework_version)
    if req.target_level is None and untargeted(lf):
        levels = [lv.value for lv in lf.framework.scale.levels] if lf.framework.scale else []
        raise UserError(f"{lf.framework.id} has competencies with no target level; pass --target-level",
                        f"the level or stage this person is tracked at, one of {levels}")
    existing = find_portfolio_by_email(root, req.email)
    if existing is not None:
        raise UserError(f"{display_path(existing)} already has trainee email {req.email}",
                        "one portfolio per trainee: `compfw status` finds a portfolio by its email")

    text = modeline("portfolio", target, root) + HEADER.format(name=req.name, today=today.isoformat())
    text += dump_yaml(portfolio_data(req, lf))
    doc = YamlDocument(target, parse_text(text), text)
    portfolio, problems = validate_as(doc, Portfolio)
    if portfolio is None:
        raise UserError("these options do not make a valid portfolio; nothing was written",
                        "fix the values named below", problems)
    lp = LoadedPortfolio(folder, portfolio, doc)
    problems = [p for p in check_portfolio(lp, store, today) if p.severity == "error"]
    if problems:
        raise UserError("these options do not make a valid portfolio; nothing was written",
                        "fix the values named below", problems)

    files: dict[Path, str] = {target: text}
    piece = reflective_piece_scaffold(lf.framework, req.scheme_end)
    if piece is not None and not (folder / PIECE_FILE).exists():
        files[folder / PIECE_FILE] = piece
    for sub in ("evidence", "signoffs"):
        if not (folder / sub).exists():
            files[folder / sub / ".gitkeep"] = ""
    for kind in KINDS:
        schema = root / SCHEMA_DIR / file_name(kind)
        if not schema.exists():
            files[schema] = schema_text(kind)
    return files


PIECE_FILE = "reflective-piece.md"


def reflective_piece_scaffold(framework, scheme_end: dt.date) -> str | None:
    """The reflective piece to write, as a Markdown file whose guidance sits in YAML front matter
    comments (front matter is not counted as words), or None when the framework asks for none."""
    from compfw.engine.readiness import add_months

    rule = framework.reflective_piece
    if rule is None:
        return None
    window = add_months(scheme_end, -rule.final_months)
    sections = ", ".join(s.id + " " + s.title for s in framework.sections if s.id in rule.sections)
    lines = ["---",
             f"# The reflective piece for section {sections}, scaffolded by `compfw init`.",
             f"# Length: {rule.words:,} words +/- {rule.tolerance_percent:g}% ({rule.min_words:,}-{rule.max_words:,}),"
             " counted below the closing '---' (this header is not counted).",
             f"# Written between {window.isoformat()} and {scheme_end.isoformat()} (the last {rule.final_months} months"
             " of the scheme); when it is complete, add to portfolio.yaml:",
             f"#   reflective_piece: {{file: {PIECE_FILE}, completed: YYYY-MM-DD}}"]
    if rule.criteria:
        lines.append("#")
        lines += _comment_lines(rule.criteria_intro or "Criteria to consider:")
        for group in rule.criteria:
            lines.append(f"# {group.heading}")
            lines += [f"# - {item}" for item in group.items]
    lines += ["---", ""]
    return "\n".join(lines)


def _comment_lines(text: str, width: int = 98) -> list[str]:
    import textwrap

    return ["# " + part for part in textwrap.wrap(" ".join(text.split()), width - 2)]


def write_init(files: dict[Path, str]) -> list[Path]:
    from compfw.files.writing import write_all_new

    return write_all_new(files)
