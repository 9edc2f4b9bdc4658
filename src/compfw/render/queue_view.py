"""`compfw queue` as text (a terminal or a log) and as Markdown (a digest a scheduled job posts).

Both are made from compfw.engine.queue.queue_document's plain data. Text from portfolios (names,
titles, notes, paths) is made inert: control characters never reach a terminal, and in Markdown
every value goes through md_cell, so a title cannot break the table or add a link.
"""

from __future__ import annotations

from compfw.render.markdown_escape import md_cell
from compfw.render.terminal import shown as plain


def _what(item: dict) -> str:
    if item["kind"] == "request":
        return "request" + (f": {item['label']}" if item["label"] else "")
    return f"evidence {item['evidence_id']}" + (f": {item['label']}" if item["label"] else "")


def _age(days: int) -> str:
    return "today" if days == 0 else f"{days} day{'s' if days != 1 else ''}"


def _items(manager: dict) -> list[tuple[dict, dict]]:
    pairs = [(t, i) for t in manager["trainees"] for i in t["items"]]
    return sorted(pairs, key=lambda p: (p[1]["date"], p[0]["id"], p[1]["kind"], p[1]["file"]))


def _idle(manager: dict) -> list[dict]:
    return [t for t in manager["trainees"] if not t["items"]]


def _summary(manager: dict) -> str:
    total = len(manager["trainees"])
    trainees = f"{total} trainee{'s' if total != 1 else ''}"
    if not manager["waiting"]:
        return f"nothing waiting ({trainees})"
    busy = total - len(_idle(manager))
    return f"{manager['waiting']} waiting, from {busy} of {trainees}"


def _footer(doc: dict, cell=plain) -> list[str]:
    if not doc["unreadable"]:
        return []
    return [f"Not in this queue: {len(doc['unreadable'])} portfolio(s) that cannot be read "
            f"({', '.join(cell(p) for p in doc['unreadable'])}); `compfw validate` says why."]


def _who(manager: dict, cell=plain) -> str:
    if manager["name"] == manager["email"]:
        return cell(manager["email"])
    return f"{cell(manager['name'])} <{cell(manager['email'])}>" if cell is plain else \
        f"{cell(manager['name'])} ({cell(manager['email'])})"


def queue_text(doc: dict) -> str:
    """Aligned columns, nothing cut or wrapped (a pipe to grep sees whole ids and paths)."""
    out: list[str] = []
    for manager in doc["managers"]:
        if out:
            out.append("")
        who = _who(manager)
        if not manager["trainees"]:
            out.append(f"{who} may sign for no trainee on {doc['today']}: nothing waits for them.")
            continue
        out.append(f"{who} on {doc['today']}: {_summary(manager)}")
        rows = [("age", "date", "trainee", "competencies", "what", "file")]
        for trainee, item in _items(manager):
            rows.append((_age(item["age_days"]), item["date"], plain(f"{trainee['name']} ({trainee['id']})"),
                         ", ".join(item["competencies"]), plain(_what(item)), plain(item["file"])))
        if len(rows) > 1:
            widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]) - 1)]
            for row in rows:
                cells = [cell.ljust(width) for cell, width in zip(row, widths)]
                out.append("  " + "  ".join([*cells, row[-1]]).rstrip())
        idle = _idle(manager)
        if idle:
            out.append("  Nothing waiting from: " + ", ".join(plain(f"{t['name']} ({t['id']})") for t in idle))
    if not doc["managers"]:
        out.append(f"No manager is named in any portfolio that can be read on {doc['today']}.")
    out += _footer(doc)
    return "\n".join(out) + "\n"


def queue_markdown(doc: dict) -> str:
    """A digest: a heading per manager, a table of what waits, oldest first."""
    title = "What waits for whom" if doc["all"] else "What waits for you"
    out = [f"# {title} ({doc['today']})", ""]
    quiet = []
    for manager in doc["managers"]:
        who = _who(manager, md_cell)
        if not manager["waiting"]:
            quiet.append(who)
            if not doc["all"]:
                detail = "may sign for no trainee" if not manager["trainees"] else "has nothing waiting"
                out += [f"{who} {detail}.", ""]
            continue
        out += [f"## {who}: {_summary(manager)}", "",
                "| age (days) | since | trainee | competencies | what | file |",
                "| ---: | --- | --- | --- | --- | --- |"]
        for trainee, item in _items(manager):
            out.append(f"| {item['age_days']} | {item['date']} | {md_cell(trainee['name'])} ({md_cell(trainee['id'])}) "
                       f"| {md_cell(', '.join(item['competencies']))} | {md_cell(_what(item))} | {md_cell(item['file'])} |")
        out.append("")
    if doc["all"]:
        if quiet:
            out += ["Nothing waiting for: " + ", ".join(quiet) + ".", ""]
        if not doc["managers"]:
            out += ["No manager is named in any portfolio that can be read.", ""]
    for line in _footer(doc, md_cell):
        out += [line, ""]
    return "\n".join(out).rstrip("\n") + "\n"
