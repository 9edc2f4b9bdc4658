"""`compfw credential issue|verify`: Open Badges 3.0 credentials from real git repositories.

Keys are made in the test (RSA with `cryptography`, SSH with `ssh-keygen`); every issued
credential is checked against the official AchievementCredential JSON Schema read from
../shared/vendor.
"""

from __future__ import annotations

import base64
import datetime as dt
import json
import os
import shutil
import subprocess
from pathlib import Path

import jsonschema
import pytest
from conftest import CASES, REPO, git
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from compfw.trust import credentials

SCHEMA = REPO.parent / "shared" / "vendor" / "ob-v3p0-achievementcredential.schema.json"
CASE = CASES / "credential" / "repo"
FEEDBACK = "Clear, well evidenced collaboration with the regional network; keep sharing it."
MAX = ("Max Place", "max@example.org")
PAT = ("Pat Prog", "pat@example.org")
ASHA = ("Asha Trainee", "asha@example.org")
ISSUER_ID = "https://example.org/programmes/gmts"


def rsa_key(folder: Path, name: str) -> Path:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    path = folder / f"{name}.pem"
    path.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                       serialization.NoEncryption()))
    return path


def public_pem(private: Path) -> str:
    key = serialization.load_pem_private_key(private.read_bytes(), password=None)
    return key.public_key().public_bytes(serialization.Encoding.PEM,
                                         serialization.PublicFormat.SubjectPublicKeyInfo).decode()


def policy_text(issuer_key: Path, required: bool = False, signers: str = "") -> str:
    pem = "\n".join("      " + line for line in public_pem(issuer_key).strip().splitlines())
    return (f"admins:\n  - {{name: {PAT[0]}, email: {PAT[1]}}}\n"
            f"signatures:\n  required: {str(required).lower()}\n  allowed_signers: [{signers}]\n"
            f"issuer:\n  id: {ISSUER_ID}\n  name: NHS Graduate Management Training Scheme\n"
            f"  url: https://example.org/gmts\n  public_key: |\n{pem}\n")


def commit_as(root: Path, person: tuple[str, str], message: str) -> str:
    git(root, "add", "-A")
    git(root, "-c", f"user.name={person[0]}", "-c", f"user.email={person[1]}", "commit", "-q", "-m", message)
    return git(root, "rev-parse", "HEAD").strip()


def as_user(root: Path, person: tuple[str, str]) -> None:
    git(root, "config", "user.name", person[0])
    git(root, "config", "user.email", person[1])


@pytest.fixture
def keys(tmp_path) -> dict[str, Path]:
    folder = tmp_path / "keys"
    folder.mkdir()
    return {"issuer": rsa_key(folder, "issuer"), "other": rsa_key(folder, "other")}


@pytest.fixture
def repo(make_repo, keys, cli) -> Path:
    """Max has signed 2.1.1 at level 3 and 3.1.2 at level 2 with compfw, each a commit of his own."""
    root = make_repo(CASE)
    (root / ".compfw").mkdir()
    (root / ".compfw" / "policy.yaml").write_text(policy_text(keys["issuer"]))
    git(root, "init", "-q")
    commit_as(root, PAT, "programme set-up")
    as_user(root, MAX)
    for competency, level in (("2.1.1", "3"), ("3.1.2", "2")):
        done = cli(["signoff", "portfolios/asha", competency, "--level", level, "--feedback", FEEDBACK,
                    "--commit"], cwd=root)
        assert done.exit_code == 0, done.stderr
    return root


def schema_validator():
    schema = json.loads(SCHEMA.read_text())
    return jsonschema.Draft201909Validator(schema, format_checker=jsonschema.Draft201909Validator.FORMAT_CHECKER)


def payload(token: str) -> dict:
    part = token.split(".")[1]
    return json.loads(base64.urlsafe_b64decode(part + "=" * (-len(part) % 4)))


def issue(cli, root: Path, keys, *args: str):
    return cli(["credential", "issue", "portfolios/asha", "--key", str(keys["issuer"]), "-o", "out", *args], cwd=root)


def verify(cli, root: Path, *files: str, repo: bool = True):
    return cli(["credential", "verify", *files, *(["--repo", "."] if repo else [])], cwd=root)


def test_issued_credentials_are_valid_open_badges_and_verify(cli, repo, keys):
    done = issue(cli, repo, keys)
    assert done.exit_code == 0, done.stderr
    assert done.stdout.splitlines() == ["out/asha-2.1.1.jwt", "out/asha-3.1.2.jwt"]
    validator = schema_validator()
    for name in ("asha-2.1.1", "asha-3.1.2"):
        token = (repo / "out" / f"{name}.jwt").read_text().strip()
        claims = payload(token)
        errors = sorted(validator.iter_errors(claims["vc"]), key=str)
        assert errors == [], [e.message for e in errors]
        assert claims["iss"] == ISSUER_ID and claims["jti"] == claims["vc"]["id"]
        assert "asha@example.org" not in token and "asha@example.org" not in json.dumps(claims)
    first = payload((repo / "out" / "asha-2.1.1.jwt").read_text())["vc"]
    achievement = first["credentialSubject"]["achievement"]
    assert achievement["humanCode"] == "2.1.1"
    assert achievement["id"] == "urn:uuid:" + credentials.identifier("mini@1.0/competency/2.1.1")
    result = first["credentialSubject"]["result"][0]
    levels = {lv["id"]: lv["level"] for lv in achievement["resultDescription"][0]["rubricCriterionLevel"]}
    assert levels[result["achievedLevel"]] == "3"
    assert levels[achievement["resultDescription"][0]["requiredLevel"]] == "3"
    evidence = first["evidence"][0]
    commit, path = credentials.parse_evidence_id(evidence["id"])
    assert git(repo, "log", "--format=%H", "--diff-filter=A", "--", path).strip() == commit
    assert evidence["description"] == FEEDBACK and "Max Place" in evidence["name"]

    checked = verify(cli, repo, "out/asha-2.1.1.jwt", "out/asha-3.1.2.jwt")
    assert checked.exit_code == 0, checked.stdout + checked.stderr
    assert checked.stdout.splitlines()[0] == "out/asha-2.1.1.jwt: ok: valid: 2.1.1: Asha Trainee"
    assert "audit finds nothing against them" in checked.stdout


def test_the_recipient_is_a_salted_hash_of_the_trainee_email(cli, repo, keys):
    assert issue(cli, repo, keys, "-c", "2.1.1").exit_code == 0
    identity = payload((repo / "out" / "asha-2.1.1.jwt").read_text())["vc"]["credentialSubject"]["identifier"][0]
    assert identity["hashed"] is True and identity["identityType"] == "emailAddress"
    assert identity["identityHash"] == credentials.identity_hash("asha@example.org", identity["salt"])
    assert identity["identityHash"] != credentials.identity_hash("asha@example.org", "")


def test_one_changed_byte_in_the_payload_is_refused(cli, repo, keys):
    assert issue(cli, repo, keys, "-c", "2.1.1").exit_code == 0
    file = repo / "out" / "asha-2.1.1.jwt"
    head, body, signature = file.read_text().strip().split(".")
    claims = json.loads(base64.urlsafe_b64decode(body + "=" * (-len(body) % 4)))
    claims["vc"]["credentialSubject"]["result"][0]["value"] = "5"
    forged = base64.urlsafe_b64encode(json.dumps(claims).encode()).rstrip(b"=").decode()
    (repo / "out" / "forged.jwt").write_text(f"{head}.{forged}.{signature}\n")
    flipped = body[:10] + ("A" if body[10] != "A" else "B") + body[11:]
    (repo / "out" / "flipped.jwt").write_text(f"{head}.{flipped}.{signature}\n")
    for name in ("forged.jwt", "flipped.jwt"):
        for with_repo in (True, False):
            done = verify(cli, repo, f"out/{name}", repo=with_repo)
            assert done.exit_code == 1, done.stdout
            assert done.stdout.startswith(f"out/{name}: invalid: "), done.stdout


def test_a_credential_signed_by_another_key_is_refused(cli, repo, keys):
    assert issue(cli, repo, keys, "-c", "2.1.1").exit_code == 0
    vc = payload((repo / "out" / "asha-2.1.1.jwt").read_text())["vc"]
    other = credentials.load_private_key(keys["other"].read_bytes())
    (repo / "out" / "other.jwt").write_text(credentials.sign(vc, other))
    done = verify(cli, repo, "out/other.jwt")
    assert (done.exit_code, done.stdout) == (1, "out/other.jwt: invalid: signed by a key that is not the issuer's "
                                                "(the key id does not match)\n")
    # Without the repository, only integrity can be checked, and the output says so.
    alone = verify(cli, repo, "out/other.jwt", repo=False)
    assert alone.exit_code == 0 and "integrity only" in alone.stdout


def test_issuing_with_a_key_that_is_not_the_policys_is_refused(cli, repo, keys):
    done = cli(["credential", "issue", "portfolios/asha", "--key", str(keys["other"]), "-o", "out"], cwd=repo)
    assert done.exit_code == 1
    assert "is not the issuer key named in the trust policy" in done.stderr
    assert not (repo / "out").exists()


def _reissue_citing(repo: Path, keys, token_file: Path, commit: str, path: str, name: str) -> Path:
    vc = payload(token_file.read_text())["vc"]
    vc["evidence"][0]["id"] = credentials.EVIDENCE_PREFIX + commit + ":" + path
    key = credentials.load_private_key(keys["issuer"].read_bytes())
    out = repo / "out" / name
    out.write_text(credentials.sign(vc, key))
    return out


def test_a_credential_citing_a_commit_that_does_not_exist_is_refused(cli, repo, keys):
    assert issue(cli, repo, keys, "-c", "2.1.1").exit_code == 0
    source = repo / "out" / "asha-2.1.1.jwt"
    _, path = credentials.parse_evidence_id(payload(source.read_text())["vc"]["evidence"][0]["id"])
    _reissue_citing(repo, keys, source, "0123456789abcdef0123456789abcdef01234567", path, "ghost.jwt")
    done = verify(cli, repo, "out/ghost.jwt")
    assert (done.exit_code, done.stdout) == (1, "out/ghost.jwt: invalid: cites commit "
                                                "0123456789abcdef0123456789abcdef01234567, which is not in the "
                                                "repository\n")


def test_a_credential_citing_a_signoff_audit_rejects_is_refused(cli, repo, keys):
    # The trainee writes a record in Max's name and commits it as herself.
    record = repo / "portfolios" / "asha" / "signoffs" / "forged.yaml"
    record.write_text(f'competency: "3.1.1"\nlevel: 3\nsigner: {{name: {MAX[0]}, email: {MAX[1]}, '
                      f"role: placement_manager}}\ndate: 2026-06-01\nfeedback: {FEEDBACK}\n")
    forged_commit = commit_as(repo, ASHA, "my sign-off")
    refused = issue(cli, repo, keys, "-c", "3.1.1")
    assert refused.exit_code == 1 and "audit" in refused.stderr, refused.stderr
    assert issue(cli, repo, keys, "-c", "2.1.1").exit_code == 0
    source = repo / "out" / "asha-2.1.1.jwt"
    _reissue_citing(repo, keys, source, forged_commit, "portfolios/asha/signoffs/forged.yaml", "forged.jwt")
    done = verify(cli, repo, "out/forged.jwt")
    assert done.exit_code == 1
    assert done.stdout.startswith("out/forged.jwt: invalid: audit rejects a sign-off it cites: "), done.stdout


def test_a_signoff_changed_after_the_credential_is_refused(cli, repo, keys):
    assert issue(cli, repo, keys, "-c", "2.1.1").exit_code == 0
    _, path = credentials.parse_evidence_id(payload((repo / "out" / "asha-2.1.1.jwt").read_text())["vc"]["evidence"][0]["id"])
    (repo / path).write_text((repo / path).read_text().replace("level: 3", "level: 4"))
    commit_as(repo, MAX, "raise the level")
    done = verify(cli, repo, "out/asha-2.1.1.jwt")
    assert done.exit_code == 1 and "has been changed since commit" in done.stdout


def test_graduation_is_refused_before_the_trainee_is_ready(cli, repo, keys):
    done = issue(cli, repo, keys, "--graduation")
    assert done.exit_code == 1
    assert "is not graduation-ready (20.0% achieved, 90.0% needed)" in done.stderr


def test_a_graduation_ready_trainee_gets_the_graduation_credential(cli, repo, keys):
    (repo / "portfolios" / "asha" / "reflective-piece.md").write_text("word " * 2000 + "\n")
    commit_as(repo, ASHA, "reflective piece")
    rated = ["2.1.2", "2.1.3", "2.1.4", "3.1.1", "3.1.3", "3.1.4"]
    for args in (rated + ["--level", "5"], ["1.1.1", "1.1.2"]):
        done = cli(["signoff", "portfolios/asha", *args, "--feedback", FEEDBACK, "--commit"], cwd=repo)
        assert done.exit_code == 0, done.stderr
    done = issue(cli, repo, keys, "--graduation")
    assert done.exit_code == 0, done.stderr
    assert done.stdout.splitlines() == ["out/asha-graduation.jwt"]
    vc = payload((repo / "out" / "asha-graduation.jwt").read_text())["vc"]
    assert sorted(schema_validator().iter_errors(vc), key=str) == []
    assert vc["credentialSubject"]["result"][0]["value"] == "100.0"
    assert len(vc["evidence"]) == 10
    assert verify(cli, repo, "out/asha-graduation.jwt").exit_code == 0


def test_a_competency_that_is_not_achieved_is_refused(cli, repo, keys):
    done = issue(cli, repo, keys, "-c", "3.1.1")
    assert done.exit_code == 1 and "3.1.1 is not achieved" in done.stderr


needs_ssh_keygen = pytest.mark.skipif(shutil.which("ssh-keygen") is None, reason="SSH signing needs ssh-keygen")


@needs_ssh_keygen
def test_end_to_end_by_subprocess(tmp_path, keys):
    """A manager signs with an SSH-signed commit; the programme issues; a verifier with only the
    credential and a clone of the repository verifies it."""
    compfw = shutil.which("compfw")
    assert compfw, "the compfw entry point is installed"
    env = dict(os.environ)
    root = tmp_path / "programme"
    shutil.copytree(CASES / "_shared", root)
    shutil.copytree(CASE, root, dirs_exist_ok=True)
    ssh_key = tmp_path / "max_ed25519"
    subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", "max", "-f", str(ssh_key)], check=True)
    signer = (f'{{email: {MAX[1]}, key: "{ssh_key.with_suffix(".pub").read_text().strip()}", '
              f"valid_after: 2025-01-01}}")
    (root / ".compfw").mkdir()
    (root / ".compfw" / "policy.yaml").write_text(policy_text(keys["issuer"], required=True, signers=signer))

    def run(*args: str, cwd: Path = root, check: bool = True) -> subprocess.CompletedProcess:
        done = subprocess.run(list(args), cwd=cwd, capture_output=True, text=True, env=env)
        if check:
            assert done.returncode == 0, done.stdout + done.stderr
        return done

    run("git", "init", "-q")
    commit_as(root, PAT, "programme set-up")
    for key, value in (("user.name", MAX[0]), ("user.email", MAX[1]), ("gpg.format", "ssh"),
                       ("user.signingkey", str(ssh_key)), ("commit.gpgsign", "true")):
        run("git", "config", key, value)
    run(compfw, "signoff", "portfolios/asha", "2.1.1", "--level", "3", "--feedback", FEEDBACK, "--commit")
    assert "gpgsig -----BEGIN SSH SIGNATURE-----" in run("git", "cat-file", "commit", "HEAD").stdout
    run(compfw, "credential", "issue", "portfolios/asha", "--key", str(keys["issuer"]), "-o", str(tmp_path / "issued"))
    token = (tmp_path / "issued" / "asha-2.1.1.jwt").read_text()
    assert "signed, and the signature verified" in json.dumps(payload(token))

    verifier = tmp_path / "verifier"
    run("git", "clone", "-q", str(root), str(verifier), cwd=tmp_path)
    shutil.copy(tmp_path / "issued" / "asha-2.1.1.jwt", tmp_path / "received.jwt")
    done = run(compfw, "credential", "verify", str(tmp_path / "received.jwt"), "--repo", str(verifier), cwd=tmp_path)
    assert done.stdout.splitlines()[0] == f"{tmp_path / 'received.jwt'}: ok: valid: 2.1.1: Asha Trainee"
    now = dt.date.today().isoformat()
    assert payload(token)["vc"]["validFrom"][:4] == now[:4]
