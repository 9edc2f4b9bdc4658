"""A trainee's trajectory: the percentage achieved at the end of each month of the scheme, beside
the pace line, up to the date asked about.

The points are the last day of every month from the month the scheme starts in up to the as-of
date, each on or after the scheme start; when the as-of date is not itself a month end it is the
last point, so the series always ends at "now". Before the scheme starts there are no points.
After the scheme ends the points go on, month by month, to the as-of date (sign-offs can arrive
late; the pace line stays at the last milestone).

Each point's ``percent`` is exactly what `compfw status --as-of <that date>` reports, because it
is computed by the same function (``percent_at``, given by the caller); ``expected`` is the
readiness pace line at that date (none when the framework has no milestones).
"""

from __future__ import annotations

import bisect
import calendar
import datetime as dt
from collections.abc import Callable, Iterable
from fractions import Fraction
from numbers import Real

from compfw.engine.readiness import dated_milestones, expected_exact, pace_points, shown
from compfw.model.models import Framework, Portfolio


def month_end(day: dt.date) -> dt.date:
    return day.replace(day=calendar.monthrange(day.year, day.month)[1])


def trajectory_dates(start: dt.date, as_of: dt.date) -> list[dt.date]:
    """Every month end from start's month to as_of (none before start), then as_of if it is not one."""
    if as_of < start:
        return []
    dates = []
    day = month_end(start)
    while day <= as_of:
        dates.append(day)
        day = month_end(day + dt.timedelta(days=1))
    if not dates or dates[-1] != as_of:
        dates.append(as_of)
    return dates


def by_record_count(record_dates: Iterable[dt.date], percent_at: Callable[[dt.date], Real]) -> Callable[[dt.date], Real]:
    """percent_at, asked again only when a record is dated since the last day asked about.

    A trainee's percentage on a day depends only on the records dated on or before it, which are
    a prefix of the records sorted by date: two days with the same prefix have the same
    percentage. So a series over many months costs one status evaluation per month in which
    something was recorded, at most one per point, never more.
    """
    ordered = sorted(record_dates)
    known: dict[int, Real] = {}

    def cached(day: dt.date) -> Real:
        key = bisect.bisect_right(ordered, day)
        if key not in known:
            known[key] = percent_at(day)
        return known[key]

    return cached


def trajectory(framework: Framework, portfolio: Portfolio, as_of: dt.date,
               percent_at: Callable[[dt.date], Real], last: int | None = None) -> list[dict]:
    """The series as plain data: [{date, percent, expected}], oldest first; only the last
    ``last`` points when given."""
    dated = dated_milestones(framework, portfolio)
    line = pace_points(dated)
    start = portfolio.scheme.start
    dates = trajectory_dates(start, as_of)
    if last is not None:
        dates = dates[max(0, len(dates) - last):]
    series = []
    for day in dates:
        expected = shown(expected_exact(line, start, day)) if dated else None
        series.append({"date": day.isoformat(), "percent": shown(Fraction(percent_at(day))), "expected": expected})
    return series
