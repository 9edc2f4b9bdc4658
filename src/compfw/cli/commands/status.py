"""`compfw status`: one trainee's standing, as tables (rich) or one JSON object."""

from __future__ import annotations

import datetime as dt
import json
import sys
from pathlib import Path

from compfw.cli.output import console, guarded, print_problems
from compfw.render.terminal import json_safe, shown_tree

STATUS_STYLE = {
    "not_achieved": "red",
    "partially_achieved": "yellow",
    "achieved": "green",
    "achieved_plus": "bold green",
}
VERDICT_STYLE = {"behind": "bold red", "on_track": "bold green", "far_ahead": "bold yellow", None: "dim"}


def run_status(path: Path | None, as_of: dt.date, json_out: bool) -> int:
    def body() -> int:
        from compfw.checks.workspace import open_portfolio
        from compfw.engine.summary import status_document

        opened = open_portfolio(path)
        doc = status_document(opened.portfolio, opened.framework, as_of)
        print_problems(opened.problems)
        if opened.problems:
            sys.stderr.write(f"warning: {len(opened.problems)} problem(s) in this portfolio; sign-offs with "
                             "errors are not counted (`compfw validate` lists them all)\n")
        if json_out:
            sys.stdout.write(json_safe(json.dumps(doc, indent=2, ensure_ascii=False)) + "\n")
        else:
            render(shown_tree(doc))
        return 0

    return guarded(body)


def render(doc: dict) -> None:
    from rich.text import Text

    from compfw.render.bars import bar

    out = console()
    fw, trainee, rd = doc["framework"], doc["trainee"], doc["readiness"]
    out.print(Text(f"{trainee['name']} ({trainee['id']})", style="bold")
              + Text(f"  {fw['title']}, version {fw['version']}, as of {doc['as_of']}"))
    pct = doc["percent_achieved"]
    out.print(Text(f"{pct:5.1f}% achieved ", style="bold") + Text(bar(pct, 30), style="cyan")
              + Text(f"  {doc['achieved']} of {doc['required']} competencies"))
    counts = doc["counts"]
    out.print(f"Not Achieved {counts['not_achieved']} · Partially Achieved {counts['partially_achieved']} · "
              f"Achieved {counts['achieved']} · Achieved+ {counts['achieved_plus']}")
    verdict = Text(rd["verdict_label"], style=VERDICT_STYLE[rd["verdict"]])
    if rd["expected_percent"] is not None:
        verdict += Text(f" (expected {rd['expected_percent']:.1f}% at this date on the pace to the milestones)")
    out.print(Text("Readiness: ") + verdict)
    for m in rd["milestones"]:
        at = f", {m['percent_at_due']:.1f}% at that date" if m["percent_at_due"] is not None else ""
        out.print(f"  {m['name']}: {m['percent']:g}% by {m['due']}: {m['state']}{at}")
    if rd["graduation_percent"] is not None:
        ready = "yes" if rd["graduation_ready"] else "no"
        out.print(f"Graduation-ready ({rd['graduation_percent']:g}% standard): {ready}")
    piece = doc.get("reflective_piece")
    if piece:
        words = f"{piece['words']} words" if piece["words"] is not None else "not written yet"
        out.print(f"Reflective piece: {words} (needs {piece['min_words']}-{piece['max_words']}, "
                  f"completed between {piece['window_start']} and {piece['window_end']})")

    by_section: dict[str, list[dict]] = {}
    for c in doc["competencies"]:
        by_section.setdefault(c["section"], []).append(c)
    longest = max((len(" ".join(c["text"].split())) for c in doc["competencies"]), default=40)
    width = max(30, min(longest, min(out.width, 160) - 48))
    for section in doc["by_section"]:
        out.print(Text(f"\nSection {section['id']}. {section['title']}  ({section['achieved']}/"
                       f"{section['required']} achieved, {section['percent']:.1f}%)", style="bold"))
        out.print(section_table(by_section.get(section["id"], []), width))

    if any(c["target_source"] == "framework_default" for c in doc["competencies"]):
        out.print(Text("\n* the source shows no target for this competency; the framework's documented default applies."
                       "\n  a/na: achieved or not achieved, no rating scale.", style="dim"))
    missing = [c for c in doc["competencies"] if c["status"] in ("not_achieved", "partially_achieved")]
    if missing:
        out.print(Text("\nWhat next", style="bold underline"))
        current = None
        for c in missing:
            if c["section"] != current:
                current = c["section"]
                out.print(Text(f"Section {c['section']}. {c['section_title']}", style="bold"))
            need = "achieved/not-achieved" if c["assessment"] == "binary" else f"target {c['target']}"
            have = f", at level {c['level']}" if c["level"] is not None else ""
            out.print(f"  {c['id']} ({need}{have}): {_short(c['text'], 110)}")
            for example in c["examples"][:2]:
                out.print(Text(f"      e.g. {_short(example, 110)}", style="dim"))
    else:
        out.print(Text("Every competency is achieved.", style="bold green"))


def section_table(rows: list[dict], width: int):
    """A section's competencies as aligned columns: one Text, far cheaper to render than a Table."""
    from rich.text import Text

    id_width = max([len(c["id"]) for c in rows] + [2])
    table = Text()
    table.append(f"{'Id':<{id_width}}  {'Competency':<{width}}  Level  Target  Status\n", style="dim")
    for c in rows:
        level = "-" if c["level"] is None else str(c["level"])
        target = "-" if c["target"] is None else str(c["target"])
        if c["target_source"] == "framework_default":
            target += "*"
        if c["assessment"] == "binary":
            level, target = ("yes" if c["status"] == "achieved" else "-"), "a/na"
        table.append(f"{c['id']:<{id_width}}  {_short(c['text'], width):<{width}}  {level:>5}  {target:>6}  ")
        table.append(c["status_label"], style=STATUS_STYLE[c["status"]])
        table.append("\n")
    table.rstrip()
    return table


def _short(text: str, width: int = 90) -> str:
    text = " ".join(text.split())
    return text if len(text) <= width else text[: width - 1] + "…"
