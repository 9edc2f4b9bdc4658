"""The trajectory (`status --json`'s ``trajectory``) as pictures: the data of the trainee report's
line chart, its caption in words, and the sparkline of the cohort report and `compfw status`.

Everything here is made of numbers and compfw's own words: month labels are generated from the
dates (English month abbreviations, never the locale), so nothing from a portfolio or a framework
can reach a Mermaid block.
"""

from __future__ import annotations

import datetime as dt

MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
# Eight heights, lowest first; the ASCII ones for NO_COLOR and pipes.
BLOCKS = "▁▂▃▄▅▆▇█"
ASCII_BLOCKS = "_.-:=+*#"
TREND_POINTS = 6
GAP_BACK = 3
# The chart's colours, one per series in the order drawn (xychart has no legend; the report's
# sentence under the chart names them).
COLOURS = {"milestones": ("#d29922", "orange bars"), "percent": ("#1f6feb", "blue line"),
           "expected": ("#8b949e", "grey line")}


def month_label(day: dt.date) -> str:
    return f"{MONTHS[day.month - 1]} {day.year}"


def point_label(day: dt.date, last: bool) -> str:
    """'Sep 2025' for a month end; the as-of date in full when it is the last point and no month end."""
    month_end = (day + dt.timedelta(days=1)).month != day.month
    return month_label(day) if month_end or not last else f"{day.day} {month_label(day)}"


def sparkline(values: list[float], ascii: bool = False) -> str:
    """Percentages (0-100) as one character each, on the same absolute scale for everyone: eight
    heights of 12.5 points, so that two trainees' sparklines compare."""
    ramp = ASCII_BLOCKS if ascii else BLOCKS
    return "".join(ramp[max(0, min(7, int(v // 12.5)))] for v in values)


def gap(point: dict) -> float | None:
    """Points above (+) or below (-) the pace line at one point, from the rounded figures shown."""
    if point["expected"] is None:
        return None
    return round(point["percent"] - point["expected"], 1)


def _gap_words(points: float) -> str:
    if points == 0:
        return "level with it"
    return f"{abs(points):.1f} points {'ahead' if points > 0 else 'behind'}"


def _pct(value: float) -> str:
    return f"{value:.1f}%".replace(".0%", "%")


def caption(series: list[dict]) -> str:
    """One sentence saying what the chart shows."""
    if not series:
        return "The scheme has not started yet: there is no progress to show."
    first, last = series[0], series[-1]
    since = month_label(dt.date.fromisoformat(first["date"]))
    until = point_label(dt.date.fromisoformat(last["date"]), True)
    if len(series) == 1:
        said = f"Percentage achieved was {_pct(last['percent'])} by {until}"
    elif last["percent"] == first["percent"]:
        said = f"Percentage achieved stayed at {_pct(last['percent'])} from {since} to {until}"
    else:
        moved = "rose" if last["percent"] > first["percent"] else "fell"
        said = f"Percentage achieved {moved} from {_pct(first['percent'])} in {since} to {_pct(last['percent'])} by {until}"
    if last["expected"] is None:
        return said + "; the framework has no milestones, so there is no pace line."
    return f"{said}; the pace line expects {_pct(last['expected'])}: {_gap_words(gap(last))}."


def chart(doc: dict) -> dict:
    """What the trainee report's line chart draws: x labels, one list of numbers per series (all
    as long as the labels), the colours in drawing order and the sentence naming them, the caption.

    Milestones are bars: a bar in the month a milestone falls due (the first point on or after
    its due date), as tall as its percentage; none for milestones due after the last point.
    """
    series = doc["trajectory"]
    days = [dt.date.fromisoformat(p["date"]) for p in series]
    labels = [point_label(day, i == len(days) - 1) for i, day in enumerate(days)]
    bars = [0.0] * len(series)
    for m in doc["readiness"]["milestones"]:
        due = dt.date.fromisoformat(m["due"])
        at = next((i for i, day in enumerate(days) if day >= due), None)
        if at is not None:
            bars[at] = max(bars[at], float(m["percent"]))
    drawn = {"milestones": bars if any(bars) else None,
             "percent": [p["percent"] for p in series],
             "expected": [p["expected"] for p in series] if series and series[0]["expected"] is not None else None}
    order = [name for name in ("milestones", "percent", "expected") if drawn[name] is not None]
    names = {"milestones": "mark each milestone's percentage in the month it falls due",
             "percent": "is the percentage achieved", "expected": "is the pace line to the milestones"}
    return {
        "labels": labels,
        "percent": drawn["percent"],
        "expected": drawn["expected"],
        "milestones": drawn["milestones"],
        "init": '%%{init: {"themeVariables": {"xyChart": {"plotColorPalette": "'
                + ", ".join(COLOURS[name][0] for name in order) + '"}}}}%%',
        "legend": "; ".join(f"the {COLOURS[name][1]} {names[name]}" for name in order),
        "caption": caption(series),
    }


def trend(series: list[dict], ascii: bool = False) -> dict:
    """The last six points as a sparkline, the gap to pace now and three points (three month
    ends) before, and how the gap changed in between (negative: falling behind)."""
    recent = series[-TREND_POINTS:]
    now = gap(series[-1]) if series else None
    then = gap(series[-1 - GAP_BACK]) if len(series) > GAP_BACK else None
    change = round(now - then, 1) if now is not None and then is not None else None
    return {"sparkline": sparkline([p["percent"] for p in recent], ascii),
            "from": recent[0]["date"] if recent else None,
            "gap_now": now, "gap_3_months_ago": then, "gap_change": change}


def status_trend(series: list[dict], ascii: bool) -> str:
    """What `compfw status` shows beside the percentage: the cohort report's sparkline (the last
    six points), with the month it starts in; empty with fewer than two points."""
    recent = series[-TREND_POINTS:]
    if len(recent) < 2:
        return ""
    since = month_label(dt.date.fromisoformat(recent[0]["date"]))
    return f"trend since {since}: {sparkline([p['percent'] for p in recent], ascii)}"
