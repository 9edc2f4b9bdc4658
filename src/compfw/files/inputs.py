"""What a result was computed from: every file read and folder listed, noted as it happens.

The result cache keys a result by the content of its inputs. Instead of each command naming its
inputs (and one day forgetting the new one), the files layer notes every input while a result is
being computed: `reading.read_bytes` notes each file with the digest of the bytes it returned (or
why it refused them), `reading.yaml_files` each folder listing. The cache later observes exactly
those inputs again to decide whether a stored result still holds.

Whatever keeps something it loaded for reuse by later results (the framework store, say) must
give those results the inputs too: record the load with `recording()` and, each time the kept
value is handed out again, `replay` what was recorded.

Nothing is noted, and nothing costs more than one test of an empty list, while no recording is on.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Iterator
from contextlib import contextmanager

from compfw.files import tree

# An observation: (kind, subject, value). kind says how to observe the subject again
# ("file:<limit>", "list", "tree", SIGNOFF_HISTORY), subject is a path as the code used it, value what was seen.
Observation = tuple[str, str, str]

_recordings: list[list[Observation]] = []


def digest(data: bytes) -> str:
    """128 bits of SHA-256, in hex. SHA-256 rather than BLAKE2: hashlib takes it from OpenSSL, which
    uses the processor's SHA instructions, while some Python builds (pyenv's among them) compile
    BLAKE2's portable reference code; digesting every file a cohort reads was 5% of a cold run."""
    return hashlib.sha256(data).hexdigest()[:32]


@contextmanager
def recording() -> Iterator[list[Observation]]:
    """Collect every input noted until the block ends (recordings nest: each one sees all)."""
    seen: list[Observation] = []
    _recordings.append(seen)
    try:
        yield seen
    finally:
        # By identity: two recordings may hold equal lists (every input goes to both).
        del _recordings[next(i for i, r in enumerate(_recordings) if r is seen)]


def note(kind: str, subject: str, value: str) -> None:
    for seen in _recordings:
        seen.append((kind, subject, value))


# Each file's stat as it was read while recording: (size, mtime_ns, ctime_ns, inode, device). The
# cache keeps it beside the file's digest so that a later check can trust an unchanged stat instead
# of reading the file again, as git's index does (see ResultCache).
_read_stats: dict[str, tuple[int, int, int, int, int]] = {}


def stat_key(info: os.stat_result) -> tuple[int, int, int, int, int]:
    return (info.st_size, info.st_mtime_ns, info.st_ctime_ns, info.st_ino, info.st_dev)


def note_stat(subject: str, info: os.stat_result) -> None:
    if _recordings:
        _read_stats[subject] = stat_key(info)


def stat_when_read(subject: str) -> tuple[int, int, int, int, int] | None:
    return _read_stats.get(subject)


def forget_stats() -> None:
    """Drop the stats noted so far (once a result has been stored, and none is being computed):
    a run over a large cohort must not keep one for every file it read."""
    if not _recordings:
        _read_stats.clear()


def replay(observations: list[Observation]) -> None:
    for seen in _recordings:
        seen.extend(observations)


def is_recording() -> bool:
    return bool(_recordings)


# A portfolio's sign-offs as git has them (HEAD, and which differ from it): see
# git_history.folder_history; the subject is the portfolio folder.
SIGNOFF_HISTORY = "git-signoffs"


def file_kind(limit: int) -> str:
    return f"file:{limit}"


def refused_value(code: str, message: str) -> str:
    """The value of a file that was not read: why (the message shows in results)."""
    return f"!{code}:{message}"


def tree_value(folder: str) -> str:
    """Every name below a folder with its kind (and a link's target), not the files' content.

    A folder's shape decides results beyond the files that were read: a portfolio.yaml that is
    missing, a records folder that is a file, a link that leaves the repository. The content of
    the files that matter is observed separately, as they are read.
    """
    lines = [f".\tlink\t{os.readlink(folder)}"] if os.path.islink(folder) else []
    lines += [f"{e.name}\t{e.kind}\t{e.target}" for e in tree.walk(folder)]
    return digest("\n".join(lines).encode("utf-8", "surrogateescape"))


class Memo:
    """Values kept for reuse by later results, each with the inputs it was computed from.

    A value handed out again replays its inputs into the recordings on now, so that every result
    that used it depends on them, not only the first.
    """

    def __init__(self) -> None:
        self._kept: dict = {}

    def get(self, key, compute):
        if key in self._kept:
            value, seen = self._kept[key]
            replay(seen)
            return value
        with recording() as seen:
            value = compute()
        self._kept[key] = (value, seen)
        return value
