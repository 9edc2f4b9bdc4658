"""Holding Ctrl-C (SIGINT) and SIGTERM while a write must finish or be undone as a whole.

Inside `DeferredInterrupts`, a signal is noted instead of raising KeyboardInterrupt in the middle
of a step; the code that writes asks `pending` at the points where it can still undo everything,
and after the point of no return (a commit has landed) it finishes and reports the truth.
Outside the main thread signals cannot be caught, and nothing is deferred.
"""

from __future__ import annotations

import signal
import threading

_SIGNALS = (signal.SIGINT, signal.SIGTERM)


class Interrupted(Exception):
    """A signal arrived before the point of no return, and everything was undone."""

    def __init__(self, signum: int):
        super().__init__(signal.Signals(signum).name)
        self.signum = signum

    @property
    def exit_code(self) -> int:
        return 128 + self.signum


class DeferredInterrupts:
    def __init__(self) -> None:
        self.received: int | None = None
        self._previous: dict[int, object] = {}

    def _note(self, signum, frame) -> None:
        if self.received is None:
            self.received = signum

    def __enter__(self) -> DeferredInterrupts:
        if threading.current_thread() is threading.main_thread():
            for signum in _SIGNALS:
                self._previous[signum] = signal.signal(signum, self._note)
        return self

    def __exit__(self, *exc) -> None:
        for signum, handler in self._previous.items():
            signal.signal(signum, handler)
        self._previous.clear()

    def check(self) -> None:
        """Raise Interrupted if a signal has arrived (call only where nothing is left to undo)."""
        if self.received is not None:
            raise Interrupted(self.received)


class NoInterrupts:
    """For callers with no signal handling of their own (tests, library use)."""

    received = None

    def check(self) -> None:
        return None
