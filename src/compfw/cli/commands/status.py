"""`compfw status`: one trainee's standing, as tables (rich) or one JSON object."""

from __future__ import annotations

import datetime as dt
import json
import sys
from pathlib import Path
from typing import NamedTuple

from compfw.cli.output import colour_wanted, console, guarded, print_error, print_problems, surely_not_a_terminal
from compfw.render.terminal import json_safe, shown_tree


class StatusOptions(NamedTuple):
    missing: bool = False
    section: str | None = None
    brief: bool = False
    examples: bool = False


def run_status(path: Path | None, as_of: dt.date, json_out: bool, options: StatusOptions = StatusOptions(),
               cache: bool = True) -> int:
    def body() -> int:
        from compfw.checks.cached import status_of
        from compfw.files.result_cache import ResultCache

        doc, problems = status_of(path, as_of, ResultCache.for_command(cache))
        sections = [s["id"] for s in doc["by_section"]]
        if options.section is not None and options.section not in sections:
            print_error(f"{doc['framework']['id']} has no section {options.section!r}",
                        f"sections: {', '.join(sections)}")
            return 2
        print_problems(problems)
        if problems:
            sys.stderr.write(f"warning: {len(problems)} problem(s) in this portfolio; sign-offs with "
                             "errors are not counted (`compfw validate` lists them all)\n")
        if json_out:
            sys.stdout.write(json_safe(json.dumps(doc, indent=2, ensure_ascii=False)) + "\n")
        else:
            render(shown_tree(doc), options)
        return 0

    return guarded(body)


def render(doc: dict, options: StatusOptions) -> None:
    from compfw.render.status_view import View, brief, full_view
    from compfw.render.styled import plain_text
    from compfw.render.text_table import terminal_width

    def view_of(width: int | None) -> View:
        return View(width=width, missing_only=options.missing, section=options.section,
                    all_examples=options.examples, ascii_trend=not colour_wanted())

    if surely_not_a_terminal():
        # Piped or redirected: plain lines, whole, as rich would print them, without importing it.
        view = view_of(None)
        sys.stdout.write(plain_text(brief(doc, view) if options.brief else full_view(doc, view)))
        return
    from rich.text import Text

    out = console()
    view = view_of(terminal_width(out))
    lines = brief(doc, view) if options.brief else full_view(doc, view)
    # One Text, printed once: far cheaper than a print per line, and never re-wrapped by rich.
    out.print(Text("\n").join(line.to_rich() for line in lines), soft_wrap=True)
