"""The one place that reads YAML.

Safe loading only (libyaml's C parser where present), with what plain PyYAML does not give:
every mapping and list remembers where its keys and items stand (1-based line:col), duplicate
keys are an error, aliases that would expand past a budget are refused, nesting is bounded, and
an unquoted scalar that YAML 1.1 turns into a number, boolean or date keeps its original text so
that a message can tell the user exactly what to quote.

Hostile input is refused before it can hurt. libyaml's composer recurses in C once per nesting
level and overflows the C stack (a segmentation fault, not an exception) somewhere past 20,000
levels, and it holds every node of a document in memory. So a text whose nesting *could* exceed
a safe bound, or that is large, is first streamed through the parser's events, which needs no
stack and no memory per node, and refused at the first event nested more than MAX_DEPTH deep,
past MAX_EXPANDED_NODES nodes or carrying a text longer than MAX_TEXT_CHARS. Files are read
without following a symbolic link out of the repository, only when they are regular files (never
a FIFO or a device, which could block or never end) and only up to MAX_FILE_BYTES.
"""

from __future__ import annotations

import functools
import os
import stat
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from compfw.problems import Problem, display_path

_SCALAR_NODE = yaml.ScalarNode
_SEQUENCE_NODE = yaml.SequenceNode
_STR_TAG = "tag:yaml.org,2002:str"
_MAP_TAG = "tag:yaml.org,2002:map"
_SEQ_TAG = "tag:yaml.org,2002:seq"
# YAML 1.1's implicit types by first character, exactly as PyYAML's SafeLoader resolves them.
_WILDCARD: tuple = tuple(yaml.resolver.Resolver.yaml_implicit_resolvers.get(None, ()))
_IMPLICIT: dict[str, tuple] = {
    first: tuple(resolvers) + _WILDCARD
    for first, resolvers in yaml.resolver.Resolver.yaml_implicit_resolvers.items() if first is not None
}


def _resolve(self: Any, kind: type, value: str, implicit: tuple[bool, bool]) -> str:
    """PyYAML's Resolver.resolve for the safe types, without path resolvers (compfw uses none)."""
    if kind is _SCALAR_NODE:
        if implicit[0]:
            for tag, regexp in _IMPLICIT.get(value[:1], _WILDCARD):
                if regexp.match(value):
                    return tag
        return _STR_TAG
    return _SEQ_TAG if kind is _SEQUENCE_NODE else _MAP_TAG


def _nothing(self: Any, *args: Any) -> None:
    return None


try:
    from yaml.cyaml import CParser as _Parser
except ImportError:  # pragma: no cover - PyYAML built without libyaml
    _Parser = yaml.SafeLoader


class _Loader(_Parser):
    """libyaml's parser and composer with a lean resolver; no constructor (the builder builds)."""

    resolve = _resolve
    descend_resolver = _nothing
    ascend_resolver = _nothing


_CONSTRUCTORS = yaml.constructor.SafeConstructor.yaml_constructors
_CONSTRUCTOR = yaml.constructor.SafeConstructor()

MAX_DEPTH = 64
MAX_EXPANDED_NODES = 250_000
MAX_FILE_BYTES = 16 * 1024 * 1024
MAX_TEXT_CHARS = 100_000
# A text with at most this many characters that can open a nesting level is composed directly;
# libyaml's composer is safe far beyond it (about 300 bytes of C stack per level).
SAFE_COMPOSE_BOUND = 2_000
# A text longer than this is streamed first, so that a flood of nodes is refused before the
# composer holds them all (a 2 MB flow list of a million zeros takes seconds and gigabytes).
STREAM_FIRST_CHARS = 256 * 1024

_MERGE_TAG = "tag:yaml.org,2002:merge"
_VALUE_TAG = "tag:yaml.org,2002:value"
_TIMESTAMP_TAG = "tag:yaml.org,2002:timestamp"
_KIND_OF_TAG = {
    "tag:yaml.org,2002:float": "a number",
    "tag:yaml.org,2002:int": "a number",
    "tag:yaml.org,2002:bool": "a boolean",
    "tag:yaml.org,2002:null": "null (empty)",
    _TIMESTAMP_TAG: "a date",
}
_NESTING_CHARS = "[{-:?"

Pos = tuple[int, int]


class LocatedDict(dict):
    """A mapping from YAML that knows where it, its keys and its values stand."""

    __slots__ = ("start", "key_pos", "value_pos", "raw")

    def __init__(self, start: Pos):
        super().__init__()
        self.start = start
        self.key_pos: dict[Any, Pos] = {}
        self.value_pos: dict[Any, Pos] = {}
        self.raw: dict[Any, tuple[str, str]] = {}


class LocatedList(list):
    """A sequence from YAML that knows where it and its items stand."""

    __slots__ = ("start", "item_pos", "raw")

    def __init__(self, start: Pos):
        super().__init__()
        self.start = start
        self.item_pos: list[Pos] = []
        self.raw: dict[int, tuple[str, str]] = {}


class YamlProblem(Exception):
    """Raised inside this module only; callers get a Problem."""

    def __init__(self, line: int, col: int, message: str, hint: str = ""):
        super().__init__(message)
        self.line, self.col, self.message, self.hint = line, col, message, hint


class FileRefused(Exception):
    """A file that is not read at all: a directory, a FIFO, too large, a link out of the repository."""

    def __init__(self, message: str, hint: str, code: str):
        super().__init__(message)
        self.message, self.hint, self.code = message, hint, code


@dataclass
class YamlDocument:
    path: Path
    data: Any
    text: str
    _shown: str | None = field(default=None, repr=False, compare=False)

    @property
    def shown(self) -> str:
        """The path as messages show it (computed once)."""
        if self._shown is None:
            self._shown = shown_path(self.path)
        return self._shown


def shown_path(path: Path | str) -> str:
    """A path as the user would type it: relative to the working directory when inside it.

    Like problems.display_path, but without resolving links when the path lies lexically under
    the working directory, so that a link (say, one that points out of the repository) is named
    by where it is, not by where it points; and cheaper.
    """
    name = os.fspath(path)
    absolute = os.path.normpath(os.path.join(os.getcwd(), name))
    here = os.getcwd()
    if absolute == here:
        return "."
    if absolute.startswith(here.rstrip(os.sep) + os.sep):
        return absolute[len(here.rstrip(os.sep)) + 1:]
    return display_path(path)


def _pos(node: yaml.Node) -> Pos:
    return (node.start_mark.line + 1, node.start_mark.column + 1)


def _short(value: Any, limit: int = 60) -> str:
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 5] + "...'"


_TOO_DEEP_HINT = "flatten the structure; compfw files are a few levels deep"
_TOO_BIG_HINT = "split the data or remove anchors and aliases"


def _too_long(line: int, col: int, length: int) -> YamlProblem:
    return YamlProblem(line, col, f"a text of {length:,} characters is too long (compfw reads up to "
                                  f"{MAX_TEXT_CHARS:,} characters in one value)",
                       "shorten it; put a long document in a file of its own and list it under 'documents'")


class _Builder:
    """Plain data from composed nodes, with positions, and within the bounds.

    Scalars are built inline (they are most of the nodes); collections go through build(),
    which remembers each one so that an alias is counted at the size it expands to.
    """

    def __init__(self) -> None:
        self.built: dict[int, Any] = {}
        self.sizes: dict[int, int] = {}
        self.in_progress: set[int] = set()
        self.expanded = 0

    def build(self, node: yaml.Node, depth: int = 0) -> Any:
        if depth > MAX_DEPTH:
            raise YamlProblem(*_pos(node), f"data is nested more than {MAX_DEPTH} levels deep", _TOO_DEEP_HINT)
        if type(node) is _SCALAR_NODE:
            self.expanded += 1
            return _scalar(node)
        key = id(node)
        if key in self.built:
            # An alias: count what walking it again would cost.
            self.expanded += self.sizes[key]
            if self.expanded > MAX_EXPANDED_NODES:
                raise YamlProblem(*_pos(node), "aliases expand to too much data (possible alias bomb)",
                                  "write the data out instead of using anchors and aliases")
            return self.built[key]
        if key in self.in_progress:
            raise YamlProblem(*_pos(node), "an alias refers to the mapping or list that contains it",
                              "remove the recursive alias")
        self.in_progress.add(key)
        before = self.expanded
        if node.tag == _MAP_TAG and type(node) is not _SEQUENCE_NODE:
            value = self._mapping(node, depth)
        elif node.tag == _SEQ_TAG and type(node) is _SEQUENCE_NODE:
            value = self._sequence(node, depth)
        else:
            raise YamlProblem(*_pos(node), f"unsupported YAML tag {_short(node.tag)}",
                              "remove the tag; compfw files use plain YAML values")
        self.in_progress.discard(key)
        self.built[key] = value
        self.sizes[key] = self.expanded - before + 1
        self.expanded += 1
        if self.expanded > MAX_EXPANDED_NODES:
            raise YamlProblem(*_pos(node), "the document expands to too much data", _TOO_BIG_HINT)
        return value

    def _sequence(self, node: yaml.SequenceNode, depth: int) -> LocatedList:
        mark = node.start_mark
        out = LocatedList((mark.line + 1, mark.column + 1))
        positions, raw, append = out.item_pos, out.raw, out.append
        inner = depth + 1
        if inner > MAX_DEPTH and node.value:
            raise YamlProblem(*_pos(node.value[0]), f"data is nested more than {MAX_DEPTH} levels deep",
                              _TOO_DEEP_HINT)
        for index, item in enumerate(node.value):
            mark = item.start_mark
            positions.append((mark.line + 1, mark.column + 1))
            if type(item) is _SCALAR_NODE:
                self.expanded += 1
                if item.tag == _STR_TAG:
                    value = item.value
                    if len(value) > MAX_TEXT_CHARS:
                        raise _too_long(mark.line + 1, mark.column + 1, len(value))
                else:
                    value = _scalar(item)
                    if not item.style and item.tag in _KIND_OF_TAG:
                        raw[index] = (item.value, _KIND_OF_TAG[item.tag])
                append(value)
            else:
                append(self.build(item, inner))
        return out

    def _mapping(self, node: yaml.MappingNode, depth: int) -> LocatedDict:
        mark = node.start_mark
        out = LocatedDict((mark.line + 1, mark.column + 1))
        key_pos, value_pos, raw = out.key_pos, out.value_pos, out.raw
        inner = depth + 1
        if inner > MAX_DEPTH and node.value:
            raise YamlProblem(*_pos(node.value[0][0]), f"data is nested more than {MAX_DEPTH} levels deep",
                              _TOO_DEEP_HINT)
        for key_node, value_node in node.value:
            if type(key_node) is not _SCALAR_NODE:
                raise YamlProblem(*_pos(key_node), "a mapping key must be a plain value", "use a simple text key")
            if key_node.tag == _STR_TAG:
                key = key_node.value
                if len(key) > MAX_TEXT_CHARS:
                    raise _too_long(*_pos(key_node), len(key))
            elif key_node.tag == _MERGE_TAG and not key_node.style:
                raise YamlProblem(*_pos(key_node), "merge keys (<<) are not supported", "write the keys out in full")
            else:
                key = _scalar(key_node)
            kmark = key_node.start_mark
            if key in out:
                first = key_pos[key][0]
                if isinstance(key, str):
                    message = f"duplicate key {_short(key)} (first defined at line {first})"
                else:  # e.g. 'yes' and 'true': different text, one boolean to YAML 1.1
                    message = (f"duplicate key {_short(key_node.value)}: YAML reads it as {_short(key)}, "
                               f"like the key at line {first}")
                raise YamlProblem(kmark.line + 1, kmark.column + 1, message,
                                  "remove or rename one of them; YAML would silently keep only the last")
            key_pos[key] = (kmark.line + 1, kmark.column + 1)
            vmark = value_node.start_mark
            value_pos[key] = (vmark.line + 1, vmark.column + 1)
            self.expanded += 1
            if type(value_node) is _SCALAR_NODE:
                self.expanded += 1
                if value_node.tag == _STR_TAG:
                    value = value_node.value
                    if len(value) > MAX_TEXT_CHARS:
                        raise _too_long(vmark.line + 1, vmark.column + 1, len(value))
                else:
                    value = _scalar(value_node)
                    if not value_node.style and value_node.tag in _KIND_OF_TAG:
                        raw[key] = (value_node.value, _KIND_OF_TAG[value_node.tag])
                out[key] = value
            else:
                out[key] = self.build(value_node, inner)
        return out


def _scalar(node: yaml.ScalarNode) -> Any:
    """The value of a scalar node of any tag: text, or what YAML 1.1 reads it as."""
    tag = node.tag
    if tag == _STR_TAG:
        if len(node.value) > MAX_TEXT_CHARS:
            raise _too_long(*_pos(node), len(node.value))
        return node.value
    if tag in (_MERGE_TAG, _VALUE_TAG) and not node.style:
        return node.value  # a plain '<<' or '=' as a value is text here, not YAML 1.1 magic
    if tag not in _KIND_OF_TAG:
        raise YamlProblem(*_pos(node), f"unsupported YAML tag {_short(tag)}",
                          "remove the tag; compfw files use plain YAML values")
    try:
        return _CONSTRUCTORS[tag](_CONSTRUCTOR, node)
    except (yaml.YAMLError, ValueError, OverflowError) as exc:
        if tag == _TIMESTAMP_TAG:
            # Looks like a date but is none (2026-02-30): keep the text, so that the model says
            # where a date was expected and the rest of the file is still checked.
            return node.value
        raise YamlProblem(*_pos(node), f"cannot read value {_short(node.value)}: {str(exc)[:100]}",
                          "quote the value if it is meant as text") from None


def _decode(raw: bytes) -> str:
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
            raise YamlProblem(1, 1, "file is UTF-16, not UTF-8", "save the file as UTF-8") from None
        start = 3 if raw.startswith(b"\xef\xbb\xbf") else 0
        head = raw[start: exc.start]
        line = head.count(b"\n") + 1
        col = len(head[head.rfind(b"\n") + 1:].decode("utf-8", "replace")) + 1
        raise YamlProblem(line, col, f"file is not valid UTF-8 (byte 0x{raw[exc.start]:02x})",
                          "save the file as UTF-8") from None


def _line_col(text: str, index: int) -> Pos:
    index = max(0, min(index, len(text)))
    line = text.count("\n", 0, index) + 1
    return line, index - (text.rfind("\n", 0, index) + 1) + 1


def _yaml_error(exc: yaml.YAMLError, text: str) -> YamlProblem:
    if isinstance(exc, yaml.reader.ReaderError) or getattr(exc, "character", None) is not None:
        code = getattr(exc, "character", 0) or 0
        char = chr(code) if isinstance(code, int) else str(code)
        found = text.find(char) if char else -1
        line, col = _line_col(text, found) if found >= 0 else (0, 0)
        return YamlProblem(line, col, f"file contains the control character U+{ord(char[:1] or chr(0)):04X}, "
                                      "which YAML does not allow",
                           "remove it; a YAML file holds text only")
    mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
    line, col = (mark.line + 1, mark.column + 1) if mark is not None else (0, 0)
    problem = str(getattr(exc, "problem", None) or exc)
    context = str(getattr(exc, "context", None) or "")
    at = getattr(mark, "index", None) if mark is not None else None
    if "tab character" in problem or (isinstance(at, int) and 0 <= at < len(text) and text[at] == "\t"):
        return YamlProblem(line, col, "invalid YAML: a tab character is used for indentation",
                           "YAML does not allow tabs for indentation; indent with spaces")
    message, hint = _syntax_message(problem, context)
    return YamlProblem(line, col, f"invalid YAML: {message}", hint)


_CHECK_LINE = "check indentation and quoting on this line"
# The parser's own wording changes between releases, so it is never shown: each known problem is
# matched by a stable fragment and said in compfw's words; anything else gets the general message.
_SYNTAX_MESSAGES: tuple[tuple[str, str, str, str], ...] = (
    # (fragment of the problem, fragment of the context or "", message, hint)
    ("nesting depth", "", f"data is nested more than {MAX_DEPTH} levels deep", _TOO_DEEP_HINT),
    ("another document", "", "the file holds more than one YAML document",
     "keep one YAML document per file (remove the extra '---')"),
    ("expected ',' or '}'", "", "a '{' mapping is not closed where it should be",
     "add the missing ',' or '}', or quote a value that contains one of ,[]{}"),
    ("expected ',' or ']'", "", "a '[' list is not closed where it should be",
     "add the missing ',' or ']', or quote a value that contains one of ,[]{}"),
    ("end of stream", "quoted scalar", "a quoted text is not closed before the end of the file",
     "add the closing quote"),
    ("mapping values are not allowed", "", "a ': ' appears where no key can start",
     "quote a text that contains ': ', or fix the indentation of this key"),
    ("expected node content", "", "a value is missing, or starts with a character that cannot begin one",
     _CHECK_LINE),
    ("expected key", "", "this line's indentation does not fit the mapping around it", _CHECK_LINE),
    ("expected '-' indicator", "", "this line's indentation does not fit the list around it", _CHECK_LINE),
    ("expected <block end>", "", "this line's indentation does not fit the block around it", _CHECK_LINE),
    ("could not find expected ':'", "", "a key is not followed by ':'", _CHECK_LINE),
    ("cannot start any token", "", "a value starts with a character that YAML reserves (such as @ or `)",
     "quote the value"),
    ("undefined alias", "", "an alias (*name) refers to no anchor (&name) above it",
     "define the anchor first, or write the value out"),
    ("unknown escape", "", "a double-quoted text has an unknown escape (\\)",
     "use single quotes, or double the backslash"),
    ("alphabetic or numeric", "", "an anchor, alias or tag name is empty or has a character it cannot have",
     _CHECK_LINE),
    ("comment or a line break", "", "there is more text after a value on the same line", _CHECK_LINE),
    ("directive", "", "a YAML directive (%...) that compfw does not read", "remove the directive line"),
    ("end of stream", "", "the file ends in the middle of a value", _CHECK_LINE),
)


def _syntax_message(problem: str, context: str) -> tuple[str, str]:
    for fragment, in_context, message, hint in _SYNTAX_MESSAGES:
        if fragment in problem and in_context in context:
            return message, hint
    return "the YAML syntax is broken here", _CHECK_LINE


def _stream_check(text: str, parser: type = None) -> None:
    """Walk the parser's events (no recursion, no nodes kept) and refuse data beyond the bounds.

    libyaml's own flow-level limit (PyYAML 6.0.4 and later) can stop the C parser before compfw's
    bound is reached; the pure-Python parser has no such limit, so the same walk is repeated with
    it to find where compfw's bound is crossed and report that, in compfw's words.
    """
    loader = (parser or _Loader)(text)
    depth = events = 0
    start_kinds = (yaml.MappingStartEvent, yaml.SequenceStartEvent)
    end_kinds = (yaml.MappingEndEvent, yaml.SequenceEndEvent)
    try:
        while True:
            try:
                event = loader.get_event()
            except yaml.YAMLError as exc:
                if parser is None and _is_parser_depth_limit(exc):
                    _stream_check(text, _PurePythonLoader)
                raise
            if event is None:
                return
            kind = type(event)
            if kind in end_kinds:
                depth -= 1
                continue
            if kind is yaml.ScalarEvent:
                if len(event.value) > MAX_TEXT_CHARS:
                    raise _too_long(event.start_mark.line + 1, event.start_mark.column + 1, len(event.value))
            elif kind not in start_kinds and kind is not yaml.AliasEvent:
                continue
            if depth > MAX_DEPTH:
                raise YamlProblem(event.start_mark.line + 1, event.start_mark.column + 1,
                                  f"data is nested more than {MAX_DEPTH} levels deep", _TOO_DEEP_HINT)
            events += 1
            if events > MAX_EXPANDED_NODES:
                raise YamlProblem(event.start_mark.line + 1, event.start_mark.column + 1,
                                  "the document expands to too much data", _TOO_BIG_HINT)
            if kind in start_kinds:
                depth += 1
    finally:
        loader.dispose()


def _is_parser_depth_limit(exc: yaml.YAMLError) -> bool:
    return "nesting depth" in str(getattr(exc, "problem", "") or exc)


class _PurePythonLoader(yaml.SafeLoader):
    """PyYAML's Python parser, used only to locate nesting that libyaml refused at its own limit."""

    def dispose(self) -> None:  # SafeLoader.dispose exists; kept explicit for the finally above
        super().dispose()


def _needs_stream_check(text: str) -> bool:
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


def parse_text(text: str) -> Any:
    """Parse YAML text into located data; raises YamlProblem."""
    try:
        if _needs_stream_check(text):
            _stream_check(text)
        loader = _Loader(text)
        try:
            node = loader.get_single_node()
            if node is None:
                return None
            return _Builder().build(node)
        finally:
            loader.dispose()
    except yaml.YAMLError as exc:
        if _is_parser_depth_limit(exc):
            try:
                _stream_check(text, _PurePythonLoader)
            except YamlProblem as located:
                raise located from None
            except yaml.YAMLError:
                pass
        raise _yaml_error(exc, text) from None
    except RecursionError:  # pragma: no cover - the depth bounds stop this first
        raise YamlProblem(0, 0, "data is nested too deeply to read", "flatten the structure") from None
    except MemoryError:  # pragma: no cover - the size bounds stop this first
        raise YamlProblem(0, 0, "the document is too large to read", _TOO_BIG_HINT) from None


# --- reading files ----------------------------------------------------------------------------


def _is_repository(folder: str) -> bool:
    return (os.path.isdir(os.path.join(folder, "portfolios")) or os.path.isdir(os.path.join(folder, "frameworks"))
            or os.path.exists(os.path.join(folder, ".git")))


@functools.lru_cache(maxsize=2048)
def _folder_chain(folder: str) -> tuple[str, bool, str | None, str | None]:
    """For an absolute, normalised folder: its real path; whether it lies at or below a symbolic
    link; the real path of the nearest repository root at or above it that does not; and the
    real path of the outermost repository root at or above it.

    Worked out from the parent's facts (cached), so a cohort of portfolios costs a few system
    calls per new folder, not a walk to / and a full path resolution for every file.
    """
    parent = os.path.dirname(folder)
    if parent == folder:
        real, below_link, clean, outermost = folder, False, None, None
    else:
        real, below_link, clean, outermost = _folder_chain(parent)
        if os.path.islink(folder):
            real, below_link = os.path.realpath(folder), True
        else:
            real = os.path.join(real, os.path.basename(folder))
    if _is_repository(folder):
        if not below_link:
            clean = real
        outermost = outermost or real
    return real, below_link, clean, outermost


def _folder_facts(folder: str) -> tuple[str, str | None]:
    """(real path of an absolute folder, real path of the repository root it lies in, if any).

    A repository root holds portfolios/, frameworks/ or .git. The root that confines a file is
    the nearest one that is not reached through a symbolic link, so that a link inside the
    repository to another repository does not become the root; when every root is (the whole
    checkout lives under a linked folder, say), the outermost one.
    """
    real, _, clean, outermost = _folder_chain(os.path.normpath(folder))
    return real, clean or outermost


def _inside(real: str, real_root: str) -> bool:
    return real == real_root or real.startswith(real_root.rstrip(os.sep) + os.sep)


def _absolute_folder(name: str) -> str:
    folder = os.path.dirname(name)
    if os.path.isabs(folder):
        return folder
    return os.path.join(os.getcwd(), folder) if folder else os.getcwd()


def outside_repository(path: Path | str) -> bool:
    """True when path lies in a repository but resolves (through a link) to somewhere outside it.

    Symbolic links are allowed while they stay inside the repository (a shared file linked into
    two portfolios, say); a link that leaves it, or a folder on the way that does, is refused
    unread, so that a pull request cannot make CI read (and quote) a file of the machine it runs
    on. Outside any repository (no portfolios/, frameworks/ or .git above) nothing is refused.
    """
    name = os.fspath(path)
    folder = _absolute_folder(name)
    real_folder, real_root = _folder_facts(folder)
    if real_root is None:
        return False
    full = os.path.join(folder, os.path.basename(name))
    real = os.path.realpath(full) if os.path.islink(full) else os.path.join(real_folder, os.path.basename(name))
    return not _inside(real, real_root)


_READ_FLAGS = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0)
_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)


def _refuse_outside(folder: bool = False) -> FileRefused:
    if folder:
        return FileRefused("a folder on the way to this file is a symbolic link to a place outside the repository; "
                           "it was not read", "replace the link with the folder itself; compfw reads only files "
                           "inside the repository", "outside-repository")
    return FileRefused("file is a symbolic link to a place outside the repository; it was not read",
                       "replace the link with the file itself; compfw reads only files inside the repository",
                       "outside-repository")


def _open(name: str) -> int:
    """Open a file for reading without following a link out of the repository or blocking."""
    real_folder, real_root = _folder_facts(_absolute_folder(name))
    if real_root is not None and not _inside(real_folder, real_root):
        raise _refuse_outside(folder=True)
    if real_root is None:
        return os.open(name, _READ_FLAGS)
    if _NOFOLLOW:
        try:
            return os.open(name, _READ_FLAGS | _NOFOLLOW)  # the common case: not a link, one call
        except OSError:
            if not os.path.islink(name):
                raise
    elif not os.path.islink(name):
        return os.open(name, _READ_FLAGS)
    if not _inside(os.path.realpath(name), real_root):  # a link: follow it only if it stays inside
        raise _refuse_outside()
    return os.open(name, _READ_FLAGS)


def read_bytes(path: Path | str, limit: int = MAX_FILE_BYTES) -> bytes:
    """A regular file's bytes, refusing what must not be read; raises FileRefused."""
    name = os.fspath(path)
    try:
        fd = _open(name)
    except IsADirectoryError:
        raise FileRefused("expected a file but found a directory", "remove the directory or rename it",
                          "not-a-file") from None
    except OSError as exc:
        raise FileRefused(f"cannot read file: {exc.strerror or exc}", "check the path and its permissions",
                          "unreadable") from None
    try:
        info = os.fstat(fd)
        if stat.S_ISDIR(info.st_mode):
            raise FileRefused("expected a file but found a directory", "remove the directory or rename it",
                              "not-a-file")
        if not stat.S_ISREG(info.st_mode):
            raise FileRefused("not a regular file (a pipe, device or socket); it was not read",
                              "replace it with an ordinary file", "not-a-file")
        if info.st_size > limit:
            raise FileRefused(f"file is too large ({info.st_size:,} bytes)",
                              f"compfw reads files of up to {limit:,} bytes", "too-large")
        chunks: list[bytes] = []
        size = 0
        while True:
            chunk = os.read(fd, max(65536, info.st_size + 1 - size))
            if not chunk:
                break
            size += len(chunk)
            if size > limit:  # it grew while being read
                raise FileRefused(f"file is too large (more than {limit:,} bytes)",
                                  f"compfw reads files of up to {limit:,} bytes", "too-large")
            chunks.append(chunk)
        return chunks[0] if len(chunks) == 1 else b"".join(chunks)
    except OSError as exc:
        raise FileRefused(f"cannot read file: {exc.strerror or exc}", "check the path and its permissions",
                          "unreadable") from None
    finally:
        os.close(fd)


def load_yaml(path: Path) -> tuple[YamlDocument | None, Problem | None]:
    """Read one YAML file; a broken file is returned as a Problem, never raised."""
    try:
        raw = read_bytes(path)
    except FileRefused as exc:
        return None, Problem(shown_path(path), 0, 0, exc.message, exc.hint, code=exc.code)
    try:
        text = _decode(raw)
        if not text.strip():
            return None, Problem(shown_path(path), 0, 0, "file is empty", "add the YAML content or delete the file",
                                 code="empty")
        data = parse_text(text)
        if data is None:
            return None, Problem(shown_path(path), 0, 0, "file holds no data (only comments, or null)",
                                 "add the YAML content or delete the file", code="empty")
    except YamlProblem as exc:
        return None, Problem(shown_path(path), exc.line, exc.col, exc.message, exc.hint, code="yaml")
    return YamlDocument(path, data, text), None


def position_of(data: Any, loc: tuple, key_itself: bool = False) -> Pos:
    """Where the value at a pydantic-style location stands; the nearest known ancestor if absent."""
    here: Pos = getattr(data, "start", (1, 1))
    node = data
    for index, part in enumerate(loc):
        last = index == len(loc) - 1
        if isinstance(node, LocatedDict) and part in node:
            here = node.key_pos[part] if (last and key_itself) else node.value_pos[part]
            node = node[part]
        elif isinstance(node, LocatedList) and isinstance(part, int) and 0 <= part < len(node):
            here = node.item_pos[part]
            node = node[part]
        else:
            break
    return here


def raw_scalar_at(data: Any, loc: tuple) -> tuple[str, str] | None:
    """The original text and YAML reading of an unquoted scalar at loc, if YAML did not read it as text."""
    node = data
    for part in loc[:-1]:
        try:
            node = node[part]
        except (KeyError, IndexError, TypeError):
            return None
    raw = getattr(node, "raw", None)
    if raw is None or not loc:
        return None
    return raw.get(loc[-1])


def dump_yaml(data: Any) -> str:
    """Serialise plain data in block style, keys in the given order, text kept readable."""
    return yaml.dump(data, Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=100,
                     default_flow_style=False)


class _Dumper(yaml.SafeDumper):
    pass


def _str_representer(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
    style = "|" if "\n" in value else None
    return dumper.represent_scalar(_STR_TAG, value, style=style)


_Dumper.add_representer(str, _str_representer)
