"""The shipped frameworks through the CLI: clean under validate, and --strict lists exactly the
competencies whose target the source does not show (test_seed_informatics ties that set to the seed)."""

from __future__ import annotations

import json
import re

import pytest
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


def _carried(raw, shown, where: str = "") -> None:
    """Every key and value of the file (raw) is in the JSON (shown), as the file has it."""
    if isinstance(raw, dict):
        assert isinstance(shown, dict), where
        for key, value in raw.items():
            assert str(key) in shown, f"{where}.{key} is missing"
            _carried(value, shown[str(key)], f"{where}.{key}")
    elif isinstance(raw, list):
        assert isinstance(shown, list) and len(shown) == len(raw), where
        for index, (a, b) in enumerate(zip(raw, shown)):
            _carried(a, b, f"{where}[{index}]")
    else:
        assert shown == raw, f"{where}: {shown!r} != {raw!r}"


@pytest.mark.parametrize("path", sorted((REPO / "frameworks").glob("*.yaml")), ids=lambda p: p.stem)
def test_framework_show_json_carries_every_field_of_the_file(path, cli):
    raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    doc = json.loads(cli(["framework", "show", raw["id"], "--version", raw["version"], "--json"], cwd=REPO).stdout)
    scale = raw.pop("scale", None)
    _carried(raw, doc)
    assert doc["scale"] == (scale["levels"] if scale else [])
    assert doc["scale_name"] == (scale["name"] if scale else None)
    flat = {c["id"]: c for c in doc["competencies"]}
    for section in raw["sections"]:
        for element in section.get("elements", []):
            for c in element["competencies"]:
                row = flat[c["id"]]
                assert (row["section_title"], row["element_title"]) == (section["title"], element["title"])
                assert (row["hlm"], row["examples"], row["notes"]) == (c.get("hlm", []), c.get("examples", []),
                                                                       c.get("notes", ""))
                assert row["required_stages"] == (c.get("stages") or element.get("stages") or section.get("stages"))


def test_framework_show_json_has_the_informatics_rules_and_criteria(cli):
    doc = json.loads(cli(["framework", "show", "nhs-gmts-informatics", "--json"], cwd=REPO).stdout)
    assert doc["scale_name"] == "Rating" and doc["pace"]["far_ahead_margin"] == 40
    assert sum(len(g["items"]) for g in doc["reflective_piece"]["criteria"]) == 14
    assert doc["signoff"]["sections"][0]["absence_signers"] == ["programme_manager"]
    c = next(c for c in doc["competencies"] if c["id"] == "1.4.2")
    assert c["hlm"] == ["Inspiring shared purpose", "Leading with care"] and len(c["examples"]) == 2
    lf = json.loads(cli(["framework", "show", "nhs-leadership-framework", "--json"], cwd=REPO).stdout)
    assert lf["sections"][5]["stages"] == [4]
    assert {c["id"]: c["required_stages"] for c in lf["competencies"]}["7.4.4"] == [4]
