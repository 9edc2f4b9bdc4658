"""`compfw status` for a person: the status document (engine/summary.py) as styled lines.

The view is built from parts (`header`, `readiness_lines`, `section_tables`, `what_next`,
`brief`), each a function from the document to a list of lines, so a new part (a trajectory, say)
is one more function and one more call in `full_view`. Nothing here prints: the command prints
the lines it is given.

Width: on a terminal the competency text wraps at the console's width, continuation lines
indented under the text's start; piped (width None) every line is whole, never cut, so `grep`
finds what it looks for. Ids are never wrapped.

"What next" puts the competencies planned for the current placement first (portfolio.yaml's
`plan:`), then the others in framework order, up to `OTHERS_SHOWN` of them (the tables above list
the rest; with `--examples`, all of them). The first `EXAMPLES_FOR` items show one of the framework's examples; `--examples`
shows every example for every item listed.
"""

from __future__ import annotations

from typing import NamedTuple

from compfw.render.styled import styled
from compfw.render.text_table import Column, hanging, one_line, table_lines

STATUS_STYLE = {
    "not_achieved": "red",
    "partially_achieved": "yellow",
    "achieved": "green",
    "achieved_plus": "bold green",
}
VERDICT_STYLE = {"behind": "bold red", "on_track": "bold green", "far_ahead": "bold yellow", None: "dim"}
MISSING = ("not_achieved", "partially_achieved")
OTHERS_SHOWN = 5
EXAMPLES_FOR = 3
BRIEF_STEPS = 3


class View(NamedTuple):
    width: int | None = None          # None: piped, nothing wrapped
    missing_only: bool = False        # --missing: only what is not yet achieved
    section: str | None = None        # --section ID
    all_examples: bool = False        # --examples
    ascii_trend: bool = True          # the trend in plain characters (NO_COLOR, or not a terminal)


def _wrapped(text: str, view: View, indent: int = 2, style: str = "") -> list:
    return hanging(" " * indent, text, view.width, style=style)


# --- the parts --------------------------------------------------------------------------------


def header(doc: dict, width: int | None = None, ascii_trend: bool = True) -> list:
    from compfw.render.bars import bar

    fw, trainee, counts = doc["framework"], doc["trainee"], doc["counts"]
    pct = doc["percent_achieved"]
    who = one_line(f"{trainee['name']} ({trainee['id']})")
    about = hanging(who + "  ", f"{fw['title']}, version {fw['version']}, as of {doc['as_of']}", width, indent=2)
    about[0].stylize("bold", 0, len(who))
    return about + [
        *with_trend(styled((f"{pct:5.1f}% achieved ", "bold"), (bar(pct, 30), "cyan"),
                          f"  {doc['achieved']} of {doc['required']} competencies"), doc, width, ascii_trend),
        styled(f"Not Achieved {counts['not_achieved']} · Partially Achieved {counts['partially_achieved']} · "
              f"Achieved {counts['achieved']} · Achieved+ {counts['achieved_plus']}"),
    ]


def with_trend(line, doc: dict, width: int | None, ascii: bool) -> list:
    """The percentage line with the trend's sparkline beside it, or on the next line when the
    two do not fit the terminal together."""
    from compfw.render.trajectory_view import status_trend

    trend = status_trend(doc["trajectory"], ascii)
    if not trend:
        return [line]
    if width is None or len(line) + 2 + len(trend) <= width:
        return [line + styled("  " + trend)]
    return [line, styled("  " + trend)]


def phase_note(doc: dict) -> str | None:
    """Said before the readiness verdict when the date is outside the scheme."""
    phase, scheme = doc["outlook"]["phase"], doc["scheme"]
    if phase == "before":
        return f"The scheme starts on {scheme['start']}: nothing is expected before then."
    if phase == "after":
        return f"The scheme ended on {scheme['end']}: this is the final standing."
    return None


def readiness_lines(doc: dict, view: View) -> list:
    rd = doc["readiness"]
    lines = []
    note = phase_note(doc)
    if doc["outlook"]["phase"] == "before":
        lines.extend(hanging("", "Readiness: " + note, view.width, indent=11))
    else:
        said = "Readiness: " + rd["verdict_label"]
        if rd["expected_percent"] is not None:
            said += f" (expected {rd['expected_percent']:.1f}% at this date on the pace to the milestones)"
        if note:
            lines.extend(_wrapped(note, view, indent=0))
        verdict = hanging("", said, view.width, indent=11)
        verdict[0].stylize(VERDICT_STYLE[rd["verdict"]], 11, 11 + len(rd["verdict_label"]))
        lines.extend(verdict)
    if doc.get("not_judged"):
        lines.extend(_wrapped(doc["not_judged"], view, style="yellow"))
    for m in rd["milestones"]:
        at = f", {m['percent_at_due']:.1f}% at that date" if m["percent_at_due"] is not None else ""
        lines.extend(hanging("  ", one_line(f"{m['name']}: {m['percent']:g}% by {m['due']}: {m['state']}{at}"),
                             view.width))
    if rd["graduation_percent"] is not None:
        lines.append(styled(f"Graduation-ready ({rd['graduation_percent']:g}% standard): "
                           f"{'yes' if rd['graduation_ready'] else 'no'}"))
    piece = doc.get("reflective_piece")
    if piece:
        words = f"{piece['words']} words" if piece["words"] is not None else "not written yet"
        lines.extend(hanging("", f"Reflective piece: {words} (needs {piece['min_words']}-{piece['max_words']}, "
                                 f"completed between {piece['window_start']} and {piece['window_end']})",
                             view.width, indent=2))
    return lines


def _level_and_target(c: dict) -> tuple[str, str]:
    if c["assessment"] == "binary":
        return ("yes" if c["status"] == "achieved" else "-"), "a/na"
    level = "-" if c["level"] is None else str(c["level"])
    target = "-" if c["target"] is None else str(c["target"])
    if c["target_source"] == "framework_default":
        target += "*"
    return level, target


TABLE_COLUMNS = (Column("Id"), Column("Level", "right"), Column("Target", "right"), Column("Status"),
                 Column("Competency"))


def shown_competencies(doc: dict, view: View) -> list[dict]:
    return [c for c in doc["competencies"]
            if (not view.missing_only or c["status"] in MISSING) and (view.section is None or c["section"] == view.section)]


def section_tables(doc: dict, view: View) -> list:
    shown = shown_competencies(doc, view)
    by_section: dict[str, list[dict]] = {}
    for c in shown:
        by_section.setdefault(c["section"], []).append(c)
    lines = []
    for section in doc["by_section"]:
        rows = by_section.get(section["id"])
        if not rows:
            continue
        lines.append(styled(""))
        lines.extend(hanging("", f"Section {section['id']}. {section['title']}  ({section['achieved']}/"
                                 f"{section['required']} achieved, {section['percent']:.1f}%)",
                             view.width, indent=2, style="bold"))
        cells = []
        for c in rows:
            level, target = _level_and_target(c)
            cells.append([c["id"], level, target, (c["status_label"], STATUS_STYLE[c["status"]]), c["text"]])
        lines.extend(table_lines(TABLE_COLUMNS, cells, view.width))
    if view.missing_only and not shown:
        lines.append(styled(""))
        lines.append(styled(("Nothing left to achieve here.", "bold green")))
    if any(c["target_source"] == "framework_default" for c in shown):
        lines.append(styled(""))
        lines.extend(hanging("* ", "the source shows no target for this competency; the framework's documented "
                                   "default applies.", view.width, style="dim"))
    if any(c["assessment"] == "binary" for c in shown):
        lines.extend(hanging("  ", "a/na: achieved or not achieved, no rating scale.", view.width, style="dim"))
    return lines


def plan_of_current_placement(doc: dict) -> tuple[str | None, list[str]]:
    place = doc["current_placement"]
    if place is None:
        return None, []
    return place["name"], list(doc["plan"].get(place["name"], []))


def next_steps(doc: dict, section: str | None = None) -> tuple[list[dict], list[dict]]:
    """(planned, others): the competencies not yet achieved, those planned for the current
    placement first in the plan's order, then the rest in framework order."""
    missing = {c["id"]: c for c in doc["competencies"]
               if c["status"] in MISSING and (section is None or c["section"] == section)}
    _, plan = plan_of_current_placement(doc)
    planned = [missing[cid] for cid in dict.fromkeys(plan) if cid in missing]
    taken = {c["id"] for c in planned}
    return planned, [c for c in missing.values() if c["id"] not in taken]


def step_label(c: dict) -> str:
    need = "achieved/not-achieved" if c["assessment"] == "binary" else f"target {c['target']}"
    have = f", at level {c['level']}" if c["level"] is not None else ""
    return f"{c['id']} ({need}{have}): "


def pace_lines(doc: dict, view: View) -> list:
    """How many more achievements, by when: the sentence a trainee plans the next months by."""
    out, rd = doc["outlook"], doc["readiness"]
    sentences = []
    upcoming = out["next_milestone"]
    if upcoming is not None:
        sentences.append(f"{upcoming['more_needed']} more achievement{'' if upcoming['more_needed'] == 1 else 's'} "
                         f"needed by {upcoming['due']} to meet '{one_line(upcoming['name'])}' ({upcoming['percent']:g}%).")
    elif out["phase"] != "before" and rd["milestones"]:
        missed = [m for m in rd["milestones"] if m["state"] == "missed"]
        if missed:
            sentences.extend(f"Missed '{one_line(m['name'])}' ({m['percent']:g}% by {m['due']}; "
                             f"{m['percent_at_due']:.1f}% then)." for m in missed)
        else:
            sentences.append("Every milestone is met.")
    if out["more_to_stay_on_pace"]:
        sentences.append(f"{out['more_to_stay_on_pace']} more to stay on pace (expected "
                         f"{rd['expected_percent']:.1f}% today).")
    elif out["more_to_stay_on_pace"] == 0:
        sentences.append("On pace today.")
    return _wrapped(" ".join(sentences), view, indent=0) if sentences else []


def _step_lines(c: dict, view: View, with_example: bool) -> list:
    lines = hanging("  " + step_label(c), c["text"], view.width, indent=4)
    examples = c["examples"] if view.all_examples else c["examples"][:1] if with_example else []
    for example in examples:
        lines.extend(hanging("      e.g. ", example, view.width, style="dim"))
    return lines


def what_next(doc: dict, view: View) -> list:
    planned, others = next_steps(doc, view.section)
    lines = [styled(""), styled(("What next", "bold underline"))]
    lines.extend(pace_lines(doc, view))
    if not planned and not others:
        lines.append(styled(("Every competency is achieved.", "bold green")) if view.section is None
                     else styled((f"Every competency of section {view.section} is achieved.", "bold green")))
        return lines
    placement, plan = plan_of_current_placement(doc)
    listed = 0
    if placement is not None:
        if planned:
            lines.extend(hanging("", f"Planned for {placement}:", view.width, indent=2, style="bold"))
            for c in planned:
                lines.extend(_step_lines(c, view, listed < EXAMPLES_FOR))
                listed += 1
        elif plan and view.section is None:
            lines.extend(hanging("", f"Everything planned for {placement} is achieved.", view.width, indent=2))
        elif not plan:
            lines.extend(hanging("", f"No plan for {placement} yet (portfolio.yaml, plan: "
                                     f"{{\"{placement}\": [ids]}}).", view.width, indent=2, style="dim"))
    if others:
        title = "Not yet achieved" if not planned else "Also not yet achieved"
        lines.extend(hanging("", f"{title}:", view.width, indent=2, style="bold"))
        limit = len(others) if view.all_examples else OTHERS_SHOWN
        for c in others[:limit]:
            lines.extend(_step_lines(c, view, listed < EXAMPLES_FOR))
            listed += 1
        if len(others) > limit:
            rest = len(others) - limit
            where = "in the tables above" if view.missing_only else \
                "in the tables above; `compfw status --missing` shows only those"
            lines.extend(hanging("  ", f"and {rest} more not yet achieved ({where}).", view.width, style="dim"))
    return lines + piece_lines(doc, view)


def piece_lines(doc: dict, view: View) -> list:
    """Where the reflective piece is a next step (a competency it signs off is missing), what the
    framework asks it to cover."""
    piece = doc.get("reflective_piece")
    if not piece or not piece.get("criteria"):
        return []
    waiting = [c for c in doc["competencies"] if c["section"] in piece["sections"] and c["status"] in MISSING
               and (view.section is None or c["section"] == view.section)]
    if not waiting:
        return []
    lines = hanging("", f"Next: the reflective piece for {waiting[0]['section_title']} ({piece['min_words']}-"
                        f"{piece['max_words']} words, completed between {piece['window_start']} and "
                        f"{piece['window_end']}). {piece['criteria_intro']}".rstrip(), view.width, indent=2,
                    style="bold")
    for group in piece["criteria"]:
        lines.extend(hanging("  ", group["heading"], view.width, indent=4))
        for item in group["items"]:
            lines.extend(hanging("    - ", item, view.width, indent=6, style="dim"))
    return lines


def _stylize_first(lines: list, start: int, end: int, style: str) -> None:
    """Style a span of the first of some wrapped lines, as far as that line reaches."""
    end = min(end, len(lines[0].plain))
    if start < end:
        lines[0].stylize(style, start, end)


# --- the views --------------------------------------------------------------------------------


def full_view(doc: dict, view: View) -> list:
    return header(doc, view.width, view.ascii_trend) + readiness_lines(doc, view) + section_tables(doc, view) + what_next(doc, view)


def brief(doc: dict, view: View) -> list:
    """A few lines: percentage and verdict, the next milestone, the next steps."""
    trainee, rd, out = doc["trainee"], doc["readiness"], doc["outlook"]
    who = one_line(f"{trainee['name']} ({trainee['id']})")
    said = f"{who}: {doc['percent_achieved']:.1f}% achieved ({doc['achieved']} of {doc['required']}), "
    verdict_at = len(said)
    if out["phase"] == "before":
        said += f"scheme starts {doc['scheme']['start']}"
    else:
        said += rd["verdict_label"]
        if rd["expected_percent"] is not None:
            said += f" (expected {rd['expected_percent']:.1f}%)"
        if out["phase"] == "after":
            said += f"; scheme ended {doc['scheme']['end']}"
    lines = hanging("", said, view.width, indent=2)
    _stylize_first(lines, 0, len(who), "bold")
    if out["phase"] != "before":
        _stylize_first(lines, verdict_at, verdict_at + len(rd["verdict_label"]), VERDICT_STYLE[rd["verdict"]])
    lines.extend(pace_lines(doc, view))
    planned, others = next_steps(doc, view.section)
    steps = (planned + others)[:BRIEF_STEPS]
    if steps:
        placement, _ = plan_of_current_placement(doc)
        source = f" (the plan for {placement} first)" if planned else ""
        lines.append(styled((f"Next steps{source}:", "bold")))
        for c in steps:
            lines.extend(hanging("  " + step_label(c), c["text"], view.width, indent=4))
    else:
        lines.append(styled(("Every competency is achieved.", "bold green")))
    return lines
