"""`compfw status` without building the typer app: the command people run many times a day.

Building the app costs more than a cached status takes (typer's import, every command's options,
a pydantic adapter per option on each call). The plain spellings of `compfw status` are parsed
here; anything else (help, a mistake, an option written another way) goes to typer, which gives
the usage errors, so the two never answer differently (tests run both on the same arguments).
"""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path


def parse_status(argv: list[str]) -> dict | None:
    """The status options in argv, or None if typer should parse them."""
    args = list(argv)
    no_color = False
    while args and args[0] == "--no-color":
        no_color = True
        args.pop(0)
    if not args or args[0] != "status":
        return None
    found = {"path": None, "as_of": None, "json_out": False, "cache": True, "no_color": no_color}
    rest = iter(args[1:])
    for arg in rest:
        if arg == "--no-color":
            found["no_color"] = True
        elif arg == "--json":
            found["json_out"] = True
        elif arg == "--no-cache":
            found["cache"] = False
        elif arg == "--as-of" or arg.startswith("--as-of="):
            value = arg[len("--as-of="):] if "=" in arg else next(rest, None)
            if value is None:
                return None
            try:
                found["as_of"] = dt.date.fromisoformat(value)
            except ValueError:
                return None
        elif arg.startswith("-") or found["path"] is not None:
            return None
        else:
            found["path"] = Path(arg)
    return found


def run(argv: list[str]) -> int | None:
    """The exit code of `compfw status` run here, or None when argv is for typer."""
    options = parse_status(argv)
    if options is None:
        return None
    from compfw.cli.commands.status import StatusOptions, run_status
    from compfw.cli.output import finish_interrupted_signoff
    from compfw.files.problems import today

    if options["no_color"]:
        os.environ["NO_COLOR"] = "1"
    finish_interrupted_signoff()
    return run_status(options["path"], options["as_of"] or today(), options["json_out"], StatusOptions(),
                      options["cache"])
