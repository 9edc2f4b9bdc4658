"""Which commits changed which paths: the history `compfw audit` walks (it asks git through gitutil).

Apart from gitutil because only the audit needs it; every command imports gitutil.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from compfw.files.gitutil import COMMIT_MARK, STABLE, git


@dataclass(frozen=True)
class CommitInfo:
    sha: str
    parents: tuple[str, ...]
    author_name: str
    author_email: str  # as recorded (%ae), never rewritten by a .mailmap of the branch under review
    committer_name: str = ""
    committer_email: str = ""  # %ce: who made this commit object (differs after amend, rebase, cherry-pick)
    committed: str = ""  # %cI: the committer date, strict ISO 8601 with the committer's own offset


@dataclass(frozen=True)
class FileChange:
    """One commit's change to one path. status has one letter per parent for a merge ("AA", "AM")."""

    commit: str
    status: str
    path: str  # relative to the repository's top level, '/'-separated


def file_changes(top: Path, revisions: list[str], pathspecs: list[str]) -> tuple[dict[str, CommitInfo], list[FileChange]]:
    """Every change to the paths in the history of the revisions.

    --full-history so that no side branch is simplified away; --no-renames so that a rename is
    a deletion plus an addition; --cc so that a merge shows only what the merge itself changed
    (a conflict resolution or an 'evil merge'), not what its branches brought in.
    """
    out = git([*STABLE, "log", "--full-history", "--no-renames", "--cc", "--name-status", "-z",
               f"--format={COMMIT_MARK}%H%x1f%P%x1f%an%x1f%ae%x1f%cn%x1f%ce%x1f%cI", *revisions, "--", *pathspecs],
              top)
    commits: dict[str, CommitInfo] = {}
    changes: list[FileChange] = []
    tokens = iter(out.split("\0"))
    current: str | None = None
    for token in tokens:
        token = token.lstrip("\n")
        if not token:
            continue
        if token.startswith(COMMIT_MARK):
            sha, parents, name, email, cname, cemail, cdate = token[len(COMMIT_MARK):].split("\x1f")
            commits[sha] = CommitInfo(sha, tuple(parents.split()), name, email, cname, cemail, cdate)
            current = sha
            continue
        path = next(tokens, "")
        if current is not None and path:
            changes.append(FileChange(current, token, path))
    return commits, changes
