"""A portfolio as every command sees it: its files read, its recorded migrations applied.

Reading (model.loading) knows nothing of migrations; applying them (model.migrations) comes on
top, here, so that the chain of imports runs one way.
"""

from __future__ import annotations

import os
from pathlib import Path

from compfw.files.layout import has_migration_records
from compfw.files.problems import Problem
from compfw.files.reading import outside_repository
from compfw.files.yaml_parse import load_yaml
from compfw.model.loading import (
    PORTFOLIO_FILE,
    LoadedPortfolio,
    Record,
    read_portfolio,
    read_records,
    reflective_piece_problems,
)
from compfw.model.modelerrors import validate_as
from compfw.model.models import Pin


def load_portfolio(folder: Path) -> tuple[LoadedPortfolio | None, list[Problem]]:
    """Load a portfolio folder; what cannot be read comes back as problems."""
    loaded, problems = read_portfolio(folder)
    if loaded is None:
        return None, problems
    problems.extend(_migrations_applied(loaded, loaded.portfolio.framework))
    problems.extend(reflective_piece_problems(loaded))
    return loaded, problems


class LooseRecords:
    """The records of a portfolio whose portfolio.yaml exists but cannot be read or is invalid.

    Each file is read on its own; pin is the framework portfolio.yaml pins, when that much of it
    can still be read (the migrations are then applied, as for a whole portfolio). Written out
    rather than a @dataclass, as model.loading's classes are, for `status`'s start-up.
    """

    __slots__ = ("folder", "pin", "evidence", "signoffs", "requests")

    def __init__(self, folder: Path, pin: Pin | None, evidence: list[Record], signoffs: list[Record],
                 requests: list[Record]):
        self.folder = folder
        self.pin = pin
        self.evidence = evidence
        self.signoffs = signoffs
        self.requests = requests


def load_loose_records(folder: Path) -> tuple[LooseRecords | None, list[Problem]]:
    """The records of a portfolio that load_portfolio could not load because of its portfolio.yaml.

    None when there is no such file to blame: the folder or the file is a link (never read) or
    the file is missing. The problems are the records' own; portfolio.yaml's are load_portfolio's.
    """
    path = folder / PORTFOLIO_FILE
    if os.path.islink(folder) or outside_repository(folder) or os.path.islink(path) or not path.exists():
        return None, []
    pin = _readable_pin(path)
    evidence, signoffs, requests, problems = read_records(folder)
    loose = LooseRecords(folder, pin, evidence, signoffs, requests)
    if loose.pin is not None:
        problems.extend(_migrations_applied(loose, loose.pin))
    elif has_migration_records(folder):
        from compfw.model.migrations import read_migration_files

        problems.extend(read_migration_files(folder)[1])
    return loose, problems


def _migrations_applied(records: LoadedPortfolio | LooseRecords, pin: Pin) -> list[Problem]:
    if not has_migration_records(records.folder):
        return []
    from compfw.model.migrations import apply_migrations

    return apply_migrations(records, pin)


def _readable_pin(path: Path) -> Pin | None:
    """The framework pin of a portfolio.yaml that may be invalid elsewhere; None if it cannot be read."""
    doc, problem = load_yaml(path)
    if problem is not None or not isinstance(doc.data, dict) or not isinstance(doc.data.get("framework"), dict):
        return None
    return validate_as(doc, Pin, data=doc.data["framework"], prefix=("framework",))[0]
