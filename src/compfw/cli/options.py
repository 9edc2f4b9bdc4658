"""Option parsing shared by the command modules (kept apart so that they never import the app back)."""

from __future__ import annotations

import datetime as dt
from typing import Optional

import typer


def parse_date(value: Optional[str], option: str = "--as-of") -> dt.date:
    if value is None:
        from compfw.files.problems import today

        return today()
    from compfw.model.models import EARLIEST, LATEST

    try:
        day = dt.date.fromisoformat(value)
    except ValueError:
        raise typer.BadParameter(f"{value!r} is not a date; write YYYY-MM-DD", param_hint=option) from None
    if not EARLIEST <= day <= LATEST:
        raise typer.BadParameter(f"{value} is outside the dates compfw accepts ({EARLIEST} to {LATEST})",
                                 param_hint=option)
    return day
