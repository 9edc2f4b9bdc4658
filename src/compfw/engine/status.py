"""The status engine: pure functions from a framework and a portfolio's records to statuses.

How sign-offs count: sign-off records are never edited or withdrawn, so a competency's level is
the highest level any sign-off dated on or before the day in question gives it. A later sign-off
at a lower level is kept in the history (and shown) but does not take an achievement away.
Evidence without a sign-off makes a rated competency Partially Achieved; it never achieves one.
"""

from __future__ import annotations

import datetime as dt
from bisect import bisect_right
from collections.abc import Callable, Iterable
from fractions import Fraction
from typing import Literal, NamedTuple

from compfw.model.catalog import Catalog, Placed
from compfw.model.models import Evidence, Framework, Portfolio, Signoff

Status = Literal["not_achieved", "partially_achieved", "achieved", "achieved_plus"]
STATUSES: tuple[Status, ...] = ("not_achieved", "partially_achieved", "achieved", "achieved_plus")
STATUS_LABELS = {
    "not_achieved": "Not Achieved",
    "partially_achieved": "Partially Achieved",
    "achieved": "Achieved",
    "achieved_plus": "Achieved+",
}


def level_of(signoffs: Iterable[Signoff]) -> int | None:
    """The highest level signed off, or None when nothing carries a level."""
    levels = [s.level for s in signoffs if s.level is not None]
    return max(levels) if levels else None


def status_of(assessment: str, target: int | None, signoffs: list[Signoff], has_evidence: bool) -> tuple[Status, int | None]:
    """Status and level of one competency from its sign-offs and whether evidence exists.

    Binary competencies (achieved/not-achieved) have only those two states. A rated
    competency with no known target (a framework tracked at a stage, for a portfolio that sets
    none) is never Achieved: a sign-off at some level shows work towards it, nothing more.
    """
    if assessment == "binary":
        return ("achieved" if any(s.achieved for s in signoffs) else "not_achieved"), None
    level = level_of(signoffs)
    if level is None:
        return ("partially_achieved" if has_evidence else "not_achieved"), None
    if target is None:
        return "partially_achieved", level
    if level == target:
        return "achieved", level
    return ("achieved_plus" if level > target else "partially_achieved"), level


class CompetencyStatus(NamedTuple):
    placed: Placed
    status: Status
    level: int | None
    target: int | None
    target_source: str
    signoffs: tuple[Signoff, ...]
    evidence_ids: tuple[str, ...]

    @property
    def achieved(self) -> bool:
        return self.status in ("achieved", "achieved_plus")


class Tally(NamedTuple):
    required: int = 0
    achieved: int = 0

    @property
    def exact(self) -> Fraction:
        """The percentage as an exact ratio: rules compare this, never the rounded figure."""
        return Fraction(100 * self.achieved, self.required) if self.required else Fraction(0)

    @property
    def percent(self) -> float:
        """The percentage rounded to one decimal, for display only."""
        return round(float(self.exact), 1)


class PortfolioStatus(NamedTuple):
    as_of: dt.date
    competencies: list[CompetencyStatus]
    counts: dict[Status, int]
    total: Tally
    by_section: dict[str, Tally]
    by_kind: dict[str, Tally]
    not_judged: str | None = None

    @property
    def percent_achieved(self) -> float:
        return self.total.percent

    @property
    def exact_percent(self) -> Fraction:
        return self.total.exact


def statuses(catalog: Catalog, portfolio: Portfolio, evidence: Iterable[Evidence],
             signoffs: Iterable[Signoff], as_of: dt.date) -> PortfolioStatus:
    """Every required competency's status, counting only records dated on or before as_of."""
    framework: Framework = catalog.framework
    by_competency: dict[str, list[Signoff]] = {}
    for signoff in sorted((s for s in signoffs if s.date <= as_of), key=lambda s: s.date):
        by_competency.setdefault(signoff.competency, []).append(signoff)
    evidenced: dict[str, list[str]] = {}
    for entry in evidence:
        if entry.date <= as_of:
            for competency_id in entry.competencies:
                evidenced.setdefault(competency_id, []).append(entry.id)

    rows: list[CompetencyStatus] = []
    counts: dict[Status, int] = {s: 0 for s in STATUSES}
    sections: dict[str, list[int]] = {}
    kinds: dict[str, list[int]] = {}
    stage = portfolio.target_level
    for placed in catalog.required_for(portfolio.specialism, stage):
        target, source = placed.target(framework, portfolio.target_level)
        mine = by_competency.get(placed.id, [])
        ev = evidenced.get(placed.id, [])
        status, level = status_of(placed.assessment, target, mine, bool(ev))
        row = CompetencyStatus(placed, status, level, target, source, tuple(mine), tuple(ev))
        rows.append(row)
        counts[status] += 1
        for key, bucket in ((placed.section.id, sections), (placed.competency.kind, kinds)):
            tally = bucket.setdefault(key, [0, 0])
            tally[0] += 1
            tally[1] += row.achieved
    achieved = counts["achieved"] + counts["achieved_plus"]
    return PortfolioStatus(
        not_judged=_why_not_judged(catalog, rows, stage),
        as_of=as_of,
        competencies=rows,
        counts=counts,
        total=Tally(len(rows), achieved),
        by_section={k: Tally(*v) for k, v in sections.items()},
        by_kind={k: Tally(*v) for k, v in kinds.items()},
    )


def percent_by_day(catalog: Catalog, portfolio: Portfolio, signoffs: Iterable[Signoff]) -> Callable[[dt.date], Fraction]:
    """statuses(..., day).exact_percent for any day, from one pass over the sign-offs: the
    trajectory asks it for every month end. Whether a competency is achieved depends on its
    sign-offs alone (evidence only tells Partially Achieved from Not Achieved), and once achieved
    it stays so (its level is the highest signed off so far); so each competency is achieved from
    one day on, the first on which status_of, given the sign-offs dated by then, says so."""
    by_competency: dict[str, list[Signoff]] = {}
    for signoff in sorted(signoffs, key=lambda s: s.date):
        by_competency.setdefault(signoff.competency, []).append(signoff)
    framework: Framework = catalog.framework
    stage = portfolio.target_level
    required = 0
    achieved_from: list[dt.date] = []
    for placed in catalog.required_for(portfolio.specialism, stage):
        required += 1
        mine = by_competency.get(placed.id)
        if mine:
            target, _ = placed.target(framework, stage)
            day = _achieved_from(placed.assessment, target, mine)
            if day is not None:
                achieved_from.append(day)
    achieved_from.sort()
    return lambda day: Tally(required, bisect_right(achieved_from, day)).exact


def _achieved_from(assessment: str, target: int | None, signoffs: list[Signoff]) -> dt.date | None:
    """The first day on which status_of says achieved (or achieved+), given the sign-offs (in date
    order) dated by then; None if never. A day's later sign-offs can only add to its earlier ones,
    so trying each prefix finds the same day as trying each day's whole set."""
    for at, signoff in enumerate(signoffs):
        status, _ = status_of(assessment, target, signoffs[:at + 1], False)
        if status in ("achieved", "achieved_plus"):
            return signoff.date
    return None


def _why_not_judged(catalog: Catalog, rows: list[CompetencyStatus], stage: int | None) -> str | None:
    """Why no verdict can be given for this portfolio, or None when one can."""
    untargeted = [row.placed.id for row in rows if row.placed.assessment == "rated" and row.target is None]
    if untargeted:
        return (f"not judged: {len(untargeted)} competencies have no target level (e.g. {untargeted[0]}); "
                "set target_level in portfolio.yaml to the level or stage this person is tracked at")
    if stage is None and catalog.staged:
        return ("not judged: what this framework requires depends on the stage; set target_level in "
                "portfolio.yaml to the stage this person is tracked at")
    return None
