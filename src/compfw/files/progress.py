"""Progress bars for long runs, shown only to a person watching a terminal.

`progress_iter(items, label)` yields the items unchanged. It draws a transient rich progress bar
on stderr only when all of these hold: stderr is a terminal, NO_COLOR is unset, CI is unset, TERM
is not "dumb", and there are more than `threshold` items. Otherwise it is a plain pass-through, so
piped output, logs and CI stay free of control characters.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterable, Iterator
from typing import TypeVar

T = TypeVar("T")
THRESHOLD = 20


def bar_wanted(count: int | None, threshold: int = THRESHOLD, stream=None) -> bool:
    from compfw.files.problems import env_flag

    stream = stream if stream is not None else sys.stderr
    if count is None or count <= threshold:
        return False
    if os.environ.get("NO_COLOR") or env_flag("CI") or os.environ.get("TERM") == "dumb":
        return False
    isatty = getattr(stream, "isatty", None)
    return bool(isatty and isatty())


def progress_iter(items: Iterable[T], label: str, threshold: int = THRESHOLD, total: int | None = None) -> Iterator[T]:
    """Yield every item; with a progress bar on stderr when a person is watching (see module doc)."""
    if total is None:
        try:
            total = len(items)  # type: ignore[arg-type]
        except TypeError:
            total = None
    if not bar_wanted(total, threshold):
        yield from items
        return
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

    with Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn(),
                  console=Console(file=sys.stderr), transient=True) as bar:
        task = bar.add_task(label, total=total)
        for item in items:
            yield item
            bar.advance(task)
