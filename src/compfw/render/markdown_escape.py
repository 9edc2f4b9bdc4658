"""Escaping text from portfolios for the Markdown and Mermaid that reports are made of.

Everything a trainee or a manager wrote (names, titles, narratives, feedback) goes through one
of these before it reaches a report, so that no text can change the report's layout:

- ``md_cell``: one line of inline Markdown, safe in a table cell, a list item or a heading's
  text. ``|`` cannot end a cell, a newline cannot end a row (newlines become ``<br>``), HTML
  is inert (``<``, ``>`` and ``&`` become entities, so ``<script>`` shows as text), backticks
  cannot open code spans, and emphasis, links, strikethrough and GitHub's ``$`` maths are
  shown literally.
- ``mermaid_label``: a label inside a Mermaid chart: only letters, digits, spaces and a few
  harmless punctuation marks are kept; quotes, brackets, ``;``, ``:``, ``%%``, ``#`` and
  newlines, which end or reinterpret a Mermaid statement, become spaces.

Plain functions with no import of jinja2, so they can be tested and reused on their own.
"""

from __future__ import annotations

import re

# Order matters: the backslash and '#' first, then the ampersand, so that the escapes and
# entities added here are not escaped again.
_MD_REPLACEMENTS = (
    ("\\", "\\\\"),
    ("#", "\\#"),
    ("&", "&amp;"),
    ("<", "&lt;"),
    (">", "&gt;"),
    ("|", "\\|"),
    ("`", "&#96;"),
    ("*", "\\*"),
    ("_", "\\_"),
    ("[", "\\["),
    ("]", "\\]"),
    ("~", "\\~"),
    ("$", "\\$"),
)
# What would open a block (a list or a thematic break) at the start of a list item or a quote;
# '#', '*', '>' and '_' are escaped everywhere already.
_BLOCK_START = re.compile(r"^(?:([-+])|(\d{1,9})([.)])(?=\s|$))")
_LINE_BREAKS = re.compile(r"\r\n|\r|\n|\u2028|\u2029|\x0b|\x0c|\x85")
# Control characters (C0, DEL, C1 but NEL, a line break above) and the bidi embeddings, overrides
# and isolates, which make text read differently from what it is: dropped from reports.
_CONTROL = re.compile("[\x00-\x08\x0e-\x1f\x7f-\x84\x86-\x9f\u202a-\u202e\u2066-\u2069]")
_MERMAID_KEEP = re.compile(r"[^\w\s\-.,'/+!?]", re.UNICODE)
_SPACES = re.compile(r"\s+")


def _text(value: object) -> str:
    if value is None:
        return ""
    return str(value)


def md_cell(value: object) -> str:
    """Text as one line of inline Markdown that cannot break a table, a list or a heading."""
    text = _CONTROL.sub("", _text(value)).replace("\t", " ")
    lines = [line.strip() for line in _LINE_BREAKS.split(text.strip())]
    escaped = []
    for line in lines:
        for old, new in _MD_REPLACEMENTS:
            line = line.replace(old, new)
        escaped.append(line)
    escaped[0] = _BLOCK_START.sub(lambda m: "\\" + m.group(1) if m.group(1) else m.group(2) + "\\" + m.group(3),
                                  escaped[0])
    return "<br>".join(escaped)


def mermaid_label(value: object, width: int = 60) -> str:
    """Text as a Mermaid label: harmless characters only, one line, at most width characters."""
    text = _text(value).replace("%%", " ")
    text = _MERMAID_KEEP.sub(" ", text).replace("_", " ")
    text = _SPACES.sub(" ", text).strip()
    if width and len(text) > width:
        text = text[: width - 1].rstrip() + "…"
    return text
