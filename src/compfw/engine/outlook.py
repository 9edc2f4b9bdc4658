"""What lies ahead of a trainee, in achievements: how many more the next milestone needs and by
when, how many more would put them on the pace line today, and where in the scheme they are.

Counts are exact: the smallest number of achievements whose ratio to the required competencies
reaches the percentage (the comparison readiness makes), never a rounded percentage.
"""

from __future__ import annotations

import datetime as dt
import math
from fractions import Fraction
from numbers import Real
from typing import Literal

from compfw.engine.readiness import Readiness, expected_exact
from compfw.model.models import Portfolio

Phase = Literal["before", "during", "after"]


def achievements_for(percent: Real, required: int) -> int:
    """The fewest achievements out of required that reach percent."""
    return math.ceil(Fraction(percent) * required / 100)


def scheme_phase(portfolio: Portfolio, as_of: dt.date) -> Phase:
    if as_of < portfolio.scheme.start:
        return "before"
    return "after" if as_of > portfolio.scheme.end else "during"


def outlook(portfolio: Portfolio, rd: Readiness, required: int, achieved: int) -> dict:
    """Plain data: {phase, next_milestone: {id, name, percent, due, days_left, more_needed} or
    None, more_to_stay_on_pace: int or None (None before the scheme, after it, or with no
    milestones)}."""
    phase = scheme_phase(portfolio, rd.as_of)
    upcoming = next((m for m in rd.milestones if m.state == "pending"), None)
    next_milestone = None
    if upcoming is not None:
        next_milestone = {
            "id": upcoming.milestone.id, "name": upcoming.milestone.name, "percent": upcoming.milestone.percent,
            "due": upcoming.due.isoformat(), "days_left": (upcoming.due - rd.as_of).days,
            "more_needed": max(0, achievements_for(upcoming.milestone.percent, required) - achieved),
        }
    on_pace = None
    if phase == "during" and rd.milestones:
        line = expected_exact([(m.due, m.milestone.percent) for m in rd.milestones], portfolio.scheme.start, rd.as_of)
        on_pace = max(0, achievements_for(line, required) - achieved)
    return {"phase": phase, "next_milestone": next_milestone, "more_to_stay_on_pace": on_pace}
