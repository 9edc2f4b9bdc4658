"""git answers asked for ahead of time, on a background thread, while the command imports its
models and parses files: `status` needs three git answers about a portfolio's sign-offs, and on
a machine with two cores they cost nothing when they arrive while Python is still starting.

An answer is kept under the exact command line and working folder that asked for it and is used
by the next identical calls it was fetched for, within one command (gitutil.git); a call that was
not asked for ahead, or whose answer is not wanted, runs as it always did. So fetching ahead can
only change when a question is answered (a fraction of a second earlier, in the same run), never
the answer.
"""

from __future__ import annotations

import os
import subprocess
import threading
from collections.abc import Callable

Key = tuple[tuple[str, ...], str]


class _Answer:
    def __init__(self, generation: int, uses: int = 1) -> None:
        self.generation = generation
        self.uses = uses
        self.ready = threading.Event()
        self.done: subprocess.CompletedProcess | None = None


_answers: dict[Key, _Answer] = {}
_lock = threading.Lock()
# Answers belong to one command: `forget` starts a new generation, and a plan still running from
# an earlier one keeps nothing (a test runs many commands in one process, with commits between).
_generation = 0


def _key(args: list[str], cwd: os.PathLike | str) -> Key:
    return tuple(args), os.path.abspath(cwd)


def take(args: list[str], cwd: os.PathLike | str) -> subprocess.CompletedProcess | None:
    """The answer fetched ahead for exactly this call (waiting for it if it is on its way), as
    many times as it was fetched for; None if there is none."""
    key = _key(args, cwd)
    with _lock:
        answer = _answers.get(key)
        if answer is not None:
            answer.uses -= 1
            if answer.uses <= 0:
                del _answers[key]
    if answer is None:
        return None
    answer.ready.wait()
    return answer.done


def expect(args: list[str], cwd: os.PathLike | str, uses: int = 1) -> int:
    """Say that this call's answer is on its way, for `uses` identical calls (they wait for it
    rather than asking git again); returns the generation the plan belongs to."""
    with _lock:
        _answers[_key(args, cwd)] = _Answer(_generation, uses)
        return _generation


def run(args: list[str], cwd: os.PathLike | str, generation: int,
        call: Callable[[], subprocess.CompletedProcess], uses: int = 1) -> subprocess.CompletedProcess | None:
    """Make the call (gitutil running git with these args in cwd) now, on the fetching thread, and
    keep the answer for the next `uses` identical calls (one command asking twice about one state:
    the result cache looking up a result, then the loader working it out)."""
    key = _key(args, cwd)
    with _lock:
        if generation != _generation:
            return None
        answer = _answers.get(key)
        if answer is None or answer.ready.is_set():
            answer = _answers[key] = _Answer(generation, uses)
    try:
        answer.done = call()
    except OSError:
        answer.done = None  # the call itself will run git and report what went wrong
    finally:
        answer.ready.set()
    return answer.done


def in_background(plan: Callable[[], None], generation: int) -> None:
    """Run a plan of `run` calls on a daemon thread; whatever goes wrong there only means the
    calls run again when they are made. When the plan ends, an answer it said was on its way but
    never gave is given up, so that nobody waits for it."""

    def give_up() -> None:
        with _lock:
            for answer in _answers.values():
                if answer.generation == generation:
                    answer.ready.set()

    def guarded() -> None:
        try:
            plan()
        except Exception:  # noqa: BLE001 - nothing here may end the command; the calls run again
            pass
        finally:
            give_up()

    try:
        threading.Thread(target=guarded, name="compfw-git-ahead", daemon=True).start()
    except RuntimeError:  # no thread to be had (a process at its limit): the calls run when made
        give_up()


def forget() -> None:
    """Drop answers nobody took, and any a running plan would still give (end of a command)."""
    global _generation
    with _lock:
        for answer in _answers.values():
            answer.ready.set()  # nobody waits on a dropped answer; the call runs git itself
        _answers.clear()
        _generation += 1
