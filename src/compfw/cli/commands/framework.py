"""`compfw framework list|show`: read the frameworks compfw knows."""

from __future__ import annotations

import json
import sys

from compfw.cli.output import console, guarded
from compfw.render.terminal import json_safe, shown
from compfw.model.loading import resolve
from compfw.render.framework_document import framework_counts


def _store():
    from compfw.model.loading import FrameworkStore, find_repo_root

    return FrameworkStore.for_repo(find_repo_root())



def run_list(json_out: bool) -> int:
    def body() -> int:
        rows = []
        for lf in _store().all():
            fw = lf.framework
            rows.append({"id": fw.id, "version": fw.version, "title": fw.title, **framework_counts(lf)})
        if json_out:
            sys.stdout.write(json.dumps(rows, indent=2) + "\n")
            return 0
        render_list(rows)
        return 0

    return guarded(body)


def render_list(rows: list[dict]) -> None:
    """Ids and versions are never wrapped (`compfw framework list | grep informatics` finds the
    id); the title, last, wraps under itself on a terminal and is whole when piped."""
    from rich.text import Text

    from compfw.render.text_table import Column, table_lines, terminal_width

    out = console()
    out.print(Text("Frameworks", style="bold"))
    columns = [Column("id"), Column("version"), Column("sections", "right"), Column("elements", "right"),
               Column("competencies", "right"), Column("title")]
    cells = [[shown(r["id"]), shown(r["version"]), str(r["sections"]), str(r["elements"]), str(r["competencies"]),
              shown(r["title"])] for r in rows]
    for line in table_lines(columns, cells, terminal_width(out)):
        out.print(line.to_rich(), soft_wrap=True)


def run_show(framework_id: str, version: str | None, json_out: bool) -> int:
    def body() -> int:
        lf = resolve(_store(), framework_id, version)
        if json_out:
            from compfw.render.framework_document import framework_document

            sys.stdout.write(json_safe(json.dumps(framework_document(lf), indent=2, ensure_ascii=False)) + "\n")
            return 0
        render_tree(lf)
        return 0

    return guarded(body)


def render_tree(lf) -> None:
    from rich.text import Text
    from rich.tree import Tree

    fw = lf.framework
    out = console()
    out.print(Text(shown(f"{fw.title} ({fw.id}, version {fw.version})"), style="bold"))
    if fw.scale:
        out.print(shown(f"{fw.scale.name}: " + ", ".join(f"{lv.value} {lv.name}" for lv in fw.scale.levels)))
    if fw.default_target is not None:
        out.print(f"Default target where the source shows none: {fw.default_target}")
    for m in fw.milestones:
        out.print(shown(f"Milestone: {m.name}: {m.percent:g}%"))
    tree = Tree(Text(shown(fw.id)))
    rows = {p.id: p for p in lf.catalog.placed}
    for section in fw.sections:
        branch = tree.add(Text(shown(f"{section.id} {section.title} ({section.assessment})"), style="bold"))
        groups = [(None, section.competencies)] + [(e, e.competencies) for e in section.elements]
        for element, competencies in groups:
            node = branch.add(Text(shown(f"{element.id} {element.title}"))) if element else branch
            for c in competencies:
                target, source = rows[c.id].target(fw, None)
                if rows[c.id].assessment == "binary":
                    label = "achieved/not achieved"
                elif target is None:
                    label = "target: the person's stage" if c.statements or fw.scale else "no target"
                else:
                    label = f"target {target}" + (" (default: not in source)" if source == "framework_default" else "")
                kind = " specialist" if c.kind == "specialist" else ""
                node.add(Text(shown(f"{c.id}{kind} ({label}) {' '.join(c.text.split())}")))
    out.print(tree)
