"""The pre-commit hook (.pre-commit-hooks.yaml), run as pre-commit runs it: its entry, in a
repository with a staged change, without file names (pass_filenames: false).

It costs what the change costs: a portfolio that the commit does not touch is not read, even
when it is broken; a framework change brings in the portfolios that pin it.
"""

from __future__ import annotations

import re
import shlex
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from conftest import CASES, REPO, git

COMPFW_BIN = Path(sys.executable).parent


def hook() -> dict:
    [only] = yaml.safe_load((REPO / ".pre-commit-hooks.yaml").read_text())
    return only


def run_hook(root: Path) -> subprocess.CompletedProcess:
    spec = hook()
    staged = git(root, "diff", "--cached", "--name-only").split()
    assert any(re.search(spec["files"], path) for path in staged), "the hook would not run for this change"
    args = shlex.split(spec["entry"]) + ([] if not spec["pass_filenames"] else staged)
    args[0] = str(COMPFW_BIN / args[0])
    return subprocess.run(args, cwd=root, capture_output=True, text=True)


@pytest.fixture
def repo(make_repo):
    root = make_repo(CASES / "signoff" / "repo")
    (root / "portfolios" / "asha" / "reflective-piece.md").write_text("word " * 2000 + "\n")
    broken = root / "portfolios" / "ben" / "evidence" / "broken.yaml"
    broken.parent.mkdir()
    broken.write_text("id: ev-x\ndate: 2026-13-01\ntitle: Broken\ncompetencies: ['2.1.1']\n")
    git(root, "init", "-q")
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "ben's broken evidence is already committed")
    return root


def test_the_hook_checks_the_staged_portfolio_only(repo):
    evidence = repo / "portfolios" / "asha" / "evidence" / "new.yaml"
    evidence.write_text("id: ev-new\ndate: 2026-11-01\ntitle: New work\ncompetencies: ['2.1.1']\n")
    git(repo, "add", str(evidence))
    done = run_hook(repo)
    assert (done.returncode, done.stdout) == (0, "ok: no problems in portfolios/asha\n"), done.stderr


def test_the_hook_fails_on_a_problem_in_the_change(repo):
    evidence = repo / "portfolios" / "asha" / "evidence" / "new.yaml"
    evidence.write_text("id: ev-new\ndate: 2026-11-01\ntitle: New work\ncompetencies: ['9.9.9']\n")
    git(repo, "add", str(evidence))
    done = run_hook(repo)
    assert done.returncode == 1
    assert done.stdout.splitlines()[0].startswith("portfolios/asha/evidence/new.yaml:4:16: error: unknown competency '9.9.9'")


def test_a_framework_change_checks_the_portfolios_that_pin_it(repo):
    framework = repo / "frameworks" / "mini.yaml"
    framework.write_text(framework.read_text().replace("Develops collaborations", "Develops partnerships"))
    git(repo, "add", str(framework))
    done = run_hook(repo)
    assert done.returncode == 1
    assert "portfolios/ben/evidence/broken.yaml" in done.stdout
    assert done.stdout.rstrip().endswith("in frameworks/mini.yaml, portfolios/asha, portfolios/ben")
