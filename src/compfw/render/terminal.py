"""Text from data, made safe to show: the one place that does it.

Names, titles, ids, keys, file names and feedback come from files that anyone opening a pull
request can write. Shown raw on a terminal, an ESC sequence in a trainee's name could clear the
screen, retitle the window or write the clipboard (OSC 52); a C1 control (CSI, U+009B) does the
same on some terminals; bidi overrides make text read differently from what it is (the "Trojan
Source" trick); a newline in a file name starts a new line of output, which in CI can start with
`::error::`. Every human output path passes data through `shown` (one line), `shown_lines` or
`shown_tree` (a whole document), so that each such character is written as a visible escape (`\\x1b`,
`\\u202e`, `\\n`) and never acts.

Rich markup in data (`[/]`, `[link=...]`) is the other half: the consoles compfw builds never
parse markup (see `console_options`), so brackets are printed as they are.
"""

from __future__ import annotations

import json
import re
from typing import Any

# C0 controls (tab and newline included: one value is one line), DEL, C1 controls, the Unicode
# bidi embeddings, overrides, isolates and marks, the line and paragraph separators, and the
# byte-order mark / zero-width no-break space.
_UNSAFE = re.compile("[\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069\ufeff]")
_NAMED = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}


def _escape(match: re.Match) -> str:
    char = match.group()
    if char in _NAMED:
        return _NAMED[char]
    code = ord(char)
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def shown(text: Any) -> str:
    """One value as one line of text that a terminal shows and never acts on."""
    text = text if isinstance(text, str) else str(text)
    return _UNSAFE.sub(_escape, text) if _UNSAFE.search(text) else text


def shown_lines(text: str) -> str:
    """A text of several lines, each line passed through `shown` (the line breaks kept)."""
    return "\n".join(shown(line) for line in text.split("\n"))


def shown_tree(value: Any) -> Any:
    """Every text in a document (dicts, lists, tuples) passed through `shown`; other values kept.

    A document with nothing to escape (the usual case) is returned as it is, found out in one pass
    of the C JSON encoder instead of a walk in Python: JSON writes every C0 control as an escape,
    so a document whose JSON has no backslash and no other unsafe character has none."""
    if isinstance(value, (dict, list)):
        try:
            text = json.dumps(value, ensure_ascii=False, check_circular=False)
        except (TypeError, ValueError, RecursionError):
            text = "\\"
        if "\\" not in text and not _UNSAFE.search(text):
            return value
    return _escaped_tree(value)


def _escaped_tree(value: Any) -> Any:
    if isinstance(value, str):
        return shown(value)
    if isinstance(value, dict):
        return {_escaped_tree(key): _escaped_tree(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return type(value)(_escaped_tree(item) for item in value)
    return value


_JSON_UNSAFE = re.compile("[\x7f-\x9f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069\ufeff]")


def json_safe(text: str) -> str:
    """JSON written with ensure_ascii=False, with the characters a terminal could act on written
    as \\u escapes (JSON already escapes C0 controls). The data read back is the same; these
    characters can only stand inside JSON strings, where a \\u escape means the same character."""
    return _JSON_UNSAFE.sub(lambda m: f"\\u{ord(m.group()):04x}", text) if _JSON_UNSAFE.search(text) else text


def console_options() -> dict:
    """What every rich console compfw builds must say: data is never markup, emoji or highlighted."""
    return {"markup": False, "emoji": False, "highlight": False}
