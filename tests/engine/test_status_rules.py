"""The status and readiness rules, table-driven from tests/cases/*.yaml."""

from __future__ import annotations

import datetime as dt

import pytest
import yaml
from conftest import CASES, SHARED

from compfw.engine.readiness import readiness
from compfw.engine.status import status_of
from compfw.model.loading import load_framework_file
from compfw.model.models import Portfolio, Signoff

RULES = yaml.safe_load((CASES / "status_rules.yaml").read_text())
READINESS = yaml.safe_load((CASES / "readiness.yaml").read_text())
SIGNER = {"name": "Max Place", "email": "max@example.org", "role": "placement_manager"}


def _signoffs(levels: list) -> list[Signoff]:
    out = []
    for day, level in enumerate(levels, start=1):
        record = {"competency": "2.1.1", "signer": SIGNER, "date": dt.date(2026, 1, day), "feedback": "Good work here."}
        record.update({"achieved": True} if level == "achieved" else {"level": level})
        out.append(Signoff.model_validate(record))
    return out


@pytest.mark.parametrize("row", RULES, ids=[r["name"] for r in RULES])
def test_status_boundary(row):
    status, level = status_of(row["assessment"], row["target"], _signoffs(row["levels"]), row["evidence"])
    assert (status, level) == (row["status"], row["level"])


def _portfolio() -> Portfolio:
    person = {"name": "Max Place", "email": "max@example.org"}
    return Portfolio.model_validate({
        "trainee": {"id": "ann", "name": "Ann", "email": "ann@example.org"},
        "framework": {"id": "mini", "version": "1.0"},
        "scheme": READINESS["scheme"],
        "programme_manager": {"name": "Pat", "email": "pat@example.org"},
        "placements": [{"name": "P1", **READINESS["placement_1"], "manager": person}],
    })


@pytest.mark.parametrize("row", READINESS["rows"], ids=lambda r: f"{r['as_of']}-{r['percent']}")
def test_readiness_verdicts(row):
    lf, problems = load_framework_file(SHARED / "frameworks" / "mini.yaml")
    assert problems == []
    rd = readiness(lf.framework, _portfolio(), row["as_of"], lambda day: row["percent"])
    assert rd.expected_percent == row["expected"]
    assert rd.verdict == row["verdict"]
    assert rd.graduation_ready is row["graduation_ready"]


def test_placement_milestone_falls_back_to_months_without_placements():
    lf, _ = load_framework_file(SHARED / "frameworks" / "mini.yaml")
    portfolio = _portfolio().model_copy(update={"placements": []})
    rd = readiness(lf.framework, portfolio, dt.date(2026, 9, 1), lambda day: 40.0)
    assert [(m.milestone.id, m.due.isoformat(), m.state) for m in rd.milestones] == [
        ("end-of-placement-1", "2026-09-01", "met"),
        ("end-of-scheme", "2027-08-31", "pending"),
    ]
