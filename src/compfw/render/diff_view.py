"""`compfw diff` as text and as Markdown (for a pull request's job summary, $GITHUB_STEP_SUMMARY).

Both are made from trust.history_diff's plain data. In Markdown every value from a portfolio or a
ref name goes through md_cell, so that a name or a competency text cannot break a table, add a
link or an image, or run HTML in the summary; in text every value goes through `plain`, so that
nothing from a file reaches the terminal as a control sequence.
"""

from __future__ import annotations

from compfw.render.markdown_escape import md_cell
from compfw.render.terminal import shown as plain


def _level(state: dict | None) -> str:
    if state is None:
        return "not required"
    return state["label"] + (f" (level {state['level']})" if state["level"] is not None else "")


def _standing(side: dict | None) -> str:
    if side is None:
        return "-"
    return f"{side['percent']:.1f}% ({side['achieved']} of {side['required']})"


def _verdict(side: dict | None) -> str:
    return (side or {}).get("verdict_label") or "-"


def _signers(item: dict, cell) -> str:
    return "; ".join(f"{cell(s['name'])} <{cell(s['email'])}>, {s['role'].replace('_', ' ')}, {s['date']}"
                     if cell is plain else
                     f"{cell(s['name'])} ({cell(s['email'])}), {s['role'].replace('_', ' ')}, {s['date']}"
                     for s in item["signed_by"])


def _who(trainee: dict, cell) -> str:
    return f"{cell(trainee['name'])} ({cell(trainee['id'])})" if trainee["name"] else cell(trainee["id"])


def _notes(trainee: dict) -> list[str]:
    notes = []
    if trainee["change"] == "added":
        notes.append("a new portfolio in this change")
    elif trainee["change"] == "removed":
        notes.append("this change removes the portfolio")
    if trainee["managers_changed"]:
        notes.append("this change also edits the managers: who may sign is proven by "
                     "`compfw audit --base` against the base branch, not here")
    if trainee["errors_after"]:
        notes.append(f"{trainee['errors_after']} error(s) after this change (was {trainee['errors_before']}): "
                     "sign-offs with errors are not counted; `compfw validate` lists them")
    return notes


def _headline(doc: dict) -> str:
    count = len(doc["trainees"])
    touched = doc["touched"]
    what = (f"{count} of {touched} touched portfolio{'s' if touched != 1 else ''} changed"
            if touched else "no portfolio touched")
    if doc["frameworks_changed"]:
        what += " (a framework changed, so every portfolio was compared)"
    return what


def diff_text(doc: dict) -> str:
    base, head = doc["base"], doc["head"]
    out = [f"{plain(base['ref'])} ({base['commit'][:12]}) -> {plain(head['ref'])} ({head['commit'][:12]}), "
           f"as of {doc['as_of']}: {_headline(doc)}"]
    for trainee in doc["trainees"]:
        before, after = trainee["before"], trainee["after"]
        out += ["", f"{_who(trainee, plain)}, {plain(trainee['portfolio'])}: "
                f"{_standing(before)} -> {_standing(after)} achieved; {_verdict(before)} -> {_verdict(after)}"]
        for item in trainee["competencies"]:
            line = f"  {item['id']} {plain(item['text'])}: {_level(item['before'])} -> {_level(item['after'])}"
            if item["signed_by"]:
                line += f", signed by {_signers(item, plain)}"
            out.append(line)
        for m in trainee["milestones"]:
            out.append(f"  milestone {plain(m['name'])}: {m['before'] or '-'} -> {m['after']}")
        out += [f"  note: {note}" for note in _notes(trainee)]
    return "\n".join(out) + "\n"


def diff_markdown(doc: dict) -> str:
    base, head = doc["base"], doc["head"]
    out = ["## compfw: what this change does to the portfolios", "",
           f"{md_cell(base['ref'])} ({base['commit'][:12]}) → {md_cell(head['ref'])} ({head['commit'][:12]}), "
           f"as of {doc['as_of']}: {_headline(doc)}.", ""]
    for trainee in doc["trainees"]:
        before, after = trainee["before"], trainee["after"]
        out += [f"### {_who(trainee, md_cell)}", "",
                "| | before | after |", "| --- | --- | --- |",
                f"| achieved | {_standing(before)} | {_standing(after)} |",
                f"| readiness | {_verdict(before)} | {_verdict(after)} |"]
        for m in trainee["milestones"]:
            out.append(f"| milestone: {md_cell(m['name'])} | {m['before'] or '-'} | {m['after']} |")
        out.append("")
        if trainee["competencies"]:
            out += ["| competency | before | after | signed by |", "| --- | --- | --- | --- |"]
            for item in trainee["competencies"]:
                out.append(f"| {md_cell(item['id'])} {md_cell(item['text'])} | {_level(item['before'])} | "
                           f"{_level(item['after'])} | {_signers(item, md_cell) or '-'} |")
            out.append("")
        notes = _notes(trainee)
        out += [f"- {note}" for note in notes] + ([""] if notes else [])
    return "\n".join(out).rstrip("\n") + "\n"
