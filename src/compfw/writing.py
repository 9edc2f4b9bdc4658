"""The one place that writes files.

Every write creates a new file atomically: the content goes to a temporary file in the same
folder, is flushed and fsynced, and is then linked into place under its final name, which fails
if that name exists. A refused or interrupted write leaves nothing behind, and an existing file
(a record, or anything a person wrote) is never replaced.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from compfw.problems import UserError


class AlreadyExists(UserError):
    pass


def write_new(path: Path, content: str) -> Path:
    """Create path with content; refuse if it exists. Returns the path written."""
    folder = path.parent
    folder.mkdir(parents=True, exist_ok=True)
    if path.exists() or path.is_symlink():
        raise AlreadyExists(f"{path} already exists", "compfw never overwrites a file; choose another name")
    fd, temp_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=folder)
    temp = Path(temp_name)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as handle:
            handle.write(content)
            handle.flush()
            os.fsync(handle.fileno())
        try:
            os.link(temp, path)  # atomic, and fails if the name was taken meanwhile
        except FileExistsError:
            raise AlreadyExists(f"{path} already exists", "compfw never overwrites a file; choose another name") from None
        except OSError:
            # Filesystems without hard links: fall back to an exclusive create + rename check.
            if path.exists():
                raise AlreadyExists(f"{path} already exists", "compfw never overwrites a file") from None
            os.rename(temp, path)
        _fsync_folder(folder)
    finally:
        if temp.exists():
            temp.unlink()
    return path


def write_all_new(files: dict[Path, str]) -> list[Path]:
    """Write several new files, all or none: any refusal removes the ones already written."""
    clashes = [p for p in files if p.exists() or p.is_symlink()]
    if clashes:
        raise AlreadyExists(f"{clashes[0]} already exists", "compfw never overwrites a file; nothing was written")
    written: list[Path] = []
    try:
        for path, content in files.items():
            written.append(write_new(path, content))
    except BaseException:
        for path in written:
            path.unlink(missing_ok=True)
        raise
    return written


def replace_file(path: Path, content: str) -> Path:
    """Atomically replace a file the tool is asked to change (e.g. a re-pin by `migrate`)."""
    fd, temp_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    temp = Path(temp_name)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as handle:
            handle.write(content)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temp, path)
        _fsync_folder(path.parent)
    finally:
        if temp.exists():
            temp.unlink()
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
