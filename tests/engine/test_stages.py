"""What a person is tracked against follows their stage, as data in the framework file.

The 2011 Leadership Framework: domains 1-5 are core for all staff; domains 6 and 7 (senior
positional roles, indicators at stage 4 only) carry `stages: [4]`. The counts expected here are
computed from the framework file, not written down.
"""

from __future__ import annotations

import json

import pytest
import yaml
from conftest import CASES, REPO

KIM = CASES / "status" / "leadership-framework-stage" / "repo"
LF_FILE = REPO / "frameworks" / "nhs-leadership-framework.yaml"


def _descriptors_at(stage: int) -> tuple[int, set[str]]:
    """How many descriptors the framework file requires at a stage, and the domains they are in."""
    data = yaml.safe_load(LF_FILE.read_text())
    count, domains = 0, set()
    for section in data["sections"]:
        section_stages = section.get("stages")
        for element in section["elements"]:
            for competency in element["competencies"]:
                stages = competency.get("stages") or element.get("stages") or section_stages
                if stages is None or stage in stages:
                    count += 1
                    domains.add(section["id"])
    return count, domains


def _kim(make_repo, target_level, extra_signoffs: dict | None = None):
    root = make_repo(KIM)
    folder = root / "portfolios" / "kim"
    portfolio = yaml.safe_load((folder / "portfolio.yaml").read_text())
    if target_level is None:
        portfolio.pop("target_level")
    else:
        portfolio["target_level"] = target_level
    (folder / "portfolio.yaml").write_text(yaml.safe_dump(portfolio, sort_keys=False))
    for name, record in (extra_signoffs or {}).items():
        (folder / "signoffs" / name).write_text(yaml.safe_dump(record, sort_keys=False))
    return root


SENIOR_SIGNOFF = {"s5.yaml": {
    "competency": "6.1.1", "level": 4,
    "signer": {"name": "Max Place", "email": "max@example.org", "role": "placement_manager"},
    "date": "2026-03-01",
    "feedback": "Specific and constructive feedback on the vision paper, with several examples from the board discussion.",
}}


@pytest.mark.parametrize("stage", [1, 2, 3, 4])
def test_required_follows_the_stage(stage, make_repo, cli):
    root = _kim(make_repo, stage, SENIOR_SIGNOFF)
    result = cli(["status", "portfolios/kim", "--json"], cwd=root)
    assert result.exit_code == 0, result.output
    doc = json.loads(result.stdout)
    required, domains = _descriptors_at(stage)
    assert doc["required"] == required == (112 if stage == 4 else 80)
    assert sorted({c["section"] for c in doc["competencies"]}) == sorted(domains)
    assert [s["id"] for s in doc["by_section"]] == sorted(domains)
    assert doc["not_judged"] is None
    signed = {c["id"]: c["status"] for c in doc["competencies"] if c["signoffs"]}
    if stage == 4:
        # at stage 4 the senior domain counts: 1.1.1 (2<4), 1.1.2 (3<4), 1.1.3 (1<4), 2.1.1 (2<4) partial, 6.1.1 achieved
        assert signed["6.1.1"] == "achieved" and doc["achieved"] == 1
    else:
        assert "6.1.1" not in signed


def test_a_senior_signoff_below_stage_4_is_a_warning_and_not_counted(make_repo, cli):
    root = _kim(make_repo, 2, SENIOR_SIGNOFF)
    result = cli(["validate", "portfolios/kim"], cwd=root)
    assert result.exit_code == 0, result.output
    assert ("portfolios/kim/signoffs/s5.yaml:1:13: warning: competency 6.1.1 is not required at stage 2 "
            "(only at stage 4); this sign-off is not counted") in result.stdout
    doc = json.loads(cli(["status", "portfolios/kim", "--json"], cwd=root).stdout)
    assert (doc["required"], doc["achieved"]) == (80, 3)


def test_no_stage_no_verdict(make_repo, cli):
    root = _kim(make_repo, None)
    result = cli(["status", "portfolios/kim", "--json"], cwd=root)
    assert result.exit_code == 0, result.output
    doc = json.loads(result.stdout)
    assert doc["not_judged"].startswith("not judged: 112 competencies have no target level (e.g. 1.1.1)")
    assert doc["readiness"]["verdict"] is None
    assert doc["readiness"]["verdict_label"] == "Not judged"
    assert doc["readiness"]["graduation_ready"] is False
    # signed off at levels 2, 3, 1 and 2 against no known stage: none is Achieved
    assert doc["achieved"] == 0
    assert {c["id"]: c["status"] for c in doc["competencies"] if c["signoffs"]} == {
        "1.1.1": "partially_achieved", "1.1.2": "partially_achieved",
        "1.1.3": "partially_achieved", "2.1.1": "partially_achieved"}
    text = cli(["status", "portfolios/kim"], cwd=root)
    assert text.exit_code == 0
    assert "Readiness: Not judged\n  not judged: 112 competencies have no target level" in text.stdout
    found = cli(["validate", "portfolios/kim"], cwd=root)
    assert found.exit_code == 1
    assert "112 competencies of nhs-leadership-framework have no target level (e.g. 1.1.1)" in found.stdout


def test_a_stage_off_the_scale_is_a_framework_finding(make_repo, cli, tmp_path):
    root = make_repo()
    data = yaml.safe_load((root / "frameworks" / "mini.yaml").read_text())
    data["sections"][1]["stages"] = [9]
    (root / "frameworks" / "mini.yaml").write_text(yaml.safe_dump(data, sort_keys=False))
    result = cli(["validate", "frameworks/mini.yaml"], cwd=root)
    assert result.exit_code == 1
    assert "stage 9 is not a level on the scale (hint: use one of [1, 2, 3, 4, 5])" in result.stdout


def test_cohort_report_counts_a_not_judged_trainee_as_no_verdict(make_repo, cli):
    root = _kim(make_repo, None)
    result = cli(["report", "--cohort", "--as-of", "2026-11-22"], cwd=root)
    assert result.exit_code == 0, result.stderr
    assert "| No verdict (no milestones, or not judged) | 1 |" in result.stdout
    row = next(line for line in result.stdout.splitlines() if line.startswith("| Kim Lee (kim)"))
    assert "| Not judged |" in row
