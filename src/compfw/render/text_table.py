"""Aligned text columns for the terminal and for pipes, cheaper than rich Tables and never
cutting an id.

Only the last column may wrap: on a terminal it wraps at word boundaries to the console width,
its continuation lines indented under the column's start; piped (``width=None``) every row is one
line with the full text, so `grep` and `cut` see whole values. The other columns are as wide as
their widest cell and are never wrapped or truncated.

Lines come out as render.styled Lines, which become rich Text only when printed in colour; of rich,
only its measure of a character's width on a terminal is used here.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import NamedTuple

from compfw.render.styled import Line

# Below this many cells the last column is wrapped at this width anyway (lines then run past a
# very narrow terminal) rather than one word per line.
MIN_WRAP = 24
GAP = "  "


class Column(NamedTuple):
    header: str
    align: str = "left"   # "left" or "right"


Cell = str | tuple[str, str]   # text, or (text, rich style)


def terminal_width(out) -> int | None:
    """The width to wrap at: the console's on a terminal (rich's detection, so TTY_COMPATIBLE=1 and
    FORCE_COLOR count, and COLUMNS sets it), None when piped."""
    return out.width if out.is_terminal else None


def one_line(text: str) -> str:
    """Text from a file as one line: runs of whitespace (newlines included) become one space."""
    return " ".join(str(text).split())


def cell_width(text: str) -> int:
    """How many terminal cells text takes, as rich measures it.

    Printable ASCII takes one cell a character, as rich also counts it; rich's tables of wide and
    zero-width characters are imported (a few milliseconds) only for other text."""
    if text.isascii() and text.isprintable():
        return len(text)
    from rich.cells import cell_len

    return cell_len(text)


def wrap_words(text: str, width: int | None, first: int | None = None) -> list[str]:
    """Text wrapped at spaces to at most width cells (the first line to `first` cells, if given);
    a word longer than a line is cut into pieces (a long URL), never two words joined.
    width None: one line."""
    text = one_line(text)
    if width is None:
        return [text]
    lines: list[str] = []

    def room() -> int:
        return first if first is not None and not lines else width

    current = ""
    for word in text.split(" "):
        while cell_width(word) > room():
            if current:
                lines.append(current)
                current = ""
                continue
            piece = _fit(word, room())
            lines.append(piece)
            word = word[len(piece):]
        candidate = f"{current} {word}" if current else word
        if cell_width(candidate) <= room():
            current = candidate
        else:
            lines.append(current)
            current = word
    if current or not lines:
        lines.append(current)
    return lines


def _fit(word: str, width: int) -> str:
    end = len(word)
    while end > 1 and cell_width(word[:end]) > width:
        end -= 1
    return word[:end]


def _text(cell: Cell) -> str:
    return one_line(cell[0] if isinstance(cell, tuple) else cell)


def _style(cell: Cell) -> str:
    return cell[1] if isinstance(cell, tuple) else ""


def table_lines(columns: Sequence[Column], rows: Sequence[Sequence[Cell]], width: int | None,
                indent: str = "", header_style: str = "dim") -> list:
    """The header and rows as styled lines (see the module's docstring)."""
    fixed = columns[:-1]
    widths = [max([cell_width(c.header)] + [cell_width(_text(row[i])) for row in rows]) for i, c in enumerate(fixed)]
    lead = cell_width(indent) + sum(w + len(GAP) for w in widths)
    below = width is not None and width - lead < MIN_WRAP
    if below:
        # Too narrow for the last column beside the others: it goes under them, indented.
        lead = cell_width(indent) + len(GAP) * 2
    last_width = None if width is None else max(MIN_WRAP, width - lead)

    def pad(text: str, w: int, align: str) -> str:
        space = " " * (w - cell_width(text))
        return space + text if align == "right" else text + space

    lines = []
    header = Line(indent)
    fixed_header = GAP.join(pad(c.header, w, c.align) for c, w in zip(fixed, widths))
    if below:
        lines.append(Line(indent + fixed_header.rstrip(), style=header_style))
        lines.append(Line(" " * lead + columns[-1].header, style=header_style))
    else:
        header.append(fixed_header + GAP + columns[-1].header, style=header_style)
        lines.append(header)
    for row in rows:
        line = Line(indent)
        for i, (column, w) in enumerate(zip(fixed, widths)):
            line.append(pad(_text(row[i]), w, column.align), style=_style(row[i]) or None)
            line.append(GAP)
        wrapped = wrap_words(_text(row[-1]), last_width)
        if below:
            line.rstrip()
            lines.append(line)
            wrapped.insert(0, "")
        else:
            line.append(wrapped[0], style=_style(row[-1]) or None)
            lines.append(line)
        for more in wrapped[1:]:
            lines.append(Line(" " * lead) + Line(more, style=_style(row[-1]) or None))
    return lines


def hanging(first: str, text: str, width: int | None, indent: int | None = None, style: str = "") -> list:
    """`first` then text wrapped to width, continuation lines indented under the text's start
    (or by `indent` cells): "  2.1.1 (target 3): Develops ..." with the rest aligned."""
    lead = cell_width(first) if indent is None else indent
    available = None if width is None else max(MIN_WRAP, width - lead)
    first_room = None if width is None else max(MIN_WRAP, width - cell_width(first))
    wrapped = wrap_words(text, available, first_room)
    lines = [Line(first + wrapped[0], style=style or "")]
    lines.extend(Line(" " * lead + more, style=style or "") for more in wrapped[1:])
    return lines
