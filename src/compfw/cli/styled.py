"""Styled lines for human output without rich: plain text when piped, ANSI colour on a terminal.

`compfw status` is run many times a day and prints lines of text with a few styles; importing and
rendering with rich cost it more than reading the portfolio. This is the small part of rich's
interface that such output needs (`Text` with styled parts, a console with `print` and `width`).
Nothing in the text is interpreted: no markup, and control characters from data are shown as
U+FFFD instead of reaching the terminal.
"""

from __future__ import annotations

import os
import re
import sys

from compfw.cli.output import colour_wanted

_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f]")
_SGR = {"bold": "1", "dim": "2", "italic": "3", "underline": "4", "red": "31", "green": "32",
        "yellow": "33", "blue": "34", "magenta": "35", "cyan": "36"}


def _clean(text: str) -> str:
    return _CONTROL.sub("\ufffd", text)


class Text:
    """A line (or lines) of text made of parts, each with a style such as "bold green"."""

    __slots__ = ("parts", "style")

    def __init__(self, text: str = "", style: str = ""):
        self.parts: list[tuple[str, str]] = [(text, "")] if text else []
        self.style = style

    def append(self, text: str | Text, style: str = "") -> Text:
        if isinstance(text, Text):
            self.parts.extend((t, _join(text.style, s)) for t, s in text.parts)
        elif text:
            self.parts.append((text, style))
        return self

    def __add__(self, other: str | Text) -> Text:
        joined = Text()
        joined.parts = [(t, _join(self.style, s)) for t, s in self.parts]
        return joined.append(other)

    def rstrip(self) -> None:
        while self.parts:
            text, style = self.parts[-1]
            stripped = text.rstrip()
            if stripped:
                self.parts[-1] = (stripped, style)
                return
            self.parts.pop()

    def plain(self) -> str:
        return "".join(t for t, _ in self.parts)

    def render(self, colour: bool) -> str:
        if not colour:
            return _clean(self.plain())
        out = []
        for text, style in self.parts:
            codes = ";".join(_SGR[w] for w in _join(self.style, style).split() if w in _SGR)
            out.append(f"\x1b[{codes}m{_clean(text)}\x1b[0m" if codes else _clean(text))
        return "".join(out)


def _join(outer: str, inner: str) -> str:
    return f"{outer} {inner}".strip()


def _isatty(stream) -> bool:
    return hasattr(stream, "isatty") and stream.isatty()


class Console:
    """Where styled lines go: a stream, in colour only on a terminal without NO_COLOR."""

    def __init__(self, stream=None):
        self.stream = stream or sys.stdout
        self.colour = colour_wanted(self.stream)

    @property
    def width(self) -> int:
        """The width rich would use: the terminal's on any standard stream (so that piping the
        output keeps a person's width), COLUMNS if set, else 80; 80 on a dumb terminal."""
        if os.environ.get("TERM", "").lower() in ("dumb", "unknown") and _isatty(self.stream):
            return 80
        width = 0
        for descriptor in (0, 1, 2):
            try:
                width = os.get_terminal_size(descriptor).columns
                break
            except (AttributeError, ValueError, OSError):
                continue
        columns = os.environ.get("COLUMNS", "")
        if columns.isdigit():
            width = int(columns)
        return width or 80

    def print(self, *items: str | Text) -> None:
        line = " ".join(item.render(self.colour) if isinstance(item, Text) else _clean(str(item)) for item in items)
        self.stream.write(line + "\n")
