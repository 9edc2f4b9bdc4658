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


def parse_shard(value: Optional[str]) -> tuple[int, int]:
    """--shard K/N: shard K (1-based) of N."""
    if value is None:
        return (1, 1)
    number, _, count = value.partition("/")
    if number.isdigit() and count.isdigit() and 1 <= int(number) <= int(count):
        return (int(number), int(count))
    raise typer.BadParameter(f"{value!r} is not a shard; write K/N with 1 <= K <= N, e.g. 2/4", param_hint="--shard")
