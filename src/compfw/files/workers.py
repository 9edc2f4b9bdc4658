"""Work spread over worker processes: results come back in order, a bounded number in flight.

Used for what costs per portfolio (validate, the cohort report). Executor.map would submit every
chunk at once (a future, its arguments and, once done, its result for every chunk of the cohort);
here at most a few chunks per worker are queued or running, enough to keep every worker busy past
a slow portfolio, so memory does not grow with the cohort.
"""

from __future__ import annotations

import os
from collections import deque
from collections.abc import Callable, Iterator
from typing import Any

from compfw.files.problems import UserError

IN_FLIGHT_PER_WORKER = 8
# Fewer items than this are done in this process: starting workers costs more than they save.
PARALLEL_FROM = 48


def available_cpus() -> int:
    """The cores this process may use: its CPU affinity, within a cgroup (v2) CPU quota if any.

    os.cpu_count() counts the host's cores, which in a CI container limited to two can be 64:
    64 workers would cost memory and time for nothing.
    """
    try:
        count = len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        count = os.cpu_count() or 1
    try:
        with open("/sys/fs/cgroup/cpu.max") as handle:
            quota, period = handle.read().split()[:2]
        if quota != "max":
            count = min(count, max(1, int(int(quota) / int(period) + 0.5)))
    except (OSError, ValueError):
        pass
    return max(1, count)


def chunk_size(items: int, workers: int) -> int:
    """Small chunks: a few items per round trip keeps every core busy to the very end (a round
    trip costs well under a millisecond; a portfolio tens of milliseconds)."""
    return max(1, min(4, items // (workers * 16)))


class WorkerPool:
    """Worker processes for one command; leaving the block drops queued work (interrupted or done).

    A worker that dies (killed, out of memory) becomes a UserError naming what was being done.
    """

    def __init__(self, workers: int, initializer: Callable[..., None], initargs: tuple, doing: str):
        from concurrent.futures import ProcessPoolExecutor

        self.workers, self.doing = workers, doing
        self.pool = ProcessPoolExecutor(workers, initializer=initializer, initargs=initargs)

    def __enter__(self) -> WorkerPool:
        return self

    def __exit__(self, kind, exc, trace) -> None:
        from concurrent.futures.process import BrokenProcessPool

        self.pool.shutdown(wait=True, cancel_futures=True)
        if isinstance(exc, BrokenProcessPool):
            raise UserError(f"a worker process stopped unexpectedly while {self.doing}",
                            "run again with --jobs 1 to see which portfolio it was") from None

    def ordered(self, function: Callable[..., list], items: list, *args: Any) -> Iterator[Any]:
        """function(batch, *args) -> one result per item of the batch, run in the workers; the
        results of all items, in order. The first chunks are submitted at once, so the workers
        start while the caller does other work before iterating."""
        return _OrderedResults(self.pool, function, items, args, chunk_size(len(items), self.workers),
                               self.workers * IN_FLIGHT_PER_WORKER)


class _OrderedResults:
    def __init__(self, pool, function: Callable[..., list], items: list, args: tuple, chunk: int, in_flight: int):
        self.pool, self.function, self.items, self.args, self.chunk = pool, function, items, args, chunk
        self.next_start = 0
        self.window: deque = deque()
        for _ in range(in_flight):
            self._submit()

    def _submit(self) -> None:
        if self.next_start < len(self.items):
            batch = self.items[self.next_start:self.next_start + self.chunk]
            self.next_start += self.chunk
            self.window.append(self.pool.submit(self.function, batch, *self.args))

    def __iter__(self) -> Iterator[Any]:
        while self.window:
            done = self.window.popleft().result()
            self._submit()
            yield from done
