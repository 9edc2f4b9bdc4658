"""Shared test set-up: every test runs with an isolated git config and a fixed 'today'."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest
from typer.testing import CliRunner

from compfw.cli.app import app

TESTS = Path(__file__).resolve().parent
CASES = TESTS / "cases"
SHARED = CASES / "_shared"
REPO = TESTS.parent
TODAY = "2026-11-22"


@pytest.fixture(autouse=True)
def isolated_env(tmp_path_factory, monkeypatch):
    """No user or system git config, no colour, a fixed today, no GitHub Actions detection, an
    empty result cache."""
    home = tmp_path_factory.mktemp("home")
    gitconfig = home / ".gitconfig"
    gitconfig.write_text("[user]\n\tname = Test Runner\n\temail = runner@example.org\n[init]\n\tdefaultBranch = main\n")
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", str(gitconfig))
    monkeypatch.setenv("GIT_CONFIG_NOSYSTEM", "1")
    for name in ("GIT_AUTHOR_NAME", "GIT_AUTHOR_EMAIL", "GIT_COMMITTER_NAME", "GIT_COMMITTER_EMAIL",
                 "GITHUB_ACTIONS", "GIT_DIR", "GIT_WORK_TREE"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("NO_COLOR", "1")
    monkeypatch.setenv("COMPFW_TODAY", TODAY)
    monkeypatch.setenv("COLUMNS", "200")
    monkeypatch.setenv("COMPFW_CACHE_DIR", str(home / "compfw-cache"))  # each test its own result cache
    monkeypatch.delenv("XDG_CACHE_HOME", raising=False)
    return home


def copy_tree(source: Path, dest: Path) -> Path:
    shutil.copytree(source, dest, dirs_exist_ok=True, symlinks=True)
    return dest


@pytest.fixture
def make_repo(tmp_path):
    """A repository folder with the shared test frameworks plus whatever a case adds."""

    def make(*sources: Path, name: str = "repo") -> Path:
        root = tmp_path / name
        copy_tree(SHARED, root)
        for source in sources:
            copy_tree(source, root)
        return root

    return make


@pytest.fixture
def sanctioned_copy(tmp_path):
    """The examples' frameworks and portfolios copied into a repository whose trust policy
    sanctions its copy of the informatics framework, so that copy is used (and can be edited)."""
    root = tmp_path / "repo"
    copy_tree(REPO / "frameworks", root / "frameworks")
    copy_tree(REPO / "portfolios", root / "portfolios")
    (root / ".compfw").mkdir()
    (root / ".compfw" / "policy.yaml").write_text(
        "admins:\n  - {name: Dr Helen Morris, email: helen.morris@example.org}\n"
        "framework_overrides:\n  - {id: nhs-gmts-informatics, version: \"2.1\"}\n")
    return root


class Cli:
    def __init__(self):
        self.runner = CliRunner()

    def __call__(self, args: list[str], cwd: Path, input: str | None = None):
        old = Path.cwd()
        os.chdir(cwd)
        try:
            return self.runner.invoke(app, args, input=input, catch_exceptions=False)
        finally:
            os.chdir(old)


@pytest.fixture
def cli():
    return Cli()


def git(cwd: Path, *args: str, env: dict | None = None) -> str:
    full_env = dict(os.environ, **(env or {}))
    done = subprocess.run(["git", *args], cwd=cwd, capture_output=True, text=True, env=full_env)
    if done.returncode != 0:
        raise AssertionError(f"git {' '.join(args)} failed: {done.stderr}")
    return done.stdout


@pytest.fixture
def git_repo(make_repo):
    """make_repo plus `git init` and a first commit of everything."""

    def make(*sources: Path) -> Path:
        root = make_repo(*sources)
        git(root, "init", "-q")
        git(root, "add", "-A")
        git(root, "commit", "-q", "-m", "initial")
        return root

    return make


SEEDS = Path(os.environ.get("COMPFW_SEEDS") or REPO.parent / "shared" / "seeds")


def markdown_tables(markdown: str) -> list[list[list[str]]]:
    """Each table as rows of cell texts, as a CommonMark + GFM-tables parser reads it."""
    from markdown_it import MarkdownIt

    tables, row, rows = [], None, None
    for token in MarkdownIt("commonmark").enable("table").parse(markdown):
        if token.type == "table_open":
            rows = []
        elif token.type == "tr_open":
            row = []
        elif token.type == "inline" and row is not None:
            row.append(token.content)
        elif token.type == "tr_close":
            rows.append(row)
            row = None
        elif token.type == "table_close":
            tables.append(rows)
    return tables


def committed_signoff_case(make_repo) -> Path:
    """The sign-off case repository with a reflective piece, committed once."""
    root = make_repo(CASES / "signoff" / "repo")
    (root / "portfolios" / "asha" / "reflective-piece.md").write_text("word " * 2000 + "\n")
    git(root, "init", "-q")
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "portfolios")
    return root
