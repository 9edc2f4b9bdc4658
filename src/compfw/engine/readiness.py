"""Readiness at a date: the framework's milestones placed on a trainee's dates, the expected pace
between them, and a verdict.

The expected percentage rises in a straight line from 0 at the scheme start to each milestone's
percentage at its due date in turn, and stays at the last one after it. A trainee is *behind*
below that line, *far ahead* when at least the framework's ``pace.far_ahead_margin`` points
above it (the informatics seed: 80% presented at the end of year one, against 40% expected, will
be questioned), and *on track* otherwise. Graduation-ready means at or above the graduation
milestone's percentage.
"""

from __future__ import annotations

import calendar
import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

from compfw.model.models import Framework, Milestone, Portfolio

Verdict = Literal["behind", "on_track", "far_ahead"]
MilestoneState = Literal["met", "missed", "pending"]
VERDICT_LABELS = {"behind": "Behind pace", "on_track": "On track", "far_ahead": "Far ahead of pace"}


def add_months(day: dt.date, months: int) -> dt.date:
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def due_date(milestone: Milestone, portfolio: Portfolio) -> dt.date:
    """When a milestone falls for this trainee.

    ``placement_end`` is the end of the Nth placement by start date; a portfolio that does not
    list that placement yet falls back to ``months`` after the scheme start, then to the scheme end.
    """
    start, end = portfolio.scheme.start, portfolio.scheme.end
    if milestone.due == "scheme_end":
        return end
    if milestone.due == "placement_end":
        placements = sorted(portfolio.placements, key=lambda p: p.start)
        if milestone.placement is not None and len(placements) >= milestone.placement:
            return placements[milestone.placement - 1].end
        return add_months(start, milestone.months) if milestone.months else end
    return add_months(start, milestone.months or 0)


@dataclass(frozen=True)
class MilestoneCheck:
    milestone: Milestone
    due: dt.date
    state: MilestoneState
    percent_at_due: float | None


@dataclass(frozen=True)
class Readiness:
    as_of: dt.date
    percent: float
    expected_percent: float | None
    verdict: Verdict | None
    graduation_percent: float | None
    graduation_ready: bool
    milestones: tuple[MilestoneCheck, ...]
    far_ahead_margin: float | None


def expected_percent(points: list[tuple[dt.date, float]], start: dt.date, as_of: dt.date) -> float:
    """Linear pace from (start, 0) through each (due, percent) point."""
    previous_day, previous_pct = start, 0.0
    if as_of <= start:
        return 0.0
    for day, pct in points:
        if as_of <= day:
            span = (day - previous_day).days
            if span <= 0:
                return pct
            share = (as_of - previous_day).days / span
            return round(previous_pct + share * (pct - previous_pct), 1)
        previous_day, previous_pct = day, pct
    return previous_pct


def readiness(framework: Framework, portfolio: Portfolio, as_of: dt.date,
              percent_at: Callable[[dt.date], float]) -> Readiness:
    """Readiness of a trainee at as_of; percent_at(day) gives their percentage achieved on a day."""
    percent = percent_at(as_of)
    dated = sorted(((due_date(m, portfolio), m) for m in framework.milestones), key=lambda pair: pair[0])
    checks = []
    for due, milestone in dated:
        if as_of >= due:
            at_due = percent_at(due)
            state: MilestoneState = "met" if at_due >= milestone.percent else "missed"
            checks.append(MilestoneCheck(milestone, due, state, at_due))
        else:
            checks.append(MilestoneCheck(milestone, due, "met" if percent >= milestone.percent else "pending", None))
    graduation = next((m.percent for _, m in dated if m.graduation), None)
    margin = framework.pace.far_ahead_margin if framework.pace else None
    if not dated:
        expected, verdict = None, None
    else:
        expected = expected_percent([(d, m.percent) for d, m in dated], portfolio.scheme.start, as_of)
        if percent < expected:
            verdict = "behind"
        elif margin is not None and percent >= expected + margin:
            verdict = "far_ahead"
        else:
            verdict = "on_track"
    return Readiness(
        as_of=as_of,
        percent=percent,
        expected_percent=expected,
        verdict=verdict,
        graduation_percent=graduation,
        graduation_ready=graduation is not None and percent >= graduation,
        milestones=tuple(checks),
        far_ahead_margin=margin,
    )
