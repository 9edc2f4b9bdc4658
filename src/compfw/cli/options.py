"""Option parsing shared by the command modules (kept apart so that they never import the app back)."""

from __future__ import annotations

import datetime as dt
from typing import Optional

import typer


def parse_date(value: Optional[str], option: str = "--as-of") -> dt.date:
    if value is None:
        from compfw.files.problems import today

        return today()
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise typer.BadParameter(f"{value!r} is not a date; write YYYY-MM-DD", param_hint=option) from None
