"""The bounds within which YAML is read, and the streaming walk that enforces them.

libyaml's composer recurses in C once per nesting level and overflows the C stack (a
segmentation fault, not an exception) somewhere past 20,000 levels, and it holds every node of a
document in memory. So a text whose nesting *could* exceed a safe bound, or that is large, is
first streamed through the parser's events, which needs no stack and no memory per node, and
refused at the first event nested more than MAX_DEPTH deep, past MAX_EXPANDED_NODES nodes or
carrying a text longer than MAX_TEXT_CHARS.
"""

from __future__ import annotations

import yaml

from compfw.files.reading import MAX_FILE_BYTES
from compfw.files.yaml_located import YamlProblem

MAX_DEPTH = 64
MAX_EXPANDED_NODES = 250_000
MAX_TEXT_CHARS = 100_000
# Characters of text that one document may stand for once its aliases are expanded. A file
# without aliases never comes near it (it cannot hold more characters than bytes).
MAX_EXPANDED_CHARS = MAX_FILE_BYTES
# A text with at most this many characters that can open a nesting level is composed directly;
# libyaml's composer is safe far beyond it (about 300 bytes of C stack per level).
SAFE_COMPOSE_BOUND = 2_000
# A text longer than this is streamed first, so that a flood of nodes is refused before the
# composer holds them all (a 2 MB flow list of a million zeros takes seconds and gigabytes).
STREAM_FIRST_CHARS = 256 * 1024
_NESTING_CHARS = "[{-:?"

TOO_DEEP_HINT = "flatten the structure; compfw files are a few levels deep"
TOO_BIG_HINT = "split the data or remove anchors and aliases"


def too_long(line: int, col: int, length: int) -> YamlProblem:
    return YamlProblem(line, col, f"a text of {length:,} characters is too long (compfw reads up to "
                                  f"{MAX_TEXT_CHARS:,} characters in one value)",
                       "shorten it; put a long document in a file of its own and list it under 'documents'")


def stream_check(text: str, parser: type) -> None:
    """Walk the parser's events (no recursion, no nodes kept) and refuse data beyond the bounds.

    libyaml's own flow-level limit (PyYAML 6.0.4 and later) can stop the C parser before compfw's
    bound is reached; the pure-Python parser has no such limit, so the same walk is repeated with
    it to find where compfw's bound is crossed and report that, in compfw's words.
    """
    loader = parser(text)
    depth = events = 0
    start_kinds = (yaml.MappingStartEvent, yaml.SequenceStartEvent)
    end_kinds = (yaml.MappingEndEvent, yaml.SequenceEndEvent)
    try:
        while True:
            try:
                event = loader.get_event()
            except yaml.YAMLError as exc:
                if parser is not PurePythonLoader and is_parser_depth_limit(exc):
                    stream_check(text, PurePythonLoader)
                raise
            if event is None:
                return
            kind = type(event)
            if kind in end_kinds:
                depth -= 1
                continue
            if kind is yaml.ScalarEvent:
                if len(event.value) > MAX_TEXT_CHARS:
                    raise too_long(event.start_mark.line + 1, event.start_mark.column + 1, len(event.value))
            elif kind not in start_kinds and kind is not yaml.AliasEvent:
                continue
            if depth > MAX_DEPTH:
                raise YamlProblem(event.start_mark.line + 1, event.start_mark.column + 1,
                                  f"data is nested more than {MAX_DEPTH} levels deep", TOO_DEEP_HINT)
            events += 1
            if events > MAX_EXPANDED_NODES:
                raise YamlProblem(event.start_mark.line + 1, event.start_mark.column + 1,
                                  "the document expands to too much data", TOO_BIG_HINT)
            if kind in start_kinds:
                depth += 1
    finally:
        loader.dispose()


def is_parser_depth_limit(exc: yaml.YAMLError) -> bool:
    return "nesting depth" in str(getattr(exc, "problem", "") or exc)


class PurePythonLoader(yaml.SafeLoader):
    """PyYAML's Python parser, used only to locate nesting that libyaml refused at its own limit."""

    def dispose(self) -> None:  # SafeLoader.dispose exists; kept explicit for the finally above
        super().dispose()


def needs_stream_check(text: str) -> bool:
    if len(text) <= SAFE_COMPOSE_BOUND:
        return False  # too short to nest deeper than the bound
    if len(text) > STREAM_FIRST_CHARS:
        return True
    # Every nesting level is opened by one of these characters, so their count bounds the depth.
    bound = 0
    for char in _NESTING_CHARS:
        bound += text.count(char)
        if bound > SAFE_COMPOSE_BOUND:
            return True
    return False
