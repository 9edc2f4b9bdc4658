"""What a repository may hold where the checks look: no symbolic links inside a portfolio, portfolio
folder names from a safe set, and no repository framework silently replacing a shipped one.

Each is a way to make `compfw status` count something the audit of git history does not see, or
to smuggle text into a generated file (a folder name with a newline becomes a second
CODEOWNERS line).
"""

from __future__ import annotations

import functools
import os
import re
from pathlib import Path

from compfw.files import tree
from compfw.files.reading import yaml_files
from compfw.model.loading import LoadedFramework, load_framework_file, shipped_dir
from compfw.files.problems import Problem
from compfw.files.yaml_located import shown_path

SAFE_FOLDER_NAME = re.compile(r"[a-z0-9][a-z0-9._-]*\Z")
SAFE_FOLDER_RULE = "lower-case letters, digits, '.', '_' and '-', starting with a letter or digit"
MAX_FOLDER_NAME = 100


def unsafe_folder_name(name: str) -> bool:
    return len(name) > MAX_FOLDER_NAME or not SAFE_FOLDER_NAME.match(name)


def folder_name_problems(folder: Path) -> list[Problem]:
    if not unsafe_folder_name(folder.name):
        return []
    return [Problem(shown_path(folder), 0, 0,
                    f"portfolio folder name {folder.name!r} is not allowed: use only {SAFE_FOLDER_RULE} "
                    f"(at most {MAX_FOLDER_NAME} characters)",
                    "rename the folder, e.g. to the trainee id", code="trust-unsafe-name")]


def link_problems(folder: Path, already: set[str] = frozenset()) -> list[Problem]:
    """Every symbolic link anywhere inside a portfolio folder, links not followed.

    `already` holds the shown paths the loader has reported (a linked signoffs/ folder, a linked
    record), so each link is reported once.
    """
    out: list[Problem] = []
    for entry in tree.walk(os.fspath(folder)):
        shown = shown_path(entry.path) if entry.kind == "link" else None
        if shown is not None and shown not in already:
            kind = "folder" if os.path.isdir(entry.path) else "file"
            out.append(Problem(shown, 0, 0,
                               f"{kind} is a symbolic link; links are not allowed anywhere inside a portfolio",
                               f"replace the link with the {kind} itself", code="trust-symlink"))
    return out


@functools.lru_cache(maxsize=1)
def shipped_frameworks() -> dict[tuple[str, str], Path]:
    """The (id, version) of every framework shipped with compfw, and its file."""
    found: dict[tuple[str, str], Path] = {}
    for path in yaml_files(shipped_dir("frameworks")):
        loaded, _ = load_framework_file(path)
        if loaded is not None:
            found[(loaded.framework.id, loaded.framework.version)] = path.resolve()
    return found


def override_problem(loaded: LoadedFramework, sanctioned: set[tuple[str, str]]) -> Problem | None:
    """A repository framework with the id and version of a shipped one, unless the policy sanctions it."""
    key = (loaded.framework.id, loaded.framework.version)
    shipped = shipped_frameworks().get(key)
    if shipped is None or key in sanctioned or loaded.doc.path.resolve() == shipped:
        return None
    line, col = loaded.doc.data.value_pos.get("id", (0, 0))
    return Problem(loaded.doc.shown, line, col,
                   f"framework {key[0]} version {key[1]} would replace the framework of that id and version "
                   "shipped with compfw, and the trust policy does not sanction it",
                   "give the framework another id or version; or a programme admin lists "
                   f"{{id: {key[0]}, version: \"{key[1]}\"}} under framework_overrides in .compfw/policy.yaml",
                   code="trust-framework-override")
