"""Where human output goes: stdout for results, stderr for errors; colour only on a terminal."""

from __future__ import annotations

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
