"""A portfolio as every command sees it: its files read, its recorded migrations applied.

Reading (model.loading) knows nothing of migrations; applying them (model.migrations) comes on
top, here, so that the chain of imports runs one way.
"""

from __future__ import annotations

from pathlib import Path

from compfw.files.problems import Problem
from compfw.model.loading import LoadedPortfolio, read_portfolio, reflective_piece_problems
from compfw.model.migrations import apply_migrations


def load_portfolio(folder: Path) -> tuple[LoadedPortfolio | None, list[Problem]]:
    """Load a portfolio folder; what cannot be read comes back as problems."""
    loaded, problems = read_portfolio(folder)
    if loaded is None:
        return None, problems
    problems.extend(apply_migrations(loaded))
    problems.extend(reflective_piece_problems(loaded))
    return loaded, problems
