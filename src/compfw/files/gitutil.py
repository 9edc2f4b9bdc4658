"""The one place that runs git. Returns values or raises GitError; never prints."""

from __future__ import annotations

import os
import re
import shlex
import subprocess
from dataclasses import dataclass
from pathlib import Path

from compfw.files.problems import UserError


class GitError(Exception):
    pass


class UnsafeRepository(UserError):
    """git refuses to work in a repository owned by another user ("dubious ownership").

    A UserError, not a GitError: no caller should read it as "not a git repository"; the person
    needs git's own remedy, which only they can decide to apply.
    """

    def __init__(self, stderr: str, cwd: Path):
        found = re.search(r"dubious ownership in repository at '(.*)'", stderr)
        where = found.group(1) if found else str(cwd)
        super().__init__(f"git refuses to work in {where}: the repository is owned by another user "
                         "(git calls this 'dubious ownership')",
                         f"if you trust this repository, run: git config --global --add safe.directory {shlex.quote(where)}")


def _refused(returncode: int, stderr: str, cwd: Path) -> None:
    if returncode != 0 and "dubious ownership" in stderr:
        raise UnsafeRepository(stderr, cwd)


def safe_env() -> dict[str, str]:
    """The environment for every git call: replace refs ignored (a `git replace` in the branch
    under review could otherwise swap the commits or files that are checked) and pathspecs taken
    literally (a folder named `tp[1]` is not a glob)."""
    env = dict(os.environ)
    env["GIT_NO_REPLACE_OBJECTS"] = "1"
    env["GIT_LITERAL_PATHSPECS"] = "1"
    env.pop("GIT_GLOB_PATHSPECS", None)
    env.pop("GIT_ICASE_PATHSPECS", None)
    return env


def git(args: list[str], cwd: Path, check: bool = True, input_text: str | None = None) -> str:
    try:
        done = subprocess.run(["git", *args], cwd=cwd, capture_output=True, text=True, input=input_text,
                              env=safe_env())
    except FileNotFoundError:
        raise GitError("git is not installed or not on PATH") from None
    _refused(done.returncode, done.stderr, cwd)
    if check and done.returncode != 0:
        raise GitError(done.stderr.strip() or f"git {' '.join(args)} failed")
    return done.stdout


def config_value(key: str, cwd: Path) -> str | None:
    try:
        value = git(["config", "--get", key], cwd, check=False).strip()
    except GitError:
        return None
    return value or None


def toplevel(cwd: Path) -> Path | None:
    try:
        out = git(["rev-parse", "--show-toplevel"], cwd, check=False).strip()
    except GitError:
        return None
    return Path(out) if out else None


# --- history, for `compfw audit` and `compfw signoff --commit` ---------------------------------
#
# Options that keep git's output machine-readable whatever the user's configuration says: no
# signature blocks in `log`, no --follow (it would rewrite a rename into one history), no paths
# relative to a subfolder, no quoting of unusual file names.
_STABLE = ["-c", "log.showSignature=false", "-c", "log.follow=false", "-c", "diff.relative=false",
           "-c", "core.quotePath=false"]
_COMMIT_MARK = "\x1ecommit\x1f"


@dataclass(frozen=True)
class CommitInfo:
    sha: str
    parents: tuple[str, ...]
    author_name: str
    author_email: str  # as recorded (%ae), never rewritten by a .mailmap of the branch under review


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
    out = git([*_STABLE, "log", "--full-history", "--no-renames", "--cc", "--name-status", "-z",
               f"--format={_COMMIT_MARK}%H%x1f%P%x1f%an%x1f%ae", *revisions, "--", *pathspecs], top)
    commits: dict[str, CommitInfo] = {}
    changes: list[FileChange] = []
    tokens = iter(out.split("\0"))
    current: str | None = None
    for token in tokens:
        token = token.lstrip("\n")
        if not token:
            continue
        if token.startswith(_COMMIT_MARK):
            sha, parents, name, email = token[len(_COMMIT_MARK):].split("\x1f")
            commits[sha] = CommitInfo(sha, tuple(parents.split()), name, email)
            current = sha
            continue
        path = next(tokens, "")
        if current is not None and path:
            changes.append(FileChange(current, token, path))
    return commits, changes


def read_blobs(top: Path, specs: list[str]) -> dict[str, bytes | None]:
    """The content of each "REV:PATH" (None where there is no such file), in one git process."""
    wanted = [s for s in dict.fromkeys(specs) if "\n" not in s]
    found: dict[str, bytes | None] = {s: None for s in specs}
    if not wanted:
        return found
    try:
        done = subprocess.run(["git", "cat-file", "--batch"], cwd=top, capture_output=True,
                              input=("\n".join(wanted) + "\n").encode(), env=safe_env())
    except FileNotFoundError:
        raise GitError("git is not installed or not on PATH") from None
    _refused(done.returncode, done.stderr.decode(errors="replace"), top)
    if done.returncode != 0:
        raise GitError(done.stderr.decode(errors="replace").strip() or "git cat-file failed")
    data, at = done.stdout, 0
    for spec in wanted:
        end = data.index(b"\n", at)
        header = data[at:end].split()
        at = end + 1
        if len(header) == 3 and header[1] in (b"blob", b"tree", b"commit", b"tag"):
            size = int(header[2])
            if header[1] == b"blob":
                found[spec] = data[at:at + size]
            at += size + 1
    return found


def files_at(top: Path, rev: str, folder: str) -> set[str]:
    """Paths of the files under folder in the tree of rev."""
    out = git([*_STABLE, "ls-tree", "-r", "-z", "--name-only", "--full-tree", rev, "--", folder], top)
    return {p for p in out.split("\0") if p}


def uncommitted_files(top: Path, folder: str) -> set[str]:
    """Paths under folder that differ from HEAD: new, changed or removed, staged or not."""
    out = git([*_STABLE, "status", "--porcelain", "-z", "--untracked-files=all", "--no-renames", "--", folder], top)
    return {entry[3:] for entry in out.split("\0") if len(entry) > 3}


def resolve_commit(top: Path, ref: str) -> str | None:
    out = git(["rev-parse", "--verify", "--quiet", "--end-of-options", ref + "^{commit}"], top, check=False).strip()
    return out or None


def is_shallow(top: Path) -> bool:
    return git(["rev-parse", "--is-shallow-repository"], top, check=False).strip() == "true"


def signature_checks(top: Path, commits: list[str], allowed_signers: Path) -> dict[str, tuple[str, str]]:
    """Each commit's signature verdict (%G?) and signer (%GS), checked against this allowed-signers file.

    The file is passed on the command line so that nothing in the repository's own
    configuration or working tree decides which keys are trusted.
    """
    if not commits:
        return {}
    out = git([*_STABLE, "-c", f"gpg.ssh.allowedSignersFile={allowed_signers}", "log", "--no-walk=unsorted",
               "--stdin", "--format=%H%x1f%G?%x1f%GS"], top, input_text="\n".join(commits) + "\n")
    verdicts: dict[str, tuple[str, str]] = {}
    for line in out.splitlines():
        parts = line.split("\x1f")
        if len(parts) == 3:
            verdicts[parts[0]] = (parts[1], parts[2])
    return verdicts


def commit_new_files(top: Path, paths: list[Path], author: str, message: str) -> str:
    """Commit exactly these (new) files, authored as given; return the commit id.

    Only these paths go into the commit, whatever else is staged. If the commit fails (a hook
    refused it, no committer identity...) the files are unstaged again and GitError is raised.
    """
    names = [str(p) for p in paths]
    git(["--literal-pathspecs", "add", "--", *names], top)
    try:
        git(["--literal-pathspecs", "commit", "-q", "--only", f"--author={author}", "-F", "-", "--", *names],
            top, input_text=message)
    except GitError:
        git(["--literal-pathspecs", "rm", "-q", "--cached", "--ignore-unmatch", "--", *names], top, check=False)
        raise
    return git(["rev-parse", "HEAD"], top).strip()


def tree_entry(top: Path, rev: str, path: str) -> tuple[str, str] | None:
    """The (mode, type) of one path in rev's tree, e.g. ("100644", "blob"); None if absent.

    A symbolic link is ("120000", "blob"): reading its blob gives the link's target, not a file.
    """
    out = git([*_STABLE, "ls-tree", "-z", "--full-tree", rev, "--", path], top)
    for entry in out.split("\0"):
        meta, _, name = entry.partition("\t")
        if name == path:
            mode, kind, _ = meta.split(" ", 2)
            return mode, kind
    return None
