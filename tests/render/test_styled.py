"""Styled lines (render/styled.py) stand for rich Text exactly, so `compfw status` may write them
without rich when its output is piped.

- each operation the views use gives the same text, base style and spans as rich's Text;
- every example portfolio's status view (full, brief, --missing, a section, --examples), written
  plainly, is byte for byte what rich prints for the same lines to a pipe;
- piped, `compfw status` does not import rich's console or Text (only its table of character
  widths); on a terminal (TTY_COMPATIBLE=1) it still does.
"""

from __future__ import annotations

import io
import json
import subprocess
import sys

import pytest
from conftest import REPO
from rich.console import Console
from rich.text import Text

from compfw.render.status_view import View, brief, full_view
from compfw.render.styled import Line, plain_text, styled
from compfw.render.terminal import console_options, shown_tree

EXAMPLES = sorted(p.name for p in (REPO / "portfolios").iterdir() if (p / "portfolio.yaml").is_file())


def same(line: Line, text: Text) -> None:
    converted = line.to_rich()
    assert converted.plain == text.plain
    assert str(converted.style) == str(text.style)
    assert [tuple(s) for s in converted.spans if s.end > s.start] == [tuple(s) for s in text.spans if s.end > s.start]


def test_append_with_and_without_a_style():
    line, text = Line("  "), Text("  ")
    for part, style in (("1.2.3", "bold"), ("  ", None), ("Achieved", "green"), ("", "red"), (" end", "")):
        line.append(part, style=style)
        text.append(part, style=style)
    same(line, text)


def test_a_base_style_covers_text_appended_later():
    line, text = Line("dim start", style="dim"), Text("dim start", style="dim")
    line.append(" and more", "bold")
    text.append(" and more", "bold")
    same(line, text)


def test_adding_lines_keeps_both_sides_styles():
    left, right = styled(("12.5% achieved ", "bold"), "rest"), Line("  trend", style="cyan")
    left.stylize("red", 3, 6)
    text_left = Text()
    text_left.append("12.5% achieved ", style="bold")
    text_left.append("rest")
    text_left.stylize("red", 3, 6)
    same(left + right, text_left + Text("  trend", style="cyan"))


def test_stylize_is_clipped_to_the_line_and_rstrip_trims_spans():
    line, text = Line("name   "), Text("name   ")
    for args in (("bold", 0, 4), ("red", 2, 99), ("green", 9, 12)):
        line.stylize(*args)
        text.stylize(*args)
    line.rstrip()
    text.rstrip()
    same(line, text)


def _status_doc(name: str) -> dict:
    done = subprocess.run([sys.executable, "-m", "compfw.cli", "status", f"portfolios/{name}", "--json", "--no-cache"],
                          cwd=REPO, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    return shown_tree(json.loads(done.stdout))


@pytest.mark.parametrize("name", EXAMPLES)
def test_piped_status_is_what_rich_prints(name):
    doc = _status_doc(name)
    sections = [s["id"] for s in doc["by_section"]]
    views = [View(), View(missing_only=True), View(section=sections[-1]), View(all_examples=True)]
    for make, view in [(full_view, v) for v in views] + [(brief, View())]:
        lines = make(doc, view)
        buffer = io.StringIO()
        Console(file=buffer, no_color=True, color_system=None, soft_wrap=True, **console_options()).print(
            Text("\n").join(line.to_rich() for line in lines), soft_wrap=True)
        assert plain_text(lines) == buffer.getvalue()


IMPORTS_RICH = "import sys; sys.argv = ['compfw'] + sys.argv[1:]; from compfw.cli import main\n" \
               "try:\n    main()\nexcept SystemExit:\n    pass\n" \
               "sys.stderr.write('rich imported: %s' % ('rich.console' in sys.modules or 'rich.text' in sys.modules))"


@pytest.mark.parametrize("env, imported", [({}, "False"), ({"TTY_COMPATIBLE": "1", "COLUMNS": "100"}, "True")])
def test_rich_is_imported_only_for_a_terminal(env, imported, monkeypatch):
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    done = subprocess.run([sys.executable, "-c", IMPORTS_RICH, "status", "portfolios/asha-patel"], cwd=REPO,
                          capture_output=True, text=True)
    assert done.stderr.endswith(f"rich imported: {imported}"), done.stderr
    assert done.stdout.startswith("Asha Patel")


# --- shown_tree: a document with nothing to escape is passed through as it is ------------------


def test_a_document_with_nothing_to_escape_is_returned_as_it_is():
    doc = {"name": "Zoë O'Brien [bold]", "ids": ["1.1.1", 2, None, 3.5, True], "nested": {"k": ["ok"]}}
    assert shown_tree(doc) is doc


@pytest.mark.parametrize("unsafe, escaped", [("\x1b[2J", "\\x1b[2J"), ("a\tb", "a\\tb"), ("line\nnext", "line\\nnext"),
                                             ("\x85", "\\x85"), ("\u202eevil", "\\u202eevil"), ("\x7f", "\\x7f")])
def test_every_unsafe_character_is_escaped_in_keys_and_values(unsafe, escaped):
    doc = {"trainee": {"name": unsafe}, unsafe: [unsafe, {"deep": (unsafe,)}], "plain": "ok"}
    assert shown_tree(doc) == {"trainee": {"name": escaped}, escaped: [escaped, {"deep": (escaped,)}], "plain": "ok"}


def test_a_backslash_in_data_is_kept_and_values_json_cannot_hold_are_walked():
    import datetime as dt

    assert shown_tree({"path": "C:\\evidence"}) == {"path": "C:\\evidence"}
    day = dt.date(2026, 11, 22)
    assert shown_tree({"when": day, "who": "\x1b]52;c;x\x07"}) == {"when": day, "who": "\\x1b]52;c;x\\x07"}


# --- when status may skip rich: only when rich would surely see no terminal ---------------------


@pytest.mark.parametrize("env, on_a_pty, surely", [
    ({}, False, True),                          # a pipe
    ({}, True, False),                          # a terminal
    ({"TTY_COMPATIBLE": "0"}, True, True),      # a terminal that says it is not one
    ({"TTY_COMPATIBLE": "1"}, False, False),    # a pipe that says it is a terminal
    ({"FORCE_COLOR": "1"}, False, False),       # rich lays out as for a terminal
    ({"FORCE_COLOR": ""}, False, False),        # rich's own reading of an empty value: leave it to rich
    ({"NO_COLOR": "1"}, True, False),           # no colour, but still the terminal's width
])
def test_status_skips_rich_only_where_rich_would_see_no_terminal(env, on_a_pty, surely, monkeypatch):
    import os

    from compfw.cli.output import surely_not_a_terminal

    for key in ("TTY_COMPATIBLE", "FORCE_COLOR", "NO_COLOR"):
        monkeypatch.delenv(key, raising=False)
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    if on_a_pty:
        leader, follower = os.openpty()
        stream = os.fdopen(follower, "w")
    else:
        stream = io.StringIO()
    try:
        assert surely_not_a_terminal(stream) is surely
        if env != {"FORCE_COLOR": ""}:  # rich agrees (an empty FORCE_COLOR is left to rich to read)
            assert Console(file=stream).is_terminal is not surely
    finally:
        if on_a_pty:
            stream.close()
            os.close(leader)
