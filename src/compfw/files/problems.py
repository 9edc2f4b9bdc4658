"""A problem found in a user's file: a value, never an exception that escapes."""

from __future__ import annotations

import datetime as dt
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

Severity = Literal["error", "warning"]


@dataclass(frozen=True, order=True)
class Problem:
    """One finding, located 1-based like an editor shows it (line 0 = the whole file)."""

    path: str
    line: int
    col: int
    message: str
    hint: str = ""
    severity: Severity = "error"
    code: str = field(default="invalid", compare=False)

    def location(self) -> str:
        if self.line <= 0:
            return self.path
        return f"{self.path}:{self.line}:{self.col}"

    def as_text(self) -> str:
        text = f"{self.location()}: {self.severity}: {self.message}"
        if self.hint:
            text += f" (hint: {self.hint})"
        return text

    def as_dict(self) -> dict:
        return {
            "path": self.path,
            "line": self.line,
            "col": self.col,
            "severity": self.severity,
            "code": self.code,
            "message": self.message,
            "hint": self.hint,
        }


class UserError(Exception):
    """A problem that stops a command; the CLI prints it and exits 1."""

    def __init__(self, message: str, hint: str = "", problems: list[Problem] | None = None):
        super().__init__(message)
        self.message = message
        self.hint = hint
        self.problems = problems or []


def display_path(path: Path | str) -> str:
    """A path as the user would type it: relative to the working directory when inside it."""
    p = Path(path)
    try:
        return str(p.resolve().relative_to(Path.cwd().resolve()))
    except (ValueError, OSError):
        return str(p)


# The dates compfw accepts, in files and on the command line (kept here, not with the models, so
# that a command line can be checked without importing pydantic).
EARLIEST = dt.date(1900, 1, 1)
LATEST = dt.date(2999, 12, 31)


def day_in_range(text: str) -> dt.date | None:
    """The date text gives (YYYY-MM-DD), if it is one compfw accepts; None otherwise."""
    try:
        day = dt.date.fromisoformat(text)
    except ValueError:
        return None
    return day if EARLIEST <= day <= LATEST else None


def today() -> dt.date:
    """Today, or COMPFW_TODAY (YYYY-MM-DD) for reproducible runs such as golden-file tests."""
    fixed = os.environ.get("COMPFW_TODAY")
    if fixed:
        try:
            return dt.date.fromisoformat(fixed)
        except ValueError:
            raise UserError(f"COMPFW_TODAY={fixed!r} is not a date", "write YYYY-MM-DD") from None
    return dt.date.today()


def env_flag(name: str) -> bool:
    return os.environ.get(name, "").strip().lower() not in ("", "0", "false", "no")
