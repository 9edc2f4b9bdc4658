"""Who may sign off a portfolio on a day: the one rule that sign-off, validate, audit and queue share.

In the model layer, below the engine, because the queue (engine) needs it as much as the rules
(checks) do; `compfw.checks.rules` re-exports it for its callers.
"""

from __future__ import annotations

import datetime as dt

from compfw.model.models import Portfolio


def signer_authority(portfolio: Portfolio, email: str, on: dt.date) -> str | None:
    """The role that lets this email sign on this day, or None.

    The programme manager may sign at any time; a placement manager once their placement has
    started (a sign-off after the placement ended is allowed: paperwork often lags the work).
    """
    email = email.strip().lower()
    if email == portfolio.trainee.email.lower():
        return None
    if email == portfolio.programme_manager.email.lower():
        return "programme_manager"
    for placement in portfolio.placements:
        if placement.manager.email.lower() == email and placement.start <= on:
            return "placement_manager"
    return None
