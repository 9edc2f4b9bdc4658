"""Text from a portfolio made safe to print on a terminal or into a log, whatever it holds.

YAML's double-quoted escapes can put any character into a value ("\\e[2J" clears a screen, "\\r"
rewrites a line, U+202E turns a line around), so every value a command prints as plain text goes
through `plain`: control characters, line and paragraph separators and bidirectional overrides
each become U+FFFD (shown, not obeyed).
"""

from __future__ import annotations

import re

_UNSAFE = re.compile(r"[\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]")


def plain(value: object) -> str:
    return _UNSAFE.sub("\ufffd", "" if value is None else str(value))
