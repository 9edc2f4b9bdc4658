"""A line of text with styled spans, kept without rich until it is printed in colour.

`compfw status` builds its view as such lines. Piped or redirected (the usual case in scripts,
and for a person who runs `status | less`), the lines are written as they are and rich is never
imported: its import and its Text objects were a tenth of a whole `status` run. On a terminal,
`to_rich` turns each line into the rich Text it stands for, so colour and width work as before.

The few operations the views use (append, stylize a span, a base style, +, rstrip) behave as
rich's Text does: a base style covers the whole line, text appended later included.
"""

from __future__ import annotations

Span = tuple[int, int, str]


class Line:
    __slots__ = ("plain", "style", "spans")

    def __init__(self, text: str = "", style: str | None = None) -> None:
        self.plain = text
        self.style = style or ""
        self.spans: list[Span] = []

    def __len__(self) -> int:
        return len(self.plain)

    def __str__(self) -> str:
        return self.plain

    def __repr__(self) -> str:
        return f"Line({self.plain!r})"

    def append(self, text: str, style: str | None = None) -> Line:
        start = len(self.plain)
        self.plain += text
        if style and text:
            self.spans.append((start, len(self.plain), style))
        return self

    def stylize(self, style: str, start: int = 0, end: int | None = None) -> None:
        end = len(self.plain) if end is None else min(end, len(self.plain))
        if style and start < end:
            self.spans.append((start, end, style))

    def rstrip(self) -> None:
        self.plain = self.plain.rstrip()
        size = len(self.plain)
        self.spans = [(s, min(e, size), style) for s, e, style in self.spans if s < size]

    def __add__(self, other: Line) -> Line:
        out = Line(self.plain, self.style)
        out.spans = list(self.spans)
        start = len(out.plain)
        out.plain += other.plain
        if other.style and other.plain:
            out.spans.append((start, len(out.plain), other.style))
        out.spans.extend((s + start, e + start, style) for s, e, style in other.spans)
        return out

    def to_rich(self):
        from rich.text import Span as RichSpan
        from rich.text import Text

        return Text(self.plain, style=self.style, spans=[RichSpan(s, e, style) for s, e, style in self.spans])


def styled(*parts: str | tuple[str, str]) -> Line:
    """A line from plain strings and (string, style) pairs."""
    out = Line()
    for part in parts:
        if isinstance(part, tuple):
            out.append(part[0], style=part[1])
        else:
            out.append(part)
    return out


def plain_text(lines: list[Line]) -> str:
    """The lines as rich prints them joined by newlines, without colour: each line, then a newline."""
    return "\n".join(line.plain for line in lines) + "\n"
