"""`compfw diff`: both trees read from git (never the work tree), what cannot be proven said, data escaped.

Real git repositories in tmp_path, made from tests/cases/signoff/repo (see its README).
"""

from __future__ import annotations

import json
import shutil

import pytest
from conftest import CASES, committed_signoff_case, git
from markdown_it import MarkdownIt

FEEDBACK = "Clear, well evidenced collaboration with the regional network; keep sharing it."


@pytest.fixture
def repo(make_repo):
    return committed_signoff_case(make_repo)


def commit_all(root, message="change"):
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", message)
    return git(root, "rev-parse", "HEAD").strip()


def sign(root, cli, competency="2.1.1", level="3"):
    """Max signs (not committed): compfw signs as git's user.email."""
    git(root, "config", "user.name", "Max Place")
    git(root, "config", "user.email", "max@example.org")
    result = cli(["signoff", "portfolios/asha", competency, "--level", level, "-m", FEEDBACK], cwd=root)
    assert result.exit_code == 0, result.stderr


def diff_json(cli, root, *args):
    result = cli(["diff", *args, "--format", "json"], cwd=root)
    assert result.exit_code == 0, result.stderr
    return json.loads(result.stdout)


def test_reads_commits_not_the_work_tree_and_leaves_index_and_work_tree_alone(repo, cli):
    base = git(repo, "rev-parse", "HEAD").strip()
    sign(repo, cli)
    commit_all(repo)
    sign(repo, cli, "2.1.2", "2")  # uncommitted, and staged: not part of BASE..HEAD
    git(repo, "add", "-A")
    status_before = git(repo, "status", "--porcelain")
    doc = diff_json(cli, repo, base)
    assert [c["id"] for c in doc["trainees"][0]["competencies"]] == ["2.1.1"]
    assert git(repo, "status", "--porcelain") == status_before
    assert git(repo, "worktree", "list", "--porcelain").count("worktree ") == 1


def test_nothing_touched(repo, cli):
    (repo / "README.md").write_text("notes\n")
    base = git(repo, "rev-parse", "HEAD").strip()
    commit_all(repo)
    result = cli(["diff", base], cwd=repo)
    assert result.exit_code == 0
    assert result.stdout.endswith("as of 2026-11-22: no portfolio touched\n")


def test_a_signoff_validate_rejects_is_not_counted_and_the_errors_are_said(repo, cli):
    base = git(repo, "rev-parse", "HEAD").strip()
    folder = repo / "portfolios" / "asha" / "signoffs"
    folder.mkdir()
    (folder / "forged.yaml").write_text(
        'competency: "2.1.1"\nlevel: 3\nsigner: {name: Eve, email: eve@example.org, role: placement_manager}\n'
        f"date: 2026-11-01\nfeedback: {FEEDBACK}\n")
    commit_all(repo)
    [trainee] = diff_json(cli, repo, base)["trainees"]
    assert trainee["competencies"] == []
    assert (trainee["before"]["percent"], trainee["after"]["percent"]) == (0.0, 0.0)
    assert (trainee["errors_before"], trainee["errors_after"]) == (0, 1)
    text = cli(["diff", base], cwd=repo).stdout
    assert "  note: 1 error(s) after this change (was 0): sign-offs with errors are not counted; " \
           "`compfw validate` lists them\n" in text


def test_an_edited_signoff_is_not_shown_as_signed_again_and_a_new_one_is_named_by_its_file(repo, cli):
    # Asha raises the level of a sign-off Max committed earlier by editing its file: the diff
    # shows the change but names no one as signing it; Max's new sign-off is named, with its file.
    sign(repo, cli, "2.1.1", "2")
    base = commit_all(repo)
    [edited] = (repo / "portfolios" / "asha" / "signoffs").glob("*.yaml")
    edited.write_text(edited.read_text().replace("level: 2", "level: 4"))
    sign(repo, cli, "2.1.2", "3")
    commit_all(repo)
    [new] = [p for p in (repo / "portfolios" / "asha" / "signoffs").glob("*.yaml") if p != edited]
    [trainee] = diff_json(cli, repo, base)["trainees"]
    changes = {c["id"]: c for c in trainee["competencies"]}
    assert (changes["2.1.1"]["before"]["level"], changes["2.1.1"]["after"]["level"]) == (2, 4)
    assert changes["2.1.1"]["signed_by"] == []
    assert [(s["email"], s["level"], s["file"]) for s in changes["2.1.2"]["signed_by"]] == [
        ("max@example.org", 3, new.name)]


def test_a_change_of_managers_is_flagged(repo, cli):
    base = git(repo, "rev-parse", "HEAD").strip()
    path = repo / "portfolios" / "ben" / "portfolio.yaml"
    path.write_text(path.read_text().replace("kim@example.org", "kim.lee@example.org"))
    commit_all(repo)
    [trainee] = diff_json(cli, repo, base)["trainees"]
    assert (trainee["id"], trainee["managers_changed"], trainee["competencies"]) == ("ben", True, [])
    assert "who may sign is proven by `compfw audit --base` against the base branch, not here" in \
        cli(["diff", base], cwd=repo).stdout


def test_added_and_removed_portfolios(repo, cli):
    base = git(repo, "rev-parse", "HEAD").strip()
    shutil.rmtree(repo / "portfolios" / "ben")
    commit_all(repo)
    [removed] = diff_json(cli, repo, base)["trainees"]
    assert (removed["id"], removed["change"], removed["after"]) == ("ben", "removed", None)
    [added] = diff_json(cli, repo, "HEAD", base)["trainees"]
    assert (added["id"], added["change"], added["before"], added["after"]["percent"]) == ("ben", "added", None, 0.0)
    assert added["competencies"] == [], "a new portfolio lists only what is done, not every empty competency"


def test_a_framework_change_compares_every_portfolio(repo, cli):
    base = git(repo, "rev-parse", "HEAD").strip()
    path = repo / "frameworks" / "mini.yaml"
    path.write_text(path.read_text().replace("text: Trusted team member, target: 2", "text: Trusted team member, target: 1"))
    sign(repo, cli, "2.1.2", "1")
    shutil.rmtree(repo / "portfolios" / "asha" / "signoffs")  # only the framework changes for asha
    commit_all(repo)
    doc = diff_json(cli, repo, base)
    assert doc["frameworks_changed"] is True and doc["touched"] == 2 and doc["trainees"] == []


def test_the_compfw_root_may_be_a_subfolder(make_repo, cli, tmp_path):
    top = tmp_path / "top"
    inner = make_repo(CASES / "signoff" / "repo", name="top/programme")
    (inner / "portfolios" / "asha" / "reflective-piece.md").write_text("word " * 2000 + "\n")
    git(top, "init", "-q")
    base = commit_all(top, "portfolios")
    sign(inner, cli)
    commit_all(top)
    [trainee] = diff_json(cli, inner, base)["trainees"]
    assert trainee["portfolio"] == "programme/portfolios/asha"
    assert trainee["after"]["percent"] == 10.0


def test_replace_refs_are_ignored(repo, cli):
    base = git(repo, "rev-parse", "HEAD").strip()
    sign(repo, cli)
    head = commit_all(repo)
    # A replace ref that would make HEAD look like BASE to an ordinary git command.
    git(repo, "replace", head, base)
    assert git(repo, "ls-tree", "-r", "--name-only", "HEAD", "--", "portfolios/asha/signoffs") == ""
    [trainee] = diff_json(cli, repo, base)["trainees"]
    assert [c["id"] for c in trainee["competencies"]] == ["2.1.1"]


@pytest.mark.parametrize("args, message", [
    (["nope"], "error: BASE 'nope' is not a commit here\n"),
    (["HEAD", "--", "--output=x"], "error: HEAD '--output=x' is not a git revision\n"),
])
def test_refs_that_are_no_commits(repo, cli, args, message):
    result = cli(["diff", *args], cwd=repo)
    assert result.exit_code == 1
    assert result.stderr.startswith(message)
    assert result.stdout == ""


def test_outside_a_repository(make_repo, cli):
    result = cli(["diff", "HEAD~1"], cwd=make_repo())
    assert result.exit_code == 1
    assert "is not in a git repository" in result.stderr


def test_markdown_keeps_text_from_portfolios_inert(repo, cli):
    base = git(repo, "rev-parse", "HEAD").strip()
    path = repo / "portfolios" / "asha" / "portfolio.yaml"
    hostile = "<img src=x onerror=alert(1)> [click](http://evil.example) | *bold* `code`"
    path.write_text(path.read_text().replace("name: Asha Trainee", f"name: '{hostile}'"))
    sign(repo, cli)
    commit_all(repo)
    markdown = cli(["diff", base, "--format", "markdown"], cwd=repo).stdout
    tokens = MarkdownIt("commonmark").enable("table").parse(markdown)
    inline = [child for token in tokens for child in (token.children or [])]
    assert not [t for t in tokens + inline if t.type in ("html_inline", "html_block", "link_open", "image",
                                                         "em_open", "strong_open", "code_inline")]
    heading = [tokens[i + 1].content for i, t in enumerate(tokens) if t.type == "heading_open"][1]
    assert "&lt;img src=x onerror=alert(1)&gt;" in heading
    assert "\x1b" not in cli(["diff", base], cwd=repo).stdout
