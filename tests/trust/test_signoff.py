"""`compfw signoff`: who may sign, what a record must carry, bulk all-or-nothing, and --commit.

Every test works in a real git repository in tmp_path made from tests/cases/signoff/repo (see its
README). The helpers at the top are also used by test_audit.py and test_codeowners.py.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from conftest import CASES, git

from compfw.model.portfolios import load_portfolio

CASE = CASES / "signoff" / "repo"
FEEDBACK = "Clear, well evidenced collaboration with the regional network; keep sharing it."
MAX = ("Max Place", "max@example.org")
PAT = ("Pat Prog", "pat@example.org")
NIA = ("Nia North", "nia@example.org")
ASHA = ("Asha Trainee", "asha@example.org")


# --- helpers shared with the other sign-off tests ----------------------------------------------


def new_repo(make_repo, words: int = 2000, name: str = "repo") -> Path:
    """The case repository with a reflective piece of `words` words, committed by a test runner."""
    root = make_repo(CASE, name=name)
    (root / "portfolios" / "asha" / "reflective-piece.md").write_text("word " * words + "\n")
    git(root, "init", "-q")
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "initial")
    return root


def as_user(root: Path, person: tuple[str, str]) -> None:
    git(root, "config", "user.name", person[0])
    git(root, "config", "user.email", person[1])


def signoff_files(root: Path, trainee: str = "asha") -> list[Path]:
    folder = root / "portfolios" / trainee / "signoffs"
    return sorted(folder.glob("*.yaml")) if folder.is_dir() else []


def folder_state(root: Path, trainee: str = "asha") -> dict[str, bytes]:
    folder = root / "portfolios" / trainee / "signoffs"
    return {p.name: p.read_bytes() for p in folder.iterdir()} if folder.is_dir() else {}


def assert_refused(result, *words: str) -> str:
    """A refusal: exit 1, one 'error:' line and one 'hint:' line on stderr, nothing on stdout."""
    assert result.exit_code == 1, result.stdout + result.stderr
    lines = result.stderr.splitlines()
    assert len(lines) == 2 and lines[0].startswith("error: ") and lines[1].startswith("hint: "), result.stderr
    assert result.stdout == ""
    assert "Traceback" not in result.stderr
    for word in words:
        assert word in lines[0], lines[0]
    return lines[0]


@pytest.fixture
def repo(make_repo):
    root = new_repo(make_repo)
    as_user(root, MAX)
    return root


def sign(cli, root: Path, *args: str):
    return cli(["signoff", "portfolios/asha", *args], cwd=root)


# --- a manager signs off ----------------------------------------------------------------------


def test_manager_signs_off_a_record_that_loads_back_and_validates(cli, repo):
    result = sign(cli, repo, "2.1.1", "--level", "3", "--feedback", FEEDBACK, "--evidence", "e1")
    assert result.exit_code == 0, result.stderr
    [path] = signoff_files(repo)
    assert path.name.startswith("2026-11-22-2.1.1-") and len(path.stem) == len("2026-11-22-2.1.1-") + 6
    text = path.read_text()
    lines = text.splitlines()
    assert lines[0] == "# yaml-language-server: $schema=../../../schemas/signoff.schema.json"
    assert lines[1].startswith("#") and "never edited" in lines[1]
    assert lines[2] == 'competency: "2.1.1"'
    data = yaml.safe_load(text)
    assert list(data) == ["competency", "level", "signer", "date", "feedback", "evidence"]
    assert data["signer"] == {"name": "Max Place", "email": "max@example.org", "role": "placement_manager"}
    assert data["feedback"] == FEEDBACK and data["evidence"] == ["e1"]
    lp, problems = load_portfolio(repo / "portfolios" / "asha")
    assert problems == [] and [r.model.competency for r in lp.signoffs] == ["2.1.1"]
    assert cli(["validate"], cwd=repo).exit_code == 0
    assert "2.1.1  level 3 (Practical application)" in result.stdout
    assert "now at 10.0% achieved (was 0.0%)" in result.stdout
    assert "Not committed" in result.stdout


def test_status_reflects_a_new_signoff_immediately(cli, repo):
    def status() -> dict:
        result = cli(["status", "portfolios/asha", "--json"], cwd=repo)
        assert result.exit_code == 0, result.stderr
        return json.loads(result.stdout)

    before = status()
    assert before["percent_achieved"] == 0.0
    assert sign(cli, repo, "2.1.1", "--level", "3", "--feedback", FEEDBACK).exit_code == 0
    after = status()
    assert after["percent_achieved"] == 10.0
    row = next(c for c in after["competencies"] if c["id"] == "2.1.1")
    assert row["status"] == "achieved" and row["level"] == 3 and row["signoffs"][0]["signer"]["email"] == MAX[1]


def test_programme_manager_signs_and_the_portfolio_gives_name_and_role(cli, repo):
    as_user(repo, ("pat", "PAT@example.org"))
    result = sign(cli, repo, "3.1.2", "--level", "1", "--feedback", FEEDBACK)
    assert result.exit_code == 0, result.stderr
    data = yaml.safe_load(signoff_files(repo)[0].read_text())
    assert data["signer"] == {"name": "Pat Prog", "email": "pat@example.org", "role": "programme_manager"}


def test_a_later_signoff_at_another_level_is_a_new_file_and_history_is_kept(cli, repo):
    assert sign(cli, repo, "2.1.1", "--level", "2", "--feedback", FEEDBACK).exit_code == 0
    first = signoff_files(repo)[0].read_bytes()
    assert sign(cli, repo, "2.1.1", "--level", "4", "--feedback", FEEDBACK).exit_code == 0
    files = signoff_files(repo)
    assert len(files) == 2 and first in [p.read_bytes() for p in files]
    doc = json.loads(cli(["status", "portfolios/asha", "--json"], cwd=repo).stdout)
    row = next(c for c in doc["competencies"] if c["id"] == "2.1.1")
    assert row["level"] == 4 and row["status"] == "achieved_plus" and len(row["signoffs"]) == 2


# --- refusals: nothing is written -------------------------------------------------------------


def test_the_trainee_cannot_sign_themselves_off(cli, repo):
    as_user(repo, ASHA)
    before = folder_state(repo)
    line = assert_refused(sign(cli, repo, "2.1.1", "--level", "3", "--feedback", FEEDBACK), "trainee")
    assert "asha@example.org" in line
    assert folder_state(repo) == before == {}
    # with a role chosen, still refused
    assert_refused(sign(cli, repo, "2.1.1", "--level", "3", "--feedback", FEEDBACK, "--as", "placement_manager"),
                   "trainee")
    assert folder_state(repo) == {}


@pytest.mark.parametrize("person, args, words", [
    (("Eve", "eve@example.org"), [], ["eve@example.org", "not the programme manager or a placement manager"]),
    (NIA, ["--date", "2026-05-01"], ["Placement 2", "2026-09-01"]),
])
def test_someone_who_is_not_a_manager_then_is_refused(cli, repo, person, args, words):
    as_user(repo, person)
    assert_refused(sign(cli, repo, "2.1.1", "--level", "3", "--feedback", FEEDBACK, *args), *words)
    assert folder_state(repo) == {}


def test_no_git_email_and_no_as_is_refused(cli, repo):
    git(repo, "config", "--unset", "user.email")
    git(repo, "config", "--global", "--unset", "user.email")
    assert_refused(sign(cli, repo, "2.1.1", "--level", "3", "--feedback", FEEDBACK), "user.email")


@pytest.mark.parametrize("args, words", [
    (["2.1.1", "--level", "3", "--feedback", "Good work."], ["2.1.1", "feedback has 2 words", "at least 5"]),
    (["2.1.1", "--level", "3", "--feedback", "   "], ["2.1.1", "no feedback"]),
    (["2.1.1", "--level", "3", "--feedback", ". " * 15], ["2.1.1", "feedback has 0 words", "at least 5"]),
    (["2.1.1", "--level", "3", "--feedback", "Good - - - - - - work!"], ["2.1.1", "feedback has 2 words"]),
    (["2.1.1", "--level", "7", "--feedback", FEEDBACK], ["level 7 is not on the scale"]),
    (["2.1.1", "--level", "0", "--feedback", FEEDBACK], ["level 0 is not on the scale"]),
    (["2.1.1", "--feedback", FEEDBACK], ["2.1.1", "needs a level"]),
    (["1.1.1", "--level", "3", "--feedback", FEEDBACK], ["1.1.1", "takes no level"]),
    (["9.9.9", "--level", "3", "--feedback", FEEDBACK], ["unknown competency '9.9.9'"]),
    (["../x", "--level", "3", "--feedback", FEEDBACK], ["not a competency id"]),
    (["2.1.1", "--level", "3", "--feedback", FEEDBACK, "--evidence", "nope"], ["unknown evidence 'nope'"]),
    (["2.1.1", "--level", "3", "--feedback", FEEDBACK, "--date", "2026-12-25"], ["in the future"]),
    (["2.1.1", "--level", "3", "--feedback", FEEDBACK, "--as", "pat@example.org", "--date", "2025-01-01"],
     ["outside the scheme"]),
])
def test_invalid_signoffs_are_refused_with_the_reason(cli, repo, args, words):
    if "pat@example.org" in args:
        as_user(repo, PAT)
        args = [a for a in args if a not in ("--as", "pat@example.org")]
    assert_refused(sign(cli, repo, *args), "cannot sign off", "nothing was written", *words)
    assert folder_state(repo) == {}


def test_a_folder_that_is_not_a_portfolio_is_refused(cli, repo):
    result = cli(["signoff", "portfolios/nobody", "2.1.1", "--level", "3", "--feedback", FEEDBACK], cwd=repo)
    assert_refused(result, "portfolios/nobody")


def test_a_signoffs_path_that_cannot_be_written_is_refused_without_a_traceback(cli, repo):
    (repo / "portfolios" / "asha" / "signoffs").write_text("not a folder\n")
    assert_refused(sign(cli, repo, "2.1.1", "--level", "3", "--feedback", FEEDBACK), "cannot write the sign-off")
    assert (repo / "portfolios" / "asha" / "signoffs").read_text() == "not a folder\n"


def test_missing_feedback_is_a_usage_error(cli, repo):
    result = sign(cli, repo, "2.1.1", "--level", "3")
    assert result.exit_code == 2 and "--feedback" in result.stderr
    assert folder_state(repo) == {}


def test_feedback_can_come_from_stdin(cli, repo):
    result = cli(["signoff", "portfolios/asha", "2.1.1", "--level", "3", "--feedback", "-"], cwd=repo,
                 input="First line of detailed feedback.\nSecond line with next steps.\n")
    assert result.exit_code == 0, result.stderr
    assert yaml.safe_load(signoff_files(repo)[0].read_text())["feedback"] == (
        "First line of detailed feedback.\nSecond line with next steps.")
    assert cli(["validate"], cwd=repo).exit_code == 0


# --- bulk -------------------------------------------------------------------------------------


def test_bulk_signoff_writes_one_record_each_with_the_same_feedback_and_level(cli, repo):
    result = sign(cli, repo, "2.1.1", "3.1.1", "3.1.4", "--level", "3", "--feedback", FEEDBACK)
    assert result.exit_code == 0, result.stderr
    records = [yaml.safe_load(p.read_text()) for p in signoff_files(repo)]
    assert sorted(r["competency"] for r in records) == ["2.1.1", "3.1.1", "3.1.4"]
    assert {r["level"] for r in records} == {3} and {r["feedback"] for r in records} == {FEEDBACK}
    assert "now at 30.0% achieved" in result.stdout
    assert cli(["validate"], cwd=repo).exit_code == 0


def test_bulk_signoff_with_one_bad_id_writes_nothing(cli, repo):
    line = assert_refused(sign(cli, repo, "2.1.1", "3.1.1", "3.9.9", "--level", "3", "--feedback", FEEDBACK),
                          "3.9.9", "nothing was written")
    assert "2.1.1" not in line  # only the bad one is named
    assert folder_state(repo) == {}


def test_bulk_signoff_names_every_bad_competency(cli, repo):
    line = assert_refused(sign(cli, repo, "1.1.1", "2.1.1", "9.9.9", "--level", "3", "--feedback", FEEDBACK),
                          "2 of the 3 competencies", "1.1.1", "9.9.9")
    assert "takes no level" in line
    assert folder_state(repo) == {}


# --- Personal Qualities: the reflective piece -------------------------------------------------


@pytest.mark.parametrize("words, ok", [(1500, False), (1799, False), (1800, True), (2000, True), (2200, True),
                                       (2201, False)])
def test_personal_qualities_need_a_reflective_piece_of_2000_words_within_10_percent(cli, make_repo, words, ok):
    root = new_repo(make_repo, words=words)
    as_user(root, NIA)
    result = sign(cli, root, "1.1.1", "1.1.2", "--feedback", FEEDBACK)
    if ok:
        assert result.exit_code == 0, result.stderr
        assert [yaml.safe_load(p.read_text())["achieved"] for p in signoff_files(root)] == [True, True]
        assert "1.1.1  achieved" in result.stdout and "now at 20.0% achieved" in result.stdout
        assert cli(["validate"], cwd=root).exit_code == 0
    else:
        assert_refused(result, f"the reflective piece has {words} words", "1800-2200")
        assert folder_state(root) == {}


def _edit_portfolio(root: Path, old: str, new: str) -> None:
    path = root / "portfolios" / "asha" / "portfolio.yaml"
    path.write_text(path.read_text().replace(old, new))


@pytest.mark.parametrize("old, new, words", [
    ("reflective_piece: {file: reflective-piece.md, completed: 2026-10-01}\n", "",
     ["there is none"]),
    ("completed: 2026-10-01", "completed: 2026-06-01", ["completed on 2026-06-01", "last 12 months"]),
    ("file: reflective-piece.md", "file: missing.md", ["cannot be read"]),
])
def test_personal_qualities_refused_without_a_piece_written_in_the_final_year(cli, repo, old, new, words):
    _edit_portfolio(repo, old, new)
    as_user(repo, PAT)
    assert_refused(sign(cli, repo, "1.1.1", "--feedback", FEEDBACK), *words)
    assert folder_state(repo) == {}


# --- --commit ---------------------------------------------------------------------------------


def test_commit_records_exactly_the_new_files_as_the_person_running_it(cli, repo):
    (repo / "staged.txt").write_text("staged by someone\n")
    git(repo, "add", "staged.txt")
    (repo / "portfolios" / "asha" / "evidence" / "e1.yaml").write_text(
        (repo / "portfolios" / "asha" / "evidence" / "e1.yaml").read_text() + "# unstaged edit\n")
    as_user(repo, ("Someone Else", "max@example.org"))
    result = sign(cli, repo, "2.1.1", "2.1.2", "--level", "3", "--feedback", FEEDBACK, "--commit")
    assert result.exit_code == 0, result.stderr
    head = git(repo, "log", "-1", "--format=%H%n%an <%ae>|%cn <%ce>%n%B").splitlines()
    # authored and committed by the person who ran it, under their own git name; the record
    # carries the name the portfolio gives
    assert head[1] == "Someone Else <max@example.org>|Someone Else <max@example.org>"
    assert head[2] == "Sign-off for asha: 2.1.1, 2.1.2 at level 3"
    assert "- 2.1.1: level 3 (Practical application)" in head and "- 2.1.2: level 3 (Practical application)" in head
    committed = git(repo, "show", "--name-only", "--format=", "HEAD").split()
    assert committed == [p.relative_to(repo).as_posix() for p in signoff_files(repo)]
    assert f"Committed as {head[0][:12]}" in result.stdout
    # what else was staged or changed is still staged or changed, and not committed
    assert git(repo, "diff", "--cached", "--name-only").split() == ["staged.txt"]
    assert git(repo, "diff", "--name-only").split() == ["portfolios/asha/evidence/e1.yaml"]


def test_a_failed_commit_removes_the_files_and_says_so(cli, repo):
    hook = repo / ".git" / "hooks" / "pre-commit"
    hook.write_text("#!/bin/sh\necho 'policy: no commits today' >&2\nexit 1\n")
    hook.chmod(0o755)
    head = git(repo, "rev-parse", "HEAD")
    result = sign(cli, repo, "2.1.1", "--level", "3", "--feedback", FEEDBACK, "--commit")
    assert_refused(result, "could not commit", "nothing was recorded")
    assert "policy: no commits today" in result.stderr.splitlines()[1]  # the hint carries git's message
    assert folder_state(repo) == {}
    assert git(repo, "rev-parse", "HEAD") == head
    assert git(repo, "status", "--porcelain") == ""


def test_commit_outside_a_git_repository_is_refused_before_writing(cli, make_repo):
    root = make_repo(CASE)
    (root / "portfolios" / "asha" / "reflective-piece.md").write_text("word " * 2000)
    git(root, "config", "--global", "user.email", "max@example.org")
    result = cli(["signoff", "portfolios/asha", "2.1.1", "--level", "3", "--feedback", FEEDBACK, "--commit"], cwd=root)
    assert_refused(result, "--commit needs a git repository")
    assert folder_state(root) == {}


# --- the installed entry point ----------------------------------------------------------------


def test_installed_entry_point_signs_off_and_refuses_cleanly(repo):
    exe = Path(sys.executable).parent / "compfw"

    def run(*args: str) -> subprocess.CompletedProcess:
        return subprocess.run([str(exe), *args], cwd=repo, capture_output=True, text=True)

    as_user(repo, ASHA)
    refused = run("signoff", "portfolios/asha", "2.1.1", "--level", "3", "--feedback", FEEDBACK)
    assert refused.returncode == 1 and refused.stdout == ""
    assert refused.stderr.startswith("error: ") and "\nhint: " in refused.stderr and "Traceback" not in refused.stderr
    as_user(repo, MAX)
    done = run("signoff", "portfolios/asha", "2.1.1", "--level", "3", "--feedback", FEEDBACK, "--commit")
    assert done.returncode == 0, done.stderr
    assert git(repo, "log", "-1", "--format=%ae").strip() == "max@example.org"
    audited = run("audit")
    # no trust policy in this repository: a warning, and the result says nothing is proved by signature
    assert audited.returncode == 0, audited.stdout + audited.stderr
    assert audited.stdout.startswith(".compfw/policy.yaml: warning: there is no trust policy")
