"""How a list of problems is written out: a small registry of formats."""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Iterable

from compfw.files.problems import Problem
from compfw.render.terminal import shown

FORMATS = ("text", "json", "github", "auto")


def problem_line(problem: Problem) -> str:
    """One problem as one line for a person: `path:line:col: severity: message (hint: ...)`.

    Path, message and hint come from files (a file name, a key, a value quoted in a message), so
    each goes through `shown`: a newline cannot start a second line (in CI, one that reads
    `::error::`) and no control character reaches the terminal.
    """
    where = shown(problem.path) if problem.line <= 0 else f"{shown(problem.path)}:{problem.line}:{problem.col}"
    text = f"{where}: {problem.severity}: {shown(problem.message)}"
    return text + f" (hint: {shown(problem.hint)})" if problem.hint else text


def _text(problems: list[Problem], checked: str) -> str:
    lines = [problem_line(p) for p in problems]
    errors = sum(p.severity == "error" for p in problems)
    warnings = len(problems) - errors
    if problems:
        lines.append(f"{errors} error(s), {warnings} warning(s) in {shown(checked)}")
    else:
        lines.append(f"ok: no problems in {shown(checked)}")
    return "\n".join(lines) + "\n"


def _json(problems: list[Problem], checked: str) -> str:
    errors = sum(p.severity == "error" for p in problems)
    return json.dumps({"checked": checked, "errors": errors, "warnings": len(problems) - errors,
                       "problems": [p.as_dict() for p in problems]}, indent=2) + "\n"


def escape_data(text: str) -> str:
    """Escape a GitHub workflow-command message so that file content cannot start a new command."""
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(text: str) -> str:
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")


def _github(problems: list[Problem], checked: str) -> str:
    out = []
    for p in problems:
        props = [f"file={escape_property(p.path)}"]
        if p.line > 0:
            props += [f"line={p.line}", f"col={p.col}"]
        props.append(f"title={escape_property('compfw ' + p.code)}")
        message = p.message + (f" (hint: {p.hint})" if p.hint else "")
        out.append(f"::{p.severity} {','.join(props)}::{escape_data(message)}")
    errors = sum(p.severity == "error" for p in problems)
    out.append(f"{errors} error(s), {len(problems) - errors} warning(s) in {escape_data(checked)}")
    return "\n".join(out) + "\n"


REPORTERS: dict[str, Callable[[list[Problem], str], str]] = {"text": _text, "json": _json, "github": _github}


def resolve_format(name: str) -> str:
    if name == "auto":
        return "github" if os.environ.get("GITHUB_ACTIONS") == "true" else "text"
    return name


def render_problems(problems: Iterable[Problem], fmt: str, checked: str) -> str:
    return REPORTERS[resolve_format(fmt)](list(problems), checked)


# Warnings about history that can never change (a sign-off whose competency a framework
# migration removed) are reported but never fail, even under --strict.
HISTORICAL = frozenset({"migrated-away"})


def exit_code(problems: Iterable[Problem], warnings_fail: bool = False) -> int:
    return 1 if any(p.severity == "error" or (warnings_fail and p.code not in HISTORICAL)
                    for p in problems) else 0


def render_assured(problems: Iterable[Problem], fmt: str, checked: str, proved: list[str],
                   not_proved: list[str]) -> str:
    """Problems, plus what the checks proved and what they did not (the audit's result).

    Text: a `proved:` and a `not proved:` line each, before the summary. JSON: two more lists.
    GitHub: a notice for each, so that a green check never reads as more than was checked.
    """
    fmt = resolve_format(fmt)
    problems = list(problems)
    body = REPORTERS[fmt](problems, checked)
    if fmt == "json":
        doc = json.loads(body)
        doc["proved"], doc["not_proved"] = proved, not_proved
        return json.dumps(doc, indent=2) + "\n"
    if fmt == "github":
        extra = [f"::notice title={escape_property('compfw audit: proved')}::{escape_data(line)}" for line in proved]
        extra += [f"::notice title={escape_property('compfw audit: not proved')}::{escape_data(line)}"
                  for line in not_proved]
    else:
        extra = [f"proved: {line}" for line in proved] + [f"not proved: {line}" for line in not_proved]
    lines = body.splitlines()
    return "\n".join(lines[:-1] + extra + lines[-1:]) + "\n"
