"""The one place that parses and dumps YAML (with its siblings yaml_located, yaml_limits, yaml_errors).

Safe loading only (libyaml's C parser where present), with what plain PyYAML does not give:
every mapping and list remembers where its keys and items stand (1-based line:col), duplicate
keys are an error, aliases that would expand past a budget are refused, nesting is bounded, and
an unquoted scalar that YAML 1.1 turns into a number, boolean or date keeps its original text so
that a message can tell the user exactly what to quote.

Hostile input is refused before it can hurt: see yaml_limits for the bounds and why a text is
streamed first. Files are read through `reading.read_bytes`: without following a symbolic link
out of the repository, only when they are regular files (never a FIFO or a device, which could
block or never end) and only up to MAX_FILE_BYTES.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from compfw.files.problems import Problem
from compfw.files.reading import FileRefused, read_bytes
from compfw.files.yaml_errors import decode, yaml_error
from compfw.files.yaml_limits import (
    MAX_DEPTH,
    MAX_EXPANDED_CHARS,
    MAX_EXPANDED_NODES,
    MAX_TEXT_CHARS,
    TOO_BIG_HINT,
    TOO_DEEP_HINT,
    PurePythonLoader,
    is_parser_depth_limit,
    needs_stream_check,
    stream_check,
    too_long,
)
from compfw.files.yaml_scalars import KIND_OF_TAG, MERGE, STR, ScalarProblem, decide
from compfw.files.yaml_located import LocatedDict, LocatedList, Pos, YamlDocument, YamlProblem, shown_path

_SCALAR_NODE = yaml.ScalarNode
_SEQUENCE_NODE = yaml.SequenceNode
MAP_TAG = "tag:yaml.org,2002:map"
SEQ_TAG = "tag:yaml.org,2002:seq"
# YAML 1.1's implicit types by first character, exactly as PyYAML's SafeLoader resolves them.
_WILDCARD: tuple = tuple(yaml.resolver.Resolver.yaml_implicit_resolvers.get(None, ()))
_IMPLICIT: dict[str, tuple] = {
    first: tuple(resolvers) + _WILDCARD
    for first, resolvers in yaml.resolver.Resolver.yaml_implicit_resolvers.items() if first is not None
}


# The tags of short plain scalars already resolved: keys and short values repeat across every
# record of a cohort, and a dictionary look-up is cheaper than trying the resolvers again.
_RESOLVED: dict[str, str] = {}
_RESOLVED_MAX_CHARS = 40
_RESOLVED_MAX_ENTRIES = 4096


def _resolve(self: Any, kind: type, value: str, implicit: tuple[bool, bool]) -> str:
    """PyYAML's Resolver.resolve for the safe types, without path resolvers (compfw uses none)."""
    if kind is _SCALAR_NODE:
        if not implicit[0]:
            return STR
        if len(value) > _RESOLVED_MAX_CHARS:
            return _implicit_tag(value)
        known = _RESOLVED.get(value)
        if known is None:
            known = _implicit_tag(value)
            if len(_RESOLVED) < _RESOLVED_MAX_ENTRIES:
                _RESOLVED[value] = known
        return known
    return SEQ_TAG if kind is _SEQUENCE_NODE else MAP_TAG


def _implicit_tag(value: str) -> str:
    for tag, regexp in _IMPLICIT.get(value[:1], _WILDCARD):
        if regexp.match(value):
            return tag
    return STR


try:
    from yaml.cyaml import CParser as _Parser
except ImportError:  # pragma: no cover - PyYAML built without libyaml
    _Parser = yaml.SafeLoader


class _Loader(_Parser):
    """libyaml's parser and composer with a lean resolver; no constructor (the builder builds)."""

    resolve = _resolve
    # The composer calls these two for every node; compfw uses no path resolvers, so they do
    # nothing. Built-in callables, not Python functions: two Python calls a node were about 1% of
    # a cold cohort run. (parent, index) -> index, kept nowhere; () -> ().
    descend_resolver = staticmethod({}.get)
    ascend_resolver = staticmethod(tuple)


def _pos(node: yaml.Node) -> Pos:
    return (node.start_mark.line + 1, node.start_mark.column + 1)


def _short(value: Any, limit: int = 60) -> str:
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 5] + "...'"


def _inner_depth(depth: int, first: yaml.Node | None) -> int:
    """The depth of a collection's items; refused at the first item past the bound."""
    if depth + 1 > MAX_DEPTH and first is not None:
        raise YamlProblem(*_pos(first), f"data is nested more than {MAX_DEPTH} levels deep", TOO_DEEP_HINT)
    return depth + 1


class _Builder:
    """Plain data from composed nodes, with positions, and within the bounds.

    Every scalar is decided by yaml_scalars (never by PyYAML's constructors). Collections go
    through build(), which remembers each one so that an alias is counted at the size it expands
    to, in nodes and in characters of text: a short file of aliases to one long text would
    otherwise stand for gigabytes once anything walks it (a report, `status --json`).
    """

    def __init__(self) -> None:
        self.built: dict[int, Any] = {}
        self.sizes: dict[int, tuple[int, int]] = {}
        self.in_progress: set[int] = set()
        self.expanded = 0
        self.chars = 0

    def _text_budget(self, node: yaml.Node) -> None:
        if self.chars > MAX_EXPANDED_CHARS:
            raise YamlProblem(*_pos(node), f"aliases expand to more than {MAX_EXPANDED_CHARS:,} characters of text "
                              "(possible alias bomb)", "write the data out instead of using anchors and aliases")

    def scalar(self, node: yaml.ScalarNode, raw: dict, slot: Any) -> Any:
        """A scalar's value, counted; an unquoted one that YAML 1.1 reads as no text keeps its text in raw."""
        self.expanded += 1
        tag, text = node.tag, node.value
        if tag != STR:
            try:
                value = decide(tag, text, not node.style)
            except ScalarProblem as exc:
                raise YamlProblem(*_pos(node), exc.message, exc.hint) from None
            if not node.style and tag in KIND_OF_TAG:
                raw[slot] = (text, KIND_OF_TAG[tag])
            if not isinstance(value, str):
                return value
        if len(text) > MAX_TEXT_CHARS:
            raise too_long(*_pos(node), len(text))
        self.chars += len(text)
        if self.chars > MAX_EXPANDED_CHARS:
            self._text_budget(node)
        return text

    def build(self, node: yaml.Node, depth: int = 0) -> Any:
        if depth > MAX_DEPTH:
            raise YamlProblem(*_pos(node), f"data is nested more than {MAX_DEPTH} levels deep", TOO_DEEP_HINT)
        if type(node) is _SCALAR_NODE:
            return self.scalar(node, {}, None)
        key = id(node)
        if key in self.built:
            # An alias: count what walking it again would cost.
            nodes, chars = self.sizes[key]
            self.expanded += nodes
            self.chars += chars
            if self.expanded > MAX_EXPANDED_NODES:
                raise YamlProblem(*_pos(node), "aliases expand to too much data (possible alias bomb)",
                                  "write the data out instead of using anchors and aliases")
            self._text_budget(node)
            return self.built[key]
        if key in self.in_progress:
            raise YamlProblem(*_pos(node), "an alias refers to the mapping or list that contains it",
                              "remove the recursive alias")
        self.in_progress.add(key)
        nodes_before, chars_before = self.expanded, self.chars
        if node.tag == MAP_TAG and type(node) is not _SEQUENCE_NODE:
            value = self._mapping(node, depth)
        elif node.tag == SEQ_TAG and type(node) is _SEQUENCE_NODE:
            value = self._sequence(node, depth)
        else:
            raise YamlProblem(*_pos(node), f"unsupported YAML tag {_short(node.tag)}",
                              "remove the tag; compfw files use plain YAML values")
        self.in_progress.discard(key)
        self.built[key] = value
        self.sizes[key] = (self.expanded - nodes_before + 1, self.chars - chars_before)
        self.expanded += 1
        if self.expanded > MAX_EXPANDED_NODES:
            raise YamlProblem(*_pos(node), "the document expands to too much data", TOO_BIG_HINT)
        return value

    def _sequence(self, node: yaml.SequenceNode, depth: int) -> LocatedList:
        mark = node.start_mark
        out = LocatedList((mark.line + 1, mark.column + 1))
        positions, raw, append = out.item_pos, out.raw, out.append
        inner = _inner_depth(depth, node.value[0] if node.value else None)
        for index, item in enumerate(node.value):
            mark = item.start_mark
            positions.append((mark.line + 1, mark.column + 1))
            if type(item) is _SCALAR_NODE:
                append(self.scalar(item, raw, index))
            else:
                append(self.build(item, inner))
        return out

    def _mapping(self, node: yaml.MappingNode, depth: int) -> LocatedDict:
        mark = node.start_mark
        out = LocatedDict((mark.line + 1, mark.column + 1))
        key_pos, value_pos, raw = out.key_pos, out.value_pos, out.raw
        inner = _inner_depth(depth, node.value[0][0] if node.value else None)
        for key_node, value_node in node.value:
            if type(key_node) is not _SCALAR_NODE:
                raise YamlProblem(*_pos(key_node), "a mapping key must be a plain value", "use a simple text key")
            if key_node.tag == MERGE and not key_node.style:
                raise YamlProblem(*_pos(key_node), "merge keys (<<) are not supported", "write the keys out in full")
            key = self.scalar(key_node, {}, None)
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
            if type(value_node) is _SCALAR_NODE:
                out[key] = self.scalar(value_node, raw, key)
            else:
                out[key] = self.build(value_node, inner)
        return out


def parse_text(text: str) -> Any:
    """Parse YAML text into located data; raises YamlProblem."""
    try:
        if needs_stream_check(text):
            stream_check(text, _Loader)
        loader = _Loader(text)
        try:
            node = loader.get_single_node()
            if node is None:
                return None
            return _Builder().build(node)
        finally:
            loader.dispose()
    except yaml.YAMLError as exc:
        if is_parser_depth_limit(exc):
            try:
                stream_check(text, PurePythonLoader)
            except YamlProblem as located:
                raise located from None
            except yaml.YAMLError:
                pass
        raise yaml_error(exc, text) from None
    except RecursionError:  # pragma: no cover - the depth bounds stop this first
        raise YamlProblem(0, 0, "data is nested too deeply to read", "flatten the structure") from None
    except MemoryError:  # pragma: no cover - the size bounds stop this first
        raise YamlProblem(0, 0, "the document is too large to read", TOO_BIG_HINT) from None
    except (ValueError, TypeError, LookupError, AttributeError, OverflowError) as exc:  # pragma: no cover
        # Nothing the parser does may end a run: whatever it raises is a finding on this file.
        raise YamlProblem(0, 0, f"the YAML cannot be read ({type(exc).__name__})",
                          "check the file's syntax; if it looks right, report this to compfw's maintainers") from None


def load_yaml(path: Path | str) -> tuple[YamlDocument | None, Problem | None]:
    """Read one YAML file; a broken file is returned as a Problem, never raised."""
    try:
        raw = read_bytes(path)
    except FileRefused as exc:
        return None, Problem(shown_path(path), 0, 0, exc.message, exc.hint, code=exc.code)
    try:
        text = decode(raw)
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


def dump_yaml(data: Any) -> str:
    """Serialise plain data in block style, keys in the given order, text kept readable."""
    return yaml.dump(data, Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=100,
                     default_flow_style=False)


class _Dumper(yaml.SafeDumper):
    pass


def _str_representer(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
    style = "|" if "\n" in value else None
    return dumper.represent_scalar(STR, value, style=style)


_Dumper.add_representer(str, _str_representer)
