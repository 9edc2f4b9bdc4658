"""The Personal Qualities sign-off rule, as framework data: who signs, and what the sign-off states.

Table-driven from tests/cases/pq_signoff.yaml through `compfw signoff` in a real git repository,
then the same rule as `validate` and `status` see a hand-written record, on the mini framework
(given the rule in the test) and on the shipped informatics framework (which carries it).
"""

from __future__ import annotations

import json
import shutil

import pytest
import yaml
from conftest import CASES, REPO, git

from test_signoff import FEEDBACK, NIA, PAT, as_user, new_repo, signoff_files

ROWS = yaml.safe_load((CASES / "pq_signoff.yaml").read_text())["rows"]
PEOPLE = {"nia": NIA, "pat": PAT}
RULE = {"sections": ["1"], "signers": ["placement_manager"], "absence_signers": ["programme_manager"],
        "discussion_required": True}


def _with_rule(root) -> None:
    path = root / "frameworks" / "mini.yaml"
    data = yaml.safe_load(path.read_text())
    data["signoff"]["sections"] = [RULE]
    path.write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True))


@pytest.fixture
def pq_repo(make_repo):
    root = new_repo(make_repo)
    _with_rule(root)
    git(root, "commit", "-q", "-am", "Personal Qualities sign-off rule")
    return root


@pytest.mark.parametrize("row", ROWS, ids=[r["name"] for r in ROWS])
def test_personal_qualities_signoff(row, pq_repo, cli):
    as_user(pq_repo, PEOPLE[row["as"]])
    result = cli(["signoff", "portfolios/asha", "1.1.1", "--feedback", FEEDBACK, "--date", "2026-10-10", *row["args"]],
                 cwd=pq_repo)
    if row["refused"]:
        assert result.exit_code == 1, result.stdout
        assert result.stderr.startswith(f"error: cannot sign off 1.1.1: {row['refused']}"), result.stderr
        assert "(nothing was written)" in result.stderr
        assert signoff_files(pq_repo) == []
        return
    assert result.exit_code == 0, result.stderr
    [path] = signoff_files(pq_repo)
    data = yaml.safe_load(path.read_text())
    assert {k: data[k] for k in row["written"]} == row["written"]
    assert cli(["validate"], cwd=pq_repo).exit_code == 0
    doc = json.loads(cli(["status", "portfolios/asha", "--json"], cwd=pq_repo).stdout)
    assert next(c for c in doc["competencies"] if c["id"] == "1.1.1")["status"] == "achieved"


def _hand_written(root, **fields) -> None:
    record = {"competency": "1.1.1", "achieved": True,
              "signer": {"name": NIA[0], "email": NIA[1], "role": "placement_manager"},
              "date": "2026-10-10", "feedback": FEEDBACK, **fields}
    (root / "portfolios" / "asha" / "signoffs").mkdir(exist_ok=True)
    (root / "portfolios" / "asha" / "signoffs" / "pq.yaml").write_text(yaml.safe_dump(record, sort_keys=False))


def test_a_record_without_the_discussion_is_a_finding_and_not_counted(pq_repo, cli):
    _hand_written(pq_repo)
    found = cli(["validate", "portfolios/asha"], cwd=pq_repo)
    assert found.exit_code == 1
    assert ("portfolios/asha/signoffs/pq.yaml:1:13: error: the sign-off of 1.1.1 does not state when the "
            "reflective piece was discussed with the trainee (hint: sign off once you have both discussed the "
            "piece, and add 'discussed: YYYY-MM-DD' (compfw signoff --discussed DATE))") in found.stdout
    doc = json.loads(cli(["status", "portfolios/asha", "--json"], cwd=pq_repo).stdout)
    row = next(c for c in doc["competencies"] if c["id"] == "1.1.1")
    assert row["status"] == "not_achieved" and row["signoffs"] == []


def test_an_absence_needs_a_reason(pq_repo, cli):
    _hand_written(pq_repo, discussed="2026-10-08", placement_manager_absent=True)
    found = cli(["validate", "portfolios/asha"], cwd=pq_repo)
    assert found.exit_code == 1
    assert "placement_manager_absent: true needs an 'absence_reason'" in found.stdout


def test_without_the_rule_in_the_data_nothing_more_is_asked(make_repo, cli):
    root = new_repo(make_repo)
    _hand_written(root)
    assert cli(["validate", "portfolios/asha"], cwd=root).exit_code == 0


def test_the_informatics_framework_carries_the_rule(tmp_path, cli):
    """chloe-evans's Personal Qualities sign-offs state the discussion; without it they are refused."""
    root = tmp_path / "repo"
    shutil.copytree(REPO / "portfolios" / "chloe-evans", root / "portfolios" / "chloe-evans")
    assert cli(["validate"], cwd=root).exit_code == 0
    path = next((root / "portfolios" / "chloe-evans" / "signoffs").glob("*-1.1.1-pq.yaml"))
    path.write_text("".join(line for line in path.read_text().splitlines(keepends=True)
                            if not line.startswith("discussed:")))
    found = cli(["validate"], cwd=root)
    assert found.exit_code == 1
    assert "the sign-off of 1.1.1 does not state when the reflective piece was discussed" in found.stdout
    doc = json.loads(cli(["status", "portfolios/chloe-evans", "--json", "--as-of", "2026-11-22"], cwd=root).stdout)
    statuses = {c["id"]: c["status"] for c in doc["competencies"] if c["section"] == "1"}
    assert statuses.pop("1.1.1") == "not_achieved"
    assert set(statuses.values()) == {"achieved"}
