"""The shipped frameworks through the CLI: clean under validate, and --strict lists exactly the
competencies whose target the source does not show (test_seed_informatics ties that set to the seed)."""

from __future__ import annotations

import json
import re

import yaml
from conftest import REPO


def _not_in_source(path) -> set[str]:
    data = yaml.safe_load(path.read_text())
    ids = set()
    for section in data["sections"]:
        for element in section.get("elements", []):
            for c in element["competencies"]:
                if c.get("target_source") == "not_in_source":
                    ids.add(c["id"])
    return ids


def test_validate_frameworks_is_clean(cli):
    result = cli(["validate", "frameworks"], cwd=REPO)
    assert (result.exit_code, result.stdout) == (0, "ok: no problems in frameworks\n")


def test_strict_lists_exactly_the_targets_the_seed_does_not_show(cli):
    result = cli(["validate", "--strict", "--format", "json", "frameworks"], cwd=REPO)
    assert result.exit_code == 1
    problems = json.loads(result.stdout)["problems"]
    assert {p["severity"] for p in problems} == {"warning"}
    assert {p["path"] for p in problems} == {"frameworks/nhs-gmts-informatics.yaml"}
    warned = {re.match(r"competency (\S+):", p["message"]).group(1) for p in problems}
    expected = _not_in_source(REPO / "frameworks" / "nhs-gmts-informatics.yaml")
    assert len(expected) == 59
    assert warned == expected
    assert len(problems) == 59


def test_framework_list_counts(cli):
    result = cli(["framework", "list", "--json"], cwd=REPO)
    rows = {r["id"]: r for r in json.loads(result.stdout)}
    assert {k: (r["version"], r["sections"], r["elements"], r["competencies"]) for k, r in rows.items()} == {
        "dhsc-senior-leadership-potential": ("undated", 6, 15, 37),
        "nhs-gmts-informatics": ("2.1", 7, 28, 101),
        "nhs-leadership-framework": ("2011", 7, 28, 112),
        "nhs-management-leadership-standards": ("3.0", 4, 12, 36),
        "nhse-board-leadership": ("news-item", 1, 0, 6),
    }
    assert (rows["nhs-gmts-informatics"]["core"], rows["nhs-gmts-informatics"]["specialist"],
            rows["nhs-gmts-informatics"]["binary"]) == (63, 38, 14)


def test_framework_show_json_gives_every_competency(cli):
    result = cli(["framework", "show", "nhs-gmts-informatics", "--json"], cwd=REPO)
    doc = json.loads(result.stdout)
    by_id = {c["id"]: c for c in doc["competencies"]}
    assert len(by_id) == 101
    assert by_id["4.4.5"]["printed_id"] == "4.4.3" and by_id["4.4.5"]["kind"] == "specialist"
    assert by_id["4.4.3"]["kind"] == "core"
    assert by_id["1.1.1"]["assessment"] == "binary" and by_id["1.1.1"]["target"] is None
    assert by_id["2.4.4"]["target"] == 3 and by_id["2.4.4"]["target_source"] == "highlighted"
    assert set(by_id["2.1.1"]) >= {"id", "section", "element", "kind", "text", "target", "assessment"}
