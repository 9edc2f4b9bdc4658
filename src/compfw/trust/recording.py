"""Recording a batch of new files (a sign-off), optionally as one git commit: whole or absent.

Several files cannot appear in a folder in one atomic step, so a batch keeps a journal:

1. Under an exclusive lock, the journal (every path and the digest of its content, and the
   commit it will make on top of which parent) is written atomically to compfw's scratch folder:
   `<git dir>/compfw/` in a git work tree, else a folder in the system temp dir. Temporary files
   are made there too, never in the work tree, so `git add -A` never takes one.
2. The files are written (each atomically), then, with --commit, committed through a private
   index file: the user's index is not touched, so a refused commit leaves nothing staged.
3. The journal is removed. That is the end of the batch.

A process killed outright (kill -9, power loss) leaves the journal. The next compfw command
(every command looks, at start, for a journal of the work tree it runs in; `signoff` also for
its own repository) finishes or undoes it under the same lock: if the commit landed, the batch
is kept and the user's index is brought up to date; without --commit, a batch whose files are
all in place is kept; otherwise every file of the batch that still holds what was written is
removed. Between the kill and that next command, the work tree can hold part of a batch: a plain
`git add -A` in that window would take it (`compfw audit` still checks each record it commits).

Ctrl-C and SIGTERM are held (interrupts.py) and acted on only where everything can still be
undone; once the commit has landed the batch is finished and the caller reports it landed.
"""

from __future__ import annotations

import hashlib
import json
import os
import signal
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from compfw.files import gitutil
from compfw.files.layout import SCRATCH, SIGNOFF_JOURNAL
from compfw.files.problems import UserError
from compfw.files.writing import ExclusiveLock, remove_if_unchanged, remove_scratch, replace_file, write_all_new

JOURNAL = SIGNOFF_JOURNAL
LOCK = "signoff.lock"
LOCK_WAIT_SECONDS = 10.0
INDEX_WAIT_SECONDS = 5.0


@dataclass(frozen=True)
class CommitRequest:
    message: str
    sign: bool  # sign with -S (the policy requires it); otherwise git's commit.gpgsign decides


@dataclass(frozen=True)
class Batch:
    root: Path  # the compfw root (portfolios/, frameworks/)
    top: Path | None  # the git top level, None outside git
    files: dict[Path, str]
    commit: CommitRequest | None = None


@dataclass(frozen=True)
class Recorded:
    commit: str | None
    late_signal: int | None  # a signal that arrived after the commit had landed: the batch is recorded


@dataclass(frozen=True)
class Recovery:
    """What the next command did with the journal of a batch that was killed mid-way."""

    kept: bool  # True: the batch was whole (or its commit had landed) and is kept
    paths: tuple[Path, ...]
    commit: str | None
    note: str


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def scratch_dir(root: Path, top: Path | None) -> Path:
    if top is not None:
        return gitutil.git_dir(top) / SCRATCH
    key = hashlib.sha256(str(root.resolve()).encode()).hexdigest()[:16]
    return Path(tempfile.gettempdir()) / f"compfw-{key}"


def checkpoint(step: str) -> None:
    """A point between two write steps. Tests name one in COMPFW_TEST_SIGNAL_AT to have the
    process signal itself there (KILL by default, or COMPFW_TEST_SIGNAL=INT), proving that a
    batch is whole or absent whenever it stops."""
    if os.environ.get("COMPFW_TEST_SIGNAL_AT") == step:
        name = os.environ.get("COMPFW_TEST_SIGNAL", "KILL")
        os.kill(os.getpid(), getattr(signal, f"SIG{name}"))
        time.sleep(0.2)  # let a caught signal's handler run here, at this step


# --- recording --------------------------------------------------------------------------------


def record_batch(batch: Batch, interrupts) -> tuple[Recorded, Recovery | None]:
    """Write (and commit) the batch, whole or not at all; also returns what became of a batch
    that an earlier, killed command left."""
    scratch = scratch_dir(batch.root, batch.top)
    with ExclusiveLock(scratch / LOCK, LOCK_WAIT_SECONDS) as lock:
        recovered = _recover_locked(scratch)
        interrupts.check()
        parent = None
        if batch.commit is not None:
            _refuse_busy_repository(batch.top)
            parent = gitutil.resolve_commit(batch.top, "HEAD")
        digests = {path: _digest(text) for path, text in batch.files.items()}
        journal = scratch / JOURNAL
        replace_file(journal, json.dumps({
            "version": 1, "pid": os.getpid(), "top": str(batch.top) if batch.top else None,
            "files": [{"path": str(p), "sha256": d} for p, d in digests.items()],
            "commit": None if batch.commit is None else {"parent": parent, "paths": _relative(batch)},
        }, indent=1) + "\n")
        checkpoint("journal-written")
        try:
            count = iter(range(1, len(batch.files) + 1))

            def after_each(path: Path) -> None:
                checkpoint(f"record-{next(count)}-written")
                interrupts.check()

            write_all_new(batch.files, temp_dir=scratch / "tmp", after_each=after_each)
            checkpoint("records-written")
            interrupts.check()
        except BaseException:
            _undo(digests)  # write_all_new undoes its own failures; this covers a stop after it
            journal.unlink(missing_ok=True)
            raise
        commit = None
        if batch.commit is not None:
            commit = _commit(batch, scratch, parent, digests, lock.fd, interrupts)
        checkpoint("before-journal-removed")
        journal.unlink(missing_ok=True)
        late = interrupts.received if commit is not None else None
    return Recorded(commit, late), recovered


def _relative(batch: Batch) -> list[str]:
    top = batch.top.resolve()
    return [p.resolve().relative_to(top).as_posix() for p in batch.files]


def _refuse_busy_repository(top: Path) -> None:
    doing = gitutil.operation_in_progress(top)
    if doing:
        raise UserError(f"git is in the middle of {doing}: a commit now would become part of it",
                        "finish or abort it first (`git status` says how), then sign off")
    if gitutil.index_locked(top):
        raise UserError("another git process is using this repository (.git/index.lock exists), "
                        "so nothing was written", "wait for it to finish and run the sign-off again; if no git "
                        "process is running, a crashed one left the lock: remove .git/index.lock")


def _undo(digests: dict[Path, str]) -> None:
    for path, digest in digests.items():
        remove_if_unchanged(path, digest)


def _commit(batch: Batch, scratch: Path, parent: str | None, digests: dict[Path, str], lock_fd: int | None,
            interrupts) -> str:
    """Commit the written files; returns the commit id, or undoes everything and raises."""
    top, paths = batch.top, _relative(batch)
    index = scratch / f"index-{os.getpid()}"
    try:
        done = gitutil.commit_with_index(top, index, parent, paths, batch.commit.message, batch.commit.sign, lock_fd)
    finally:
        for leftover in (index, index.with_name(index.name + ".lock")):
            leftover.unlink(missing_ok=True)
    checkpoint("committed")
    head = gitutil.resolve_commit(top, "HEAD")
    if not _landed(top, head, parent, paths):
        _undo(digests)
        (scratch / JOURNAL).unlink(missing_ok=True)
        interrupts.check()
        said = " ".join((done.stderr or done.stdout or f"exit status {done.returncode}").split())
        raise UserError("git could not commit the sign-off, so nothing was recorded", f"git said: {said[:300]}")
    # The commit has landed. The user's index must learn of the new files, or their next commit
    # would delete them; if another git process holds the index all along, undo our commit.
    if _stage_landed(top, paths):
        checkpoint("index-updated")
        return head
    if gitutil.move_head_back(top, head, parent):
        _undo(digests)
        (scratch / JOURNAL).unlink(missing_ok=True)
        interrupts.check()
        raise UserError("another git process held the index while the sign-off was committed, so the commit "
                        "was undone and nothing was recorded", "wait for the other git command to finish, "
                        "then sign off again")
    raise UserError(f"the sign-off was committed as {head[:12]}, but git's index could not be updated and "
                    "HEAD has moved since", f"run `git reset -q HEAD -- {' '.join(paths)}` so your next commit "
                    "keeps them")


def _landed(top: Path, head: str | None, parent: str | None, paths: list[str]) -> bool:
    if head is None or head == parent:
        return False
    if gitutil.commit_parents(top, head) != ((parent,) if parent else ()):
        return False
    return gitutil.paths_in_tree(top, head, paths) == set(paths)


def _stage_landed(top: Path, paths: list[str]) -> bool:
    deadline = time.monotonic() + INDEX_WAIT_SECONDS
    while True:
        if gitutil.stage_from_head(top, paths).returncode == 0:
            return True
        if time.monotonic() >= deadline:
            return False
        time.sleep(0.1)


# --- recovery ---------------------------------------------------------------------------------


def recover(start: Path) -> Recovery | None:
    """Finish or undo a batch that a killed command left, in the work tree around start."""
    top = gitutil.toplevel(start)
    if top is None:
        return None
    scratch = scratch_dir(start, top)
    if not (scratch / JOURNAL).is_file():
        return None
    with ExclusiveLock(scratch / LOCK, LOCK_WAIT_SECONDS):
        return _recover_locked(scratch)


def _recover_locked(scratch: Path) -> Recovery | None:
    journal = scratch / JOURNAL
    try:
        data = json.loads(journal.read_text(encoding="utf-8"))
        files = {Path(f["path"]): f["sha256"] for f in data["files"]}
        top = Path(data["top"]) if data.get("top") else None
        commit = data.get("commit")
    except FileNotFoundError:
        remove_scratch(scratch, {LOCK})
        return None
    except (OSError, ValueError, KeyError, TypeError):
        journal.unlink(missing_ok=True)  # written atomically, so this is not ours to act on
        remove_scratch(scratch, {LOCK})
        return None
    outcome = _settle(files, top, commit)
    journal.unlink(missing_ok=True)
    remove_scratch(scratch, {LOCK})
    return outcome


def _settle(files: dict[Path, str], top: Path | None, commit: dict | None) -> Recovery:
    paths = tuple(files)
    if commit is not None and top is not None:
        rel = list(commit["paths"])
        head = gitutil.resolve_commit(top, "HEAD")
        committed = gitutil.paths_in_tree(top, head, rel) if head else set()
        if committed == set(rel):
            missing = [p for p in rel if p not in gitutil.index_paths(top, rel)]
            if missing:
                gitutil.stage_from_head(top, missing)
            return Recovery(True, paths, head, f"an interrupted sign-off had been committed ({head[:12]}); "
                                                "it is kept and git's index now holds it")
        if committed:
            return Recovery(True, paths, None, "an interrupted sign-off was partly committed by hand since; "
                                               "it was left as it is (`compfw audit` checks what was committed)")
    elif all(_unchanged(path, digest) for path, digest in files.items()):
        return Recovery(True, paths, None, "an interrupted sign-off had written all its records; they are kept")
    for path, digest in files.items():
        remove_if_unchanged(path, digest)
    return Recovery(False, paths, None, "an interrupted sign-off was undone: none of its records were kept")


def _unchanged(path: Path, digest: str) -> bool:
    try:
        return not path.is_symlink() and hashlib.sha256(path.read_bytes()).hexdigest() == digest
    except OSError:
        return False
