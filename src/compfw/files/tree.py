"""Everything below a folder, links not followed: the one walk of a portfolio folder's shape.

The result cache keys a portfolio's results by this shape (files.inputs) and validate refuses the
links in it (checks.layout_checks); both take it from here, so they can never see different trees.
The walk keeps a stack instead of recursing: a hostile folder may be nested thousands deep.
"""

from __future__ import annotations

import os
from typing import NamedTuple


class Entry(NamedTuple):
    """One entry of a walk (a named tuple: a cold cohort run makes one per file of every portfolio,
    and a frozen dataclass costs several times as much to make)."""

    name: str  # relative to the folder walked, '/'-separated ("" for the folder itself)
    path: str  # as os.scandir gave it (the folder walked, joined with the name)
    kind: str  # "dir", "file", "link", "other", or "!" and the error that stopped a look at it
    target: str = ""  # a link's target, as written in the link


def walk(folder: str) -> list[Entry]:
    """Every entry below folder, depth first, each folder's entries by name."""
    out: list[Entry] = []
    pending = [(folder, "")]
    while pending:
        here, prefix = pending.pop()
        try:
            with os.scandir(here) as listing:
                found = sorted(listing, key=lambda entry: entry.name)
        except OSError as exc:
            out.append(Entry(prefix.rstrip("/"), here, f"!{type(exc).__name__}"))
            continue
        below = []
        for entry in found:
            name = prefix + entry.name
            try:
                # scandir's entries know their kind without a system call per file.
                if entry.is_symlink():
                    out.append(Entry(name, entry.path, "link", os.readlink(entry.path)))
                elif entry.is_dir(follow_symlinks=False):
                    out.append(Entry(name, entry.path, "dir"))
                    below.append((entry.path, name + "/"))
                elif entry.is_file(follow_symlinks=False):
                    out.append(Entry(name, entry.path, "file"))
                else:
                    out.append(Entry(name, entry.path, "other"))
            except OSError as exc:
                out.append(Entry(name, entry.path, f"!{type(exc).__name__}"))
        pending.extend(reversed(below))
    return out
