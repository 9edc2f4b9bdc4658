"""`compfw validate --changed-since REF`: only what a change touches, plus what depends on it."""

from __future__ import annotations

import shutil

import pytest
from conftest import SHARED, git

PORTFOLIO = """\
trainee: {{id: {id}, name: Test Trainee, email: {id}@example.org}}
framework: {{id: {framework}, version: "1.0"}}
specialism: informatics
scheme: {{start: 2025-09-01, end: 2027-08-31}}
programme_manager: {{name: Pat Prog, email: pat@example.org}}
placements:
  - name: Placement 1
    start: 2025-09-01
    end: 2026-08-31
    manager: {{name: Max Place, email: max@example.org}}
"""
GOOD_SIGNOFF = """\
competency: "2.1.1"
level: 3
signer: {name: Max Place, email: max@example.org, role: placement_manager}
date: 2026-01-10
feedback: Clear and well evidenced collaboration with the regional network.
"""
BAD_SIGNOFF = GOOD_SIGNOFF.replace("level: 3", "level: 7")


@pytest.fixture
def repo(tmp_path):
    """frameworks mini and other; portfolios a and b pin mini, c pins other; b is already broken."""
    root = tmp_path / "repo"
    shutil.copytree(SHARED, root)
    mini = (root / "frameworks" / "mini.yaml").read_text()
    (root / "frameworks" / "other.yaml").write_text(mini.replace("id: mini", "id: other", 1))
    for name, framework in (("a", "mini"), ("b", "mini"), ("c", "other")):
        folder = root / "portfolios" / name
        (folder / "signoffs").mkdir(parents=True)
        (folder / "portfolio.yaml").write_text(PORTFOLIO.format(id=name, framework=framework))
        (folder / "signoffs" / "s1.yaml").write_text(GOOD_SIGNOFF)
    (root / "portfolios" / "b" / "signoffs" / "broken.yaml").write_text(BAD_SIGNOFF)
    (root / "README.md").write_text("a cohort\n")
    git(root, "init", "-q")
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "initial")
    return root


def lines(result) -> list[str]:
    return result.stdout.splitlines()


def test_the_fixture_is_broken_only_in_b(cli, repo):
    result = cli(["validate"], cwd=repo)
    assert result.exit_code == 1
    assert lines(result) == [
        "portfolios/b/signoffs/broken.yaml:2:8: error: level 7 is not on the scale of mini (hint: use one of [1, 2, 3, 4, 5])",
        "1 error(s), 0 warning(s) in frameworks, portfolios",
    ]


def test_nothing_changed_checks_nothing(cli, repo):
    result = cli(["validate", "--changed-since", "HEAD"], cwd=repo)
    assert (result.exit_code, lines(result)) == (0, ["ok: no problems in nothing"])


def test_a_change_outside_frameworks_and_portfolios_checks_nothing(cli, repo):
    (repo / "README.md").write_text("changed\n")
    result = cli(["validate", "--changed-since", "HEAD"], cwd=repo)
    assert (result.exit_code, lines(result)) == (0, ["ok: no problems in nothing"])


def test_a_new_signoff_checks_only_its_portfolio(cli, repo):
    (repo / "portfolios" / "a" / "signoffs" / "s2.yaml").write_text(BAD_SIGNOFF)  # untracked
    result = cli(["validate", "--changed-since", "HEAD"], cwd=repo)
    assert result.exit_code == 1
    assert lines(result) == [  # b's old error is not this change's business
        "portfolios/a/signoffs/s2.yaml:2:8: error: level 7 is not on the scale of mini (hint: use one of [1, 2, 3, 4, 5])",
        "1 error(s), 0 warning(s) in portfolios/a",
    ]


@pytest.mark.parametrize("how", ["committed", "staged", "unstaged"])
def test_committed_staged_and_unstaged_changes_all_count(cli, repo, how):
    path = repo / "portfolios" / "c" / "signoffs" / "s1.yaml"
    if how == "unstaged":
        path.write_text(GOOD_SIGNOFF.replace("2026-01-10", "2026-01-11"))
    else:
        path.write_text(GOOD_SIGNOFF.replace("2026-01-10", "2026-01-11"))
        git(repo, "add", "-A")
        if how == "committed":
            git(repo, "commit", "-q", "-m", "change")
    ref = "HEAD~1" if how == "committed" else "HEAD"
    result = cli(["validate", "--changed-since", ref], cwd=repo)
    assert (result.exit_code, lines(result)) == (0, ["ok: no problems in portfolios/c"])


def test_a_changed_framework_brings_in_the_portfolios_that_pin_it(cli, repo):
    other = repo / "frameworks" / "other.yaml"
    other.write_text(other.read_text().replace("title: Mini test framework", "title: Other test framework", 1))
    result = cli(["validate", "--changed-since", "HEAD"], cwd=repo)
    assert (result.exit_code, lines(result)) == (0, ["ok: no problems in frameworks/other.yaml, portfolios/c"])


def test_a_changed_framework_that_breaks_its_portfolios_reports_them(cli, repo):
    other = repo / "frameworks" / "other.yaml"
    other.write_text(other.read_text().replace('version: "1.0"', 'version: "2.0"', 1))
    result = cli(["validate", "--changed-since", "HEAD"], cwd=repo)
    assert result.exit_code == 1
    assert lines(result) == [
        "portfolios/c/portfolio.yaml:2:33: error: framework other has no version '1.0' "
        "(hint: available: 2.0; `compfw migrate` re-pins a portfolio)",
        "1 error(s), 0 warning(s) in frameworks/other.yaml, portfolios/c",
    ]


def test_a_deleted_framework_brings_in_the_portfolios_that_pinned_it(cli, repo):
    (repo / "frameworks" / "other.yaml").unlink()
    result = cli(["validate", "--changed-since", "HEAD"], cwd=repo)
    assert result.exit_code == 1
    out = lines(result)
    assert out[0].startswith("portfolios/c/portfolio.yaml:2:17: error: unknown framework 'other' (hint: known frameworks: ")
    assert out[1:] == ["1 error(s), 0 warning(s) in portfolios/c"]


def test_a_new_portfolio_folder_without_portfolio_yaml_is_reported(cli, repo):
    stray = repo / "portfolios" / "new" / "signoffs"
    stray.mkdir(parents=True)
    (stray / "s1.yaml").write_text(GOOD_SIGNOFF)
    result = cli(["validate", "--changed-since", "HEAD"], cwd=repo)
    assert result.exit_code == 1
    assert lines(result)[0].startswith("portfolios/new: error: no portfolio.yaml in this folder")


def test_the_scope_on_the_command_line_limits_the_change(cli, repo):
    (repo / "portfolios" / "a" / "signoffs" / "s2.yaml").write_text(BAD_SIGNOFF)
    result = cli(["validate", "--changed-since", "HEAD", "portfolios/c"], cwd=repo)
    assert (result.exit_code, lines(result)) == (0, ["ok: no problems in nothing"])
    result = cli(["validate", "--changed-since", "HEAD", "portfolios/a"], cwd=repo)
    assert result.exit_code == 1 and lines(result)[-1] == "1 error(s), 0 warning(s) in portfolios/a"


def test_names_with_spaces_and_accents_are_followed(cli, repo):
    folder = repo / "portfolios" / "zoë b"
    (folder / "signoffs").mkdir(parents=True)
    (folder / "portfolio.yaml").write_text(PORTFOLIO.format(id="zoe-b", framework="mini"))
    (folder / "signoffs" / "é 1.yaml").write_text(BAD_SIGNOFF)
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "zoë")
    result = cli(["validate", "--changed-since", "HEAD~1"], cwd=repo)
    assert result.exit_code == 1
    assert lines(result)[-1] == "2 error(s), 0 warning(s) in portfolios/zoë b"
    assert lines(result)[0].startswith("portfolios/zoë b: error: portfolio folder name 'zoë b' is not allowed")


def test_an_unknown_ref_is_a_clear_error(cli, repo):
    result = cli(["validate", "--changed-since", "no-such-branch"], cwd=repo)
    assert result.exit_code == 1 and result.stdout == ""
    assert result.stderr.splitlines() == [
        "error: cannot compare with 'no-such-branch': there is no such commit, branch or tag here",
        "hint: give a commit, branch or tag that exists here (in CI, fetch the base branch first)",
    ]


def test_an_option_like_ref_is_refused(cli, repo):
    result = cli(["validate", "--changed-since=--output=x"], cwd=repo)
    assert result.exit_code == 1 and "not a git revision" in result.stderr
    assert not (repo / "x").exists()


def test_outside_a_git_repository_is_a_clear_error(cli, make_repo):
    root = make_repo()
    result = cli(["validate", "--changed-since", "HEAD"], cwd=root)
    assert result.exit_code == 1 and result.stdout == ""
    assert result.stderr.startswith("error: cannot compare with 'HEAD': ")
    assert "Traceback" not in result.stderr


def test_a_new_portfolio_repeating_an_unchanged_trainee_is_found(cli, repo):
    """Only the new portfolio is checked, but it is compared with every portfolio in the repo."""
    folder = repo / "portfolios" / "a-copy"
    (folder / "signoffs").mkdir(parents=True)
    (folder / "portfolio.yaml").write_text(PORTFOLIO.format(id="a", framework="mini").replace("a@", "A@"))
    result = cli(["validate", "--changed-since", "HEAD"], cwd=repo)
    assert result.exit_code == 1
    hint = "(hint: one portfolio per trainee: merge the two, or correct the one that is wrong)"
    assert lines(result) == [
        f"portfolios/a-copy/portfolio.yaml:1:15: error: trainee id 'a' is also in portfolios/a/portfolio.yaml {hint}",
        f"portfolios/a-copy/portfolio.yaml:1:45: error: trainee email 'a@example.org' is also in "
        f"portfolios/a/portfolio.yaml {hint}",
        "2 error(s), 0 warning(s) in portfolios/a-copy",
    ]
