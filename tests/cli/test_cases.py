"""Folder-driven CLI cases: tests/cases/<command>/<case>/ holds repo/ (the files), case.yaml
(args, exit code, and optionally repo_of: another folder whose repo/ to use, and env: variables such as COLUMNS and TTY_COMPATIBLE=1, rich's
way to render as on a terminal without one), expected.txt (stdout, byte for byte) and, where the command warns,
expected_stderr.txt. A new case needs no new Python.

Set COMPFW_REGEN=1 to write expected.txt from the current output (then review the diff).
"""

from __future__ import annotations

import os

import pytest
import yaml
from conftest import CASES

CASE_DIRS = sorted(p for kind in ("validate", "status", "framework") if (CASES / kind).is_dir()
                   for p in (CASES / kind).iterdir() if (p / "case.yaml").exists())


@pytest.mark.parametrize("case", CASE_DIRS, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_case(case, make_repo, cli, monkeypatch):
    spec = yaml.safe_load((case / "case.yaml").read_text())
    for name, value in (spec.get("env") or {}).items():
        monkeypatch.setenv(name, str(value))
    # repo_of: NAME uses the repo/ of another folder of the same kind (one portfolio, many views).
    source = case.parent / spec["repo_of"] / "repo" if spec.get("repo_of") else case / "repo"
    root = make_repo(source) if source.is_dir() else make_repo()
    result = cli(spec["args"], cwd=root)
    expected = case / "expected.txt"
    if os.environ.get("COMPFW_REGEN"):
        expected.write_text(result.stdout)
    assert result.stdout == expected.read_text()
    expected_stderr = case / "expected_stderr.txt"
    if expected_stderr.exists() or os.environ.get("COMPFW_REGEN") and result.stderr:
        if os.environ.get("COMPFW_REGEN"):
            expected_stderr.write_text(result.stderr)
        assert result.stderr == expected_stderr.read_text()
    assert result.exit_code == spec["exit"], result.stderr
    assert "Traceback" not in result.stdout + result.stderr
