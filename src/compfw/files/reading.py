"""Reading files safely: never through a link out of the repository, never a FIFO or device,
never more than a bound; and listing a folder's YAML files.
"""

from __future__ import annotations

import functools
import os
import stat
from pathlib import Path

from compfw.files import inputs

# The largest file compfw reads (a 2,000-word reflective piece is 13 kB, a framework 200 kB).
MAX_FILE_BYTES = 16 * 1024 * 1024

YAML_SUFFIXES = (".yaml", ".yml")


class FileRefused(Exception):
    """A file that is not read at all: a directory, a FIFO, too large, a link out of the repository."""

    def __init__(self, message: str, hint: str, code: str):
        super().__init__(message)
        self.message, self.hint, self.code = message, hint, code



def _is_repository(folder: str) -> bool:
    return (os.path.isdir(os.path.join(folder, "portfolios")) or os.path.isdir(os.path.join(folder, "frameworks"))
            or os.path.exists(os.path.join(folder, ".git")))


@functools.lru_cache(maxsize=2048)
def _folder_chain(folder: str) -> tuple[str, bool, str | None, str | None]:
    """For an absolute, normalised folder: its real path; whether it lies at or below a symbolic
    link; the real path of the nearest repository root at or above it that does not; and the
    real path of the outermost repository root at or above it.

    Worked out from the parent's facts (cached), so a cohort of portfolios costs a few system
    calls per new folder, not a walk to / and a full path resolution for every file.
    """
    parent = os.path.dirname(folder)
    if parent == folder:
        real, below_link, clean, outermost = folder, False, None, None
    else:
        real, below_link, clean, outermost = _folder_chain(parent)
        if os.path.islink(folder):
            real, below_link = os.path.realpath(folder), True
        else:
            real = os.path.join(real, os.path.basename(folder))
    if _is_repository(folder):
        if not below_link:
            clean = real
        outermost = outermost or real
    return real, below_link, clean, outermost


def _folder_facts(folder: str) -> tuple[str, str | None]:
    """(real path of an absolute folder, real path of the repository root it lies in, if any).

    A repository root holds portfolios/, frameworks/ or .git. The root that confines a file is
    the nearest one that is not reached through a symbolic link, so that a link inside the
    repository to another repository does not become the root; when every root is (the whole
    checkout lives under a linked folder, say), the outermost one.
    """
    real, _, clean, outermost = _folder_chain(os.path.normpath(folder))
    return real, clean or outermost


def _inside(real: str, real_root: str) -> bool:
    return real == real_root or real.startswith(real_root.rstrip(os.sep) + os.sep)


def _absolute_folder(name: str) -> str:
    folder = os.path.dirname(name)
    if os.path.isabs(folder):
        return folder
    return os.path.join(os.getcwd(), folder) if folder else os.getcwd()


def outside_repository(path: Path | str) -> bool:
    """True when path lies in a repository but resolves (through a link) to somewhere outside it.

    Symbolic links are allowed while they stay inside the repository (a shared file linked into
    two portfolios, say); a link that leaves it, or a folder on the way that does, is refused
    unread, so that a pull request cannot make CI read (and quote) a file of the machine it runs
    on. Outside any repository (no portfolios/, frameworks/ or .git above) nothing is refused.
    """
    name = os.fspath(path)
    folder = _absolute_folder(name)
    real_folder, real_root = _folder_facts(folder)
    if real_root is None:
        return False
    full = os.path.join(folder, os.path.basename(name))
    real = os.path.realpath(full) if os.path.islink(full) else os.path.join(real_folder, os.path.basename(name))
    return not _inside(real, real_root)


_READ_FLAGS = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0)
_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)


def _refuse_outside(folder: bool = False) -> FileRefused:
    if folder:
        return FileRefused("a folder on the way to this file is a symbolic link to a place outside the repository; "
                           "it was not read", "replace the link with the folder itself; compfw reads only files "
                           "inside the repository", "outside-repository")
    return FileRefused("file is a symbolic link to a place outside the repository; it was not read",
                       "replace the link with the file itself; compfw reads only files inside the repository",
                       "outside-repository")


def _open(name: str) -> int:
    """Open a file for reading without following a link out of the repository or blocking."""
    real_folder, real_root = _folder_facts(_absolute_folder(name))
    if real_root is not None and not _inside(real_folder, real_root):
        raise _refuse_outside(folder=True)
    if real_root is None:
        return os.open(name, _READ_FLAGS)
    if _NOFOLLOW:
        try:
            return os.open(name, _READ_FLAGS | _NOFOLLOW)  # the common case: not a link, one call
        except OSError:
            if not os.path.islink(name):
                raise
    elif not os.path.islink(name):
        return os.open(name, _READ_FLAGS)
    if not _inside(os.path.realpath(name), real_root):  # a link: follow it only if it stays inside
        raise _refuse_outside()
    return os.open(name, _READ_FLAGS)


def read_bytes(path: Path | str, limit: int = MAX_FILE_BYTES) -> bytes:
    """A regular file's bytes, refusing what must not be read; raises FileRefused.

    While a result is being computed for the cache, each file is noted as one of its inputs,
    with the digest of the bytes returned, or why none were (see files.inputs).
    """
    name = os.fspath(path)
    if not inputs.is_recording():
        return _read_bytes(name, limit)
    try:
        data = _read_bytes(name, limit)
    except FileRefused as exc:
        inputs.note(inputs.file_kind(limit), name, inputs.refused_value(exc.code, exc.message))
        raise
    inputs.note(inputs.file_kind(limit), name, inputs.digest(data))
    return data


def _read_bytes(name: str, limit: int) -> bytes:
    try:
        fd = _open(name)
    except IsADirectoryError:
        raise FileRefused("expected a file but found a directory", "remove the directory or rename it",
                          "not-a-file") from None
    except OSError as exc:
        raise FileRefused(f"cannot read file: {exc.strerror or exc}", "check the path and its permissions",
                          "unreadable") from None
    try:
        info = os.fstat(fd)
        inputs.note_stat(name, info)
        if stat.S_ISDIR(info.st_mode):
            raise FileRefused("expected a file but found a directory", "remove the directory or rename it",
                              "not-a-file")
        if not stat.S_ISREG(info.st_mode):
            raise FileRefused("not a regular file (a pipe, device or socket); it was not read",
                              "replace it with an ordinary file", "not-a-file")
        if info.st_size > limit:
            raise FileRefused(f"file is too large ({info.st_size:,} bytes)",
                              f"compfw reads files of up to {limit:,} bytes", "too-large")
        chunks: list[bytes] = []
        size = 0
        while True:
            chunk = os.read(fd, max(65536, info.st_size + 1 - size))
            if not chunk:
                break
            size += len(chunk)
            if size > limit:  # it grew while being read
                raise FileRefused(f"file is too large (more than {limit:,} bytes)",
                                  f"compfw reads files of up to {limit:,} bytes", "too-large")
            chunks.append(chunk)
        return chunks[0] if len(chunks) == 1 else b"".join(chunks)
    except OSError as exc:
        raise FileRefused(f"cannot read file: {exc.strerror or exc}", "check the path and its permissions",
                          "unreadable") from None
    finally:
        os.close(fd)



def is_record_name(name: str) -> bool:
    """Whether a file name in a records folder (signoffs/, evidence/) is a record.

    The one rule: the loader (so status and validate) and the audit of git history both use it,
    so that they see exactly the same sign-offs.
    """
    return name.endswith(YAML_SUFFIXES) and not name.startswith(".")


def yaml_files(folder: Path) -> list[Path]:
    """The YAML files of a folder, by name (hidden ones left out; a folder named x.yaml is kept,
    so that loading it reports it)."""
    return [folder / name for name in yaml_names(folder)]


def yaml_names(folder: Path | str) -> list[str]:
    """The names of yaml_files(folder); noted as an input of the result being computed, if any."""
    return [name for name, _ in yaml_entries(folder)]


def yaml_entries(folder: Path | str) -> list[tuple[str, bool]]:
    """(name, whether it is a symbolic link) for each of yaml_names(folder), sorted by name.

    The listing says whether an entry is a link on most file systems, so a loader that refuses
    links asks nothing more of the system per file. Noted as an input with the links marked, so a
    file replaced by a link changes the listing's value too.
    """
    try:
        with os.scandir(folder) as listing:
            entries = sorted((e.name, e.is_symlink()) for e in listing if is_record_name(e.name))
    except OSError:
        entries = []
    if inputs.is_recording():
        inputs.note("list", os.fspath(folder), listing_value(entries))
    return entries


def listing_value(entries: list[tuple[str, bool]]) -> str:
    """A folder listing as the result cache compares it."""
    names = [f"{name}\0link" if link else name for name, link in entries]
    return inputs.digest("\n".join(names).encode("utf-8", "surrogateescape"))


def observe_file(path: str, limit: int) -> str:
    """What read_bytes(path, limit) would note about this file now (the cache's check)."""
    try:
        return inputs.digest(_read_bytes(path, limit))
    except FileRefused as exc:
        return inputs.refused_value(exc.code, exc.message)
