"""The one place that runs git. Returns values or raises GitError; never prints."""

from __future__ import annotations

import os
import re
import subprocess
from pathlib import Path
from typing import NamedTuple

from compfw.files import git_ahead
from compfw.files.problems import UserError


class GitError(Exception):
    pass


class UnsafeRepository(UserError):
    """git refuses to work in a repository owned by another user ("dubious ownership").

    A UserError, not a GitError: no caller should read it as "not a git repository"; the person
    needs git's own remedy, which only they can decide to apply.
    """

    def __init__(self, stderr: str, cwd: Path):
        import shlex  # only this rare refusal quotes a path; every command imports this module

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


def completed(args: list[str], cwd: Path, env: dict[str, str] | None = None,
              input_text: str | None = None) -> subprocess.CompletedProcess:
    """git run to the end, its output as text; FileNotFoundError if there is no git."""
    return subprocess.run(["git", *args], cwd=cwd, capture_output=True, text=True, input=input_text,
                          env=env if env is not None else safe_env())


def git(args: list[str], cwd: Path, check: bool = True, input_text: str | None = None) -> str:
    done = git_ahead.take(args, cwd) if input_text is None else None
    if done is None:
        try:
            done = completed(args, cwd, input_text=input_text)
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


# --- history, for `compfw audit` (git_log.py) and `compfw signoff --commit` ------------------------
#
# Options that keep git's output machine-readable whatever the user's configuration says: no
# signature blocks in `log`, no --follow (it would rewrite a rename into one history), no paths
# relative to a subfolder, no quoting of unusual file names.
STABLE = ["-c", "log.showSignature=false", "-c", "log.follow=false", "-c", "diff.relative=false",
           "-c", "core.quotePath=false"]
COMMIT_MARK = "\x1ecommit\x1f"


def read_blobs(top: Path, specs: list[str]) -> dict[str, bytes | None]:
    """The content of each "REV:PATH" (None where there is no such file), in one git process."""
    return {spec: (obj.body if obj.kind == "blob" else None) for spec, obj in read_objects(top, specs).items()}


class GitObject(NamedTuple):
    kind: str            # blob, tree, commit, tag, or "missing"
    body: bytes | None
    oid: str = ""        # its id, in hex (40 digits, or 64 in a SHA-256 repository)


def read_objects(top: Path, specs: list[str]) -> dict[str, GitObject]:
    """Each object named ("REV:PATH", or an object id), in one git process."""
    wanted = [s for s in dict.fromkeys(specs) if "\n" not in s]
    found = {s: GitObject("missing", None) for s in specs}
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
            found[spec] = GitObject(header[1].decode(), data[at:at + size], header[0].decode())
            at += size + 1
    return found


def tree_items(tree: GitObject) -> list[tuple[str, str, str]]:
    """(mode, name, object id) of each entry of a tree: git stores "MODE NAME\\0" then the id in
    binary, as long as the tree's own id. Modes as git writes them: 40000 a folder, 100644 or
    100755 a file, 120000 a symbolic link, 160000 a submodule."""
    body, id_length = tree.body or b"", len(tree.oid) // 2
    items, at = [], 0
    while at < len(body):
        space = body.index(b" ", at)
        nul = body.index(b"\0", space)
        name = body[space + 1:nul].decode("utf-8", "surrogateescape")
        items.append((body[at:space].decode(), name, body[nul + 1:nul + 1 + id_length].hex()))
        at = nul + 1 + id_length
    return items


def files_at(top: Path, rev: str, folder: str) -> set[str]:
    """Paths of the files under folder in the tree of rev."""
    out = git([*STABLE, "ls-tree", "-r", "-z", "--name-only", "--full-tree", rev, "--", folder], top)
    return {p for p in out.split("\0") if p}


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
    out = git([*STABLE, "-c", f"gpg.ssh.allowedSignersFile={allowed_signers}", "log", "--no-walk=unsorted",
               "--stdin", "--format=%H%x1f%G?%x1f%GS"], top, input_text="\n".join(commits) + "\n")
    verdicts: dict[str, tuple[str, str]] = {}
    for line in out.splitlines():
        parts = line.split("\x1f")
        if len(parts) == 3:
            verdicts[parts[0]] = (parts[1], parts[2])
    return verdicts


# --- recording a sign-off: `compfw signoff --commit` and `compfw signing setup` ----------------


def run_git(args: list[str], cwd: Path, extra_env: dict[str, str] | None = None, input_text: str | None = None,
            pass_fds: tuple[int, ...] = ()) -> subprocess.CompletedProcess:
    """Run git with extra environment (e.g. GIT_INDEX_FILE) and return the finished process.

    pass_fds lets a child inherit an open lock file, so the lock outlives a killed parent until
    the child (say, a `git commit` mid-way) has finished too.
    """
    env = dict(safe_env(), **(extra_env or {}))
    try:
        return subprocess.run(["git", *args], cwd=cwd, capture_output=True, text=True, input=input_text,
                              env=env, pass_fds=pass_fds)
    except FileNotFoundError:
        raise GitError("git is not installed or not on PATH") from None


def git_dir(top: Path) -> Path:
    """This work tree's own git folder (for a linked worktree, its folder under .git/worktrees/)."""
    return Path(git(["rev-parse", "--absolute-git-dir"], top).strip())


def find_git_dir(start: Path) -> Path | None:
    """The git folder of the work tree holding start, found on disk without running git.

    For the cheap "is there anything to recover?" look at every command's start; anything that
    acts on the answer asks git itself (git_dir).
    """
    here = start.resolve()
    for folder in (here, *here.parents):
        dot_git = folder / ".git"
        if dot_git.is_dir():
            return dot_git
        if dot_git.is_file():
            try:
                first = dot_git.read_text(encoding="utf-8").splitlines()[0]
            except (OSError, UnicodeDecodeError, IndexError):
                return None
            if first.startswith("gitdir:"):
                target = Path(first[len("gitdir:"):].strip())
                return target if target.is_absolute() else (folder / target).resolve()
            return None
    return None


def identity(top: Path, who: str) -> tuple[str, str] | None:
    """(name, email) that git would record as the commit's author or committer ("AUTHOR" or
    "COMMITTER"), after config and GIT_AUTHOR_* / GIT_COMMITTER_* environment; None if unset."""
    done = run_git(["var", f"GIT_{who}_IDENT"], top)
    if done.returncode != 0:
        return None
    ident = done.stdout.strip()
    if "<" not in ident or ">" not in ident:
        return None
    name, _, rest = ident.partition("<")
    return name.strip(), rest.partition(">")[0].strip()


def operation_in_progress(top: Path) -> str | None:
    """The git operation a commit now would become part of (a merge, rebase...), or None."""
    folder = git_dir(top)
    for marker, what in (("MERGE_HEAD", "a merge"), ("CHERRY_PICK_HEAD", "a cherry-pick"),
                         ("REVERT_HEAD", "a revert"), ("rebase-merge", "a rebase"), ("rebase-apply", "a rebase"),
                         ("BISECT_LOG", "a bisect")):
        if (folder / marker).exists():
            return what
    return None


def index_locked(top: Path) -> bool:
    """Whether another git process holds the index (its lock file exists)."""
    return (git_dir(top) / "index.lock").exists()


def commit_with_index(top: Path, index_file: Path, parent: str | None, paths: list[str], message: str,
                      sign: bool, lock_fd: int | None = None) -> subprocess.CompletedProcess:
    """Commit exactly these paths on top of parent, through a private index file.

    The user's own index is never touched, so a refused or interrupted commit leaves nothing
    staged there; what they had staged stays staged and out of this commit. Hooks run as for any
    commit. With sign, the commit is signed (-S) whatever commit.gpgsign says.
    """
    env = {"GIT_INDEX_FILE": str(index_file)}
    fds = (lock_fd,) if lock_fd is not None else ()
    steps = [["read-tree", parent] if parent else ["read-tree", "--empty"],
             ["--literal-pathspecs", "add", "--", *paths]]
    for args in steps:
        done = run_git(args, top, env, pass_fds=fds)
        if done.returncode != 0:
            return done
    return run_git(["commit", "-q", *(["-S"] if sign else []), "--no-edit", "-F", "-"], top, env, message, fds)


def commit_parents(top: Path, commit: str) -> tuple[str, ...]:
    out = git(["rev-list", "--parents", "-n", "1", commit], top).split()
    return tuple(out[1:])


def paths_in_tree(top: Path, rev: str, paths: list[str]) -> set[str]:
    """Which of these paths are files in rev's tree."""
    if not paths:
        return set()
    out = run_git([*STABLE, "--literal-pathspecs", "ls-tree", "-z", "--name-only", "--full-tree", rev, "--", *paths], top)
    if out.returncode != 0:
        return set()
    return {p for p in out.stdout.split("\0") if p}


def index_paths(top: Path, paths: list[str]) -> set[str]:
    """Which of these paths the user's index holds."""
    done = run_git(["--literal-pathspecs", "ls-files", "-z", "--cached", "--", *paths], top)
    return {p for p in done.stdout.split("\0") if p} if done.returncode == 0 else set()


def stage_from_head(top: Path, paths: list[str]) -> subprocess.CompletedProcess:
    """Make the user's index hold these paths as HEAD has them (after a commit made elsewhere)."""
    return run_git(["--literal-pathspecs", "reset", "-q", "HEAD", "--", *paths], top)


def move_head_back(top: Path, expected: str, to: str | None) -> bool:
    """Undo our own commit: HEAD from expected back to `to`, only if HEAD is still expected."""
    if to is None:
        return run_git(["update-ref", "-d", "HEAD", expected], top).returncode == 0
    return run_git(["update-ref", "-m", "compfw signoff: undo a commit that could not be completed", "HEAD", to,
                    expected], top).returncode == 0


def config_set(cwd: Path, key: str, value: str, scope: str) -> None:
    """Set key in the user's git config; scope is "global" or "local"."""
    git(["config", f"--{scope}", key, value], cwd)


def tree_entry(top: Path, rev: str, path: str) -> tuple[str, str] | None:
    """The (mode, type) of one path in rev's tree, e.g. ("100644", "blob"); None if absent.

    A symbolic link is ("120000", "blob"): reading its blob gives the link's target, not a file.
    """
    out = git([*STABLE, "ls-tree", "-z", "--full-tree", rev, "--", path], top)
    for entry in out.split("\0"):
        meta, _, name = entry.partition("\t")
        if name == path:
            mode, kind, _ = meta.split(" ", 2)
            return mode, kind
    return None


def tree_modes(top: Path, rev: str, folder: str) -> dict[str, str]:
    """Every file under folder in rev's tree with its git mode: 100644/100755 a file, 120000 a
    symbolic link (to a file or a folder alike), 160000 a submodule."""
    out = git([*STABLE, "ls-tree", "-r", "-z", "--full-tree", rev, "--", folder], top)
    modes: dict[str, str] = {}
    for entry in out.split("\0"):
        meta, _, name = entry.partition("\t")
        if name:
            modes[name] = meta.split(" ", 1)[0]
    return modes


# --- two trees side by side, for `compfw diff` -------------------------------------------------


def changed_paths(top: Path, base: str, head: str, pathspecs: list[str]) -> list[str]:
    """Paths (relative to the top level) that differ between two commits, renames as delete + add."""
    out = git([*STABLE, "--no-replace-objects", "--literal-pathspecs", "diff", "--name-only", "--no-renames",
               "-z", base, head, "--", *pathspecs], top)
    return [p for p in out.split("\0") if p]


def export_tree(top: Path, rev: str, pathspecs: list[str], dest: Path, index_file: Path) -> None:
    """Write the files under these paths as rev has them into dest, an empty folder.

    Through a private index file (index_file, which must not exist): the user's work tree, index
    and HEAD are never touched. Links are written as links; the loader refuses those that leave
    dest, as it does in a work tree.
    """
    env = {"GIT_INDEX_FILE": str(index_file)}
    names = git([*STABLE, "--no-replace-objects", "--literal-pathspecs", "ls-tree", "-r", "-z", "--name-only",
                 "--full-tree", rev, "--", *pathspecs], top).split("\0")
    names = [n for n in names if n]
    if not names:
        return
    for args, text in ((["--no-replace-objects", "read-tree", rev], None),
                       (["--no-replace-objects", "checkout-index", f"--prefix={dest}/", "-z", "--stdin"],
                        "\0".join(names) + "\0")):
        done = run_git(args, top, env, text)
        if done.returncode != 0:
            raise GitError(done.stderr.strip() or f"git {args[1]} failed")
