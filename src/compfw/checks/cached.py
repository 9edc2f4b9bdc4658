"""Results about one portfolio, kept in the result cache: what each depends on, and the coding.

A portfolio's results (its problems, its status document, its cohort row) depend on the files
the loader reads, which the files layer records as they are read (`files.inputs`), and on what
the code only looks at without reading: the shape of the portfolio folder (a missing file, a
folder that is a link) and the trust policy, named here once for every kind of result. The
question also holds the date the rules judge against, the working directory (paths in messages
are relative to it) and where the repository and its framework folders really are.

This module imports no models: a result found in the cache is shown without pydantic or YAML.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import os
from pathlib import Path
from typing import Any

from compfw.files.git_history import signoff_history_ahead
from compfw.files.inputs import file_kind
from compfw.files.layout import POLICY_FILE, find_portfolio, framework_folders
from compfw.files.problems import Problem
from compfw.files.problems import today as current_day
from compfw.files.reading import MAX_FILE_BYTES
from compfw.files.result_cache import ResultCache

_SCALARS = (str, int, float, bool, type(None))
_PROBLEM_FIELDS = tuple(f.name for f in dataclasses.fields(Problem))


def portfolio_question(folder: Path, root: Path, framework_folders: list[Path], today: dt.date) -> list:
    return [os.getcwd(), os.fspath(folder), os.path.realpath(folder), os.fspath(root), os.path.realpath(root),
            [os.fspath(f) for f in framework_folders], today.isoformat()]


def portfolio_watch(folder: Path, root: Path) -> tuple[tuple[str, str], ...]:
    return (("tree", os.fspath(folder)), (file_kind(MAX_FILE_BYTES), os.fspath(root / POLICY_FILE)))


def remember_for_portfolio(cache: ResultCache, kind: str, folder: Path, root: Path, framework_folders: list[Path],
                           today: dt.date, extra: list, compute, encode, decode) -> Any:
    """compute() for this portfolio, or its result from the cache if every input is unchanged."""
    return cache.remember(kind, portfolio_question(folder, root, framework_folders, today) + extra, compute,
                          watch=portfolio_watch(folder, root), encode=encode, decode=decode)


def encode_problems(problems: list[Problem]) -> list[dict]:
    return [dataclasses.asdict(p) for p in problems]


def decode_problems(data: Any) -> list[Problem]:
    """Problems from cached data, refusing anything that is not exactly a list of them."""
    if not isinstance(data, list):
        raise ValueError("not a list of problems")
    out = []
    for item in data:
        if not isinstance(item, dict) or tuple(item) != _PROBLEM_FIELDS:
            raise ValueError("not a problem")
        if not all(isinstance(v, _SCALARS) for v in item.values()):
            raise ValueError("not a problem")
        if not (type(item["line"]) is int and type(item["col"]) is int):
            raise ValueError("not a problem")
        out.append(Problem(**item))
    return out


def status_of(path: Path | None, as_of: dt.date, cache: ResultCache) -> tuple[dict, list[Problem]]:
    """A portfolio's status document (what `status --json` prints) and the problems found in it,
    as open_portfolio and status_document give them; a portfolio that cannot be opened raises."""
    today = current_day()
    root, folder = find_portfolio(path)

    def compute() -> dict:
        from compfw.checks.workspace import open_portfolio
        from compfw.engine.summary import status_document

        opened = open_portfolio(folder, today, cache=cache)
        return {"doc": status_document(opened.portfolio, opened.framework, as_of), "problems": opened.problems}

    with signoff_history_ahead(folder):  # the recorded dates come from git: asked while the models import
        found = remember_for_portfolio(cache, "status", folder, root, framework_folders(root), today,
                                       [as_of.isoformat()], compute, _encode_status, _decode_status)
    return found["doc"], found["problems"]


def _encode_status(found: dict) -> dict:
    return {"doc": found["doc"], "problems": encode_problems(found["problems"])}


def _decode_status(data: Any) -> dict:
    if not isinstance(data, dict) or set(data) != {"doc", "problems"} or not isinstance(data["doc"], dict):
        raise ValueError("not a status")
    return {"doc": data["doc"], "problems": decode_problems(data["problems"])}


def encode_framework_check(checked: dict) -> dict:
    return {**checked, "load": encode_problems(checked["load"]), "check": encode_problems(checked["check"])}


def decode_framework_check(data: Any) -> dict:
    if not isinstance(data, dict) or set(data) != {"id", "version", "shown", "at", "load", "check"}:
        raise ValueError("not a framework check")
    if not all(isinstance(data[k], (str, type(None))) for k in ("id", "version")) or not isinstance(data["shown"], str):
        raise ValueError("not a framework check")
    return {**data, "at": list(_position(data["at"])), "load": decode_problems(data["load"]),
            "check": decode_problems(data["check"])}


def encode_portfolio_check(checked: tuple) -> dict:
    problems, identity = checked
    return {"problems": encode_problems(problems),
            "identity": None if identity is None else dataclasses.asdict(identity)}


def decode_portfolio_check(data: Any) -> tuple[list[Problem], Any]:
    from compfw.checks.same_trainee import Identity

    if not isinstance(data, dict) or set(data) != {"problems", "identity"}:
        raise ValueError("not a portfolio check")
    found = data["identity"]
    identity = None
    if found is not None:
        if not isinstance(found, dict) or set(found) != {f.name for f in dataclasses.fields(Identity)}:
            raise ValueError("not an identity")
        if not all(isinstance(found[k], str) for k in ("shown", "trainee_id", "email")):
            raise ValueError("not an identity")
        identity = Identity(found["shown"], found["trainee_id"], _position(found["id_pos"]), found["email"],
                            _position(found["email_pos"]))
    return decode_problems(data["problems"]), identity


def _position(data: Any) -> tuple[int, int]:
    line, col = data
    if type(line) is not int or type(col) is not int:
        raise ValueError("not a position")
    return (line, col)
