"""The status and readiness rules, table-driven from tests/cases/*.yaml."""

from __future__ import annotations

import datetime as dt
import json

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


# --- exact thresholds: whole portfolios on frameworks made here, through `compfw status --json` ---

THRESHOLDS = yaml.safe_load((CASES / "exact_thresholds.yaml").read_text())


def _threshold_repo(root, required: int, achieved: int) -> None:
    """A framework of `required` rated competencies and a portfolio with `achieved` of them signed off."""
    competencies = [{"id": f"1.1.{n}", "text": f"Competency {n}", "target": 1, "target_source": "highlighted"}
                    for n in range(1, required + 1)]
    framework = {
        "id": "counted", "title": "Counted", "version": "1",
        "source": {"document": "tests", "title": "Counted"},
        "scale": {"levels": [{"value": v, "name": f"Level {v}"} for v in range(1, 6)]},
        "milestones": [
            {"id": "end-of-placement-1", "name": "End of placement 1", "percent": 40, "due": "placement_end",
             "placement": 1},
            {"id": "end-of-scheme", "name": "End of scheme", "percent": 90, "due": "scheme_end", "graduation": True},
        ],
        "pace": {"far_ahead_margin": 40},
        "signoff": {"feedback_min_words": 1},
        "sections": [{"id": "1", "title": "All", "elements": [{"id": "1.1", "title": "All",
                                                                 "competencies": competencies}]}],
    }
    (root / "frameworks").mkdir(parents=True)
    (root / "frameworks" / "counted.yaml").write_text(yaml.safe_dump(framework, sort_keys=False))
    folder = root / "portfolios" / "ann"
    (folder / "signoffs").mkdir(parents=True)
    manager = {"name": "Max Place", "email": "max@example.org"}
    portfolio = {
        "trainee": {"id": "ann", "name": "Ann", "email": "ann@example.org"},
        "framework": {"id": "counted", "version": "1"},
        "scheme": {k: v.isoformat() for k, v in THRESHOLDS["scheme"].items()},
        "programme_manager": {"name": "Pat", "email": "pat@example.org"},
        "placements": [{"name": "P1", **{k: v.isoformat() for k, v in THRESHOLDS["placement_1"].items()},
                        "manager": manager}],
    }
    (folder / "portfolio.yaml").write_text(yaml.safe_dump(portfolio, sort_keys=False))
    for n in range(1, achieved + 1):
        record = {"competency": f"1.1.{n}", "level": 1, "signer": {**manager, "role": "placement_manager"},
                  "date": "2025-09-02", "feedback": "Well done."}
        (folder / "signoffs" / f"{n}.yaml").write_text(yaml.safe_dump(record, sort_keys=False))


@pytest.mark.parametrize("row", THRESHOLDS["rows"], ids=[r["name"] for r in THRESHOLDS["rows"]])
def test_thresholds_compare_exact_ratios(row, tmp_path, cli):
    _threshold_repo(tmp_path, row["required"], row["achieved"])
    result = cli(["status", "portfolios/ann", "--json", "--as-of", row["as_of"].isoformat()], cwd=tmp_path)
    assert result.exit_code == 0, result.output
    doc = json.loads(result.stdout)
    rd = doc["readiness"]
    assert (doc["required"], doc["achieved"]) == (row["required"], row["achieved"])
    assert doc["percent_achieved"] == row["percent"]
    assert rd["expected_percent"] == row["expected"]
    assert rd["verdict"] == row["verdict"]
    assert rd["graduation_ready"] is row["graduation_ready"]
    assert {m["id"]: m["state"] for m in rd["milestones"]} == row["milestones"]
