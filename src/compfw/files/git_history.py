"""What git says about a portfolio's sign-offs: which files differ from HEAD, which commit added
each one, and the work tree's top and HEAD, asked ahead of time where a command knows it will ask
(see git_ahead). Runs git through gitutil; returns values or raises GitError."""

from __future__ import annotations

import re
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import NamedTuple

from compfw.files import git_ahead
from compfw.files.gitutil import COMMIT_MARK, STABLE, GitError, completed, git, safe_env

__all__ = ["FolderHistory", "GitError", "added_in", "fetch_signoff_history_ahead", "folder_history",
           "signoff_history_ahead", "toplevel_and_head", "uncommitted_files"]


def uncommitted_files(top: Path, folder: str) -> set[str]:
    """Paths under folder that differ from HEAD: new, changed or removed, staged or not."""
    out = git(_uncommitted_args(folder), top)
    return {entry[3:] for entry in out.split("\0") if len(entry) > 3}


def _uncommitted_args(folder: str) -> list[str]:
    # --no-optional-locks: asking (now often from a background thread, see git_ahead) must never
    # take the index lock that a `git commit` in another terminal needs at the same moment.
    return ["--no-optional-locks", *STABLE, "status", "--porcelain", "-z", "--untracked-files=all", "--no-renames",
            "--", folder]


class FolderHistory(NamedTuple):
    """What git says about one folder of the work tree: its repository's top, HEAD's commit, and the
    paths under the folder that differ from HEAD. `value` is the same facts as one string, so the
    result cache can tell when a result that used them must be worked out again."""

    top: Path | None
    head: str | None
    uncommitted: frozenset[str]
    relative: str = ""

    @property
    def value(self) -> str:
        if self.top is None or self.head is None:
            return "none"
        return "\n".join([self.head, self.relative, *sorted(self.uncommitted)])


def folder_history(folder: Path, sub: str) -> FolderHistory:
    """FolderHistory of folder/sub (sub a plain relative path such as "signoffs")."""
    top, head = toplevel_and_head(folder)
    if top is None:
        return FolderHistory(None, None, frozenset())
    try:
        relative = folder.resolve().relative_to(top.resolve()).as_posix()
    except ValueError:
        return FolderHistory(None, None, frozenset())
    if head is None:
        return FolderHistory(top, None, frozenset(), relative)
    return FolderHistory(top, head, frozenset(uncommitted_files(top, f"{relative}/{sub}")), relative)


_HEX = re.compile(r"[0-9a-f]{40}|[0-9a-f]{64}")


_TOP_AND_HEAD = ["rev-parse", "--show-toplevel", "--verify", "--quiet", "HEAD^{commit}"]


def toplevel_and_head(cwd: Path) -> tuple[Path | None, str | None]:
    """The work tree's top and HEAD's commit (None before the first commit), in one git process:
    `status` asks on every run."""
    try:
        out = git(_TOP_AND_HEAD, cwd, check=False)
    except GitError:
        return None, None
    return _top_and_head(out)


def _top_and_head(out: str) -> tuple[Path | None, str | None]:
    top, _, last = out.rstrip("\n").rpartition("\n")
    if not _HEX.fullmatch(last):  # no commit yet: the output is the top alone
        top, last = out.rstrip("\n"), ""
    return (Path(top) if top else None), (last or None)


def fetch_signoff_history_ahead(folder: Path) -> None:
    """Start asking git, in the background, what folder_history(folder, "signoffs") and added_in
    will ask about a portfolio (see git_ahead): by the time the loader wants the sign-offs'
    recorded dates, the answers are there."""
    # HEAD and the uncommitted sign-offs are asked twice when a cached result is looked up and
    # then worked out (the cache's key holds them, and so does the loader's answer).
    generation = git_ahead.expect(_TOP_AND_HEAD, folder, uses=2)

    def plan() -> None:
        env = safe_env()
        done = git_ahead.run(_TOP_AND_HEAD, folder, generation, lambda: completed(_TOP_AND_HEAD, folder, env), uses=2)
        top, head = _top_and_head(done.stdout) if done is not None else (None, None)
        if top is None or head is None:
            return
        relative = folder.resolve().relative_to(top.resolve()).as_posix()
        uncommitted = _uncommitted_args(f"{relative}/signoffs")
        status = threading.Thread(target=git_ahead.run, daemon=True,
                                  args=(uncommitted, top, generation, lambda: completed(uncommitted, top, env), 2))
        status.start()
        log = _added_in_args("HEAD", f"{relative}/signoffs")
        git_ahead.run(log, top, generation, lambda: completed(log, top, env))
        status.join()

    git_ahead.in_background(plan, generation)


@contextmanager
def signoff_history_ahead(folder: Path) -> Iterator[None]:
    """For one command's work on one portfolio: git's answers about its sign-offs fetched ahead
    (fetch_signoff_history_ahead), and whatever is left of them dropped when the work ends."""
    fetch_signoff_history_ahead(folder)
    try:
        yield
    finally:
        git_ahead.forget()


def added_in(top: Path, rev: str, pathspec: str) -> dict[str, tuple[str, str]]:
    """For each file under pathspec at rev: (the commit that last added it, that commit's %cI).

    The commit found is the newest one in rev's history whose diff adds the path, merges
    excepted (a merge adds nothing of its own unless it resolves a conflict), so a file brought
    in by a merged branch keeps the commit that wrote it.
    """
    out = git(_added_in_args(rev, pathspec), top)
    found: dict[str, tuple[str, str]] = {}
    current: tuple[str, str] | None = None
    for token in out.split("\0"):
        token = token.strip("\n")
        if token.startswith(COMMIT_MARK):
            sha, date = token[len(COMMIT_MARK):].split("\x1f")[:2]
            current = (sha, date)
        elif token and current is not None:
            found.setdefault(token, current)
    return found


def _added_in_args(rev: str, pathspec: str) -> list[str]:
    return [*STABLE, "log", "--full-history", "--no-renames", "--diff-filter=A", "--name-only", "-z",
            f"--format={COMMIT_MARK}%H%x1f%cI", rev, "--", pathspec]
