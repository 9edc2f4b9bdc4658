"""The command lines people and CI run most, answered without building the typer app.

Building the app costs more than a cached status takes (typer's import, every command's options,
a pydantic adapter per option on each call), and before a cohort report's workers can start. The
plain spellings of `compfw status` and `compfw report --cohort` are parsed here; anything else
(help, a mistake, an option written another way or given twice) goes to typer, which gives the
usage errors, so the two never answer differently (tests run both on the same arguments).
"""

from __future__ import annotations

import os
from pathlib import Path

# report --cohort: the options that take a value, by every name, and how the value is checked.
_REPORT_VALUES = {"--output": "output", "-o": "output", "--template": "template", "-t": "template",
                  "--as-of": "as_of", "--format": "fmt", "-f": "fmt", "--stale-days": "stale_days",
                  "--jobs": "jobs", "-j": "jobs"}
_REPORT_FLAGS = {"--cohort": "cohort", "--no-cache": "no_cache", "--context-json": "context_json"}


def _leading_no_color(argv: list[str]) -> tuple[list[str], bool]:
    args = list(argv)
    no_color = False
    while args and args[0] == "--no-color":
        no_color = True
        args.pop(0)
    return args, no_color


def parse_status(argv: list[str]) -> dict | None:
    """The status options in argv, or None if typer should parse them."""
    from compfw.files.problems import day_in_range

    args, no_color = _leading_no_color(argv)
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
            found["as_of"] = day_in_range(value) if value is not None else None
            if found["as_of"] is None:
                return None
        elif arg.startswith("-") or found["path"] is not None:
            return None
        else:
            found["path"] = Path(arg)
    return found


def parse_cohort_report(argv: list[str]) -> dict | None:
    """The options of `report --cohort` in argv, or None if typer should parse them."""
    from compfw.files.problems import day_in_range

    args, no_color = _leading_no_color(argv)
    if not args or args[0] != "report":
        return None
    given: dict = {"no_color": no_color}
    rest = iter(args[1:])
    for arg in rest:
        name, equals, attached = arg.partition("=") if arg.startswith("--") else (arg, "", "")
        if arg == "--no-color":
            given["no_color"] = True
        elif name in _REPORT_FLAGS and not equals and _REPORT_FLAGS[name] not in given:
            given[_REPORT_FLAGS[name]] = True
        elif name in _REPORT_VALUES and _REPORT_VALUES[name] not in given:
            value = attached if equals else next(rest, None)
            if not value or value.startswith("-"):
                return None
            given[_REPORT_VALUES[name]] = value
        elif arg.startswith("-") or "path" in given:
            return None
        else:
            given["path"] = Path(arg)
    if not given.get("cohort") or given.get("fmt", "md") not in ("md", "csv"):
        return None
    as_of = day_in_range(given["as_of"]) if "as_of" in given else None
    numbers = [given[key] for key in ("jobs", "stale_days") if key in given]
    if ("as_of" in given and as_of is None) or not all(n.isascii() and n.isdigit() for n in numbers):
        return None
    return {"path": given.get("path"), "output": Path(given["output"]) if "output" in given else None,
            "template": given.get("template"), "as_of": as_of, "fmt": given.get("fmt", "md"),
            "context_json": given.get("context_json", False),
            "stale_days": int(given["stale_days"]) if "stale_days" in given else None,
            "jobs": int(given.get("jobs", 0)), "cache": not given.get("no_cache", False),
            "no_color": given["no_color"]}


def start_collecting() -> None:
    """The cyclic garbage collector as every command but `status` runs it (see compfw.cli.main):
    on, less often than Python's default. A cohort's workers are forked with it, and a large
    cohort must not keep every cycle it ever made."""
    import gc

    gc.set_threshold(20_000, 50, 1_000)
    gc.enable()


def run(argv: list[str]) -> int | None:
    """The exit code of a command run here, or None when argv is for typer."""
    status = parse_status(argv)
    report = parse_cohort_report(argv) if status is None else None
    if status is None and report is None:
        return None
    from compfw.cli.output import finish_interrupted_signoff
    from compfw.files.problems import today

    if (status or report)["no_color"]:
        os.environ["NO_COLOR"] = "1"
    finish_interrupted_signoff()
    if status is not None:
        from compfw.cli.commands.status import StatusOptions, run_status

        return run_status(status["path"], status["as_of"] or today(), status["json_out"], StatusOptions(),
                          status["cache"])
    from compfw.cli.commands.report import run_report

    start_collecting()
    return run_report(report["path"], cohort=True, output=report["output"], template=report["template"],
                      as_of=report["as_of"] or today(), fmt=report["fmt"], since=None, last=None,
                      context_json=report["context_json"], stale_days=report["stale_days"], jobs=report["jobs"],
                      cache=report["cache"])
