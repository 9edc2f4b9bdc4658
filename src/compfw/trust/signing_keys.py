"""SSH commit signing for managers: is it set up, is the key allowed, and setting it up.

`compfw signoff` asks `signing_check` before it writes anything: when the trust policy requires
signatures, git must be set to sign with an SSH key (gpg.format ssh, user.signingkey), and if
compfw can tell the public key, the policy must list it for the signer's email on that day.
`compfw signing setup` sets git up (`plan_setup` + `apply_setup`) and gives the entry a
programme admin adds to `.compfw/policy.yaml`. This module runs `ssh-keygen` (only to read a
public key, or to create a key when asked, never over an existing file); git goes through gitutil.
"""

from __future__ import annotations

import datetime as dt
import subprocess
from dataclasses import dataclass
from pathlib import Path

from compfw.files import gitutil
from compfw.files.problems import UserError

SETUP_HINT = ("run `compfw signing setup --key ~/.ssh/id_ed25519.pub` (or `--create` for a new key), then ask a "
              "programme admin to add the entry it prints to .compfw/policy.yaml")
DEFAULT_NEW_KEY = Path("~/.ssh/compfw_signing")


@dataclass(frozen=True)
class SigningConfig:
    """What git would do when committing here."""

    format: str  # gpg.format: "openpgp" (git's default), "ssh" or "x509"
    key_setting: str | None  # user.signingkey as configured
    sign_by_default: bool  # commit.gpgsign
    public_key: str | None  # "TYPE BASE64" of the SSH signing key, when it can be told
    key_problem: str | None  # why the public key cannot be told


@dataclass(frozen=True)
class SigningCheck:
    """signoff's verdict: refused (message, hint), or allowed with notes for the output."""

    refusal: tuple[str, str] | None
    notes: tuple[str, ...]


def _bool(value: str | None) -> bool:
    return (value or "").strip().lower() in ("true", "yes", "on", "1")


def key_type_and_blob(line: str) -> str | None:
    """'TYPE BASE64' of a public key line ('TYPE BASE64 comment', or a 'key::' literal)."""
    if line.startswith("key::"):
        line = line[len("key::"):]
    parts = line.split()
    if len(parts) >= 2 and (parts[0].startswith(("ssh-", "ecdsa-", "sk-"))):
        return f"{parts[0]} {parts[1]}"
    return None


def read_public_key(setting: str, cwd: Path) -> tuple[str | None, str | None]:
    """(public key, None) for a user.signingkey value, or (None, why it cannot be told)."""
    literal = key_type_and_blob(setting)
    if literal:
        return literal, None
    path = Path(setting).expanduser()
    if not path.is_absolute():
        path = cwd / path
    candidates = [path] if path.suffix == ".pub" else [Path(str(path) + ".pub"), path]
    for candidate in candidates:
        try:
            first = candidate.read_text(encoding="utf-8").strip().splitlines()
        except (OSError, UnicodeDecodeError):
            continue
        if first and key_type_and_blob(first[0]):
            return key_type_and_blob(first[0]), None
    if path.is_file():  # a private key without its .pub beside it: ask ssh-keygen, never prompt
        try:
            done = subprocess.run(["ssh-keygen", "-y", "-P", "", "-f", str(path)], capture_output=True, text=True,
                                  stdin=subprocess.DEVNULL, timeout=20)
        except (OSError, subprocess.TimeoutExpired):
            return None, "ssh-keygen is not available to read it"
        if done.returncode == 0 and key_type_and_blob(done.stdout.strip()):
            return key_type_and_blob(done.stdout.strip()), None
        return None, f"{path} has a passphrase and no {path.name}.pub beside it"
    return None, f"{path} does not exist"


def signing_config(cwd: Path) -> SigningConfig:
    fmt = (gitutil.config_value("gpg.format", cwd) or "openpgp").strip().lower()
    setting = gitutil.config_value("user.signingkey", cwd)
    public, problem = (None, "user.signingkey is not set")
    if fmt == "ssh" and setting:
        public, problem = read_public_key(setting, cwd)
    return SigningConfig(fmt, setting, _bool(gitutil.config_value("commit.gpgsign", cwd)), public, problem)


def allowed_for(policy, email: str, public_key: str, on: dt.date) -> tuple[bool, str]:
    """Whether the policy lists this key for this email on this day; (False, why) if not."""
    wanted = email.strip().lower()
    entries = [s for s in policy.signatures.allowed_signers if s.email.strip().lower() == wanted]
    same_key = [s for s in entries if s.key_type_and_blob == public_key]
    if not same_key:
        if entries:
            return False, f"the policy lists {len(entries)} key(s) for {email}, but not the one git signs with"
        return False, f"the policy lists no signing key for {email}"
    for entry in same_key:
        if (entry.valid_after is None or entry.valid_after <= on) and (entry.valid_before is None or on < entry.valid_before):
            return True, ""
    windows = ", ".join(f"{s.valid_after or 'any time'} to {s.valid_before or 'open'}" for s in same_key)
    return False, f"your key is allowed for {email} only from {windows}, not on {on}"


def signing_check(policy_read, email: str, cwd: Path, on: dt.date, commits: bool) -> SigningCheck:
    """What the policy asks of the commit that will record a sign-off, checked before writing.

    commits: compfw makes the commit (--commit, signed with -S when required); otherwise the
    signer commits by hand, so their commit.gpgsign matters.
    """
    policy = policy_read.policy if policy_read is not None else None
    if policy_read is None or not policy_read.present:
        return SigningCheck(None, ("This repository has no trust policy (.compfw/policy.yaml), so nothing requires "
                                   "signed sign-offs: the commit names its author, which anyone can type, and an "
                                   "audit can check only that claim. A programme admin sets up the policy "
                                   "(docs/trust.md).",))
    if policy is None:
        raise UserError("cannot read the trust policy .compfw/policy.yaml, so the sign-off was not written",
                        "fix the problems below (`compfw validate` lists them)", policy_read.problems)
    if not policy.signatures.required:
        return SigningCheck(None, ("This repository does not require signed sign-offs (signatures.required: false "
                                   "in .compfw/policy.yaml): the commit's author is a claim anyone can type, so the "
                                   "audit proves only what the commit says, not who made it.",))
    config = signing_config(cwd)
    if config.format != "ssh":
        return SigningCheck((f"this repository requires signed sign-offs, and git is not set to sign with an SSH key "
                             f"(gpg.format is {config.format!r}), so nothing was written", SETUP_HINT), ())
    if not config.key_setting:
        return SigningCheck(("this repository requires signed sign-offs, and git has no signing key "
                             "(user.signingkey is not set), so nothing was written", SETUP_HINT), ())
    notes: list[str] = []
    if config.public_key is None:
        notes.append(f"Could not check your signing key against the policy's allowed signers "
                     f"({config.key_problem}); the audit will.")
    else:
        ok, why = allowed_for(policy, email, config.public_key, on)
        if not ok:
            return SigningCheck((f"this repository requires signatures by an allowed key, and {why}, so nothing "
                                 "was written", "run `compfw signing setup` to print your allowed-signers entry "
                                 "and ask a programme admin to add it to .compfw/policy.yaml on the main branch"), ())
    if not commits and not config.sign_by_default:
        notes.append("This repository requires signed sign-offs and your git does not sign commits by default "
                     "(commit.gpgsign): commit these files with `git commit -S`, or run `compfw signing setup`.")
    return SigningCheck(None, tuple(notes))


# --- setting up -------------------------------------------------------------------------------


@dataclass(frozen=True)
class SetupPlan:
    email: str
    key_file: Path | None  # the private key to create, when asked to
    key_setting: str  # what user.signingkey will say (a .pub path)
    scope: str  # "global" or "local"


@dataclass(frozen=True)
class SetupResult:
    email: str
    public_key: str
    settings: tuple[tuple[str, str, str | None], ...]  # (key, new value, old value)
    created: Path | None
    entry: dict  # the allowed-signers entry for .compfw/policy.yaml
    already_allowed: bool | None  # None: no policy here to check against


def plan_setup(cwd: Path, key: Path | None, create: bool, scope: str) -> SetupPlan:
    email = gitutil.config_value("user.email", cwd)
    if not email:
        raise UserError("git user.email is not set: the allowed-signers entry needs the email you sign off with",
                        "set it (`git config --global user.email you@example.org`), then run this again")
    if key is not None and create:
        raise UserError("give --key for an existing key or --create for a new one, not both",
                        "--create makes ~/.ssh/compfw_signing unless --key names where")
    if create:
        target = (key or DEFAULT_NEW_KEY).expanduser()
        target = target.with_suffix("") if target.suffix == ".pub" else target
        for existing in (target, Path(str(target) + ".pub")):
            if existing.exists() or existing.is_symlink():
                raise UserError(f"{existing} already exists, and compfw never overwrites a key",
                                f"use it: `compfw signing setup --key {target}.pub`")
        return SetupPlan(email, target, str(target) + ".pub", scope)
    if key is None:
        current = gitutil.config_value("user.signingkey", cwd)
        fmt = (gitutil.config_value("gpg.format", cwd) or "openpgp").lower()
        if current and fmt == "ssh":
            return SetupPlan(email, None, current, scope)
        raise UserError("which SSH key should sign your commits?",
                        "give --key ~/.ssh/id_ed25519.pub (a key you have), or --create to make a new one")
    path = key.expanduser().resolve()
    public, why = read_public_key(str(path), cwd)
    if public is None:
        raise UserError(f"cannot use {key} as an SSH signing key: {why}", "give the public key file, e.g. "
                        "~/.ssh/id_ed25519.pub, made by ssh-keygen")
    setting = str(path) if path.suffix == ".pub" else (str(path) + ".pub" if Path(str(path) + ".pub").is_file()
                                                       else str(path))
    return SetupPlan(email, None, setting, scope)


def create_key(plan: SetupPlan, passphrase_prompt: bool) -> None:
    """Make the new key with ssh-keygen: it asks for a passphrase on the terminal unless told none."""
    plan.key_file.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    args = ["ssh-keygen", "-q", "-t", "ed25519", "-C", plan.email, "-f", str(plan.key_file)]
    if not passphrase_prompt:
        args += ["-N", ""]
    try:
        done = subprocess.run(args, stdin=None if passphrase_prompt else subprocess.DEVNULL,
                              capture_output=not passphrase_prompt, text=True)
    except OSError:
        raise UserError("ssh-keygen is not available", "install OpenSSH, or give --key for a key you have") from None
    if done.returncode != 0:
        raise UserError("ssh-keygen could not create the key", (done.stderr or "").strip()[:300] or "see above")


def apply_setup(plan: SetupPlan, cwd: Path, policy_read, today: dt.date) -> SetupResult:
    public, why = read_public_key(plan.key_setting, cwd)
    if public is None:
        raise UserError(f"cannot read the public key {plan.key_setting}: {why}", "give --key for a .pub file")
    wanted = (("gpg.format", "ssh"), ("user.signingkey", plan.key_setting), ("commit.gpgsign", "true"))
    settings = []
    for name, value in wanted:
        old = gitutil.config_value(name, cwd)
        if old != value:
            gitutil.config_set(cwd, name, value, plan.scope)
        settings.append((name, value, old))
    entry = {"email": plan.email.strip().lower(), "key": public, "valid_after": today}
    allowed = None
    if policy_read is not None and policy_read.policy is not None:
        allowed = allowed_for(policy_read.policy, plan.email, public, today)[0]
    return SetupResult(plan.email, public, tuple(settings), plan.key_file, entry, allowed)
