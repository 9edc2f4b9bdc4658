"""Issue 11's attacks 1-6, each tried as a trainee would on a real git repository, each caught by
`compfw audit --base main` (and `validate` where it applies) with its own finding code; and the
shipped CI workflow's exact audit command failing such a pull request.

The base branch `main` holds a trust policy that requires signatures: Helen is the programme
admin; Helen's, Max's (Asha's placement manager) and Kim's (Ben's) SSH keys are allowed. Asha,
the trainee, pushes the branch `pr`.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from conftest import REPO, git
from test_audit import ASHA, MAX, codes, commit, findings, keypair, write_record
from test_signoff import new_repo

from compfw.model.loading import shipped_dir

pytestmark = pytest.mark.skipif(shutil.which("ssh-keygen") is None, reason="SSH signing needs ssh-keygen")

HELEN = ("Helen Morris", "helen@example.org")
KIM = ("Kim Lee", "kim@example.org")
ACTION = REPO / "action.yml"  # the example workflow runs this action (docs/github-action.md)


@pytest.fixture(autouse=True)
def commits_made_today(monkeypatch):
    monkeypatch.setenv("GIT_COMMITTER_DATE", "2026-11-22T12:00:00+00:00")
    monkeypatch.setenv("GIT_AUTHOR_DATE", "2026-11-22T12:00:00+00:00")


def policy_text(keys: dict[str, Path], required: bool = True) -> str:
    signers = "".join(f"\n    - {{email: {email}, key: '{key.with_suffix('.pub').read_text().strip()}'}}"
                      for email, key in keys.items())
    return (f"admins:\n  - {{name: {HELEN[0]}, email: {HELEN[1]}, handle: hmorris}}\n"
            f"signatures:\n  required: {str(required).lower()}\n  allowed_signers:{signers}\n"
            "backdating_days: 14\n")


@pytest.fixture
def keys(tmp_path) -> dict[str, Path]:
    folder = tmp_path / "keys"
    folder.mkdir()
    return {name: keypair(folder, name) for name in ("helen", "max", "kim", "asha")}


def make_trusted(root: Path, keys: dict[str, Path], required: bool = True) -> Path:
    """Helen commits the policy (signed) and Kim a sign-off for Ben (signed); then the branch `pr`."""
    (root / ".compfw").mkdir(exist_ok=True)
    (root / ".compfw" / "policy.yaml").write_text(policy_text(
        {HELEN[1]: keys["helen"], MAX[1]: keys["max"], KIM[1]: keys["kim"]}, required))
    commit(root, HELEN, "trust policy", key=keys["helen"])
    ben = root / "portfolios" / "ben" / "signoffs"
    ben.mkdir(parents=True)
    record = write_record(root, "kim-1.yaml", KIM, competency="2.1.1", level=4)
    record.rename(ben / "kim-1.yaml")
    commit(root, KIM, "Kim signs Ben off", key=keys["kim"])
    git(root, "checkout", "-q", "-b", "pr")
    return root


@pytest.fixture
def repo(make_repo, keys):
    return make_trusted(new_repo(make_repo), keys)


def pr_codes(cli, root: Path) -> list[tuple[str, str]]:
    return codes(findings(cli, root, "--base", "main", "--require-policy"))


# --- 1. a symlinked signoffs/ folder ----------------------------------------------------------


def test_attack_1_a_linked_signoffs_folder_is_caught_and_never_followed(cli, repo):
    # Records naming Asha's manager, kept outside portfolios/ where the audit of records never looks.
    stash = write_record(repo, "2.1.1.yaml", MAX, level=5)
    (repo / "notes").mkdir()
    stash.rename(repo / "notes" / "2.1.1.yaml")
    shutil.rmtree(repo / "portfolios" / "asha" / "signoffs", ignore_errors=True)  # a new trainee's, say
    (repo / "portfolios" / "asha" / "signoffs").symlink_to("../../notes", target_is_directory=True)
    commit(repo, ASHA, "my sign-offs live in notes/")
    assert pr_codes(cli, repo) == [("signoffs", "trust-symlink")]
    validated = cli(["validate", "--format", "json"], cwd=repo)
    assert validated.exit_code == 1
    assert [(p["path"], p["code"]) for p in json.loads(validated.stdout)["problems"]] == [
        ("portfolios/asha/signoffs", "trust-symlink")]
    status = cli(["status", "portfolios/asha", "--json"], cwd=repo)
    assert json.loads(status.stdout)["achieved"] == 0  # the record behind the link is not counted
    assert "portfolios/asha/signoffs: error: folder is a symbolic link" in status.stderr
    # The same record as a real file would count: the link, not the record, is what is refused.
    (repo / "portfolios" / "asha" / "signoffs").unlink()
    (repo / "portfolios" / "asha" / "signoffs").mkdir()
    shutil.copy(repo / "notes" / "2.1.1.yaml", repo / "portfolios" / "asha" / "signoffs")
    assert json.loads(cli(["status", "portfolios/asha", "--json"], cwd=repo).stdout)["achieved"] == 1


def test_attack_1b_a_linked_signoff_file_is_caught_even_after_a_cached_status(cli, repo):
    # One sign-off file of Asha's is a link to a record naming her manager, kept outside
    # portfolios/. The loader learns which files are links from the folder listing; the result
    # cache must not keep the answer it gave before the link was there.
    signoffs = repo / "portfolios" / "asha" / "signoffs"
    signoffs.mkdir(parents=True, exist_ok=True)
    before = json.loads(cli(["status", "portfolios/asha", "--json"], cwd=repo).stdout)["achieved"]
    stash = write_record(repo, "2.1.1.yaml", MAX, level=5)
    (repo / "notes").mkdir()
    stash.rename(repo / "notes" / "2.1.1.yaml")
    (signoffs / "2.1.1.yaml").symlink_to("../../../notes/2.1.1.yaml")
    commit(repo, ASHA, "my sign-off, kept in notes/")
    assert ("2.1.1.yaml", "trust-symlink") in pr_codes(cli, repo)
    validated = cli(["validate", "--format", "json"], cwd=repo)
    assert validated.exit_code == 1
    assert ("portfolios/asha/signoffs/2.1.1.yaml", "trust-symlink") in [
        (p["path"], p["code"]) for p in json.loads(validated.stdout)["problems"]]
    for extra in ([], ["--no-cache"]):
        status = cli(["status", "portfolios/asha", "--json", *extra], cwd=repo)
        assert json.loads(status.stdout)["achieved"] == before  # the record behind the link is not counted
        assert "portfolios/asha/signoffs/2.1.1.yaml: error: file is a symbolic link" in status.stderr
    # The same record as a real file would count: the link, not the record, is what is refused.
    (signoffs / "2.1.1.yaml").unlink()
    shutil.copy(repo / "notes" / "2.1.1.yaml", signoffs / "2.1.1.yaml")
    assert json.loads(cli(["status", "portfolios/asha", "--json"], cwd=repo).stdout)["achieved"] == before + 1


def test_feedback_padded_to_the_minimum_with_punctuation_is_not_counted(cli, repo, keys):
    # Asha drafts a sign-off for Max to commit, with feedback of five tokens but one word: marks
    # alone are no feedback, even where the first tokens settle most feedback's length at once.
    before = json.loads(cli(["status", "portfolios/asha", "--json"], cwd=repo).stdout)["achieved"]
    record = write_record(repo, "2.1.1.yaml", MAX, level=5)
    text = record.read_text()
    record.write_text(text.replace(text[text.index("feedback:"):], 'feedback: "... -- !! ___ ok"\n'))
    commit(repo, MAX, "Max signs Asha off", key=keys["max"])
    validated = cli(["validate", "--format", "json"], cwd=repo)
    assert validated.exit_code == 1
    assert [(p["path"], p["message"]) for p in json.loads(validated.stdout)["problems"]] == [
        ("portfolios/asha/signoffs/2.1.1.yaml", "feedback has 1 words; at least 5 are required")]
    status = cli(["status", "portfolios/asha", "--json"], cwd=repo)
    assert json.loads(status.stdout)["achieved"] == before
    # Five words, the same record otherwise, count.
    record.write_text(text.replace(text[text.index("feedback:"):], "feedback: Clear and well evidenced work.\n"))
    commit(repo, MAX, "Max rewrites the feedback", key=keys["max"])
    assert json.loads(cli(["status", "portfolios/asha", "--json"], cwd=repo).stdout)["achieved"] == before + 1


# --- 2. overriding a shipped framework --------------------------------------------------------


def test_attack_2_a_pull_request_replacing_a_shipped_framework_is_caught(cli, repo):
    shipped = shipped_dir("frameworks") / "nhs-gmts-informatics.yaml"
    easier = shipped.read_text().replace("target: 3", "target: 1").replace("percent: 90", "percent: 60")
    (repo / "frameworks" / "nhs-gmts-informatics.yaml").write_text(easier)
    commit(repo, ASHA, "a friendlier framework")
    assert pr_codes(cli, repo) == [("nhs-gmts-informatics.yaml", "trust-framework-override"),
                                   ("nhs-gmts-informatics.yaml", "trust-guarded-change")]
    validated = cli(["validate", "--format", "json"], cwd=repo)
    assert validated.exit_code == 1
    assert "trust-framework-override" in {p["code"] for p in json.loads(validated.stdout)["problems"]}


def test_a_sanctioned_override_by_the_admin_passes(cli, repo, keys):
    git(repo, "checkout", "-q", "main")
    policy = repo / ".compfw" / "policy.yaml"
    policy.write_text(policy.read_text() + "framework_overrides:\n  - {id: nhs-gmts-informatics, version: \"2.1\"}\n")
    commit(repo, HELEN, "sanction a local edition", key=keys["helen"])
    git(repo, "checkout", "-q", "-b", "local-edition")
    shutil.copy(shipped_dir("frameworks") / "nhs-gmts-informatics.yaml", repo / "frameworks")
    commit(repo, HELEN, "our edition of the informatics framework", key=keys["helen"])
    assert pr_codes(cli, repo) == []


# --- 3. hijacking CODEOWNERS ------------------------------------------------------------------


def test_attack_3_codeowners_cannot_be_hijacked(cli, repo):
    evil = repo / "portfolios" / "zz\n*\t@evil"
    evil.mkdir()
    (evil / "portfolio.yaml").write_bytes((repo / "portfolios" / "ben" / "portfolio.yaml").read_bytes())
    asha = repo / "portfolios" / "asha" / "portfolio.yaml"
    asha.write_text(asha.read_text().replace("programme_manager: {name: Pat Prog, email: pat@example.org, handle: pat-prog}",
                                             "programme_manager: {name: Eve, email: eve@example.org, handle: eve}"))
    commit(repo, ASHA, "a new folder and a new programme manager")
    owners = cli(["codeowners"], cwd=repo)
    assert owners.exit_code == 1 and owners.stdout == "" and "trust-unsafe-name" not in owners.stdout
    assert "cannot write path component 'zz\\n*\\t@evil' as one CODEOWNERS line" in owners.stderr
    assert sorted(set(pr_codes(cli, repo))) == [("portfolio.yaml", "trust-guarded-change")]
    validated = json.loads(cli(["validate", "--format", "json"], cwd=repo).stdout)
    assert "trust-unsafe-name" in {p["code"] for p in validated["problems"]}
    # Without the hostile folder, the guarded paths are owned by the policy's admins only.
    shutil.rmtree(evil)
    text = cli(["codeowners"], cwd=repo).stdout
    guarded = [line for line in text.splitlines() if line.startswith(("/.compfw/", "/.github/", "/frameworks/"))]
    assert guarded == ["/frameworks/ @hmorris", "/.compfw/ @hmorris", "/.github/ @hmorris"]
    assert "/portfolios/asha/portfolio.yaml @hmorris" in text.splitlines()


# --- 4. author strings are claims -------------------------------------------------------------


def test_attack_4a_a_commit_typed_as_the_manager_is_unsigned(cli, repo):
    write_record(repo, "forged.yaml", MAX, level=5)
    git(repo, "add", "-A")
    git(repo, "-c", f"user.name={MAX[0]}", "-c", f"user.email={MAX[1]}", "commit", "-q", "-m", "Max signs (not)")
    assert pr_codes(cli, repo) == [("forged.yaml", "trust-unsigned")]


def test_attack_4a_signed_with_the_trainees_own_key_is_caught(cli, repo, keys):
    write_record(repo, "forged.yaml", MAX, level=5)
    commit(repo, MAX, "signed, but with Asha's key", key=keys["asha"])
    [(name, code)] = pr_codes(cli, repo)
    assert (name, code) == ("forged.yaml", "trust-unsigned")


def test_attack_4b_amending_the_managers_commit_is_caught(cli, repo, keys):
    record = write_record(repo, "max.yaml", MAX, level=3)
    commit(repo, MAX, "Max signs off 2.1.1 at level 3", key=keys["max"])
    assert pr_codes(cli, repo) == []
    record.write_text(record.read_text().replace("level: 3", "level: 5"))
    git(repo, "add", "-A")
    git(repo, "-c", f"user.name={ASHA[0]}", "-c", f"user.email={ASHA[1]}", "commit", "-q", "--amend", "--no-edit")
    assert git(repo, "log", "-1", "--format=%ae").strip() == MAX[1]  # the author string survives the amend
    assert pr_codes(cli, repo) == [("max.yaml", "trust-committer-mismatch"), ("max.yaml", "trust-unsigned")]


def test_attack_4c_cherry_picking_the_managers_commit_is_caught(cli, repo, keys):
    git(repo, "checkout", "-q", "-b", "max-work", "main")
    write_record(repo, "max.yaml", MAX)
    sha = commit(repo, MAX, "Max's sign-off on another branch", key=keys["max"])
    git(repo, "checkout", "-q", "pr")
    git(repo, "-c", f"user.name={ASHA[0]}", "-c", f"user.email={ASHA[1]}", "cherry-pick", sha)
    assert pr_codes(cli, repo) == [("max.yaml", "trust-committer-mismatch"), ("max.yaml", "trust-unsigned")]


def test_without_required_signatures_the_result_says_what_rests_on_metadata(cli, make_repo, keys):
    repo = make_trusted(new_repo(make_repo), keys, required=False)
    write_record(repo, "forged.yaml", MAX, level=5)
    git(repo, "add", "-A")
    git(repo, "-c", f"user.name={MAX[0]}", "-c", f"user.email={MAX[1]}", "commit", "-q", "-m", "Max signs (not)")
    result = cli(["audit", "--base", "main", "--require-policy", "--format", "json"], cwd=repo)
    doc = json.loads(result.stdout)
    assert (result.exit_code, doc["problems"]) == (0, [])  # nothing to catch by metadata alone ...
    assert any("as commit metadata only" in line for line in doc["not_proved"])  # ... and it says so
    assert not any("signatures verified" in line for line in doc["proved"])


# --- 5. backdating ----------------------------------------------------------------------------


def test_attack_5_a_backdated_signoff_is_caught_and_shows_its_recorded_date(cli, repo, keys):
    write_record(repo, "late.yaml", MAX, date="2026-06-30")
    commit(repo, MAX, "a bulk sign-off dated months ago", key=keys["max"])
    [problem] = findings(cli, repo, "--base", "main", "--require-policy")
    assert problem["code"] == "trust-backdated"
    assert "dated 2026-06-30 but recorded by commit" in problem["message"] and "on 2026-11-22, 145 days later" \
        in problem["message"]
    [signoff] = [so for c in json.loads(cli(["status", "portfolios/asha", "--json"], cwd=repo).stdout)["competencies"]
                 for so in c["signoffs"]]
    assert (signoff["date"], signoff["recorded"]) == ("2026-06-30", "2026-11-22")
    report = cli(["report", "portfolios/asha"], cwd=repo).stdout
    assert "| 2026-06-30 | 2026-11-22 | 2.1.1 " in report


def test_attack_5b_a_forward_dated_signoff_is_caught(cli, repo, keys):
    # Signed off ahead of time: committed on 2026-11-22 with a date three weeks later, so that it
    # would start to count on its own once that day comes.
    write_record(repo, "ahead.yaml", MAX, date="2026-12-13")
    commit(repo, MAX, "signed off in advance", key=keys["max"])
    codes = [p["code"] for p in findings(cli, repo, "--base", "main", "--require-policy")]
    assert codes == ["trust-forward-dated"]
    [problem] = findings(cli, repo, "--base", "main", "--require-policy")
    assert "dated 2026-12-13 but recorded by commit" in problem["message"]
    assert "on 2026-11-22, 21 days before that date" in problem["message"]


def test_evidence_edited_after_a_signoff_that_cites_it_is_a_warning_and_marked(cli, repo, keys):
    record = write_record(repo, "cites.yaml", MAX)
    record.write_text(record.read_text() + "evidence: [e1]\n")
    commit(repo, MAX, "Max signs off 2.1.1 on evidence e1", key=keys["max"])
    assert pr_codes(cli, repo) == []
    evidence = repo / "portfolios" / "asha" / "evidence" / "e1.yaml"
    evidence.write_text(evidence.read_text().replace("led the agreement", "single-handedly wrote the standard"))
    commit(repo, ASHA, "a better story")
    [problem] = findings(cli, repo, "--base", "main", "--require-policy")
    assert (problem["path"], problem["code"], problem["severity"]) == (
        "portfolios/asha/evidence/e1.yaml", "trust-evidence-edited", "warning")
    assert "evidence e1 was edited after the sign-off cites.yaml that cites it was recorded" in problem["message"]
    [signoff] = [so for c in json.loads(cli(["status", "portfolios/asha", "--json"], cwd=repo).stdout)["competencies"]
                 for so in c["signoffs"]]
    assert signoff["evidence_edited"] == ["e1"]
    assert "⚠ evidence edited since this sign-off: e1 |" in cli(["report", "portfolios/asha"], cwd=repo).stdout


def test_evidence_edited_is_judged_against_each_signoffs_own_commit(cli, repo, keys):
    """Sign-offs from several commits: each is held to the evidence as its own commit had it (the
    evidence of every recording commit is now read in one batch, so a mix-up between commits
    would either hide the trainee's later edit or blame the later sign-off for it)."""
    first = write_record(repo, "first.yaml", MAX, competency="2.1.1")
    first.write_text(first.read_text() + "evidence: [e1]\n")
    commit(repo, MAX, "Max signs off 2.1.1 on e1", key=keys["max"])
    evidence = repo / "portfolios" / "asha" / "evidence" / "e1.yaml"
    evidence.write_text(evidence.read_text().replace("led the agreement", "led the agreement, and drafted it"))
    commit(repo, ASHA, "e1, told more fully")
    second = write_record(repo, "second.yaml", MAX, competency="2.1.2")
    second.write_text(second.read_text() + "evidence: [e1]\n")
    commit(repo, MAX, "Max signs off 2.1.2 on e1 as it now reads", key=keys["max"])

    def edited() -> dict[str, list[str]]:
        doc = json.loads(cli(["status", "portfolios/asha", "--json", "--no-cache"], cwd=repo).stdout)
        return {so["file"].rsplit("/", 1)[-1]: so["evidence_edited"] for c in doc["competencies"]
                for so in c["signoffs"] if so["file"].endswith(("first.yaml", "second.yaml"))}

    assert edited() == {"first.yaml": ["e1"], "second.yaml": []}
    evidence.write_text(evidence.read_text().replace("and drafted it", "and wrote the national standard"))
    commit(repo, ASHA, "a better story still")
    assert edited() == {"first.yaml": ["e1"], "second.yaml": ["e1"]}
    found = [p for p in findings(cli, repo, "--base", "main", "--require-policy") if p["code"] == "trust-evidence-edited"]
    assert [(p["path"], p["severity"], p["message"].split(" (commit")[0]) for p in found] == [
        ("portfolios/asha/evidence/e1.yaml", "warning",
         f"evidence e1 was edited after the sign-off {name} that cites it was recorded")
        for name in ("first.yaml", "second.yaml")]


def test_a_signoff_left_uncommitted_is_named_and_has_no_recorded_date(cli, repo, keys):
    """The trainee writes a sign-off naming her manager and never commits it: the audit says it is
    outside what it checked, and status shows no recorded date for it, untracked or staged; a
    committed sign-off whose file was only touched (same content) is not named."""
    committed = write_record(repo, "max.yaml", MAX)
    commit(repo, MAX, "Max signs off 2.1.1", key=keys["max"])
    os.utime(committed, ns=(1_000_000_000, 1_000_000_000))  # a stale index entry, content unchanged
    write_record(repo, "pending.yaml", MAX, competency="2.1.2", level=5)

    def uncommitted() -> list[tuple[str, str]]:
        return [(p["path"], p["severity"]) for p in findings(cli, repo, "--base", "main", "--require-policy")
                if p["code"] == "audit-uncommitted"]

    def recorded() -> dict[str, str | None]:
        doc = json.loads(cli(["status", "portfolios/asha", "--json"], cwd=repo).stdout)
        return {so["file"].rsplit("/", 1)[-1]: so["recorded"] for c in doc["competencies"] for so in c["signoffs"]}

    assert uncommitted() == [("portfolios/asha/signoffs/pending.yaml", "warning")]
    assert recorded() == {"max.yaml": "2026-11-22", "pending.yaml": None}
    git(repo, "add", "-A")
    assert uncommitted() == [("portfolios/asha/signoffs/pending.yaml", "warning")]
    assert recorded() == {"max.yaml": "2026-11-22", "pending.yaml": None}


# --- 6. git plumbing --------------------------------------------------------------------------


def test_attack_6a_replace_refs_are_ignored(cli, repo, keys):
    write_record(repo, "forged.yaml", MAX, level=5)
    git(repo, "add", "-A")
    git(repo, "-c", f"user.name={MAX[0]}", "-c", f"user.email={MAX[1]}", "commit", "-q", "-m", "forged")
    forged = git(repo, "rev-parse", "HEAD").strip()
    # Make git show main's tip in place of the forged commit: to plain git, the forged file is gone.
    git(repo, "replace", forged, "main")
    assert "forged.yaml" not in git(repo, "ls-tree", "-r", "--name-only", "HEAD")
    assert "forged.yaml" in git(repo, "--no-replace-objects", "ls-tree", "-r", "--name-only", "HEAD")
    assert pr_codes(cli, repo) == [("forged.yaml", "trust-unsigned")]


def test_attack_6b_a_repository_root_in_a_folder_with_glob_characters(cli, make_repo, keys, tmp_path):
    from test_signoff import CASE

    top = tmp_path / "top"
    root = make_repo(CASE, name="top/tp[1]")
    (root / "portfolios" / "asha" / "reflective-piece.md").write_text("word " * 2000)
    git(top, "init", "-q")
    commit(top, ("Test Runner", "runner@example.org"), "initial")
    make_trusted(root, keys)
    write_record(root, "forged.yaml", MAX)
    commit(top, ASHA, "forged")
    result = cli(["audit", "--base", "main", "--require-policy", "--format", "json"], cwd=root)
    doc = json.loads(result.stdout)
    assert doc["checked"] == "1 sign-off file(s) in main..HEAD"
    assert [(Path(p["path"]).name, p["code"]) for p in doc["problems"]] == [
        ("forged.yaml", "trust-author-mismatch"), ("forged.yaml", "trust-unsigned")]


# --- the shipped CI workflow's exact audit command ----------------------------------------------


def workflow_audit_command() -> tuple[str, dict[str, str]]:
    """The audit step's script of the action the example workflow uses, and the environment a
    pull request to main gives it (no `base` input: origin/ + GITHUB_BASE_REF)."""
    [step] = [s for s in yaml.safe_load(ACTION.read_text())["runs"]["steps"] if s.get("id") == "audit"]
    assert set(step["env"]) == {"INPUT_BASE"}
    return step["run"], {"INPUT_BASE": "", "GITHUB_BASE_REF": "main"}


def run_workflow_audit(root: Path) -> subprocess.CompletedProcess:
    """Run the step as GitHub Actions would: bash, the base branch fetched as origin/main. The
    step records the audit's exit code in GITHUB_OUTPUT (so that later steps still run); it is
    returned as the returncode."""
    origin = root.parent / (root.name + "-origin.git")
    if not origin.exists():
        git(root, "clone", "-q", "--bare", str(root), str(origin))
        git(root, "remote", "add", "origin", str(origin))
    git(root, "fetch", "-q", "origin", "main")
    command, env = workflow_audit_command()
    output = root.parent / (root.name + "-github-output")
    output.write_text("")
    path = os.pathsep.join([str(Path(sys.executable).parent), os.environ["PATH"]])
    done = subprocess.run(["bash", "--noprofile", "--norc", "-eo", "pipefail", "-c", command], cwd=root,
                          capture_output=True, text=True,
                          env=dict(os.environ, PATH=path, GITHUB_ACTIONS="true", GITHUB_OUTPUT=str(output), **env))
    assert done.returncode == 0, done.stderr  # the step itself never fails; the action's last step does
    recorded = dict(line.split("=", 1) for line in output.read_text().splitlines() if line)
    return subprocess.CompletedProcess(done.args, int(recorded["exit"]), done.stdout, done.stderr)


def test_the_workflow_audit_command_requires_the_policy_and_signatures():
    command, env = workflow_audit_command()
    assert 'compfw audit --format github --base "$base" --require-policy' in command
    assert 'base="${INPUT_BASE:-${GITHUB_BASE_REF:+origin/$GITHUB_BASE_REF}}"' in command


def test_the_workflow_audit_command_fails_a_forged_pull_request_and_passes_a_signed_one(repo, keys):
    write_record(repo, "good.yaml", MAX)
    commit(repo, MAX, "Max signs off", key=keys["max"])
    passed = run_workflow_audit(repo)
    assert passed.returncode == 0, passed.stdout + passed.stderr
    assert passed.stdout.splitlines()[-1] == "0 error(s), 0 warning(s) in 1 sign-off file(s) in origin/main..HEAD"
    assert "::notice title=compfw audit%3A proved::signatures verified by git" in passed.stdout
    write_record(repo, "forged.yaml", MAX, level=5)
    git(repo, "add", "-A")
    git(repo, "-c", f"user.name={MAX[0]}", "-c", f"user.email={MAX[1]}", "commit", "-q", "-m", "forged")
    failed = run_workflow_audit(repo)
    assert failed.returncode == 1
    assert "::error file=portfolios/asha/signoffs/forged.yaml,title=compfw trust-unsigned::" in failed.stdout


def test_the_workflow_audit_command_fails_without_a_policy_on_the_base(make_repo):
    repo = new_repo(make_repo)
    git(repo, "checkout", "-q", "-b", "pr")
    write_record(repo, "forged.yaml", MAX)
    commit(repo, MAX, "no policy, no proof")
    failed = run_workflow_audit(repo)
    assert failed.returncode == 1
    assert "::error file=.compfw/policy.yaml,title=compfw trust-no-policy::" in failed.stdout


def test_a_personal_qualities_record_claiming_the_placement_managers_absence_is_caught(cli, repo):
    # The trainee writes the programme manager's Personal Qualities sign-off, with every field the
    # rule asks for (discussion date, the placement manager's absence), and commits it as herself.
    record = repo / "portfolios" / "asha" / "signoffs" / "pq.yaml"
    record.parent.mkdir(parents=True, exist_ok=True)
    record.write_text('competency: "1.1.1"\nachieved: true\n'
                      "signer: {name: Pat Prog, email: pat@example.org, role: programme_manager}\n"
                      "date: 2026-11-01\ndiscussed: 2026-10-20\nplacement_manager_absent: true\n"
                      "absence_reason: on leave\nfeedback: Thoughtful piece; we discussed it at length together.\n")
    commit(repo, ASHA, "my Personal Qualities")
    found = pr_codes(cli, repo)
    assert ("pq.yaml", "trust-author-mismatch") in found and ("pq.yaml", "trust-unsigned") in found, found


def test_status_never_counts_against_an_unsanctioned_override(cli, make_repo):
    from conftest import REPO

    # A real repository: the trainee commits an easier edition of her framework on her branch.
    root = make_repo(name="override")
    shutil.copytree(REPO / "portfolios" / "asha-patel", root / "portfolios" / "asha-patel")
    git(root, "init", "-q")
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "the programme's repository")
    git(root, "checkout", "-q", "-b", "friendlier")

    def standing() -> tuple:
        done = cli(["status", "portfolios/asha-patel", "--json"], cwd=root)
        assert done.exit_code == 0, done.stderr
        doc = json.loads(done.stdout)
        return doc["percent_achieved"], doc["readiness"]["graduation_percent"], doc["readiness"]["graduation_ready"]

    shipped_standing = standing()
    assert shipped_standing == (56.4, 90, False)
    shipped = shipped_dir("frameworks") / "nhs-gmts-informatics.yaml"
    easier = shipped.read_text().replace("target: 3", "target: 1").replace("percent: 90", "percent: 60")
    (root / "frameworks" / "nhs-gmts-informatics.yaml").write_text(easier)
    commit(root, ASHA, "a friendlier framework")
    assert standing() == shipped_standing  # the shipped framework stands
    (root / ".compfw").mkdir()
    (root / ".compfw" / "policy.yaml").write_text(
        f"admins:\n  - {{name: {HELEN[0]}, email: {HELEN[1]}}}\n"
        "framework_overrides:\n  - {id: nhs-gmts-informatics, version: \"2.1\"}\n")
    percent, graduation, ready = standing()  # sanctioned: the repository's edition is used
    assert (graduation, ready) == (60, True) and percent > shipped_standing[0]
    # A policy that sanctions nothing, and one that lists the override but is invalid elsewhere
    # (no admin): neither lets the repository's edition count. Each answer follows the policy's
    # edit, whatever the result cache kept from the run before.
    (root / ".compfw" / "policy.yaml").write_text(f"admins:\n  - {{name: {HELEN[0]}, email: {HELEN[1]}}}\n")
    assert standing() == shipped_standing
    (root / ".compfw" / "policy.yaml").write_text(
        "admins: []\nframework_overrides:\n  - {id: nhs-gmts-informatics, version: \"2.1\"}\n")
    assert standing() == shipped_standing
    (root / ".compfw" / "policy.yaml").write_text(
        f"admins:\n  - {{name: {HELEN[0]}, email: {HELEN[1]}}}\n"
        "framework_overrides:\n  - {id: nhs-gmts-informatics, version: \"2.1\"}\n")
    assert standing() == (percent, graduation, ready)
    # With the sanctioned answers cached, the trainee swaps the sanctioned framework file, then the
    # policy, for a link to an easier file outside the repository: neither link is followed, and
    # the cached framework and sanction are not used past the swap.
    outside = root.parent / "elsewhere"
    outside.mkdir()
    (outside / "framework.yaml").write_text(easier.replace("percent: 60", "percent: 10"))
    framework = root / "frameworks" / "nhs-gmts-informatics.yaml"
    framework.unlink()
    framework.symlink_to(outside / "framework.yaml")
    assert standing() == shipped_standing
    framework.unlink()
    framework.write_text(easier)
    assert standing() == (percent, graduation, ready)
    policy = root / ".compfw" / "policy.yaml"
    (outside / "policy.yaml").write_bytes(policy.read_bytes())
    policy.unlink()
    policy.symlink_to(outside / "policy.yaml")
    assert standing() == shipped_standing
