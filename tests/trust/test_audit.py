"""`compfw audit`: the sign-off history proved from real git repositories in tmp_path.

Each test builds history with plain git (as a manager, the trainee, or someone else) and checks
what the audit finds: the file, the commit and why.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest
from conftest import git
from test_signoff import ASHA, FEEDBACK, MAX, NIA, PAT, as_user, new_repo, signoff_files

RUNNER = ("Test Runner", "runner@example.org")
EVE = ("Eve Intruder", "eve@example.org")
SIGNOFFS = Path("portfolios") / "asha" / "signoffs"


@pytest.fixture(autouse=True)
def commits_made_today(monkeypatch):
    """Commits dated on the tests' fixed today, so that backdating is measured against it."""
    monkeypatch.setenv("GIT_COMMITTER_DATE", "2026-11-22T12:00:00+00:00")
    monkeypatch.setenv("GIT_AUTHOR_DATE", "2026-11-22T12:00:00+00:00")


def write_policy(root: Path, required: bool = False, keys: dict[str, Path] | None = None) -> None:
    """The trust policy: Pat (the programme manager) is the programme admin; keys by email."""
    signers = "".join(f"\n    - {{email: {email}, key: '{key.with_suffix('.pub').read_text().strip()}'}}"
                      for email, key in (keys or {}).items())
    (root / ".compfw").mkdir(exist_ok=True)
    (root / ".compfw" / "policy.yaml").write_text(
        f"admins:\n  - {{name: {PAT[0]}, email: {PAT[1]}}}\n"
        f"signatures:\n  required: {'true' if required else 'false'}\n  allowed_signers:{signers or ' []'}\n")


@pytest.fixture
def repo(make_repo):
    """The sign-off case repository with a policy that does not require signatures."""
    root = new_repo(make_repo)
    write_policy(root)
    commit(root, PAT, "trust policy")
    return root


def last_line(text: str) -> str:
    return text.splitlines()[-1]


def commit(root: Path, person: tuple[str, str], message: str, key: Path | None = None) -> str:
    """Commit everything as this person (author and committer), SSH-signed with key if given."""
    ident = ["-c", f"user.name={person[0]}", "-c", f"user.email={person[1]}"]
    signing = ["-c", "gpg.format=ssh", "-c", f"user.signingkey={key}"] if key else []
    git(root, "add", "-A")
    git(root, *ident, *signing, "commit", "-q", "-m", message, *(["-S"] if key else []))
    return git(root, "rev-parse", "HEAD").strip()


def write_record(root: Path, name: str, signer: tuple[str, str], role: str = "placement_manager",
                 competency: str = "2.1.1", level: int = 3, date: str = "2026-11-20") -> Path:
    """A sign-off written by hand, as someone might without the tool."""
    path = root / SIGNOFFS / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(f'competency: "{competency}"\nlevel: {level}\n'
                    f"signer: {{name: {signer[0]}, email: {signer[1]}, role: {role}}}\n"
                    f"date: {date}\nfeedback: {FEEDBACK}\n")
    return path


def audit(cli, root: Path, *args: str):
    return cli(["audit", *args], cwd=root)


def findings(cli, root: Path, *args: str) -> list[dict]:
    result = audit(cli, root, "--format", "json", *args)
    assert result.exit_code in (0, 1), result.stderr
    doc = json.loads(result.stdout)
    assert result.exit_code == (1 if doc["errors"] else 0)
    return doc["problems"]


def codes(problems: list[dict]) -> list[tuple[str, str]]:
    return sorted((Path(p["path"]).name, p["code"]) for p in problems)


def manager_signs(cli, root: Path, *competencies: str, person=MAX, level: str = "3") -> str:
    as_user(root, person)
    result = cli(["signoff", "portfolios/asha", *competencies, "--level", level, "--feedback", FEEDBACK, "--commit"],
                 cwd=root)
    assert result.exit_code == 0, result.stderr
    return git(root, "rev-parse", "HEAD").strip()


# --- the happy path ---------------------------------------------------------------------------


def test_a_manager_signs_off_and_the_audit_is_clean(cli, repo):
    manager_signs(cli, repo, "2.1.1", "2.1.2")
    manager_signs(cli, repo, "3.1.1", person=PAT)
    result = audit(cli, repo)
    assert result.exit_code == 0, result.stdout
    assert last_line(result.stdout) == "ok: no problems in 3 sign-off file(s) in the history of HEAD"
    # signatures are not required by this policy: the result says what rests on metadata alone
    assert "\nnot proved: 3 sign-off file(s): each added by a commit whose author and committer are its signer" \
        in result.stdout and "-- as commit metadata only" in result.stdout
    assert cli(["validate"], cwd=repo).exit_code == 0


def test_a_manager_branch_merged_with_a_merge_commit_is_clean(cli, repo):
    git(repo, "checkout", "-q", "-b", "signoff")
    manager_signs(cli, repo, "2.1.1")
    git(repo, "checkout", "-q", "main")
    (repo / "notes.txt").write_text("meanwhile on main\n")
    commit(repo, RUNNER, "unrelated work")
    git(repo, "-c", "user.name=Test Runner", "-c", "user.email=runner@example.org", "merge", "-q", "--no-ff",
        "-m", "Merge sign-off", "signoff")
    assert findings(cli, repo) == []
    assert findings(cli, repo, "--base", "HEAD^1") == []


# --- forged, edited, deleted ------------------------------------------------------------------


def test_the_trainee_signing_themselves_off_by_hand_is_caught(cli, repo):
    write_record(repo, "self.yaml", ASHA)
    sha = commit(repo, ASHA, "my sign-off")
    problems = findings(cli, repo)
    assert codes(problems) == [("self.yaml", "audit-self-signoff")]
    assert sha[:12] in problems[0]["message"] and "trainees never sign themselves off" in problems[0]["message"]
    assert problems[0]["path"] == (SIGNOFFS / "self.yaml").as_posix()


def test_a_signoff_naming_a_manager_but_added_by_the_trainee_is_caught(cli, repo):
    write_record(repo, "forged.yaml", MAX)
    sha = commit(repo, ASHA, "looks like Max signed")
    [problem] = findings(cli, repo)
    assert problem["code"] == "trust-author-mismatch"
    assert f"added in commit {sha[:12]} authored by Asha Trainee <asha@example.org>" in problem["message"]
    assert "names max@example.org as the signer" in problem["message"]


def test_a_signoff_added_in_a_commit_authored_by_someone_else_is_caught(cli, repo):
    as_user(repo, MAX)
    assert cli(["signoff", "portfolios/asha", "2.1.1", "--level", "3", "--feedback", FEEDBACK], cwd=repo).exit_code == 0
    sha = commit(repo, RUNNER, "committed on Max's behalf")
    [problem] = findings(cli, repo)
    assert problem["code"] == "trust-author-mismatch" and sha[:12] in problem["message"]
    assert "Test Runner <runner@example.org>" in problem["message"]


def test_a_signoff_edited_in_a_later_commit_is_caught(cli, repo):
    manager_signs(cli, repo, "2.1.1", level="2")
    [path] = signoff_files(repo)
    path.write_text(path.read_text().replace("level: 2", "level: 5"))
    sha = commit(repo, MAX, "raise the level")  # even the signer cannot edit a record
    [problem] = findings(cli, repo)
    assert problem["code"] == "audit-modified" and problem["path"].endswith(path.name)
    assert f"modified in commit {sha[:12]} by Max Place <max@example.org>" in problem["message"]


def test_a_deleted_signoff_is_caught(cli, repo):
    manager_signs(cli, repo, "2.1.1")
    [path] = signoff_files(repo)
    path.unlink()
    sha = commit(repo, ASHA, "tidy up")
    [problem] = findings(cli, repo)
    assert problem["code"] == "audit-deleted" and problem["path"].endswith(path.name)
    assert f"deleted in commit {sha[:12]} by Asha Trainee" in problem["message"]


def test_a_renamed_signoff_is_a_deletion_and_a_new_unsigned_record(cli, repo):
    manager_signs(cli, repo, "2.1.1")
    [path] = signoff_files(repo)
    git(repo, "mv", str(path), str(path.with_name("renamed.yaml")))
    commit(repo, RUNNER, "rename")
    assert codes(findings(cli, repo)) == [(path.name, "audit-deleted"), ("renamed.yaml", "trust-author-mismatch")]


def test_a_merge_that_changes_a_signoff_itself_is_caught(cli, repo):
    manager_signs(cli, repo, "2.1.1", level="2")
    [path] = signoff_files(repo)
    git(repo, "checkout", "-q", "-b", "side")
    (repo / "side.txt").write_text("side work\n")
    commit(repo, RUNNER, "side work")
    git(repo, "checkout", "-q", "main")
    (repo / "main.txt").write_text("main work\n")
    commit(repo, RUNNER, "main work")
    git(repo, "-c", "user.name=Test Runner", "-c", "user.email=runner@example.org", "merge", "-q", "--no-ff",
        "--no-commit", "side")
    path.write_text(path.read_text().replace("level: 2", "level: 4"))
    sha = commit(repo, RUNNER, "evil merge")
    [problem] = findings(cli, repo)
    assert problem["code"] == "audit-modified" and f"merge commit {sha[:12]}" in problem["message"]


def test_a_squash_merge_loses_the_managers_authorship(cli, repo):
    git(repo, "checkout", "-q", "-b", "signoff")
    manager_signs(cli, repo, "2.1.1")
    git(repo, "checkout", "-q", "main")
    git(repo, "merge", "-q", "--squash", "signoff")
    commit(repo, RUNNER, "Squashed pull request")
    [problem] = findings(cli, repo)
    assert problem["code"] == "trust-author-mismatch" and "merge commit" in problem["hint"]


# --- authority --------------------------------------------------------------------------------


def test_a_placement_manager_signing_before_their_placement_starts_is_caught(cli, repo):
    write_record(repo, "early.yaml", NIA, date="2026-05-01")
    commit(repo, NIA, "early sign-off")
    backdated, problem = findings(cli, repo)
    assert backdated["code"] == "trust-backdated" and "205 days later" in backdated["message"]  # recorded on 2026-11-22, 205 days later
    assert problem["code"] == "audit-authority"
    assert "nia@example.org was not authorised to sign off 2.1.1 on 2026-05-01" in problem["message"]


def _add_eve_as_a_manager(root: Path) -> None:
    path = root / "portfolios" / "asha" / "portfolio.yaml"
    eve = ("  - name: Placement 3\n    start: 2026-10-01\n    end: 2027-08-31\n"
           "    manager: {name: Eve Intruder, email: eve@example.org}\n")
    path.write_text(path.read_text().replace("reflective_piece:", eve + "reflective_piece:"))


def test_a_pull_request_cannot_add_a_manager_and_sign_off(cli, repo):
    git(repo, "checkout", "-q", "-b", "pr")
    _add_eve_as_a_manager(repo)
    commit(repo, ASHA, "new placement")
    write_record(repo, "eve.yaml", EVE)
    sha = commit(repo, EVE, "sign-off")
    guarded, problem = findings(cli, repo, "--base", "main")
    assert guarded["code"] == "trust-guarded-change" and guarded["path"].endswith("asha/portfolio.yaml")
    assert problem["code"] == "audit-authority"
    assert f"by portfolio.yaml in the base main (commit {sha[:12]})" in problem["message"]
    assert cli(["validate"], cwd=repo).exit_code == 0  # at HEAD, Eve is a manager: only history tells
    # The whole-history audit reads authority from the adding commit's parent, where Eve is a
    # manager: that is why CI audits a pull request against its base.
    assert findings(cli, repo) == []


def test_a_signoff_in_the_pull_request_that_creates_the_portfolio_is_caught(cli, repo):
    git(repo, "checkout", "-q", "-b", "pr")
    folder = repo / "portfolios" / "cara"
    folder.mkdir()
    (folder / "portfolio.yaml").write_text(
        (repo / "portfolios" / "ben" / "portfolio.yaml").read_text().replace("ben", "cara"))
    (folder / "signoffs").mkdir()
    record = write_record(repo, "x.yaml", ("Kim Lee", "kim@example.org"))
    record.rename(folder / "signoffs" / "x.yaml")
    commit(repo, ("Kim Lee", "kim@example.org"), "portfolio and sign-off")
    guarded, problem = findings(cli, repo, "--base", "main")
    assert guarded["code"] == "trust-guarded-change" and guarded["path"] == "portfolios/cara/portfolio.yaml"
    assert problem["code"] == "audit-authority" and "there is none" in problem["message"]


def test_the_base_limits_the_audit_to_the_pull_requests_commits(cli, repo):
    write_record(repo, "old.yaml", MAX)
    commit(repo, RUNNER, "an old problem already on main")
    git(repo, "checkout", "-q", "-b", "pr")
    manager_signs(cli, repo, "3.1.1")
    assert findings(cli, repo, "--base", "main") == []
    result = audit(cli, repo, "--base", "main")
    assert last_line(result.stdout) == "ok: no problems in 1 sign-off file(s) in main..HEAD"
    assert codes(findings(cli, repo)) == [("old.yaml", "trust-author-mismatch")]


def test_editing_an_old_signoff_in_a_pull_request_is_caught(cli, repo):
    manager_signs(cli, repo, "2.1.1")
    git(repo, "checkout", "-q", "-b", "pr")
    [path] = signoff_files(repo)
    path.write_text(path.read_text().replace("level: 3", "level: 5"))
    commit(repo, ASHA, "improve")
    assert codes(findings(cli, repo, "--base", "main")) == [(path.name, "audit-modified")]


# --- output formats and exit codes ------------------------------------------------------------


def test_text_and_github_output(cli, repo):
    write_record(repo, "self.yaml", ASHA)
    commit(repo, ASHA, "my sign-off")
    text = audit(cli, repo, "--format", "text")
    assert text.exit_code == 1
    assert text.stdout.startswith("portfolios/asha/signoffs/self.yaml: error: signed by the trainee")
    assert text.stdout.endswith("1 error(s), 0 warning(s) in 1 sign-off file(s) in the history of HEAD\n")
    github = audit(cli, repo, "--format", "github")
    assert github.exit_code == 1
    assert github.stdout.startswith("::error file=portfolios/asha/signoffs/self.yaml,title=compfw audit-self-signoff::")
    assert "\x1b[" not in github.stdout + text.stdout


def test_an_uncommitted_signoff_is_a_warning(cli, repo):
    as_user(repo, MAX)
    assert cli(["signoff", "portfolios/asha", "2.1.1", "--level", "3", "--feedback", FEEDBACK], cwd=repo).exit_code == 0
    result = audit(cli, repo)
    assert result.exit_code == 0 and "warning: sign-off is not committed" in result.stdout


@pytest.mark.parametrize("setup, args, words", [
    ("plain", [], "not in a git repository"),
    ("repo", ["--base", "no-such-branch"], "--base 'no-such-branch' is not a commit"),
    ("shallow", [], "shallow clone"),
])
def test_audit_refusals(cli, make_repo, repo, tmp_path, setup, args, words):
    root = {"plain": lambda: make_repo(name="plain"), "repo": lambda: repo,
            "shallow": lambda: _shallow_clone(repo, tmp_path / "shallow")}[setup]()
    result = audit(cli, root, *args)
    assert result.exit_code == 1 and result.stdout == ""
    assert result.stderr.startswith("error: ") and words in result.stderr and "\nhint: " in result.stderr


def _shallow_clone(source: Path, dest: Path) -> Path:
    manager_file = source / "more.txt"
    manager_file.write_text("second commit\n")
    commit(source, RUNNER, "second")
    subprocess.run(["git", "clone", "-q", "--depth", "1", f"file://{source}", str(dest)], check=True)
    return dest


# --- signatures -------------------------------------------------------------------------------

needs_ssh_keygen = pytest.mark.skipif(shutil.which("ssh-keygen") is None, reason="SSH signing needs ssh-keygen")


def keypair(folder: Path, name: str) -> Path:
    key = folder / name
    subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", name, "-f", str(key)], check=True)
    return key


def allowed_line(email: str, key: Path) -> str:
    return f'{email} namespaces="git" {key.with_suffix(".pub").read_text().strip()}\n'


@pytest.fixture
def signed_repo(repo, tmp_path):
    """main trusts Max's and Asha's keys (each for their own email); the pull request branch is 'pr'."""
    keys = tmp_path / "keys"
    keys.mkdir()
    found = {name: keypair(keys, name) for name in ("max", "asha", "stranger")}
    write_policy(repo, keys={MAX[1]: found["max"], ASHA[1]: found["asha"]})
    commit(repo, PAT, "trust managers' keys")
    git(repo, "checkout", "-q", "-b", "pr")
    return repo, found


@needs_ssh_keygen
def test_ssh_signed_signoff_commits_pass_require_signed(cli, signed_repo):
    repo, keys = signed_repo
    write_record(repo, "signed.yaml", MAX)
    commit(repo, MAX, "sign-off", key=keys["max"])
    assert findings(cli, repo, "--base", "main", "--require-signed") == []
    assert findings(cli, repo, "--require-signed") == []  # keys from HEAD when there is no base


@needs_ssh_keygen
def test_unsigned_signoff_commits_fail_require_signed(cli, signed_repo):
    repo, _ = signed_repo
    manager_signs(cli, repo, "2.1.1")
    sha = git(repo, "rev-parse", "HEAD").strip()
    assert findings(cli, repo, "--base", "main") == []  # authored right; no signature asked for
    [problem] = findings(cli, repo, "--base", "main", "--require-signed")
    assert problem["code"] == "trust-unsigned" and f"commit {sha[:12]} that added it has no signature" in problem["message"]


@needs_ssh_keygen
def test_a_key_the_base_does_not_list_fails_require_signed(cli, signed_repo):
    repo, keys = signed_repo
    write_record(repo, "stranger.yaml", MAX)
    commit(repo, MAX, "signed with an unknown key", key=keys["stranger"])
    [problem] = findings(cli, repo, "--base", "main", "--require-signed")
    assert problem["code"] == "trust-unsigned" and "does not allow" in problem["message"]


@needs_ssh_keygen
def test_a_good_signature_by_someone_else_fails_require_signed(cli, signed_repo):
    repo, keys = signed_repo
    write_record(repo, "borrowed.yaml", MAX)
    commit(repo, MAX, "authored as Max, signed by Asha", key=keys["asha"])
    [problem] = findings(cli, repo, "--base", "main", "--require-signed")
    assert problem["code"] == "trust-unsigned"
    assert "signed by asha@example.org, not by max@example.org" in problem["message"]


@needs_ssh_keygen
def test_allowed_signers_changed_in_the_pull_request_are_not_trusted(cli, signed_repo):
    repo, keys = signed_repo
    write_policy(repo, keys={MAX[1]: keys["stranger"]})
    commit(repo, ASHA, "trust one more key")
    write_record(repo, "stranger.yaml", MAX)
    commit(repo, MAX, "sign-off", key=keys["stranger"])
    guarded, problem = findings(cli, repo, "--base", "main", "--require-signed")
    assert guarded["code"] == "trust-guarded-change" and guarded["path"] == ".compfw/policy.yaml"
    assert "Asha Trainee <asha@example.org> is not a programme admin" in guarded["message"]
    assert problem["code"] == "trust-unsigned" and "does not allow" in problem["message"]


@needs_ssh_keygen
def test_require_signed_needs_the_policy_on_the_base(cli, make_repo, tmp_path):
    repo = new_repo(make_repo, name="nopolicy")
    git(repo, "checkout", "-q", "-b", "pr")
    write_policy(repo, required=True, keys={MAX[1]: keypair(tmp_path, "k")})
    commit(repo, MAX, "bring my own trust")
    problems = findings(cli, repo, "--base", "main", "--require-signed")
    assert [(p["path"], p["code"], p["severity"]) for p in problems] == [
        (".compfw/policy.yaml", "trust-guarded-change", "error"), (".compfw/policy.yaml", "trust-no-policy", "error")]
    assert "no trust policy (.compfw/policy.yaml) in the base main" in problems[1]["message"]
    # without a flag, a missing policy is a warning, and the result says nothing is proved by signature
    plain = audit(cli, repo, "--base", "main", "--format", "json")
    assert '"not_proved": [\n    "no usable trust policy in the base main' in plain.stdout


# --- odd shapes -------------------------------------------------------------------------------


def test_a_signoff_that_cannot_be_read_is_a_finding(cli, repo):
    (repo / SIGNOFFS).mkdir(parents=True)
    (repo / SIGNOFFS / "broken.yaml").write_text("competency: [unclosed\n")
    (repo / SIGNOFFS / "notes.txt").write_text("not a record: ignored, as the loader ignores it\n")
    commit(repo, MAX, "oops")
    assert codes(findings(cli, repo)) == [("broken.yaml", "audit-unreadable")]


def test_audit_where_compfw_lives_in_a_subfolder_of_the_repository(cli, make_repo, tmp_path):
    from test_signoff import CASE

    top = tmp_path / "top"
    root = make_repo(CASE, name="top/training")
    (root / "portfolios" / "asha" / "reflective-piece.md").write_text("word " * 2000)
    git(top, "init", "-q")
    commit(top, RUNNER, "initial")
    manager_signs(cli, root, "2.1.1")
    write_record(root, "forged.yaml", MAX)
    commit(top, ASHA, "forged")
    result = audit(cli, root / "portfolios")  # from anywhere inside
    assert result.exit_code == 1
    assert "training/.compfw/policy.yaml: warning: there is no trust policy" in result.stdout
    assert "\nasha/signoffs/forged.yaml: error: added in commit" in result.stdout
    assert "2 sign-off file(s)" in result.stdout
