"""The one place that writes files.

Every write creates a new file atomically: the content goes to a temporary file in the same
folder (hidden: its name starts with a dot, so no loader ever reads it as a record), is flushed
and fsynced, and is then linked into place under its final name, which fails if that name exists.
A refused or interrupted write leaves nothing behind (not the temporary file, not a folder it had
to create, not the files written before it in a set), and an existing file (a record, or anything
a person wrote) is never replaced. The one exception to "only ever add" is replace_file, for a
file the user asked compfw to change or produce (a re-pin by `migrate`, a report with -o).

What cannot be cleaned up: a process killed outright (SIGKILL, power loss) between creating the
temporary file and removing it leaves that hidden temporary file; the final name is either
absent or complete, never partial.
"""

from __future__ import annotations

import errno
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


def write_new(path: Path, content: str) -> Path:
    """Create path with content; refuse if it exists. Returns the path written."""
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
        temp = _write_temp(folder, path.name, content)
        try:
            os.link(temp, path)  # atomic, and fails if the name was taken meanwhile
        except FileExistsError:
            raise _exists(path) from None
        except OSError as exc:
            if exc.errno not in _NO_LINKS:
                raise
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


def write_all_new(files: dict[Path, str]) -> list[Path]:
    """Write several new files, all or none: any refusal removes the ones already written."""
    clashes = [p for p in files if p.exists() or p.is_symlink()]
    if clashes:
        raise AlreadyExists(f"{clashes[0]} already exists", "compfw never overwrites a file; nothing was written")
    written: list[Path] = []
    created: list[Path] = []
    try:
        for path, content in files.items():
            created.extend(_make_folders(path.parent))
            written.append(write_new(path, content))
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
