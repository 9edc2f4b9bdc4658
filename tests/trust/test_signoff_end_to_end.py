"""Issue 11's "Must show", end to end, by subprocess with the installed `compfw`, as new users do it.

A programme admin writes the trust policy and adds a manager's SSH key (made with ssh-keygen)
from the entry `compfw signing setup` prints; the manager signs off with a signed commit; CI's
audit, run exactly as the shipped workflow runs it, passes. Then the trainee's forgery attempts
(a spoofed author, `signoff --as`, a symlinked signoffs/, a framework override, a backdated
record) each make that same audit fail, each with its own finding code.

Every person has their own HOME and global git config; commit dates are pinned to the fixed
"today" of the tests, so that key validity and backdating windows do not depend on the clock.
"""

from __future__ import annotations

import os
import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from conftest import CASES, REPO, TODAY, copy_tree

pytestmark = pytest.mark.skipif(shutil.which("ssh-keygen") is None, reason="SSH signing needs ssh-keygen")

EXE = Path(sys.executable).parent / "compfw"
ACTION = REPO / "action.yml"
FEEDBACK = "Clear, well evidenced collaboration with the regional network; keep sharing it."
WHEN = f"{TODAY}T12:00:00+00:00"


class Person:
    def __init__(self, tmp: Path, name: str, email: str):
        self.name, self.email = name, email
        self.home = tmp / "homes" / email.split("@")[0]
        self.home.mkdir(parents=True)
        (self.home / ".gitconfig").write_text(f"[user]\n\tname = {name}\n\temail = {email}\n"
                                              "[init]\n\tdefaultBranch = main\n")

    def env(self) -> dict[str, str]:
        return dict(os.environ, HOME=str(self.home), GIT_CONFIG_GLOBAL=str(self.home / ".gitconfig"),
                    GIT_AUTHOR_DATE=WHEN, GIT_COMMITTER_DATE=WHEN)

    def run(self, cwd: Path, *args: str) -> subprocess.CompletedProcess:
        return subprocess.run(list(args), cwd=cwd, capture_output=True, text=True, env=self.env(),
                              stdin=subprocess.DEVNULL)

    def compfw(self, cwd: Path, *args: str) -> subprocess.CompletedProcess:
        done = self.run(cwd, str(EXE), *args)
        assert "Traceback" not in done.stderr
        return done

    def git(self, cwd: Path, *args: str) -> str:
        done = self.run(cwd, "git", *args)
        assert done.returncode == 0, f"git {' '.join(args)}: {done.stderr}"
        return done.stdout


def ci_audit_command() -> list[str]:
    """The audit command of the shipped action, as it runs for a pull request into main."""
    steps = yaml.safe_load(ACTION.read_text())["runs"]["steps"]
    [line] = [line.strip() for s in steps for line in str(s.get("run", "")).splitlines()
              if line.strip().startswith("compfw audit")]
    args = shlex.split(line.split("||")[0].replace('"$base"', "origin/main"))
    return [str(EXE), *args[1:]]


def finding_codes(github_output: str) -> set[str]:
    return set(re.findall(r"^::error [^\n]*title=compfw ([a-z-]+)::", github_output, re.M))


@pytest.fixture
def programme(tmp_path):
    """A repository with the trust policy and the manager's key on main, as the admin set it up."""
    admin = Person(tmp_path, "Pat Prog", "pat@example.org")
    manager = Person(tmp_path, "Max Place", "max@example.org")
    trainee = Person(tmp_path, "Asha Trainee", "asha@example.org")
    root = tmp_path / "programme"
    copy_tree(CASES / "_shared", root)
    copy_tree(CASES / "signoff" / "repo", root)
    (root / "portfolios" / "asha" / "reflective-piece.md").write_text("word " * 2000 + "\n")
    (root / ".compfw").mkdir()
    # 1. The programme admin writes the policy: they are the admin, and signatures are required.
    (root / ".compfw" / "policy.yaml").write_text(
        "admins:\n  - {name: Pat Prog, email: pat@example.org, handle: \"@pat-prog\"}\n"
        "signatures:\n  required: true\n  allowed_signers: []\nbackdating_days: 14\n")
    admin.git(root, "init", "-q")
    admin.git(root, "add", "-A")
    admin.git(root, "commit", "-q", "-m", "Programme set-up: frameworks, portfolios, trust policy")

    # 2. The manager makes an SSH key and runs the setup command, which prints their entry.
    ssh = manager.home / ".ssh"
    ssh.mkdir()
    subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", manager.email, "-f", str(ssh / "id_ed25519")],
                   check=True)
    setup = manager.compfw(root, "signing", "setup", "--key", str(ssh / "id_ed25519.pub"))
    assert setup.returncode == 0, setup.stderr
    assert "does not list this key yet" in setup.stdout
    snippet = yaml.safe_load(setup.stdout[setup.stdout.index("signatures:\n"):])

    # 3. The admin adds that entry to the policy on main.
    policy_path = root / ".compfw" / "policy.yaml"
    policy = yaml.safe_load(policy_path.read_text())
    policy["signatures"]["allowed_signers"] += snippet["signatures"]["allowed_signers"]
    policy_path.write_text(yaml.safe_dump(policy, sort_keys=False))
    admin.git(root, "commit", "-q", "-am", "Allow Max Place's signing key")
    admin.git(root, "update-ref", "refs/remotes/origin/main", "main")  # what CI's fetch gives
    return root, admin, manager, trainee


def snippet_key(root: Path) -> str:
    """The manager's key as the policy on main lists it."""
    return yaml.safe_load((root / ".compfw" / "policy.yaml").read_text())["signatures"]["allowed_signers"][0]["key"]


def audit(root: Path, person: Person) -> subprocess.CompletedProcess:
    return person.run(root, *ci_audit_command())


def test_a_signed_signoff_passes_ci_and_each_forgery_fails_it_with_its_own_code(programme):
    root, admin, manager, trainee = programme
    record_of = {}

    # --- the manager signs off, with a signed commit; CI's audit passes ---------------------
    manager.git(root, "checkout", "-q", "-b", "max/asha-2.1.1", "main")
    ready = manager.compfw(root, "signing", "setup")
    assert "already allows this key for max@example.org: you are ready to sign off" in ready.stdout
    signed = manager.compfw(root, "signoff", "portfolios/asha", "2.1.1", "--level", "3", "--feedback", FEEDBACK,
                            "--commit")
    assert signed.returncode == 0, signed.stderr
    assert "authored and committed by you (max@example.org)" in signed.stdout
    allowed = root.parent / "allowed_signers-for-checking"
    allowed.write_text(f'max@example.org namespaces="git" {snippet_key(root)}\n')
    assert manager.git(root, "-c", f"gpg.ssh.allowedSignersFile={allowed}", "log", "-1",
                       "--format=%G? %GS %ae %ce").split() == ["G", "max@example.org", "max@example.org", "max@example.org"]
    [record] = sorted((root / "portfolios" / "asha" / "signoffs").glob("*.yaml"))
    record_of["text"] = record.read_text()
    passed = audit(root, admin)
    assert passed.returncode == 0, passed.stdout + passed.stderr
    assert finding_codes(passed.stdout) == set()
    assert manager.compfw(root, "validate").returncode == 0

    forged = record_of["text"].replace('competency: "2.1.1"', 'competency: "3.1.1"')

    def attack(branch: str) -> None:
        trainee.git(root, "checkout", "-q", "-f", "-b", branch, "main")
        trainee.git(root, "clean", "-q", "-fdx", "--", "portfolios", "frameworks", "notes")

    def fails_with(code: str) -> set[str]:
        done = audit(root, admin)
        codes = finding_codes(done.stdout)
        assert done.returncode == 1 and code in codes, (code, done.stdout, done.stderr)
        return codes

    found: dict[str, set[str]] = {}

    # 1. Spoofed author: the trainee commits a record under the manager's name and email.
    attack("asha/spoofed-author")
    (root / "portfolios" / "asha" / "signoffs").mkdir()
    (root / "portfolios" / "asha" / "signoffs" / "2026-11-22-3.1.1-aaaaaa.yaml").write_text(forged)
    trainee.git(root, "add", "-A")
    trainee.git(root, "-c", "user.email=max@example.org", "-c", "user.name=Max Place", "commit", "-q", "-m", "Sign-off")
    found["spoofed author"] = fails_with("trust-unsigned")

    # 2. `signoff --as`: compfw refuses to sign as anyone else, and writes nothing.
    attack("asha/as")
    as_person = trainee.compfw(root, "signoff", "portfolios/asha", "3.1.1", "--level", "3", "--feedback", FEEDBACK,
                               "--as", "max@example.org", "--commit")
    assert as_person.returncode == 2 and "--as chooses only your role" in as_person.stderr
    as_role = trainee.compfw(root, "signoff", "portfolios/asha", "3.1.1", "--level", "3", "--feedback", FEEDBACK,
                             "--as", "placement_manager", "--commit")
    assert as_role.returncode == 1 and "trainees never sign themselves off" in as_role.stderr
    assert not (root / "portfolios" / "asha" / "signoffs").exists()
    assert trainee.git(root, "status", "--porcelain") == ""
    # What the old `--as` did (a commit authored as the manager, committed by the trainee) fails CI.
    (root / "portfolios" / "asha" / "signoffs").mkdir()
    (root / "portfolios" / "asha" / "signoffs" / "2026-11-22-3.1.1-bbbbbb.yaml").write_text(forged)
    trainee.git(root, "add", "-A")
    trainee.git(root, "commit", "-q", "--author", "Max Place <max@example.org>", "-m", "Sign-off")
    found["--as"] = fails_with("trust-committer-mismatch")

    # 3. A symlinked signoffs/ folder pointing at records elsewhere in the repository.
    attack("asha/symlink")
    (root / "notes").mkdir()
    (root / "notes" / "2026-11-22-3.1.1-cccccc.yaml").write_text(forged)
    (root / "portfolios" / "asha" / "signoffs").symlink_to("../../notes", target_is_directory=True)
    trainee.git(root, "add", "-A")
    trainee.git(root, "commit", "-q", "-m", "Notes")
    found["symlink"] = fails_with("trust-symlink")

    # 4. A repository framework with the id and version of a shipped one, every target lowered.
    attack("asha/framework-override")
    shipped = (REPO / "frameworks" / "nhs-gmts-informatics.yaml").read_text()
    (root / "frameworks" / "nhs-gmts-informatics.yaml").write_text(re.sub(r"target: \d", "target: 1", shipped))
    trainee.git(root, "add", "-A")
    trainee.git(root, "commit", "-q", "-m", "Framework fix")
    found["framework override"] = fails_with("trust-framework-override")

    # 5. A backdated record: dated months before the commit that records it.
    attack("asha/backdated")
    (root / "portfolios" / "asha" / "signoffs").mkdir()
    (root / "portfolios" / "asha" / "signoffs" / "2026-06-01-3.1.1-dddddd.yaml").write_text(
        forged.replace(f"date: {TODAY}", "date: 2026-06-01"))
    trainee.git(root, "add", "-A")
    trainee.git(root, "-c", "user.email=max@example.org", "-c", "user.name=Max Place", "commit", "-q", "-m", "Sign-off")
    found["backdated"] = fails_with("trust-backdated")

    # Each attempt is caught by a code of its own (one no other attempt needed to be caught).
    own = {attempt: codes - set().union(*(c for a, c in found.items() if a != attempt))
           for attempt, codes in found.items()}
    assert own["--as"] >= {"trust-committer-mismatch"}
    assert own["symlink"] >= {"trust-symlink"}
    assert own["framework override"] >= {"trust-framework-override"}
    assert own["backdated"] >= {"trust-backdated"}
