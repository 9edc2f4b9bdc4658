"""Framework version migration (filled in by the migration issue).

`apply_migrations(lp)` is called by `load_portfolio` after the records are read, so that records
written under an older framework version are seen with the ids of the version now pinned.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from compfw.loading import LoadedPortfolio
    from compfw.problems import Problem


def apply_migrations(lp: LoadedPortfolio) -> list[Problem]:
    """Map record competency ids across the portfolio's recorded migrations; problems found."""
    return []
