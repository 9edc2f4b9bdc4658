"""What a change touches: the paths `validate --changed-since REF` has to look at."""

from __future__ import annotations

from pathlib import Path

from compfw.gitutil import GitError, git
from compfw.loading import PORTFOLIO_FILE, portfolio_folders
from compfw.problems import UserError
from compfw.yamlio import load_yaml


def changed_files(root: Path, ref: str) -> list[Path]:
    """Files changed between ref and the working tree (committed, staged, unstaged, untracked)."""
    try:
        git(["rev-parse", "--verify", "--quiet", ref + "^{commit}"], root)
        top = Path(git(["rev-parse", "--show-toplevel"], root).strip())
        diffed = git(["diff", "--name-only", "--no-renames", ref], root).splitlines()
        untracked = git(["ls-files", "--others", "--exclude-standard"], root).splitlines()
    except GitError as exc:
        raise UserError(f"cannot compare with {ref!r}: {exc}", "give a commit, branch or tag that exists here") from None
    return sorted({(top / name) for name in diffed + untracked if name})


def _pinned_id(folder: Path) -> str | None:
    doc, problem = load_yaml(folder / PORTFOLIO_FILE)
    if problem or not isinstance(doc.data, dict) or not isinstance(doc.data.get("framework"), dict):
        return None
    value = doc.data["framework"].get("id")
    return value if isinstance(value, str) else None


def changed_targets(root: Path, ref: str, scope: list[Path]) -> list[Path]:
    """The framework files and portfolio folders within scope that the change touches.

    A changed framework brings in every portfolio that pins its id, since their validity
    depends on it.
    """
    resolved_scope = [p.resolve() for p in scope]

    def in_scope(path: Path) -> bool:
        return any(path == s or s in path.parents for s in resolved_scope)

    frameworks: set[Path] = set()
    portfolios: set[Path] = set()
    for path in changed_files(root, ref):
        path = path.resolve()
        if not in_scope(path):
            continue
        folder = next((p for p in (path.parent, path.parent.parent, path) if (p / PORTFOLIO_FILE).exists()), None)
        if folder is not None:
            portfolios.add(folder)
        elif path.suffix in (".yaml", ".yml") and path.exists():
            frameworks.add(path)
    if frameworks:
        changed_ids = {p.stem.split("@")[0] for p in frameworks}
        for base in resolved_scope:
            for folder in portfolio_folders(base):
                if folder not in portfolios and _pinned_id(folder) in changed_ids:
                    portfolios.add(folder)
    return sorted(frameworks) + sorted(portfolios)
