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
