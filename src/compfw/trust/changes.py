"""What a change touches: the paths `validate --changed-since REF` has to look at.

The rule mirrors what a full `compfw validate` over the same paths would check (see
`compfw.validate.classify`), restricted to what the change can have affected:

* a changed file inside a portfolio folder (portfolio.yaml, a record, the reflective piece, a
  migration, anything) revalidates that portfolio; a portfolio folder is a subfolder of a folder
  of portfolios, or a folder given on the command line that holds portfolio.yaml;
* a changed framework file revalidates it and every portfolio in scope that pins its id (any
  version), since their validity depends on it; a deleted or renamed framework file brings in
  the portfolios that pinned it, so that they fail where they now point at nothing;
* anything else (a README, a CI workflow) is not validated.

So CI cost follows the size of the change, not of the repository: a pull request that adds one
sign-off validates one portfolio.
"""

from __future__ import annotations

import os
from pathlib import Path

from compfw.files.gitutil import GitError, git
from compfw.files.problems import UserError
from compfw.files.reading import YAML_SUFFIXES
from compfw.files.reading import FileRefused, read_bytes
from compfw.files.yaml_parse import load_yaml
from compfw.model.loading import PORTFOLIO_FILE


def changed_files(root: Path, ref: str) -> list[Path]:
    """Files changed between ref and the working tree (committed, staged, unstaged, untracked).

    Deleted and renamed-away files are included (they no longer exist): what depended on them
    must be checked again.
    """
    if ref.startswith("-"):
        raise UserError(f"cannot compare with {ref!r}: not a git revision", "give a commit, branch or tag")
    try:
        top_text = git(["rev-parse", "--show-toplevel"], root).strip()
    except GitError as exc:
        raise UserError(f"cannot compare with {ref!r}: {exc}", "--changed-since needs a git repository") from None
    try:
        git(["rev-parse", "--verify", "--quiet", ref + "^{commit}"], root)
    except GitError:
        raise UserError(f"cannot compare with {ref!r}: there is no such commit, branch or tag here",
                        "give a commit, branch or tag that exists here (in CI, fetch the base branch first)") from None
    try:
        top = Path(top_text)
        diffed = git(["diff", "--name-only", "--no-renames", "-z", ref, "--"], root).split("\0")
        untracked = git(["ls-files", "--others", "--exclude-standard", "-z", "--full-name"], root).split("\0")
    except GitError as exc:
        raise UserError(f"cannot compare with {ref!r}: {exc}", "give a commit, branch or tag that exists here") from None
    return sorted({(top / name) for name in diffed + untracked if name})


def _pinned_id(folder: Path, candidates: set[str] | None = None) -> str | None:
    """The framework id a portfolio pins (read cheaply: only files that mention a candidate id are parsed)."""
    path = folder / PORTFOLIO_FILE
    if candidates is not None:
        try:
            text = read_bytes(path).decode("utf-8-sig", "replace")
        except FileRefused:
            return None
        if not any(c in text for c in candidates) and "\\" not in text:
            return None
    doc, problem = load_yaml(path)
    if problem or not isinstance(doc.data, dict) or not isinstance(doc.data.get("framework"), dict):
        return None
    value = doc.data["framework"].get("id")
    return value if isinstance(value, str) else None


def _real(path: Path) -> Path:
    """An absolute path with links resolved, also for a path that no longer exists."""
    return Path(os.path.realpath(path))


def _subfolders(folder: Path) -> list[Path]:
    try:
        with os.scandir(folder) as entries:
            return sorted(folder / e.name for e in entries if not e.name.startswith(".") and e.is_dir())
    except OSError:
        return []


def changed_targets(root: Path, ref: str, scope: list[Path]) -> list[Path]:
    """The framework files and portfolio folders within scope that the change touches.

    A changed framework brings in every portfolio that pins its id, since their validity
    depends on it.
    """
    changed = [_real(p) for p in changed_files(root, ref)]
    frameworks: dict[Path, Path] = {}  # real path -> path to validate
    changed_ids: set[str] = set()
    portfolios: dict[Path, Path] = {}
    folders_of_portfolios: list[Path] = []
    for base in scope:
        real_base = _real(base)
        if real_base.is_file() or not real_base.exists():
            # A file given by name: validate it if it changed (a portfolio's file brings its portfolio).
            if real_base in changed and real_base.exists():
                if real_base.name == PORTFOLIO_FILE:
                    portfolios.setdefault(real_base.parent, base.parent)
                elif (real_base.parent.parent / PORTFOLIO_FILE).exists():
                    portfolios.setdefault(real_base.parent.parent, base.parent.parent)
                else:
                    frameworks.setdefault(real_base, base)
                    changed_ids.add(real_base.stem.split("@")[0])
            continue
        if (real_base / PORTFOLIO_FILE).exists():
            if any(p == real_base or real_base in p.parents for p in changed):
                portfolios.setdefault(real_base, base)
            continue
        folders_of_portfolios.append(base)
        for path in changed:
            if real_base not in path.parents:
                continue
            relative = path.relative_to(real_base)
            if len(relative.parts) == 1:
                # A file directly in the folder: a framework file (or a deleted one).
                if path.suffix in YAML_SUFFIXES and not path.name.startswith("."):
                    changed_ids.add(path.stem.split("@")[0])
                    if path.is_file():
                        frameworks.setdefault(path, base / relative)
            elif not relative.parts[0].startswith("."):
                folder = real_base / relative.parts[0]
                if folder.is_dir():
                    portfolios.setdefault(folder, base / relative.parts[0])
    if changed_ids:
        for base in folders_of_portfolios:
            for folder in _subfolders(base):
                real = _real(folder)
                if real not in portfolios and _pinned_id(folder, changed_ids) in changed_ids:
                    portfolios[real] = folder
    return sorted(frameworks.values()) + sorted(portfolios.values())
