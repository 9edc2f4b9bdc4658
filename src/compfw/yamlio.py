"""The one place that reads YAML.

Safe loading only (libyaml's C parser where present), with what plain PyYAML does not give:
every mapping and list remembers where its keys and items stand (1-based line:col), duplicate
keys are an error, aliases that would expand past a budget are refused, nesting is bounded, and
an unquoted scalar that YAML 1.1 turns into a number, boolean or date keeps its original text so
that a message can tell the user exactly what to quote.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from compfw.problems import Problem, display_path

try:
    _Loader = yaml.CSafeLoader
except AttributeError:  # pragma: no cover - PyYAML built without libyaml
    _Loader = yaml.SafeLoader

MAX_DEPTH = 64
MAX_EXPANDED_NODES = 250_000
MAX_FILE_BYTES = 64 * 1024 * 1024

_STR_TAG = "tag:yaml.org,2002:str"
_MERGE_TAG = "tag:yaml.org,2002:merge"
_KIND_OF_TAG = {
    "tag:yaml.org,2002:float": "a number",
    "tag:yaml.org,2002:int": "a number",
    "tag:yaml.org,2002:bool": "a boolean",
    "tag:yaml.org,2002:null": "null (empty)",
    "tag:yaml.org,2002:timestamp": "a date",
}

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


@dataclass
class YamlDocument:
    path: Path
    data: Any
    text: str

    @property
    def shown(self) -> str:
        return display_path(self.path)


def _pos(node: yaml.Node) -> Pos:
    return (node.start_mark.line + 1, node.start_mark.column + 1)


class _Builder:
    def __init__(self, loader: Any):
        self.loader = loader
        self.built: dict[int, Any] = {}
        self.sizes: dict[int, int] = {}
        self.in_progress: set[int] = set()
        self.expanded = 0

    def build(self, node: yaml.Node, depth: int = 0) -> Any:
        if depth > MAX_DEPTH:
            raise YamlProblem(*_pos(node), f"data is nested more than {MAX_DEPTH} levels deep",
                              "flatten the structure; compfw files are a few levels deep")
        key = id(node)
        if key in self.built:
            # An alias: count what walking it again would cost.
            self.expanded += self.sizes.get(key, 1)
            if self.expanded > MAX_EXPANDED_NODES:
                raise YamlProblem(*_pos(node), "aliases expand to too much data (possible alias bomb)",
                                  "write the data out instead of using anchors and aliases")
            return self.built[key]
        if key in self.in_progress:
            raise YamlProblem(*_pos(node), "an alias refers to the mapping or list that contains it",
                              "remove the recursive alias")
        if isinstance(node, yaml.ScalarNode):
            value = self._scalar(node)
            self.built[key] = value
            self.sizes[key] = 1
            self.expanded += 1
            return value
        self.in_progress.add(key)
        before = self.expanded
        if isinstance(node, yaml.SequenceNode):
            value = self._sequence(node, depth)
        else:
            value = self._mapping(node, depth)
        self.in_progress.discard(key)
        self.built[key] = value
        self.sizes[key] = self.expanded - before + 1
        self.expanded += 1
        if self.expanded > MAX_EXPANDED_NODES:
            raise YamlProblem(*_pos(node), "the document expands to too much data",
                              "split the data or remove anchors and aliases")
        return value

    def _scalar(self, node: yaml.ScalarNode) -> Any:
        if node.tag == _STR_TAG:
            return node.value
        constructor = self.loader.yaml_constructors.get(node.tag)
        if constructor is None:
            raise YamlProblem(*_pos(node), f"unsupported YAML tag {node.tag!r}",
                              "remove the tag; compfw files use plain YAML values")
        try:
            return constructor(self.loader, node)
        except (yaml.YAMLError, ValueError, OverflowError) as exc:
            raise YamlProblem(*_pos(node), f"cannot read value {node.value!r}: {exc}",
                              "quote the value if it is meant as text") from None

    @staticmethod
    def _trap(node: yaml.Node) -> tuple[str, str] | None:
        """The original text of an unquoted scalar that YAML did not read as text."""
        if isinstance(node, yaml.ScalarNode) and not node.style and node.tag in _KIND_OF_TAG:
            return (node.value, _KIND_OF_TAG[node.tag])
        return None

    def _sequence(self, node: yaml.SequenceNode, depth: int) -> LocatedList:
        out = LocatedList(_pos(node))
        for index, item in enumerate(node.value):
            out.item_pos.append(_pos(item))
            trap = self._trap(item)
            if trap:
                out.raw[index] = trap
            out.append(self.build(item, depth + 1))
        return out

    def _mapping(self, node: yaml.MappingNode, depth: int) -> LocatedDict:
        out = LocatedDict(_pos(node))
        for key_node, value_node in node.value:
            if key_node.tag == _MERGE_TAG:
                raise YamlProblem(*_pos(key_node), "merge keys (<<) are not supported",
                                  "write the keys out in full")
            if not isinstance(key_node, yaml.ScalarNode):
                raise YamlProblem(*_pos(key_node), "a mapping key must be a plain value",
                                  "use a simple text key")
            key = self._scalar(key_node)
            if isinstance(key, (list, dict)):  # pragma: no cover - guarded above
                raise YamlProblem(*_pos(key_node), "a mapping key must be a plain value")
            if key in out:
                first = out.key_pos[key]
                raise YamlProblem(*_pos(key_node), f"duplicate key {key!r} (first defined at line {first[0]})",
                                  "remove or rename one of them; YAML would silently keep only the last")
            out.key_pos[key] = _pos(key_node)
            out.value_pos[key] = _pos(value_node)
            trap = self._trap(value_node)
            if trap:
                out.raw[key] = trap
            out[key] = self.build(value_node, depth + 1)
        return out


def _decode(raw: bytes) -> str:
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        head = raw[: exc.start]
        line = head.count(b"\n") + 1
        col = exc.start - (head.rfind(b"\n") + 1) + 1
        raise YamlProblem(line, col, f"file is not valid UTF-8 (byte 0x{raw[exc.start]:02x})",
                          "save the file as UTF-8") from None


def _yaml_error(exc: yaml.YAMLError) -> YamlProblem:
    mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
    line, col = (mark.line + 1, mark.column + 1) if mark is not None else (0, 0)
    problem = getattr(exc, "problem", None) or str(exc)
    context = getattr(exc, "context", None)
    message = f"invalid YAML: {problem}" + (f" ({context})" if context else "")
    hint = "check indentation and quoting on this line"
    if "\\t" in problem or "'\\t'" in str(exc) or "tab" in problem:
        hint = "YAML does not allow tabs for indentation; indent with spaces"
    elif "but found another document" in problem:
        hint = "keep one YAML document per file (remove the extra '---')"
    return YamlProblem(line, col, message, hint)


def parse_text(text: str) -> Any:
    """Parse YAML text into located data; raises YamlProblem."""
    loader = _Loader(text)
    try:
        try:
            node = loader.get_single_node()
        except yaml.YAMLError as exc:
            raise _yaml_error(exc) from None
        except RecursionError:
            raise YamlProblem(0, 0, "data is nested too deeply to read",
                              "flatten the structure") from None
        if node is None:
            return None
        try:
            return _Builder(loader).build(node)
        except RecursionError:  # pragma: no cover - MAX_DEPTH stops this first
            raise YamlProblem(0, 0, "data is nested too deeply to read", "flatten the structure") from None
    finally:
        loader.dispose()


def load_yaml(path: Path) -> tuple[YamlDocument | None, Problem | None]:
    """Read one YAML file; a broken file is returned as a Problem, never raised."""
    shown = display_path(path)
    try:
        if path.is_dir():
            return None, Problem(shown, 0, 0, "expected a file but found a directory",
                                 "remove the directory or rename it", code="not-a-file")
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            return None, Problem(shown, 0, 0, f"file is too large ({size} bytes)",
                                 f"compfw reads files up to {MAX_FILE_BYTES} bytes", code="too-large")
        raw = path.read_bytes()
    except OSError as exc:
        return None, Problem(shown, 0, 0, f"cannot read file: {exc.strerror or exc}",
                             "check the path and its permissions", code="unreadable")
    try:
        text = _decode(raw)
        if not text.strip():
            return None, Problem(shown, 0, 0, "file is empty", "add the YAML content or delete the file",
                                 code="empty")
        data = parse_text(text)
    except YamlProblem as exc:
        return None, Problem(shown, exc.line, exc.col, exc.message, exc.hint, code="yaml")
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
