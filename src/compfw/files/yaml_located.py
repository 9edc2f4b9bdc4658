"""YAML data that knows where it stands: located mappings and lists, and where a value is.

What `yaml_parse` builds: every mapping and list remembers the 1-based line:col of itself, its keys
and its items, and an unquoted scalar that YAML 1.1 read as a number, boolean or date keeps its
original text, so that a message can point at the exact place and tell the user what to quote.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from compfw.files.problems import display_path

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


class YamlDocument:
    """A parsed file: where it is, its located data and its text.

    The path may be given as text: a cohort's loader makes one document per file, and turning
    each name into a Path object costs more than reading a small file; the Path is made when
    asked for.
    """

    __slots__ = ("_path", "data", "text", "_shown")

    def __init__(self, path: Path | str, data: Any, text: str):
        self._path, self.data, self.text, self._shown = path, data, text, None

    def __repr__(self) -> str:
        return f"YamlDocument({os.fspath(self._path)!r})"

    @property
    def path(self) -> Path:
        if not isinstance(self._path, Path):
            self._path = Path(self._path)
        return self._path

    @property
    def name(self) -> str:
        """The file's name (the last part of its path)."""
        return os.path.basename(os.fspath(self._path))

    @property
    def shown(self) -> str:
        """The path as messages show it (computed once)."""
        if self._shown is None:
            self._shown = shown_path(self._path)
        return self._shown


def shown_path(path: Path | str) -> str:
    """A path as the user would type it: relative to the working directory when inside it.

    Like problems.display_path, but without resolving links when the path lies lexically under
    the working directory, so that a link (say, one that points out of the repository) is named
    by where it is, not by where it points; and cheaper.
    """
    name = os.fspath(path)
    here = os.getcwd()
    absolute = os.path.normpath(os.path.join(here, name))
    if absolute == here:
        return "."
    if absolute.startswith(here.rstrip(os.sep) + os.sep):
        return absolute[len(here.rstrip(os.sep)) + 1:]
    return display_path(path)


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

