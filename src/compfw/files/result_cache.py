"""A content-addressed cache of results (validate, status, reports) in the user's cache folder.

A result is stored under a key made from the content of every input it was computed from, so an
unchanged input set finds it and any change misses it; nothing is ever invalidated by hand. How
it works, for one result (a portfolio's problems, say):

1. The *question* is what was asked: the kind of result, its parameters (the folder, the date,
   the working directory, which shapes the paths in messages...) and compfw's identity (its own
   code and the versions of the libraries whose behaviour shows in results).
2. Computing a result records its inputs as the files layer sees them (`files.inputs`): each file
   read with the digest of its bytes, each folder listed, plus what the caller names (the shape of
   the portfolio folder, the trust policy). The list of inputs is kept per question.
3. Next time, those inputs are observed again and their digests, with the question, give the
   *content key*; the result stored under that key is used. A file edited, added or removed, a
   framework changed, a policy written, another day, another compfw: another key, and the result
   is computed afresh (and stored beside the old one, so switching back is cached too).

The folder is `$COMPFW_CACHE_DIR`, else `$XDG_CACHE_HOME/compfw`, else `~/.cache/compfw`. It may be
deleted at any time. Entries are written atomically by `files.writing`; an entry that cannot be
read, is truncated, fails its checksum or is not in this format is ignored and replaced, never
trusted. A cache that cannot be written is simply not used.
"""

from __future__ import annotations

import functools
import hashlib
import json
import os
import stat
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from compfw.files import inputs
from compfw.files.inputs import Observation

FORMAT = "compfw-cache-1"
MAX_SEEN = 20_000
MAX_ENTRY_BYTES = 256 * 1024 * 1024
MAX_INPUTS = 1_000_000
# Libraries whose behaviour shows in results (error messages, parsing): their versions are part
# of every question.
LIBRARIES = ("pydantic", "pydantic_core", "pyyaml", "jinja2")


def default_folder() -> Path:
    explicit = os.environ.get("COMPFW_CACHE_DIR")
    if explicit:
        return Path(explicit)
    xdg = os.environ.get("XDG_CACHE_HOME")
    base = Path(xdg) if xdg and os.path.isabs(xdg) else Path.home() / ".cache"
    return base / "compfw"


@functools.lru_cache(maxsize=1)
def code_identity() -> str:
    """compfw's source and shipped frameworks, the libraries' and interpreter's versions, as one digest.

    The package's own files count, not just its version number: an editable install changes
    without a new version. Each file stands for itself by its stat (size, modification and change
    times, inode, device), as in git's index: a write changes the change time, which nobody can
    set back. A file changed within RACY_NS of now could change again unseen within its file
    system's time granularity, so while there is one, every file is hashed by content instead.
    Library versions come from the names of their installed metadata folders, which costs a
    directory listing, not an import.
    """
    from compfw.files.layout import shipped_dir

    package = Path(__file__).resolve().parent.parent
    # The shipped frameworks too: a check may keep what it read of them for the whole process
    # (as the framework-override check does), so they are not always recorded as inputs.
    files = [(f"code/{name}", path) for name, path in _python_files(str(package))]
    frameworks = shipped_dir("frameworks")
    files += sorted((f"frameworks/{path.name}", path) for path in frameworks.glob("*.y*ml"))
    stats = []
    for name, path in files:
        try:
            stats.append((name, inputs.stat_key(os.stat(path))))
        except OSError:
            stats.append((name, None))
    recent = time.time_ns() - RACY_NS
    by_stat = all(info is not None and max(info[1], info[2]) < recent for _, info in stats)
    digest = hashlib.sha256()
    digest.update(f"{FORMAT}\n{sys.version}\n{'stat' if by_stat else 'content'}\n".encode())
    for (name, path), (_, info) in zip(files, stats):
        digest.update(name.encode() + b"\n")
        if by_stat:
            digest.update(repr(info).encode())
            continue
        try:
            digest.update(Path(path).read_bytes())
        except OSError:
            digest.update(b"!unreadable")
    digest.update("\n".join(_library_versions()).encode())
    return digest.hexdigest()[:32]


def _python_files(top: str) -> list[tuple[str, str]]:
    """(path relative to top, path) of every .py file under top, sorted, by one iterative walk."""
    found, pending = [], [("", top)]
    while pending:
        prefix, folder = pending.pop()
        with os.scandir(folder) as entries:
            for entry in entries:
                if entry.is_dir(follow_symlinks=False):
                    if entry.name != "__pycache__":
                        pending.append((f"{prefix}{entry.name}/", entry.path))
                elif entry.name.endswith(".py"):
                    found.append((prefix + entry.name, entry.path))
    return sorted(found)


def _library_versions() -> list[str]:
    wanted = {name.lower().replace("-", "_") for name in LIBRARIES}
    found: list[str] = []
    for folder in sys.path:
        try:
            names = os.listdir(folder or ".")
        except OSError:
            continue
        for name in names:
            if name.endswith((".dist-info", ".egg-info")):
                project = name.split("-", 1)[0].lower().replace(".", "_")
                if project in wanted:
                    found.append(f"{folder}/{name}")
    return sorted(found)


def observe(kind: str, subject: str) -> str:
    """An input's value now, observed exactly as computing the result observed it."""
    from compfw.files.reading import listing_value, observe_file, yaml_entries

    if kind.startswith("file:"):
        return observe_file(subject, int(kind[5:]))
    if kind == "list":
        return listing_value(yaml_entries(subject))
    if kind == "tree":
        return inputs.tree_value(subject)
    if kind == inputs.SIGNOFF_HISTORY:
        from compfw.files.git_history import GitError, folder_history

        try:
            return folder_history(Path(subject), "signoffs").value
        except GitError:
            return "!git"
    raise ValueError(f"unknown kind of input {kind!r}")


def _valid_kind(kind: Any) -> bool:
    return isinstance(kind, str) and (kind in ("list", "tree", inputs.SIGNOFF_HISTORY) or (kind.startswith("file:") and kind[5:].isdigit()))


class ResultCache:
    """Results by the content of their inputs; ResultCache(None) computes everything afresh."""

    def __init__(self, folder: Path | None):
        self.folder = folder
        self._seen: dict[tuple[str, str], str] = {}  # inputs observed in this command, by (kind, subject)
        self.hits = self.misses = 0

    @classmethod
    def for_command(cls, enabled: bool) -> ResultCache:
        return cls(default_folder() if enabled else None)

    def remember(self, kind: str, params: list, compute: Callable[[], Any], *,
                 watch: tuple[tuple[str, str], ...] = (),
                 encode: Callable[[Any], Any] = lambda value: value,
                 decode: Callable[[Any], Any] = lambda data: data) -> Any:
        """The result of compute() for this question and the current content of its inputs.

        watch names inputs the result depends on beyond the files it reads (a folder's shape,
        a file whose absence matters). encode turns the result into JSON data and decode back,
        raising ValueError (or KeyError, TypeError) on data it does not recognise.
        """
        if self.folder is None:
            return compute()
        question = inputs.digest(json.dumps([FORMAT, code_identity(), kind, params], default=str).encode())
        known = self._read(self._inputs_path(question), question)
        if isinstance(known, list) and len(known) <= MAX_INPUTS:
            try:
                seen = [self._observe_known(item) for item in known]
                content = self._content_key(question, seen)
                entry = self._read(self._result_path(content), content)
                if entry is not None:
                    value = decode(entry)
                    self.hits += 1
                    inputs.replay(seen)
                    return value
            except (ValueError, KeyError, TypeError, AttributeError, IndexError):
                pass  # a foreign or damaged entry: computed afresh below, and replaced
        self.misses += 1
        started = time.time_ns()
        before = [(k, s, self._observe(k, s, fresh=True)) for k, s in watch]
        with inputs.recording() as recorded:
            value = compute()
        seen = _consistent(before + recorded)
        if seen is not None:
            self._store(question, seen, encode(value), started)
        inputs.forget_stats()
        return value

    # --- observing ----------------------------------------------------------------------------

    def _observe(self, kind: str, subject: str, fresh: bool = False) -> str:
        if not _valid_kind(kind) or not isinstance(subject, str):
            raise ValueError("not an input")
        key = (kind, subject)
        if fresh or key not in self._seen:
            self._keep(key, observe(kind, subject))
        return self._seen[key]

    def _keep(self, key: tuple[str, str], value: str) -> None:
        # What this command has observed, so that an input many results share (a framework, the
        # policy) is observed once; bounded, since a large cohort's own files are each seen once.
        if len(self._seen) >= MAX_SEEN and key not in self._seen:
            self._seen.clear()
        self._seen[key] = value

    def _observe_known(self, item: Any) -> Observation:
        """An input listed in a stored entry, observed now. A file listed with the stat it had when
        it was read, and that still has exactly that stat, is taken as unchanged without reading
        it (git's index does the same): size, times to the nanosecond, inode and device all
        equal. The change time cannot be set back by a user, so an edit always shows."""
        if len(item) == 4:
            kind, subject, when_read, value = item
            if (kind.startswith("file:") and isinstance(subject, str) and isinstance(value, str)
                    and isinstance(when_read, list) and len(when_read) == 5):
                try:
                    info = os.lstat(subject)
                except OSError:
                    info = None
                if info is not None and stat.S_ISREG(info.st_mode) and list(inputs.stat_key(info)) == when_read:
                    if (kind, subject) not in self._seen:
                        self._keep((kind, subject), value)
                    return (kind, subject, self._seen[(kind, subject)])
            return (kind, subject, self._observe(kind, subject))
        kind, subject = item
        return (kind, subject, self._observe(kind, subject))

    @staticmethod
    def _content_key(question: str, seen: list[Observation]) -> str:
        digest = hashlib.sha256(question.encode())
        for kind, subject, value in seen:
            digest.update(f"\0{kind}\0{subject}\0{value}".encode("utf-8", "surrogateescape"))
        return digest.hexdigest()[:40]

    # --- the folder ---------------------------------------------------------------------------

    def _inputs_path(self, question: str) -> Path:
        return self.folder / "inputs" / question[:2] / f"{question}.json"

    def _result_path(self, content: str) -> Path:
        return self.folder / "results" / content[:2] / f"{content}.json"

    def _store(self, question: str, seen: list[Observation], data: Any, started: int) -> None:
        from compfw.files.writing import write_disposable

        content = self._content_key(question, seen)
        listed = [_listed(k, s, v, started) for k, s, v in seen]
        try:
            write_disposable(self._result_path(content), _entry(content, data))
            write_disposable(self._inputs_path(question), _entry(question, listed))
        except OSError:
            pass  # a read-only or full cache folder: the result stands, it is just not kept

    @staticmethod
    def _read(path: Path, name: str) -> Any:
        """An entry's data, or None if it is missing, damaged or not one of ours."""
        try:
            with open(path, "rb") as handle:
                raw = handle.read(MAX_ENTRY_BYTES + 1)
        except OSError:
            return None
        if len(raw) > MAX_ENTRY_BYTES:
            return None
        header, _, payload = raw.partition(b"\n")
        try:
            head = json.loads(header)
            if (not isinstance(head, dict) or head.get("format") != FORMAT or head.get("name") != name
                    or head.get("payload") != inputs.digest(payload)):
                return None
            return json.loads(payload)
        except (ValueError, UnicodeDecodeError, RecursionError):
            return None


# A file changed this close to the start of the computation (or after) might change again within
# its file system's time granularity without its stat showing it; such a file is read every time.
RACY_NS = 2_000_000_000


def _listed(kind: str, subject: str, value: str, started: int) -> list:
    """How an input is listed in a stored entry: with its stat when read, if that can be trusted."""
    when_read = inputs.stat_when_read(subject) if kind.startswith("file:") else None
    if when_read is None or max(when_read[1], when_read[2]) >= started - RACY_NS:
        return [kind, subject]
    return [kind, subject, list(when_read), value]


def _entry(name: str, data: Any) -> bytes:
    """One line of header (format, name, checksum of the payload), then the payload as JSON."""
    payload = json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode("utf-8", "surrogateescape")
    header = json.dumps({"format": FORMAT, "name": name, "payload": inputs.digest(payload)}).encode()
    return header + b"\n" + payload


def _consistent(seen: list[Observation]) -> list[Observation] | None:
    """The inputs once each, in order; None if one was seen with two values (it changed while the
    result was being computed, so the result belongs to no single state of the files)."""
    first: dict[tuple[str, str], str] = {}
    for kind, subject, value in seen:
        if first.setdefault((kind, subject), value) != value:
            return None
    return [(kind, subject, value) for (kind, subject), value in first.items()]
