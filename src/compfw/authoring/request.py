"""`compfw request`: a trainee asks a named manager to review competencies, as one new file.

The file is `requests/<date>-<manager>-<first ids>-<random>.yaml`; it is never edited. It is
checked by the rules `compfw validate` applies (the manager must be authorised for this portfolio
on the request's date, the competency ids must exist) before anything is written, so a request
this command writes never fails validation. Whether it is still open is derived from the
sign-offs (see compfw.engine.queue), so nothing is ever rewritten to close it.
"""

from __future__ import annotations

import datetime as dt
import re
import secrets
from dataclasses import dataclass
from pathlib import Path

from compfw.files.problems import UserError

HEADER = ("# A request for review: never edited once added. A sign-off of these competencies by the\n"
          "# manager asked answers it; to ask again, add a new request.\n")
_SLUG = re.compile(r"[^a-z0-9.]+")


@dataclass(frozen=True)
class NewRequest:
    path: Path
    text: str
    trainee_id: str
    to_name: str
    to_email: str
    competencies: tuple[str, ...]


def _unique(items: list[str]) -> list[str]:
    return list(dict.fromkeys(item.strip() for item in items if item.strip()))


def _file_name(on: dt.date, to: str, ids: list[str], folder: Path) -> str:
    # A random part, as for sign-offs: two requests made on different branches on the same day
    # must never have the same path (a merge conflict, or one record hiding another).
    who = _SLUG.sub("-", to.split("@")[0].lower()).strip("-.")[:24] or "manager"
    what = "-".join(ids[:3]) + ("-more" if len(ids) > 3 else "")
    while True:
        name = f"{on.isoformat()}-{who}-{what}-{secrets.token_hex(3)}.yaml"
        if not (folder / name).exists():
            return name


def manager_name(portfolio, email: str) -> str:
    wanted = email.strip().lower()
    people = [portfolio.programme_manager, *(p.manager for p in portfolio.placements)]
    return next((p.name for p in people if p.email.lower() == wanted), email)


def prepare_request(folder: Path, competencies: list[str], to: str, note: str, on: dt.date | None,
                    today: dt.date) -> NewRequest:
    """The file to write, checked as validate checks it; UserError (nothing written) otherwise."""
    from compfw.checks.rules import check_portfolio
    from compfw.checks.workspace import open_portfolio
    from compfw.files.yaml_located import YamlDocument
    from compfw.files.yaml_parse import dump_yaml, parse_text
    from compfw.model.loading import Record, find_repo_root
    from compfw.model.modelerrors import validate_as
    from compfw.model.models import ReviewRequest
    from compfw.model.schemas import modeline

    opened = open_portfolio(folder, today)
    lp = opened.portfolio
    ids = _unique(competencies)
    if not ids:
        raise UserError("no competency given", "name the competencies to review, e.g. `compfw request PORTFOLIO 2.1.1`")
    on = on or today
    data: dict = {"to": to.strip(), "date": on, "competencies": ids}
    if note.strip():
        data["note"] = note.strip()
    requests = lp.folder / "requests"
    path = requests / _file_name(on, to, [i for i in ids if re.fullmatch(r"[A-Za-z0-9._\-]+", i)], requests)
    root = find_repo_root(lp.folder.resolve())
    text = modeline("request", path, root) + HEADER + dump_yaml(data)
    doc = YamlDocument(path, parse_text(text), text)
    model, problems = validate_as(doc, ReviewRequest)
    if model is None:
        raise UserError("this would not be a valid request; nothing was written", "fix the values below", problems)
    trial = lp.with_records(requests=[*lp.requests, Record(model, doc)])
    mine = [p for p in check_portfolio(trial, opened.store, today) if p.path == doc.shown and p.severity == "error"]
    if mine:
        raise UserError("this would not be a valid request; nothing was written", "fix the values below", mine)
    pf = lp.portfolio
    return NewRequest(path, text, pf.trainee.id, manager_name(pf, model.to), model.to, tuple(ids))


def write_request(new: NewRequest) -> Path:
    from compfw.files.writing import write_new

    return write_new(new.path, new.text)
