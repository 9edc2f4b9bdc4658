"""Editor support: `compfw schema`, the committed schemas/*.json, and check-jsonschema on real files."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import jsonschema
import pytest
from conftest import REPO

from compfw.model import models
from compfw.model.schemas import DESCRIPTIONS, KINDS, schema_for

CHECK_JSONSCHEMA = Path(sys.executable).parent / "check-jsonschema"
MODELINE = re.compile(r"^# yaml-language-server: \$schema=(\S+)$")


def _check(schema: Path, *files: Path) -> subprocess.CompletedProcess:
    assert CHECK_JSONSCHEMA.exists(), f"check-jsonschema is not installed beside {sys.executable} (pip install -e .[test])"
    return subprocess.run([str(CHECK_JSONSCHEMA), "--schemafile", str(schema), *map(str, files)],
                          capture_output=True, text=True)


def _refs(node, found: list[str]) -> list[str]:
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "$ref":
                found.append(value)
            _refs(value, found)
    elif isinstance(node, list):
        for item in node:
            _refs(item, found)
    return found


@pytest.mark.parametrize("kind", KINDS)
def test_committed_schema_equals_generated(kind, cli, tmp_path):
    result = cli(["schema", kind], cwd=tmp_path)
    assert result.exit_code == 0, result.stderr
    committed = (REPO / "schemas" / f"{kind}.schema.json").read_text(encoding="utf-8")
    assert result.stdout == committed, f"schemas/{kind}.schema.json is stale: run `compfw schema {kind} > schemas/{kind}.schema.json`"


@pytest.mark.parametrize("kind", KINDS)
def test_schema_is_draft_07_and_self_contained(kind):
    doc = schema_for(kind)
    assert doc["$schema"] == "http://json-schema.org/draft-07/schema#"
    assert doc["$id"] == f"urn:compfw:schema:{kind}"
    assert doc["title"].startswith("compfw ")
    jsonschema.Draft7Validator.check_schema(doc)
    text = json.dumps(doc)
    assert "$defs" not in text
    refs = _refs(doc, [])
    assert bool(refs) == bool(doc.get("definitions")), "every definition is used, and every schema with one uses it"
    for ref in refs:
        assert ref.startswith("#/definitions/") and ref.split("/")[-1] in doc["definitions"], ref
    # draft-07 ignores keywords beside $ref: there are none.
    for node in re.findall(r'\{[^{}]*"\$ref"[^{}]*\}', text):
        assert list(json.loads(node)) == ["$ref"], node


def test_unknown_keys_are_refused_everywhere():
    for kind in KINDS:
        doc = schema_for(kind)
        objects = [doc] if kind != "evidence" else []
        objects += [d for d in doc.get("definitions", {}).values() if d.get("type") == "object" and "properties" in d]
        for obj in objects:
            assert obj["additionalProperties"] is False, (kind, obj.get("title"))


def test_descriptions_name_real_fields():
    for model_name, fields in DESCRIPTIONS.items():
        model = getattr(models, model_name)
        assert set(fields) <= set(model.model_fields), model_name
    portfolio = schema_for("portfolio")
    assert portfolio["properties"]["framework"]["description"].startswith("The framework and version")
    assert portfolio["definitions"]["Pin"]["properties"]["version"]["description"] == 'Framework version, quoted: "2.1".'


def test_schema_rejects_an_unknown_kind(cli, tmp_path):
    result = cli(["schema", "portfolios"], cwd=tmp_path)
    assert result.exit_code == 2
    assert "choose one of framework, portfolio, evidence, signoff" in result.stderr
    assert result.stdout == ""


def _shipped() -> dict[str, list[Path]]:
    portfolios = sorted((REPO / "portfolios").iterdir())
    assert [p.name for p in portfolios] == ["asha-patel", "ben-okafor", "chloe-evans"]
    return {
        "framework": sorted((REPO / "frameworks").glob("*.yaml")),
        "portfolio": [p / "portfolio.yaml" for p in portfolios],
        "evidence": sorted(f for p in portfolios for f in (p / "evidence").glob("*.yaml")),
        "signoff": sorted(f for p in portfolios for f in (p / "signoffs").glob("*.yaml")),
        "request": sorted(f for p in portfolios for f in (p / "requests").glob("*.yaml")),
    }


@pytest.mark.parametrize("kind", KINDS)
def test_check_jsonschema_validates_every_shipped_file(kind):
    files = _shipped()[kind]
    assert len(files) >= 3
    done = _check(REPO / "schemas" / f"{kind}.schema.json", *files)
    assert done.returncode == 0, done.stdout + done.stderr
    assert done.stdout.strip() == "ok -- validation done"


@pytest.mark.parametrize("kind", KINDS)
def test_every_shipped_file_points_its_editor_at_the_right_schema(kind):
    for path in _shipped()[kind]:
        first = path.read_text(encoding="utf-8").splitlines()[0]
        match = MODELINE.match(first)
        assert match, f"{path}: first line is not a yaml-language-server modeline"
        target = (path.parent / match.group(1)).resolve()
        assert target == (REPO / "schemas" / f"{kind}.schema.json").resolve(), path


@pytest.mark.parametrize("typo, unexpected", [
    ("programme_manager:", "programme_manger"),
    ("  name: Asha Patel", "nmae"),
])
def test_check_jsonschema_rejects_a_misspelt_key(tmp_path, typo, unexpected):
    original = (REPO / "portfolios" / "asha-patel" / "portfolio.yaml").read_text(encoding="utf-8")
    assert original.count(typo) == 1
    wrong = tmp_path / "portfolio.yaml"
    wrong.write_text(original.replace(typo, typo.replace(typo.strip().split(":")[0], unexpected)), encoding="utf-8")
    done = _check(REPO / "schemas" / "portfolio.schema.json", wrong)
    assert done.returncode == 1
    assert f"Additional properties are not allowed ('{unexpected}' was unexpected)" in done.stdout
    # ...and the correct file passes, so it is the typo that fails.
    right = tmp_path / "right.yaml"
    right.write_text(original, encoding="utf-8")
    assert _check(REPO / "schemas" / "portfolio.schema.json", right).returncode == 0


def test_evidence_schema_takes_one_entry_or_a_list(tmp_path):
    entry = "id: ev-1\ndate: 2026-01-10\ntitle: Workshop\ncompetencies: ['2.1.1']\n"
    one = tmp_path / "one.yaml"
    one.write_text(entry)
    many = tmp_path / "many.yaml"
    many.write_text("- " + entry.replace("\n", "\n  ").rstrip() + "\n- " + entry.replace("ev-1", "ev-2").replace("\n", "\n  ").rstrip() + "\n")
    bad_date = tmp_path / "bad.yaml"
    bad_date.write_text(entry.replace("2026-01-10", "2026-13-10"))
    schema = REPO / "schemas" / "evidence.schema.json"
    assert _check(schema, one, many).returncode == 0
    done = _check(schema, bad_date)
    assert done.returncode == 1
    assert "is not valid under any of the given schemas" in done.stdout
