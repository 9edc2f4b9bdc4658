"""The trust policy: `.compfw/policy.yaml`, the one file that says whom the checks trust.

It names the programme admins (the only people who may change what defines achievement), the
SSH keys allowed to sign commits and when each is valid, whether signatures are required, how
far a sign-off's date may precede the commit that records it, and which repository frameworks
may replace a shipped one. `compfw audit` reads it from the base branch (`policy_at`), never
from the branch under review; local commands read the working tree's copy (`load_policy`).
Both give the same located problems as every other file.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated

from pydantic import AfterValidator, Field, StrictBool, StrictInt, model_validator

from compfw.files.layout import POLICY_FILE, policy_present
from compfw.files.problems import Problem
from compfw.files.yaml_located import YamlDocument, YamlProblem
from compfw.files.yaml_parse import load_yaml, parse_text
from compfw.model.modelerrors import validate_as
from compfw.model.models import Person, Slug, Strict, Text

DEFAULT_BACKDATING_DAYS = 14

# An address as allowed_signers and CODEOWNERS can carry it unchanged: no spaces, commas,
# quotes or the wildcards '*' and '?' (an allowed-signers principal is a pattern list, so
# '*@example.org' would let anyone at that domain sign).
SIGNER_EMAIL = r"^[A-Za-z0-9._%+\-]+@[A-Za-z0-9\-]+(\.[A-Za-z0-9\-]+)+\Z"
# One public key as `ssh-keygen` and `~/.ssh/*.pub` write it: type, base64 blob, optional comment.
KEY_TYPES = ("ssh-ed25519", "ssh-rsa", "ecdsa-sha2-nistp256", "ecdsa-sha2-nistp384", "ecdsa-sha2-nistp521",
             "sk-ssh-ed25519@openssh.com", "sk-ecdsa-sha2-nistp256@openssh.com")
PUBLIC_KEY = r"^(" + "|".join(map(re.escape, KEY_TYPES)) + r") [A-Za-z0-9+/]+={0,2}( [\x20-\x7e]*)?\Z"


def _plain_email(value: str) -> str:
    if len(value) > 254 or not re.match(SIGNER_EMAIL, value):
        raise ValueError("write a plain address (letters, digits and . _ % + - before the @; no spaces, commas, "
                         "quotes or wildcards)")
    return value


def _public_key(value: str) -> str:
    if len(value) > 16_384 or not re.match(PUBLIC_KEY, value):
        raise ValueError("write one SSH public key on one line, as in ~/.ssh/id_ed25519.pub: "
                         "'ssh-ed25519 AAAA... comment'")
    return value


PlainEmail = Annotated[str, AfterValidator(_plain_email)]
PublicKey = Annotated[str, AfterValidator(_public_key)]


class Admin(Person):
    email: PlainEmail


class AllowedSigner(Strict):
    email: PlainEmail
    key: PublicKey
    valid_after: dt.date | None = None
    valid_before: dt.date | None = None

    @model_validator(mode="after")
    def _window(self) -> AllowedSigner:
        if self.valid_after and self.valid_before and self.valid_before <= self.valid_after:
            raise ValueError("valid_before must be after valid_after")
        return self

    @property
    def key_type_and_blob(self) -> str:
        """The key without its comment (the comment is a label, never part of what is trusted)."""
        return " ".join(self.key.split(" ")[:2])


class Signatures(Strict):
    required: StrictBool = True
    allowed_signers: list[AllowedSigner] = []


class FrameworkOverride(Strict):
    id: Slug
    version: Text


def rsa_public_key(pem: str | bytes):
    """The RSA public key in a PEM text; ValueError says why there is none.

    The one reading of the issuer key: the policy's validation and credential checks both use it.
    """
    from cryptography.hazmat.primitives.asymmetric import rsa
    from cryptography.hazmat.primitives.serialization import load_pem_public_key

    try:
        key = load_pem_public_key(pem.encode("ascii") if isinstance(pem, str) else pem)
    except (ValueError, TypeError, UnicodeEncodeError):
        raise ValueError("not a PEM public key") from None
    if not isinstance(key, rsa.RSAPublicKey):
        raise ValueError("the issuer key must be an RSA key (Open Badges 3.0 verifiers must support RS256)")
    return key


def _rsa_public_key(pem: str) -> str:
    rsa_public_key(pem)
    return pem


class CredentialIssuer(Strict):
    """Who issues Open Badges credentials for this programme, with the public half of its key."""

    id: Annotated[str, Field(max_length=2000, pattern=r"^(https://|urn:|did:)\S+$")]
    name: Text
    url: Annotated[str, Field(max_length=2000, pattern=r"^https://\S+$")] | None = None
    public_key: Annotated[str, Field(max_length=16_384,
                                     pattern=r"^-----BEGIN PUBLIC KEY-----\n[A-Za-z0-9+/=\n]+-----END PUBLIC KEY-----\n?$"),
                          AfterValidator(_rsa_public_key)]


class Policy(Strict):
    admins: Annotated[list[Admin], Field(min_length=1)]
    signatures: Signatures = Signatures()
    backdating_days: Annotated[StrictInt, Field(ge=0, le=3650)] = DEFAULT_BACKDATING_DAYS
    framework_overrides: list[FrameworkOverride] = []
    issuer: CredentialIssuer | None = None

    def is_admin(self, email: str) -> bool:
        return is_admin(self, email)

    def sanctions_override(self, framework_id: str, version: str) -> bool:
        return any(o.id == framework_id and o.version == version for o in self.framework_overrides)


@dataclass(frozen=True)
class PolicyRead:
    """What reading the policy gave: the policy, or why there is none (problems, or absent)."""

    policy: Policy | None
    where: str  # "the base origin/main", "the working tree"
    present: bool = True
    problems: list[Problem] = field(default_factory=list)


def is_admin(policy: Policy | None, email: str) -> bool:
    """Whether this address is one of the policy's programme admins (no policy: nobody is)."""
    if policy is None:
        return False
    needle = email.strip().lower()
    return any(admin.email.lower() == needle for admin in policy.admins)


def _ssh_time(day: dt.date) -> str:
    # Z: the day begins at midnight UTC, whatever the time zone of the machine that checks.
    return day.strftime("%Y%m%d") + "Z"


def allowed_signers_line(signer: AllowedSigner) -> str:
    options = ['namespaces="git"']
    if signer.valid_after:
        options.append(f'valid-after="{_ssh_time(signer.valid_after)}"')
    if signer.valid_before:
        options.append(f'valid-before="{_ssh_time(signer.valid_before)}"')
    return f"{signer.email.lower()} {','.join(options)} {signer.key_type_and_blob}"


def allowed_signers_text(policy: Policy) -> str:
    """The policy's keys in git's gpg.ssh.allowedSignersFile format (ssh-keygen ALLOWED SIGNERS)."""
    return "".join(allowed_signers_line(s) + "\n" for s in policy.signatures.allowed_signers)


def parse_policy(doc: YamlDocument) -> tuple[Policy | None, list[Problem]]:
    return validate_as(doc, Policy)


def load_policy(root: Path) -> PolicyRead:
    """The working tree's policy under root (for local commands: signoff, codeowners, validate)."""
    path = root / POLICY_FILE
    if not policy_present(root):
        return PolicyRead(None, "the working tree", present=False)
    doc, problem = load_yaml(path)
    if problem:
        return PolicyRead(None, "the working tree", problems=[problem])
    policy, problems = parse_policy(doc)
    return PolicyRead(policy, "the working tree", problems=problems)


def policy_from_bytes(blob: bytes, shown: str, where: str) -> PolicyRead:
    """A policy from a file's content at some revision, located as `shown` in messages."""
    try:
        text = blob.decode("utf-8-sig")
    except UnicodeDecodeError:
        return PolicyRead(None, where, problems=[Problem(shown, 0, 0, "file is not valid UTF-8",
                                                         "save it as UTF-8", code="encoding")])
    try:
        data = parse_text(text) if text.strip() else None
    except YamlProblem as exc:
        return PolicyRead(None, where, problems=[Problem(shown, exc.line, exc.col, exc.message, exc.hint, code="yaml")])
    if data is None:
        return PolicyRead(None, where, problems=[Problem(shown, 0, 0, "file holds no data",
                                                         "write the policy (see docs/trust.md)", code="empty")])
    policy, problems = parse_policy(YamlDocument(Path(shown), data, text))
    return PolicyRead(policy, where, problems=problems)


def policy_at(top: Path, rev: str, prefix: str, where: str, shown: str | None = None) -> PolicyRead:
    """The policy as committed in rev (the base branch), read through git, never the working tree.

    A policy that is a symbolic link in rev is refused: its target could be a file the branch
    under review controls.
    """
    from compfw.files.gitutil import read_blobs, tree_entry

    path = f"{prefix}{POLICY_FILE}"
    shown = shown or path
    entry = tree_entry(top, rev, path)
    if entry is None:
        return PolicyRead(None, where, present=False)
    mode, kind = entry
    if kind != "blob" or mode not in ("100644", "100755"):
        return PolicyRead(None, where, problems=[Problem(
            shown, 0, 0, f"the policy in {where} is not a regular file (git mode {mode}); it was not read",
            "commit the policy as an ordinary file", code="trust-symlink")])
    spec = f"{rev}:{path}"
    return policy_from_bytes(read_blobs(top, [spec])[spec] or b"", shown, where)
