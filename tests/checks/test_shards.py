"""`compfw validate --shard K/N`: each portfolio in exactly one shard, the frameworks and the
policy in shard 1, and the N shards together report exactly what one full run reports."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest
from conftest import CASES, REPO, copy_tree

COMPFW = Path(sys.executable).parent / "compfw"


@pytest.fixture
def cohort(tmp_path):
    """The examples, broken inputs of every kind, duplicate trainees and a broken framework."""
    root = tmp_path / "repo"
    copy_tree(REPO / "frameworks", root / "frameworks")
    copy_tree(REPO / "portfolios", root / "portfolios")
    for case in ("broken-inputs", "duplicate-trainees", "many-problems-per-file"):
        copy_tree(CASES / "validate" / case / "repo", root)
    copy_tree(CASES / "_shared" / "frameworks", root / "frameworks")
    (root / "frameworks" / "broken.yaml").write_text("id: broken\ntitle: [\n")
    (root / ".compfw").mkdir()
    (root / ".compfw" / "policy.yaml").write_text("admins: []\n")
    return root


def validate(root: Path, *args: str) -> tuple[int, dict]:
    done = subprocess.run([str(COMPFW), "validate", "--format", "json", "--no-cache", *args], cwd=root,
                          capture_output=True, text=True, env=os.environ, timeout=120)
    return done.returncode, json.loads(done.stdout)


def as_set(report: dict) -> Counter:
    return Counter(json.dumps(p, sort_keys=True) for p in report["problems"])


@pytest.mark.parametrize("count", [2, 3, 5])
def test_the_shards_together_report_what_one_run_reports(cohort, count):
    code, full = validate(cohort)
    assert code == 1 and full["errors"] > 20
    union: Counter = Counter()
    codes = []
    for number in range(1, count + 1):
        code, shard = validate(cohort, "--shard", f"{number}/{count}")
        codes.append(code)
        assert shard["checked"] == f".compfw/policy.yaml, frameworks, portfolios (shard {number} of {count})"
        if number > 1:
            assert not any(p["path"].startswith(("frameworks/", ".compfw/")) for p in shard["problems"])
        assert not (as_set(shard) & union), "two shards reported the same problem"
        union += as_set(shard)
    assert union == as_set(full)
    assert max(codes) == 1


def test_duplicates_across_shards_are_found_by_each_shard(cohort):
    _, full = validate(cohort)
    duplicates = [p for p in full["problems"] if p["code"] == "duplicate-trainee"]
    assert len(duplicates) == 4
    found = []
    for number in (1, 2, 3, 4):
        _, shard = validate(cohort, "--shard", f"{number}/4")
        found += [p for p in shard["problems"] if p["code"] == "duplicate-trainee"]
    assert sorted(found, key=json.dumps) == sorted(duplicates, key=json.dumps)


def test_every_portfolio_is_in_exactly_one_shard_and_the_same_one_every_time(tmp_path):
    from compfw.checks.validate import in_shard

    root = tmp_path
    folders = [root / "portfolios" / f"trainee-{i:04d}" for i in range(400)]
    for count in (1, 2, 7):
        shards = [[f for f in folders if in_shard(f, root, (k, count))] for k in range(1, count + 1)]
        assert sorted(f for shard in shards for f in shard) == sorted(folders)
        assert min(len(s) for s in shards) > 400 / count * 0.7  # spread, not all in one
    # By the path inside the repository: another checkout puts each portfolio in the same shard.
    other = tmp_path / "elsewhere"
    assert [in_shard(f, root, (2, 7)) for f in folders] == \
        [in_shard(other / f.relative_to(root), other, (2, 7)) for f in folders]


@pytest.mark.parametrize("value", ["0/2", "3/2", "2", "a/b", "1/0", "-1/2"])
def test_a_shard_that_is_no_shard_is_a_usage_error(cohort, value):
    done = subprocess.run([str(COMPFW), "validate", "--shard", value], cwd=cohort, capture_output=True, text=True,
                          env=os.environ, timeout=60)
    assert done.returncode == 2
    assert "is not a shard; write K/N" in done.stderr
