"""`compfw signoff` records as the person running it, and its writes are whole or absent.

Real git repositories in tmp_path (tests/cases/signoff/repo), the installed `compfw` run as a
subprocess where a process must be killed or interrupted. COMPFW_TEST_SIGNAL_AT names a step of
recording.py at which the process signals itself (KILL, or INT), so that every step is hit
exactly; a loop of kills after random delays checks the same without the hook.
"""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from conftest import git
from test_signoff import ASHA, FEEDBACK, MAX, PAT, as_user, assert_refused, folder_state, new_repo, sign

EXE = Path(sys.executable).parent / "compfw"
BULK = ["signoff", "portfolios/asha", "2.1.1", "3.1.1", "3.1.4", "--level", "3", "--feedback", FEEDBACK]


@pytest.fixture
def repo(make_repo):
    root = new_repo(make_repo)
    as_user(root, MAX)
    return root


def run(root: Path, *args: str, env: dict | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([str(EXE), *args], cwd=root, capture_output=True, text=True,
                          env=dict(os.environ, **(env or {})), stdin=subprocess.DEVNULL)


def porcelain(root: Path) -> list[str]:
    """Everything git would take with `git add -A` (untracked files one by one), and what is staged."""
    return git(root, "status", "--porcelain", "--untracked-files=all").splitlines()


def head(root: Path) -> str:
    return git(root, "rev-parse", "HEAD").strip()


# --- who signs --------------------------------------------------------------------------------


def test_as_an_email_is_refused_as_a_usage_error_and_nothing_is_written(cli, repo):
    as_user(repo, ASHA)
    result = sign(cli, repo, "2.1.1", "--level", "3", "--feedback", FEEDBACK, "--as", "max@example.org", "--commit")
    assert result.exit_code == 2
    assert "'max@example.org' is a person, and --as chooses only your role" in result.stderr
    assert folder_state(repo) == {} and porcelain(repo) == []


def test_as_an_unknown_role_is_a_usage_error(cli, repo):
    result = sign(cli, repo, "2.1.1", "--level", "3", "--feedback", FEEDBACK, "--as", "boss")
    assert result.exit_code == 2 and "'boss' is not a role" in result.stderr


def test_as_a_role_you_do_not_hold_is_refused(cli, repo):
    line = assert_refused(sign(cli, repo, "2.1.1", "--level", "3", "--feedback", FEEDBACK, "--as", "programme_manager"),
                          "not a programme manager of asha", "placement manager")
    assert "max@example.org" in line
    assert folder_state(repo) == {}


def test_as_chooses_between_your_own_roles(cli, repo):
    portfolio = repo / "portfolios" / "asha" / "portfolio.yaml"
    portfolio.write_text(portfolio.read_text().replace("manager: {name: Max Place, email: max@example.org",
                                                       "manager: {name: Pat Prog, email: pat@example.org"))
    as_user(repo, PAT)
    assert sign(cli, repo, "2.1.1", "--level", "3", "--feedback", FEEDBACK, "--as", "placement-manager").exit_code == 0
    assert sign(cli, repo, "3.1.1", "--level", "3", "--feedback", FEEDBACK).exit_code == 0
    roles = sorted(p.read_text().split("role: ")[1].split("}")[0].split("\n")[0] for p in
                   (repo / "portfolios" / "asha" / "signoffs").glob("*.yaml"))
    assert roles == ["placement_manager", "programme_manager"]


@pytest.mark.parametrize("variable", ["GIT_AUTHOR_EMAIL", "GIT_COMMITTER_EMAIL"])
def test_an_environment_that_makes_git_record_someone_else_is_refused(repo, variable):
    as_user(repo, ASHA)  # the trainee, trying to have git write the manager's name on the commit
    done = run(repo, *BULK, "--commit", env={variable: "max@example.org"})
    assert done.returncode == 1 and done.stdout == ""
    assert done.stderr.startswith(f"error: git would record the {variable.split('_')[1].lower()} as max@example.org, "
                                  "but your git user.email is asha@example.org")
    assert f"hint: unset {variable}" in done.stderr
    assert folder_state(repo) == {} and porcelain(repo) == []


def test_the_commit_is_authored_and_committed_by_the_person_running_it(repo):
    before = head(repo)
    done = run(repo, *BULK, "--commit")
    assert done.returncode == 0, done.stderr
    assert git(repo, "log", "-1", "--format=%an <%ae>|%cn <%ce>").strip() == (
        "Max Place <max@example.org>|Max Place <max@example.org>")
    assert git(repo, "rev-parse", "HEAD^").strip() == before
    assert "authored and committed by you (max@example.org)" in done.stdout
    assert porcelain(repo) == []


# --- a refused commit leaves nothing ----------------------------------------------------------


def test_a_held_index_lock_refuses_before_writing_and_nothing_is_staged(repo):
    lock = repo / ".git" / "index.lock"
    lock.write_text("")  # another git process is working
    before = head(repo)
    done = run(repo, *BULK, "--commit")
    assert done.returncode == 1, done.stdout + done.stderr
    assert done.stderr.splitlines()[0] == ("error: another git process is using this repository "
                                           "(.git/index.lock exists), so nothing was written")
    assert folder_state(repo) == {} and head(repo) == before
    lock.unlink()
    assert porcelain(repo) == [] and git(repo, "diff", "--cached", "--name-only") == ""


def _hook(repo: Path, body: str) -> None:
    hook = repo / ".git" / "hooks" / "pre-commit"
    hook.write_text("#!/bin/sh\n" + body)
    hook.chmod(0o755)


def test_an_index_lock_taken_during_the_commit_and_released_is_waited_for(repo):
    # The hook runs mid-commit: another git process takes the index for a moment.
    _hook(repo, 'touch "$(git rev-parse --git-common-dir)/index.lock"\n'
                '(sleep 1; rm -f "$(git rev-parse --git-common-dir)/index.lock") >/dev/null 2>&1 &\nexit 0\n')
    done = run(repo, *BULK, "--commit")
    assert done.returncode == 0, done.stderr
    assert len(folder_state(repo)) == 3 and porcelain(repo) == []


def test_an_index_lock_held_all_along_undoes_the_commit_and_leaves_nothing(repo):
    _hook(repo, 'touch "$(git rev-parse --git-common-dir)/index.lock"\nexit 0\n')
    before = head(repo)
    done = run(repo, *BULK, "--commit")
    assert done.returncode == 1, done.stdout + done.stderr
    assert "the commit was undone and nothing was recorded" in done.stderr
    assert head(repo) == before and folder_state(repo) == {}
    (repo / ".git" / "index.lock").unlink()
    assert porcelain(repo) == []


def test_a_commit_refused_by_a_hook_leaves_nothing_staged_or_written(repo):
    (repo / "other.txt").write_text("staged by the manager earlier\n")
    git(repo, "add", "other.txt")
    _hook(repo, "echo 'no commits today' >&2\nexit 1\n")
    before = head(repo)
    done = run(repo, *BULK, "--commit")
    assert done.returncode == 1 and "no commits today" in done.stderr
    assert head(repo) == before and folder_state(repo) == {}
    assert porcelain(repo) == ["A  other.txt"]  # what was staged before stays staged, nothing more


def test_a_merge_in_progress_is_refused_before_writing(repo):
    (repo / ".git" / "MERGE_HEAD").write_text(head(repo) + "\n")
    done = run(repo, *BULK, "--commit")
    assert done.returncode == 1
    assert done.stderr.startswith("error: git is in the middle of a merge")
    assert folder_state(repo) == {}


# --- kill -9 at every step: whole or absent ---------------------------------------------------

COMMIT_STEPS = {"journal-written": False, "record-1-written": False, "record-2-written": False,
                "record-3-written": False, "records-written": False, "committed": True, "index-updated": True,
                "before-journal-removed": True}
# Without --commit, a batch whose files are all in place is whole, and is kept.
WRITE_STEPS = {"journal-written": False, "record-1-written": False, "record-2-written": False,
               "record-3-written": True, "records-written": True, "before-journal-removed": True}


def _assert_whole_or_absent(repo: Path, initial: str, whole: bool, committed: bool) -> None:
    files = folder_state(repo)
    assert len(files) == (3 if whole else 0), sorted(files)
    assert not [name for name in files if name.startswith(".")]
    if committed:
        assert git(repo, "rev-parse", "HEAD^").strip() == initial
        assert porcelain(repo) == []
    else:
        assert head(repo) == initial
        expected = sorted(f"?? portfolios/asha/signoffs/{name}" for name in files)
        assert sorted(porcelain(repo)) == expected


@pytest.mark.parametrize("commit", [True, False], ids=["commit", "no-commit"])
def test_a_bulk_signoff_killed_at_any_step_is_whole_or_absent_after_the_next_command(repo, commit):
    steps = COMMIT_STEPS if commit else WRITE_STEPS
    initial = head(repo)
    for step, whole in steps.items():
        killed = run(repo, *BULK, *(["--commit"] if commit else []), env={"COMPFW_TEST_SIGNAL_AT": step})
        assert killed.returncode == -signal.SIGKILL, (step, killed.stderr)
        # Before any compfw command: never a temporary file where `git add -A` would take it.
        assert all(line.endswith(".yaml") and "/signoffs/" in line for line in porcelain(repo)), (step, porcelain(repo))
        nxt = run(repo, "validate")
        assert nxt.returncode == 0, (step, nxt.stdout, nxt.stderr)
        assert nxt.stderr.startswith("note: an interrupted sign-off "), (step, nxt.stderr)
        _assert_whole_or_absent(repo, initial, whole, commit and whole)
        assert not (repo / ".git" / "compfw" / "signoff-journal.json").exists()
        # back to the start for the next step
        git(repo, "reset", "-q", "--hard", initial)
        git(repo, "clean", "-q", "-fd")


def test_a_bulk_signoff_killed_after_random_delays_is_always_whole_or_absent(repo):
    initial = head(repo)
    rng = random.Random(11)
    outcomes = set()
    for _ in range(12):
        process = subprocess.Popen([str(EXE), *BULK, "--commit"], cwd=repo, stdout=subprocess.DEVNULL,
                                   stderr=subprocess.DEVNULL, stdin=subprocess.DEVNULL)
        time.sleep(rng.uniform(0.0, 1.5))
        process.kill()
        process.wait()
        nxt = run(repo, "status", "portfolios/asha", "--json")
        assert nxt.returncode == 0, nxt.stderr
        committed = head(repo) != initial
        _assert_whole_or_absent(repo, initial, committed, committed)
        outcomes.add(committed)
        git(repo, "reset", "-q", "--hard", initial)
        git(repo, "clean", "-q", "-fd")
    assert outcomes  # (which of the two each run gave depends on the machine's speed)


# --- Ctrl-C: the exit code says whether the commit landed -------------------------------------


def test_ctrl_c_after_the_commit_landed_exits_0_and_says_so(repo):
    initial = head(repo)
    done = run(repo, *BULK, "--commit", env={"COMPFW_TEST_SIGNAL_AT": "committed", "COMPFW_TEST_SIGNAL": "INT"})
    assert done.returncode == 0, done.stderr
    landed = head(repo)
    assert landed != initial and git(repo, "rev-parse", "HEAD^").strip() == initial
    assert done.stdout.splitlines()[-1] == ("Interrupted after the commit had landed: the sign-off is recorded as "
                                            f"{landed[:12]}.")
    assert porcelain(repo) == [] and len(folder_state(repo)) == 3


@pytest.mark.parametrize("step", ["journal-written", "record-2-written", "records-written"])
def test_ctrl_c_before_the_commit_exits_130_with_nothing_recorded(repo, step):
    initial = head(repo)
    done = run(repo, *BULK, "--commit", env={"COMPFW_TEST_SIGNAL_AT": step, "COMPFW_TEST_SIGNAL": "INT"})
    assert done.returncode == 130, done.stdout + done.stderr
    assert done.stderr == "interrupted (SIGINT): nothing was recorded\n" and done.stdout == ""
    assert head(repo) == initial and folder_state(repo) == {} and porcelain(repo) == []
    assert not (repo / ".git" / "compfw" / "signoff-journal.json").exists()


def test_sigterm_before_the_commit_exits_143_with_nothing_recorded(repo):
    done = run(repo, *BULK, "--commit", env={"COMPFW_TEST_SIGNAL_AT": "records-written", "COMPFW_TEST_SIGNAL": "TERM"})
    assert done.returncode == 143 and done.stderr == "interrupted (SIGTERM): nothing was recorded\n"
    assert folder_state(repo) == {} and porcelain(repo) == []


# --- temporary files never show --------------------------------------------------------------


def test_no_temporary_file_is_ever_in_the_work_tree(repo):
    done = run(repo, *BULK)
    assert done.returncode == 0, done.stderr
    names = sorted(folder_state(repo))
    assert len(names) == 3 and not any(n.startswith(".") for n in names)
    assert sorted(porcelain(repo)) == sorted(f"?? portfolios/asha/signoffs/{n}" for n in names)
    ignored = git(repo, "status", "--porcelain", "--ignored", "--untracked-files=all").splitlines()
    assert not [line for line in ignored if line.startswith("!!")]
    scratch = repo / ".git" / "compfw"
    assert sorted(p.name for p in scratch.iterdir()) == ["signoff.lock", "tmp"] and not list((scratch / "tmp").iterdir())
