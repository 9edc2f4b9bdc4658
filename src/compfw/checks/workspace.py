"""Opening a portfolio the way a command needs it: found, loaded, checked, with its framework."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple

from compfw.checks.rules import check_portfolio
from compfw.files.problems import Problem, UserError
from compfw.files.problems import today as current_day
from compfw.files.layout import find_portfolio, locate_portfolio  # noqa: F401 (kept importable from here)
from compfw.model.loading import FrameworkStore, LoadedFramework, LoadedPortfolio
from compfw.model.portfolios import load_portfolio
from compfw.model.provenance import attach_history

if TYPE_CHECKING:  # only for the annotation: commands that pass no cache never import it
    from compfw.files.result_cache import ResultCache


class Opened(NamedTuple):
    root: Path
    store: FrameworkStore
    portfolio: LoadedPortfolio
    framework: LoadedFramework
    problems: list[Problem]


def load_checked(folder: Path, store: FrameworkStore, today: dt.date, history: bool = True
                 ) -> tuple[LoadedPortfolio | None, LoadedFramework | None, list[Problem]]:
    """Load a portfolio and its framework, and check it; sign-offs with errors are dropped.

    Sign-offs that break a rule (an unauthorised signer, a wrong level...) are left out of
    what the engine sees, so a status or report never counts a sign-off that validate rejects.
    Returns (None, None, problems) when the portfolio or its framework cannot be had.
    """
    lp, problems = load_portfolio(folder)
    if lp is None:
        return None, None, problems
    pin = lp.portfolio.framework
    lf = store.get(pin.id, pin.version)
    found = check_portfolio(lp, store, today)
    if lf is None:
        return None, None, found or problems
    problems.extend(found)
    broken = {p.path for p in problems if p.severity == "error"}
    if broken:  # a sign-off's shown path costs a look at the working directory; most have none
        lp.signoffs = [r for r in lp.signoffs if r.shown not in broken]
    if history:  # git's recorded dates: a few git calls per portfolio, so only where they are shown
        attach_history(lp)
    return lp, lf, problems


def _pin_of(store: FrameworkStore, folder: Path) -> list[Problem]:
    """The problems of the framework file the portfolio pins, when that file exists but is broken."""
    lp, _ = load_portfolio(folder)
    return [] if lp is None else store.unreadable(lp.portfolio.framework.id)


def open_portfolio(path: Path | None, today: dt.date | None = None, cache: ResultCache | None = None) -> Opened:
    """Find, load and check one portfolio for a command; what stops it is a UserError.

    With a cache, the framework and the policy's sanctioned overrides come from it where their
    files are unchanged (model.kept)."""
    today = today or current_day()
    root, folder = find_portfolio(path)
    if cache is None:
        store = FrameworkStore.for_repo(root)
    else:
        from compfw.model.kept import kept_store

        store = kept_store(root, cache)
    lp, lf, problems = load_checked(folder, store, today)
    if lp is None:
        unknown = any(p.code == "unknown-framework" for p in problems)
        if unknown:
            pin = _pin_of(store, folder)
            raise UserError(f"the framework pinned by {folder} is not available",
                            "see `compfw framework list`", problems + pin)
        raise UserError(f"cannot read portfolio {folder}", "fix the problems below (`compfw validate` lists them)",
                        problems)
    return Opened(root, store, lp, lf, problems)


def load_cohort(root: Path, today: dt.date | None = None
                ) -> tuple[list[tuple[LoadedPortfolio, LoadedFramework]], list[str]]:
    """Every portfolio under root/portfolios, loaded and checked; and those that cannot be read."""
    from compfw.files.progress import progress_iter
    from compfw.files.yaml_located import shown_path
    from compfw.model.loading import portfolio_folders

    today = today or current_day()
    store = FrameworkStore.for_repo(root)
    checked, unreadable = [], []
    for folder in progress_iter(portfolio_folders(root / "portfolios"), "Reading portfolios"):
        lp, lf, _ = load_checked(folder, store, today)
        if lp is None or lf is None:
            unreadable.append(shown_path(folder))
        else:
            checked.append((lp, lf))
    return checked, unreadable
