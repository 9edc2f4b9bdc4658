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
from fractions import Fraction
from numbers import Real
from typing import Literal, NamedTuple

from compfw.model.models import Framework, Milestone, Portfolio

Verdict = Literal["behind", "on_track", "far_ahead"]
MilestoneState = Literal["met", "missed", "pending", "not_judged"]
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


class MilestoneCheck(NamedTuple):
    milestone: Milestone
    due: dt.date
    state: MilestoneState
    percent_at_due: float | None


class Readiness(NamedTuple):
    as_of: dt.date
    percent: float
    expected_percent: float | None
    verdict: Verdict | None
    graduation_percent: float | None
    graduation_ready: bool
    milestones: tuple[MilestoneCheck, ...]
    far_ahead_margin: float | None


def expected_exact(points: list[tuple[dt.date, float]], start: dt.date, as_of: dt.date) -> Fraction:
    """Linear pace from (start, 0) through each (due, percent) point, as an exact ratio."""
    previous_day, previous_pct = start, Fraction(0)
    if as_of <= start:
        return Fraction(0)
    for day, pct in points:
        target = Fraction(pct)
        if as_of <= day:
            span = (day - previous_day).days
            if span <= 0:
                return target
            share = Fraction((as_of - previous_day).days, span)
            return previous_pct + share * (target - previous_pct)
        previous_day, previous_pct = day, target
    return previous_pct


def expected_percent(points: list[tuple[dt.date, float]], start: dt.date, as_of: dt.date) -> float:
    """The pace line at as_of, rounded to one decimal for display."""
    return shown(expected_exact(points, start, as_of))


def shown(value: Fraction) -> float:
    """A percentage rounded to one decimal: for display only, never for a comparison."""
    return round(float(value), 1)


def dated_milestones(framework: Framework, portfolio: Portfolio) -> list[tuple[dt.date, Milestone]]:
    """The framework's milestones with this trainee's due dates, earliest first."""
    return sorted(((due_date(m, portfolio), m) for m in framework.milestones), key=lambda pair: pair[0])


def pace_points(dated: list[tuple[dt.date, Milestone]]) -> list[tuple[dt.date, float]]:
    """The points the pace line runs through after (scheme start, 0)."""
    return [(day, m.percent) for day, m in dated]


def readiness(framework: Framework, portfolio: Portfolio, as_of: dt.date,
              percent_at: Callable[[dt.date], Real], judged: bool = True) -> Readiness:
    """Readiness of a trainee at as_of; percent_at(day) gives their percentage achieved on a day.

    Every comparison (milestone met, graduation-ready, behind or far ahead of the pace line) is
    made on exact ratios: a trainee at 188 of 209 (89.95%) has not reached 90%, though 89.95
    rounds to 90.0 for display. When the portfolio cannot be judged (``judged`` false: a staged
    framework with no stage set), there is no verdict, no milestone is met or missed, and the
    trainee is not graduation-ready.
    """
    def exact_at(day: dt.date) -> Fraction:
        return Fraction(percent_at(day))

    percent = exact_at(as_of)
    dated = dated_milestones(framework, portfolio)
    checks = []
    for due, milestone in dated:
        goal = Fraction(milestone.percent)
        if not judged:
            checks.append(MilestoneCheck(milestone, due, "not_judged", None))
        elif as_of >= due:
            at_due = exact_at(due)
            state: MilestoneState = "met" if at_due >= goal else "missed"
            checks.append(MilestoneCheck(milestone, due, state, shown(at_due)))
        else:
            checks.append(MilestoneCheck(milestone, due, "met" if percent >= goal else "pending", None))
    graduation = next((m.percent for _, m in dated if m.graduation), None)
    margin = framework.pace.far_ahead_margin if framework.pace else None
    if not dated:
        expected, verdict = None, None
    elif not judged:
        expected, verdict = shown(expected_exact([(d, m.percent) for d, m in dated], portfolio.scheme.start, as_of)), None
    else:
        line = expected_exact(pace_points(dated), portfolio.scheme.start, as_of)
        expected = shown(line)
        if percent < line:
            verdict = "behind"
        elif margin is not None and percent >= line + Fraction(margin):
            verdict = "far_ahead"
        else:
            verdict = "on_track"
    return Readiness(
        as_of=as_of,
        percent=shown(percent),
        expected_percent=expected,
        verdict=verdict,
        graduation_percent=graduation,
        graduation_ready=judged and graduation is not None and percent >= Fraction(graduation),
        milestones=tuple(checks),
        far_ahead_margin=margin,
    )
