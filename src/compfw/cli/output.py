"""Where human output goes: stdout for results, stderr for errors; colour only on a terminal."""

from __future__ import annotations

import os
import sys
from collections.abc import Callable

from compfw.files.problems import UserError


def colour_wanted(stream=None) -> bool:
    stream = stream or sys.stdout
    if os.environ.get("NO_COLOR"):
        return False
    return hasattr(stream, "isatty") and stream.isatty()


def console(stderr: bool = False):
    from rich.console import Console

    stream = sys.stderr if stderr else sys.stdout
    colour = colour_wanted(stream)
    return Console(file=stream, no_color=not colour, color_system="auto" if colour else None,
                   highlight=False, soft_wrap=not colour, emoji=False)


def print_error(message: str, hint: str = "") -> None:
    sys.stderr.write(f"error: {message}\n")
    if hint:
        sys.stderr.write(f"hint: {hint}\n")


def guarded(run: Callable[[], int]) -> int:
    """Run a command body; a UserError becomes a message on stderr and exit code 1."""
    try:
        return run()
    except UserError as exc:
        print_error(exc.message, exc.hint)
        for problem in exc.problems:
            sys.stderr.write(problem.as_text() + "\n")
        return 1


def last_line_of_defence(run: Callable[[], object]) -> None:
    """Run the command line; a UserError, an interrupt or a bug becomes a message and an exit
    code, never a traceback (the one error boundary, shared by the app and cli.quick)."""
    try:
        run()
    except UserError as exc:
        print_error(exc.message, exc.hint)
        for problem in exc.problems:
            print_error(problem.as_text())
        sys.exit(1)
    except KeyboardInterrupt:
        print_error("interrupted")
        sys.exit(130)
    except BrokenPipeError:
        sys.exit(1)
    except Exception as exc:  # the last line of defence: never a traceback for a user
        print_error(f"internal error: {type(exc).__name__}: {exc}",
                    "this is a bug in compfw; please report it with the command you ran")
        sys.exit(1)


def finish_interrupted_signoff() -> None:
    """A sign-off killed mid-way (kill -9, power loss) left a journal: finish or undo it first,
    so that no command ever sees half a batch (see trust/recording.py). Every command line runs
    this first, through the app's callback or cli.quick."""
    from pathlib import Path

    from compfw.trust.recording import pending_journal, recover

    here = Path.cwd()
    if pending_journal(here):
        try:
            done = recover(here)
        except UserError as exc:
            sys.stderr.write(f"note: {exc.message}\n")
            return
        if done is not None:
            sys.stderr.write(f"note: {done.note}.\n")
