"""The one place that writes files.

Every write creates a new file atomically: the content goes to a temporary file in the same
folder (hidden: its name starts with a dot, so no loader ever reads it as a record), is flushed
and fsynced, and is then linked into place under its final name, which fails if that name exists.
A refused or interrupted write leaves nothing behind (not the temporary file, not a folder it had
to create, not the files written before it in a set), and an existing file (a record, or anything
a person wrote) is never replaced. The one exception to "only ever add" is replace_file, for a
file the user asked compfw to change or produce (a re-pin by `migrate`, a report with -o); and
write_disposable, for compfw's own cache entries outside the repository.

What cannot be cleaned up: a process killed outright (SIGKILL, power loss) between creating the
temporary file and removing it leaves that hidden temporary file; the final name is either
absent or complete, never partial. Callers inside a git work tree pass `temp_dir` (a folder
under .git/): the temporary file is made there and linked into place, so even a leftover one is
never where `git add -A` would take it. On a file system that cannot link across the two, the
temporary file falls back to the target folder.
"""

from __future__ import annotations

import errno
import itertools
import os
import tempfile
from pathlib import Path

from compfw.files.problems import UserError


class AlreadyExists(UserError):
    pass


class WriteFailed(UserError, OSError):
    """The file system refused a write (no space, no permission, read-only...).

    Also an OSError (with the cause's errno and strerror), so that callers that catch OSError
    around a write keep working; the CLI prints it as a message and a hint.
    """

    def __init__(self, message: str, hint: str, errno_: int | None = None, strerror: str | None = None):
        UserError.__init__(self, message, hint)
        self.errno, self.strerror = errno_, strerror or message


def _file_mode() -> int:
    """Permissions for new files: what the user's umask gives an ordinary file (mkstemp gives 0600)."""
    mask = os.umask(0)
    os.umask(mask)
    return 0o666 & ~mask


_MODE = _file_mode()
# Errors of file systems that cannot make hard links; there, a checked rename is the fallback.
_NO_LINKS = {errno.EPERM, errno.EOPNOTSUPP, errno.ENOTSUP, errno.EXDEV, errno.EMLINK, errno.ENOSYS}


def _exists(path: Path) -> AlreadyExists:
    return AlreadyExists(f"{path} already exists", "compfw never overwrites a file; choose another name")


def _failed(path: Path, exc: OSError) -> WriteFailed:
    return WriteFailed(f"cannot write {path}: {exc.strerror or exc}", "check the folder, its permissions and free space",
                       exc.errno, exc.strerror)


def _make_folders(folder: Path) -> list[Path]:
    """Create folder and missing parents; returns those created, deepest first (to undo)."""
    missing: list[Path] = []
    here = folder
    while not here.exists() and here != here.parent:
        missing.append(here)
        here = here.parent
    for created in reversed(missing):
        try:
            created.mkdir()
        except FileExistsError:
            pass
    return missing


def _remove_folders(created: list[Path]) -> None:
    for folder in created:  # deepest first; only if still empty
        try:
            folder.rmdir()
        except OSError:
            pass


def _write_temp(folder: Path, name: str, content: str) -> Path:
    fd, temp_name = tempfile.mkstemp(prefix=f".{name}.", suffix=".tmp", dir=folder)
    temp = Path(temp_name)
    try:
        os.fchmod(fd, _MODE)
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as handle:
            handle.write(content)
            handle.flush()
            os.fsync(handle.fileno())
    except BaseException:
        temp.unlink(missing_ok=True)
        raise
    return temp


def write_new(path: Path, content: str, temp_dir: Path | None = None) -> Path:
    """Create path with content; refuse if it exists. Returns the path written.

    temp_dir: where the temporary file is made (same file system; default: path's folder).
    """
    from compfw.files.reading import outside_repository

    if path.exists() or path.is_symlink():
        raise _exists(path)
    if outside_repository(path):
        why = "a folder on the way is a symbolic link that leads outside the repository"
        raise WriteFailed(f"cannot write {path}: {why}",
                          "compfw writes only inside the repository; replace the link with a folder", errno.EXDEV, why)
    folder = path.parent
    created: list[Path] = []
    temp: Path | None = None
    try:
        created = _make_folders(folder)
        if temp_dir is not None:
            temp_dir.mkdir(parents=True, exist_ok=True)  # compfw's own scratch folder: it stays
        temp = _write_temp(temp_dir or folder, path.name, content)
        try:
            os.link(temp, path)  # atomic, and fails if the name was taken meanwhile
        except FileExistsError:
            raise _exists(path) from None
        except OSError as exc:
            if exc.errno not in _NO_LINKS:
                raise
            if temp_dir is not None and temp.parent != folder:  # another file system: no link, no rename
                temp.unlink(missing_ok=True)
                temp = _write_temp(folder, path.name, content)
            if path.exists() or path.is_symlink():
                raise _exists(path) from None
            os.rename(temp, path)
        _fsync_folder(folder)
    except OSError as exc:
        _remove_folders(created)
        raise _failed(path, exc) from None
    except BaseException:
        _remove_folders(created)
        raise
    finally:
        if temp is not None:
            temp.unlink(missing_ok=True)
    return path


def write_all_new(files: dict[Path, str], temp_dir: Path | None = None, after_each=None) -> list[Path]:
    """Write several new files, all or none: any refusal removes the ones already written.

    after_each(path) is called after each file is in place (a caller's checkpoint: it may raise
    to stop the set, which is then undone like any failure). A process killed outright cannot
    undo; callers that need all-or-nothing then too keep a journal (see recording.py).
    """
    clashes = [p for p in files if p.exists() or p.is_symlink()]
    if clashes:
        raise AlreadyExists(f"{clashes[0]} already exists", "compfw never overwrites a file; nothing was written")
    written: list[Path] = []
    created: list[Path] = []
    try:
        for path, content in files.items():
            created.extend(_make_folders(path.parent))
            written.append(write_new(path, content, temp_dir))
            if after_each is not None:
                after_each(path)
    except BaseException:
        for path in reversed(written):
            path.unlink(missing_ok=True)
        _remove_folders(sorted(created, key=lambda p: len(p.parts), reverse=True))
        raise
    return written


def replace_file(path: Path, content: str) -> Path:
    """Atomically replace (or create) a file the tool is asked to change, e.g. a re-pin by `migrate`.

    Readers see the old content or the new, never a mix; the file keeps its permissions.
    """
    if not path.parent.is_dir():
        raise WriteFailed(f"cannot write {path}: the folder {path.parent} does not exist", "create the folder first",
                          errno.ENOENT, "the folder does not exist")
    try:
        mode = path.stat().st_mode & 0o7777
    except OSError:
        mode = _MODE
    temp: Path | None = None
    try:
        temp = _write_temp(path.parent, path.name, content)
        os.chmod(temp, mode)
        os.replace(temp, path)
        temp = None
        _fsync_folder(path.parent)
    except OSError as exc:
        raise _failed(path, exc) from None
    finally:
        if temp is not None:
            temp.unlink(missing_ok=True)
    return path


_DISPOSABLE_FLAGS = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_CLOEXEC", 0) | getattr(os, "O_NOFOLLOW", 0)
_disposable_serial = itertools.count()


def write_disposable(path: Path, content: bytes) -> Path:
    """Atomically (re)place one of compfw's own files that may be lost, such as a cache entry.

    Readers see the old content or the new, never a part; folders are made as needed. Nothing is
    fsynced: after a crash the file may be missing or old, which a cache survives, and fsyncing
    each of thousands of entries would cost more than computing them. The temporary file is named
    by process and serial number, and its folder made only when missing: a cold cohort run writes
    two entries per portfolio, and a random name and a mkdir each time were a measurable share.
    """
    folder = path.parent
    temp_name = os.path.join(folder, f".{path.name}.{os.getpid()}.{next(_disposable_serial)}.tmp")
    try:
        fd = os.open(temp_name, _DISPOSABLE_FLAGS, 0o600)
    except FileNotFoundError:
        folder.mkdir(parents=True, exist_ok=True)
        fd = os.open(temp_name, _DISPOSABLE_FLAGS, 0o600)
    except FileExistsError:  # left by a process that had this number and was killed
        fd, temp_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=folder)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(content)
        os.replace(temp_name, path)
    except BaseException:
        try:
            os.unlink(temp_name)
        except OSError:
            pass
        raise
    return path


def _fsync_folder(folder: Path) -> None:
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def remove_if_unchanged(path: Path, sha256: str) -> bool:
    """Remove a file compfw wrote, only if it still holds exactly what was written (by digest).

    Undoing an interrupted write must never remove a file a person wrote or changed since.
    """
    import hashlib

    try:
        if path.is_symlink() or not path.is_file():
            return False
        if hashlib.sha256(path.read_bytes()).hexdigest() != sha256:
            return False
        path.unlink()
    except OSError:
        return False
    _fsync_folder(path.parent)
    return True


def remove_scratch(folder: Path, keep: set[str]) -> None:
    """Empty compfw's own scratch folder (under .git/ or the system temp dir), but for `keep`."""
    try:
        entries = list(os.scandir(folder))
    except OSError:
        return
    for entry in entries:
        if entry.name in keep:
            continue
        try:
            if entry.is_dir(follow_symlinks=False):
                remove_scratch(Path(entry.path), set())
                os.rmdir(entry.path)
            else:
                os.unlink(entry.path)
        except OSError:
            pass


class ExclusiveLock:
    """An exclusive lock on a file in a scratch folder, released when the process ends however
    it ends (flock), so a killed process never leaves it held. `fd` can be handed to a child
    process, which then holds the lock until it exits too."""

    def __init__(self, path: Path, wait_seconds: float):
        self.path, self.wait_seconds = path, wait_seconds
        self.fd: int | None = None

    def __enter__(self) -> ExclusiveLock:
        import fcntl
        import time

        _make_folders(self.path.parent)
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600)
        deadline = time.monotonic() + self.wait_seconds
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    os.close(fd)
                    raise UserError("another compfw command is recording a sign-off in this repository",
                                    "wait for it to finish, then run yours again") from None
                time.sleep(0.05)
        self.fd = fd
        return self

    def __exit__(self, *exc) -> None:
        if self.fd is not None:
            os.close(self.fd)  # closing releases the flock
            self.fd = None
