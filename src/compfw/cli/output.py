"""Where human output goes: stdout for results, stderr for errors; colour only on a terminal."""

from __future__ import annotations

import errno
import os
import sys
from collections.abc import Callable

from compfw.files.problems import UserError
from compfw.render.reporters import problem_line
from compfw.render.terminal import console_options, shown


def colour_wanted(stream=None) -> bool:
    stream = stream or sys.stdout
    if os.environ.get("NO_COLOR"):
        return False
    return hasattr(stream, "isatty") and stream.isatty()


def surely_not_a_terminal(stream=None) -> bool:
    """Whether rich would surely treat stdout as no terminal (so no colour and no width), decided
    without importing rich: not a TTY, and neither TTY_COMPATIBLE nor FORCE_COLOR says otherwise.
    When in doubt the answer is False and rich decides."""
    stream = stream or sys.stdout
    if os.environ.get("TTY_COMPATIBLE") == "0":
        return True
    if os.environ.get("TTY_COMPATIBLE") == "1" or os.environ.get("FORCE_COLOR") is not None:
        return False
    try:
        return not stream.isatty()
    except (AttributeError, ValueError):
        return False


def console(stderr: bool = False):
    from rich.console import Console

    stream = sys.stderr if stderr else sys.stdout
    colour = colour_wanted(stream)
    return Console(file=stream, no_color=not colour, color_system="auto" if colour else None,
                   soft_wrap=not colour, **console_options())


def print_error(message: str, hint: str = "") -> None:
    """An error for a person: the message and hint may quote data, so they are shown escaped."""
    sys.stderr.write(f"error: {shown(message)}\n")
    if hint:
        sys.stderr.write(f"hint: {shown(hint)}\n")


def print_problems(problems, prefix: str = "") -> None:
    """Problems on stderr, one a line."""
    for problem in problems:
        sys.stderr.write(f"{prefix}{problem_line(problem)}\n")


def guarded(run: Callable[[], int]) -> int:
    """Run a command body; a UserError becomes a message on stderr and exit code 1."""
    try:
        return run()
    except UserError as exc:
        print_error(exc.message, exc.hint)
        print_problems(exc.problems)
        return 1


def last_line_of_defence(run: Callable[[], object]) -> None:
    """Run the command line; a UserError, an interrupt, a failing output or a bug becomes a message
    and an exit code, never a traceback (the one error boundary, shared by the app and cli.quick)."""
    try:
        try:
            run()
        finally:
            sys.stdout.flush()  # a full disk shows here, while it can still be reported
    except UserError as exc:
        print_error(exc.message, exc.hint)
        print_problems(exc.problems, "error: ")
        sys.exit(1)
    except KeyboardInterrupt:
        print_error("interrupted")
        sys.exit(130)
    except BrokenPipeError:
        _drop_output()
        sys.exit(1)
    except OSError as exc:
        if exc.errno not in _OUTPUT_ERRORS:
            _internal_error(exc)
        _drop_output()
        print_error(f"cannot write the output: {exc.strerror}", "check the disk or pipe the output goes to")
        sys.exit(1)
    except Exception as exc:  # the last line of defence: never a traceback for a user
        _internal_error(exc)


# Errors of writing the output (a full disk, a quota, a closed pipe), not of compfw.
_OUTPUT_ERRORS = {errno.ENOSPC, errno.EDQUOT, errno.EFBIG, errno.EIO, errno.EPIPE}


def _drop_output() -> None:
    """Send what is still buffered for stdout nowhere, so that exiting does not try (and fail) again."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):
        pass


def _internal_error(exc: BaseException) -> None:
    print_error(f"internal error: {type(exc).__name__}: {exc}",
                "this is a bug in compfw; please report it with the command you ran")
    sys.exit(1)


def finish_interrupted_signoff() -> None:
    """A sign-off killed mid-way (kill -9, power loss) left a journal: finish or undo it first,
    so that no command ever sees half a batch (see trust/recording.py). Every command line runs
    this first, through the app's callback or cli.quick."""
    from pathlib import Path

    from compfw.files.layout import pending_signoff_journal

    here = Path.cwd()
    if pending_signoff_journal(here):
        from compfw.trust.recording import recover

        try:
            done = recover(here)
        except UserError as exc:
            sys.stderr.write(f"note: {exc.message}\n")
            return
        if done is not None:
            sys.stderr.write(f"note: {done.note}.\n")
