"""A text progress bar, the same in `compfw status` on a terminal and in the report templates."""

from __future__ import annotations


def bar(percent: object, width: int = 20) -> str:
    """A text progress bar: filled blocks for the share achieved, light shade for the rest."""
    try:
        share = float(percent) if percent is not None else 0.0
    except (TypeError, ValueError):
        share = 0.0
    filled = max(0, min(width, round(width * share / 100)))
    return "█" * filled + "░" * (width - filled)
