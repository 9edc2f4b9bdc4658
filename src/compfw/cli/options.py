"""Option parsing shared by the command modules (kept apart so that they never import the app back)."""

from __future__ import annotations

import copy
import datetime as dt
import os
from typing import Optional

import typer
from typer.core import TyperGroup


def parse_date(value: Optional[str], option: str = "--as-of") -> dt.date:
    from compfw.files.problems import EARLIEST, LATEST, day_in_range, today

    if value is None:
        return today()
    day = day_in_range(value)
    if day is not None:
        return day
    try:
        dt.date.fromisoformat(value)
    except ValueError:
        raise typer.BadParameter(f"{value!r} is not a date; write YYYY-MM-DD", param_hint=option) from None
    raise typer.BadParameter(f"{value} is outside the dates compfw accepts ({EARLIEST} to {LATEST})",
                             param_hint=option)


def _no_color(ctx, param, value: bool) -> None:
    if value:
        os.environ["NO_COLOR"] = "1"


class GlobalOptionsGroup(TyperGroup):
    """A command group whose commands also accept the global options after their name:
    `compfw status --no-color` as well as `compfw --no-color status`."""

    def get_command(self, ctx, cmd_name):
        command = super().get_command(ctx, cmd_name)
        if command is not None and not any("--no-color" in getattr(p, "opts", ()) for p in command.params):
            root = next((p for p in ctx.find_root().command.params if "--no-color" in getattr(p, "opts", ())), None)
            if root is not None:
                # The root's own option (typer builds it), copied: checked early, not passed on.
                option = copy.copy(root)
                option.expose_value, option.is_eager, option.callback = False, True, _no_color
                command.params.append(option)
        return command


def parse_shard(value: Optional[str]) -> tuple[int, int]:
    """--shard K/N: shard K (1-based) of N."""
    if value is None:
        return (1, 1)
    number, _, count = value.partition("/")
    if number.isdigit() and count.isdigit() and 1 <= int(number) <= int(count):
        return (int(number), int(count))
    raise typer.BadParameter(f"{value!r} is not a shard; write K/N with 1 <= K <= N, e.g. 2/4", param_hint="--shard")
