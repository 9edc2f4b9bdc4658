"""`compfw signing setup` and the signing check `compfw signoff` makes before it writes.

Real SSH keys made with ssh-keygen in tmp_path, the isolated git config of conftest (HOME and
GIT_CONFIG_GLOBAL in tmp_path), a real .compfw/policy.yaml, and git's own signature check.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest
import yaml
from conftest import git
from test_signoff import FEEDBACK, MAX, as_user, assert_refused, folder_state, new_repo, sign

pytestmark = pytest.mark.skipif(shutil.which("ssh-keygen") is None, reason="SSH signing needs ssh-keygen")

ADMIN = "admins:\n  - {name: Pat Prog, email: pat@example.org}\n"


def make_key(folder: Path, name: str = "id_ed25519", email: str = "max@example.org") -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", email, "-f", str(folder / name)], check=True)
    return folder / f"{name}.pub"


def public(pub: Path) -> str:
    return " ".join(pub.read_text().split()[:2])


def write_policy(root: Path, signatures: str) -> None:
    (root / ".compfw").mkdir(exist_ok=True)
    (root / ".compfw" / "policy.yaml").write_text(ADMIN + signatures)


def global_config(key: str) -> str:
    done = subprocess.run(["git", "config", "--global", "--get", key], capture_output=True, text=True)
    return done.stdout.strip()


def porcelain(root: Path) -> list[str]:
    return git(root, "status", "--porcelain", "--untracked-files=all").splitlines()


def entry_from(stdout: str) -> dict:
    """The allowed-signers snippet that `signing setup` prints last, as YAML."""
    snippet = stdout[stdout.index("signatures:\n"):]
    return yaml.safe_load(snippet)["signatures"]["allowed_signers"][0]


@pytest.fixture
def repo(make_repo):
    root = new_repo(make_repo)
    as_user(root, MAX)
    return root


# --- compfw signing setup ---------------------------------------------------------------------


def test_setup_with_an_existing_key_sets_git_to_sign_and_prints_the_entry(cli, repo, tmp_path):
    pub = make_key(tmp_path / "keys")
    result = cli(["signing", "setup", "--key", str(pub)], cwd=repo)
    assert result.exit_code == 0, result.stderr
    assert (global_config("gpg.format"), global_config("user.signingkey"), global_config("commit.gpgsign")) == (
        "ssh", str(pub), "true")
    lines = result.stdout.splitlines()
    assert lines[0] == "Git now signs your commits with your SSH key (global git config):"
    assert lines[1] == "  gpg.format = ssh   (was: not set)"
    assert lines[2] == f"  user.signingkey = {pub}   (was: not set)"
    assert "This repository has no trust policy (.compfw/policy.yaml) yet" in result.stdout
    assert entry_from(result.stdout) == {"email": "max@example.org", "key": public(pub),
                                         "valid_after": __import__("datetime").date(2026, 11, 22)}
    # a second run changes nothing, and says the key is allowed once the policy lists it
    write_policy(repo, "signatures:\n  allowed_signers:\n    - {email: max@example.org, key: " + public(pub) + "}\n")
    again = cli(["signing", "setup"], cwd=repo)
    assert again.exit_code == 0, again.stderr
    assert "(was:" not in again.stdout
    assert "already allows this key for max@example.org: you are ready to sign off" in again.stdout


def test_setup_local_sets_only_this_repository(cli, repo, tmp_path):
    pub = make_key(tmp_path / "keys")
    assert cli(["signing", "setup", "--key", str(pub), "--local"], cwd=repo).exit_code == 0
    assert git(repo, "config", "--local", "user.signingkey").strip() == str(pub)
    assert global_config("user.signingkey") == ""


def test_setup_create_makes_a_key_and_never_overwrites_one(cli, repo, isolated_env):
    result = cli(["signing", "setup", "--create", "--no-passphrase"], cwd=repo)
    assert result.exit_code == 0, result.stderr
    made = isolated_env / ".ssh" / "compfw_signing"
    assert made.is_file() and Path(f"{made}.pub").is_file()
    assert global_config("user.signingkey") == f"{made}.pub"
    assert entry_from(result.stdout)["key"] == public(Path(f"{made}.pub"))
    before = made.read_bytes()
    again = cli(["signing", "setup", "--create", "--no-passphrase"], cwd=repo)
    assert_refused(again, f"{made} already exists, and compfw never overwrites a key")
    assert made.read_bytes() == before


@pytest.mark.parametrize("args, words", [
    ([], ["which SSH key should sign your commits?"]),
    (["--key", "/nonexistent/key.pub"], ["cannot use /nonexistent/key.pub", "does not exist"]),
    (["--key", "x.pub", "--create"], ["not both"]),
])
def test_setup_refusals(cli, repo, args, words):
    assert_refused(cli(["signing", "setup", *args], cwd=repo), *words)
    assert global_config("gpg.format") == ""


def test_setup_without_an_email_is_refused(cli, repo, tmp_path):
    git(repo, "config", "--unset", "user.email")
    git(repo, "config", "--global", "--unset", "user.email")
    assert_refused(cli(["signing", "setup", "--key", str(make_key(tmp_path / "k"))], cwd=repo), "user.email is not set")


# --- the check before signoff writes ----------------------------------------------------------


def test_a_policy_requiring_signatures_refuses_an_unsigned_setup_before_writing(cli, repo):
    write_policy(repo, "signatures: {required: true}\n")
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "policy")
    result = sign(cli, repo, "2.1.1", "--level", "3", "--feedback", FEEDBACK, "--commit")
    line = assert_refused(result, "requires signed sign-offs", "not set to sign with an SSH key", "nothing was written")
    assert "'openpgp'" in line
    assert "compfw signing setup" in result.stderr.splitlines()[1]
    assert folder_state(repo) == {} and porcelain(repo) == []


def test_a_key_the_policy_does_not_list_is_refused(cli, repo, tmp_path):
    listed, mine = make_key(tmp_path / "a"), make_key(tmp_path / "b")
    write_policy(repo, f"signatures:\n  allowed_signers:\n    - {{email: max@example.org, key: {public(listed)}}}\n")
    assert cli(["signing", "setup", "--key", str(mine)], cwd=repo).exit_code == 0
    result = sign(cli, repo, "2.1.1", "--level", "3", "--feedback", FEEDBACK, "--commit")
    assert_refused(result, "lists 1 key(s) for max@example.org, but not the one git signs with")
    assert folder_state(repo) == {}


def test_a_key_outside_its_validity_window_is_refused(cli, repo, tmp_path):
    pub = make_key(tmp_path / "a")
    write_policy(repo, f"signatures:\n  allowed_signers:\n    - {{email: max@example.org, key: {public(pub)}, "
                       "valid_after: 2025-01-01, valid_before: 2026-06-01}\n")
    assert cli(["signing", "setup", "--key", str(pub)], cwd=repo).exit_code == 0
    assert_refused(sign(cli, repo, "2.1.1", "--level", "3", "--feedback", FEEDBACK),
                   "only from 2025-01-01 to 2026-06-01, not on 2026-11-22")


def test_after_setup_and_the_admins_entry_the_commit_is_signed_and_git_verifies_it(cli, repo, tmp_path):
    pub = make_key(tmp_path / "keys")
    setup = cli(["signing", "setup", "--key", str(pub)], cwd=repo)
    entry = entry_from(setup.stdout)
    write_policy(repo, yaml.safe_dump({"signatures": {"required": True, "allowed_signers": [entry]}}))
    git(repo, "config", "commit.gpgsign", "false")  # compfw signs with -S when the policy requires it
    result = sign(cli, repo, "2.1.1", "--level", "3", "--feedback", FEEDBACK, "--commit")
    assert result.exit_code == 0, result.stderr
    assert "does not require" not in result.stdout and "no trust policy" not in result.stdout
    allowed = tmp_path / "allowed_signers"
    allowed.write_text(f'max@example.org namespaces="git" {entry["key"]}\n')
    verdict = git(repo, "-c", f"gpg.ssh.allowedSignersFile={allowed}", "log", "-1", "--format=%G?|%GS|%ae|%ce")
    assert verdict.strip() == "G|max@example.org|max@example.org|max@example.org"
    assert porcelain(repo) == ["?? .compfw/policy.yaml"]


def test_without_commit_a_signer_whose_git_does_not_sign_by_default_is_told_how(cli, repo, tmp_path):
    pub = make_key(tmp_path / "keys")
    write_policy(repo, f"signatures:\n  allowed_signers:\n    - {{email: max@example.org, key: {public(pub)}}}\n")
    assert cli(["signing", "setup", "--key", str(pub)], cwd=repo).exit_code == 0
    git(repo, "config", "--global", "commit.gpgsign", "false")
    result = sign(cli, repo, "2.1.1", "--level", "3", "--feedback", FEEDBACK)
    assert result.exit_code == 0, result.stderr
    assert result.stdout.splitlines()[-1] == (
        "This repository requires signed sign-offs and your git does not sign commits by default (commit.gpgsign): "
        "commit these files with `git commit -S`, or run `compfw signing setup`.")


def test_a_repository_that_does_not_require_signatures_says_what_that_means(cli, repo):
    write_policy(repo, "signatures: {required: false}\n")
    result = sign(cli, repo, "2.1.1", "--level", "3", "--feedback", FEEDBACK, "--commit")
    assert result.exit_code == 0, result.stderr
    assert result.stdout.splitlines()[-1] == (
        "This repository does not require signed sign-offs (signatures.required: false in .compfw/policy.yaml): the "
        "commit's author is a claim anyone can type, so the audit proves only what the commit says, not who made it.")


def test_no_policy_says_nothing_requires_signatures(cli, repo):
    result = sign(cli, repo, "2.1.1", "--level", "3", "--feedback", FEEDBACK)
    assert result.exit_code == 0, result.stderr
    assert result.stdout.splitlines()[-1].startswith("This repository has no trust policy (.compfw/policy.yaml), "
                                                     "so nothing requires signed sign-offs")


def test_an_unreadable_policy_refuses_with_its_problems(cli, repo):
    write_policy(repo, "signatures: {required: maybe}\n")
    result = sign(cli, repo, "2.1.1", "--level", "3", "--feedback", FEEDBACK)
    assert result.exit_code == 1
    assert result.stderr.startswith("error: cannot read the trust policy .compfw/policy.yaml")
    assert ".compfw/policy.yaml:" in result.stderr
    assert folder_state(repo) == {}


def test_a_date_further_back_than_the_policy_allows_is_refused_before_writing(cli, repo):
    write_policy(repo, "signatures: {required: false}\nbackdating_days: 7\n")
    assert_refused(sign(cli, repo, "2.1.1", "--level", "3", "--feedback", FEEDBACK, "--date", "2026-11-14"),
                   "dated 2026-11-14 is 8 days before today", "at most 7 (backdating_days)")
    assert folder_state(repo) == {}
    assert sign(cli, repo, "2.1.1", "--level", "3", "--feedback", FEEDBACK, "--date", "2026-11-15").exit_code == 0

