"""A cohort row is made from standing_document, which is status_document without its two long
lists: for every example portfolio and benchmark-shaped day, every key it has holds the same value."""

from __future__ import annotations

import datetime as dt

import pytest
from conftest import REPO

from compfw.checks.workspace import load_checked
from compfw.engine.summary import standing_document, status_document
from compfw.model.loading import FrameworkStore, portfolio_folders

DAYS = [dt.date(2024, 9, 1), dt.date(2025, 10, 1), dt.date(2026, 11, 22), dt.date(2028, 1, 1)]


@pytest.mark.parametrize("folder", portfolio_folders(REPO / "portfolios"), ids=lambda p: p.name)
def test_standing_is_the_status_document_without_its_lists(folder):
    store = FrameworkStore.for_repo(REPO)
    lp, lf, _ = load_checked(folder, store, dt.date(2026, 11, 22), history=False)
    assert lp is not None
    for day in DAYS:
        for points in (None, 6, 0):
            full = status_document(lp, lf, day, trajectory_points=points)
            standing = standing_document(lp, lf, day, trajectory_points=points)
            assert list(full) == [*standing, "competencies", "evidence"]
            assert {k: v for k, v in full.items() if k not in ("competencies", "evidence")} == standing
