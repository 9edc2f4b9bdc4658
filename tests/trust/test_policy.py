"""The trust policy (.compfw/policy.yaml): its format, located problems, reading it from a git
revision rather than the working tree, and git's own verification of keys written from it."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest
from conftest import git

from compfw.model.policy import allowed_signers_text, is_admin, load_policy, policy_at

needs_ssh_keygen = pytest.mark.skipif(shutil.which("ssh-keygen") is None, reason="SSH signing needs ssh-keygen")

KEY = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIMn0n4AnlQ0Yw7a5C1Uu9x3oRj0b8bS2hE3b4pQJm0Xz tom@laptop"
POLICY = f"""\
admins:
  - {{name: Dr Helen Morris, email: Helen.Morris@example.org, handle: "@hmorris"}}
signatures:
  required: true
  allowed_signers:
    - {{email: tom.reid@example.org, key: "{KEY}", valid_after: 2026-01-01, valid_before: 2027-12-31}}
    - {{email: pat@example.org, key: "{KEY}"}}
backdating_days: 7
framework_overrides:
  - {{id: nhs-gmts-informatics, version: "2024"}}
"""


def write_policy(root: Path, text: str) -> Path:
    path = root / ".compfw" / "policy.yaml"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return path


def test_a_policy_is_read_with_its_defaults(tmp_path):
    write_policy(tmp_path, POLICY)
    read = load_policy(tmp_path)
    assert read.problems == [] and read.present
    policy = read.policy
    assert policy.signatures.required is True and policy.backdating_days == 7
    assert is_admin(policy, " helen.morris@EXAMPLE.org ") and not is_admin(policy, "tom.reid@example.org")
    assert policy.sanctions_override("nhs-gmts-informatics", "2024")
    assert not policy.sanctions_override("nhs-gmts-informatics", "2025")
    minimal = load_policy(write_policy(tmp_path / "b", "admins: [{name: A, email: a@example.org}]\n").parents[1]).policy
    assert (minimal.signatures.required, minimal.backdating_days, minimal.framework_overrides) == (True, 14, [])


def test_allowed_signers_text_is_gits_format_with_validity_windows_and_no_comment(tmp_path):
    write_policy(tmp_path, POLICY)
    blob = KEY.rsplit(" ", 1)[0]
    assert allowed_signers_text(load_policy(tmp_path).policy) == (
        f'tom.reid@example.org namespaces="git",valid-after="20260101Z",valid-before="20271231Z" {blob}\n'
        f'pat@example.org namespaces="git" {blob}\n')


def test_no_policy_file_is_absent_not_an_error(tmp_path):
    read = load_policy(tmp_path)
    assert (read.policy, read.present, read.problems) == (None, False, [])
    assert not is_admin(None, "anyone@example.org")


@pytest.mark.parametrize("text, expected", [
    ("admins: []\n", ".compfw/policy.yaml:1:9: error: admins: needs at least 1 item"),
    ("admins: [{name: A, email: a@example.org}]\nsignature: {required: false}\n",
     ".compfw/policy.yaml:2:1: error: unknown key 'signature' (hint: did you mean 'signatures'?)"),
    ("admins: [{name: A, email: '*@example.org'}]\n",
     ".compfw/policy.yaml:1:27: error: admins[0].email: write a plain address"),
    ("admins: [{name: A, email: a@example.org}]\nsignatures: {allowed_signers: [{email: b@example.org, "
     "key: 'ssh-ed25519 AAAA\\nb@example.org ssh-ed25519 BBBB'}]}\n",
     ".compfw/policy.yaml:2:60: error: signatures.allowed_signers[0].key: write one SSH public key on one line"),
    ("admins: [{name: A, email: a@example.org}]\nsignatures: {required: 'no'}\n",
     ".compfw/policy.yaml:2:24: error: signatures.required: expected true or false, found the text 'no'"),
    ("admins: [{name: A, email: a@example.org}]\nbackdating_days: -1\n",
     ".compfw/policy.yaml:2:18: error: backdating_days: must be at least 0 (found -1)"),
    ("admins: [{name: A, email: a@example.org}]\nsignatures: {allowed_signers: [{email: b@example.org, "
     f"key: '{KEY}', valid_after: 2027-01-01, valid_before: 2026-01-01}}]}}\n",
     ".compfw/policy.yaml:2:32: error: signatures.allowed_signers[0]: valid_before must be after valid_after"),
])
def test_validate_reports_each_policy_problem_located(cli, make_repo, text, expected):
    root = make_repo()
    write_policy(root, text)
    result = cli(["validate"], cwd=root)
    assert result.exit_code == 1
    assert result.stdout.splitlines()[0].startswith(expected), result.stdout


def test_validate_checks_a_good_policy_and_says_so(cli, make_repo):
    root = make_repo()
    write_policy(root, POLICY)
    result = cli(["validate"], cwd=root)
    assert (result.exit_code, result.stdout) == (0, "ok: no problems in .compfw/policy.yaml, frameworks\n")
    named = cli(["validate", ".compfw/policy.yaml"], cwd=root)
    assert (named.exit_code, named.stdout) == (0, "ok: no problems in .compfw/policy.yaml\n")


def test_policy_at_a_revision_ignores_the_working_tree_and_refuses_a_link(tmp_path):
    root = tmp_path / "repo"
    root.mkdir()
    git(root, "init", "-q")
    write_policy(root, POLICY)
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "policy")
    base = git(root, "rev-parse", "HEAD").strip()
    write_policy(root, "admins: [{name: Eve, email: eve@example.org}]\n")  # the branch's own idea
    read = policy_at(root, base, "", "the base main")
    assert [a.email for a in read.policy.admins] == ["Helen.Morris@example.org"]
    assert load_policy(root).policy.admins[0].email == "eve@example.org"
    absent = policy_at(root, base, "sub/", "the base main")
    assert (absent.policy, absent.present) == (None, False)
    (root / "elsewhere.yaml").write_text("admins: [{name: Eve, email: eve@example.org}]\n")
    (root / ".compfw" / "policy.yaml").unlink()
    (root / ".compfw" / "policy.yaml").symlink_to("../elsewhere.yaml")
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "policy as a link")
    linked = policy_at(root, "HEAD", "", "the base main")
    assert linked.policy is None and [p.code for p in linked.problems] == ["trust-symlink"]


@needs_ssh_keygen
def test_git_verifies_commits_against_the_policys_keys_and_windows(tmp_path):
    key = tmp_path / "tom"
    subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", "tom", "-f", str(key)], check=True)
    public = (tmp_path / "tom.pub").read_text().strip()
    root = tmp_path / "repo"
    root.mkdir()
    git(root, "init", "-q")
    (root / "a.txt").write_text("a\n")
    git(root, "add", "-A")
    git(root, "-c", "user.email=tom.reid@example.org", "-c", "gpg.format=ssh", "-c", f"user.signingkey={key}",
        "commit", "-q", "-S", "-m", "signed", env={"GIT_COMMITTER_DATE": "2026-06-01T12:00:00Z"})
    verdicts = {}
    for window in ("", "valid_after: 2026-01-01, valid_before: 2027-01-01", "valid_before: 2026-05-01",
                   "valid_after: 2026-07-01"):
        write_policy(tmp_path / "p", "admins: [{name: A, email: a@example.org}]\nsignatures: {allowed_signers: "
                     f"[{{email: tom.reid@example.org, key: '{public}', {window}}}]}}\n")
        signers = tmp_path / "allowed"
        signers.write_text(allowed_signers_text(load_policy(tmp_path / "p").policy))
        verdicts[window] = git(root, "-c", f"gpg.ssh.allowedSignersFile={signers}", "log", "-1",
                               "--format=%G? %GS").strip()
    assert list(verdicts.values()) == ["G tom.reid@example.org", "G tom.reid@example.org", "U", "U"]
