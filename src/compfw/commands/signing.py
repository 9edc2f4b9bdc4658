"""Commands of this area are registered on the app here (filled in by their own issue)."""

from __future__ import annotations

import typer


def register(app: typer.Typer) -> None:
    """Add this area's commands to the app."""
