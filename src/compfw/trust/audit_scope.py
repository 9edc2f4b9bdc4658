"""What every audit check shares: the scope (which repository, which commits, which base), the
trust roots read from the base, and git's verdict on each commit's signature.

Trust roots (the policy: admins, allowed keys, framework overrides) come from the base revision
only, never from the branch under review; signatures are verified by git itself against an
allowed-signers file written from that policy to a temporary folder outside the work tree.
"""

from __future__ import annotations

import os
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from compfw.files import gitutil
from compfw.files.git_log import CommitInfo
from compfw.files.reading import is_record_name
from compfw.model.policy import (
    DEFAULT_BACKDATING_DAYS,
    POLICY_FILE,
    Policy,
    allowed_signers_text,
    is_admin,
    policy_at,
)
from compfw.files.problems import Problem, UserError, display_path

SIGNATURE_VERDICTS = {
    "N": "has no signature",
    "B": "has a bad signature",
    "U": "is signed by a key that the policy does not allow (or not at the date the commit claims)",
    "X": "has a good signature that has expired",
    "Y": "has a good signature made by a key that has expired",
    "R": "is signed by a revoked key",
    "E": "has a signature that cannot be checked (unknown key type, or ssh-keygen missing)",
}
MERGE_HINT = "squash and rebase merges rewrite the manager's commit: merge pull requests with a merge commit"


@dataclass(frozen=True)
class Scope:
    top: Path  # the repository's top level; git paths are relative to it
    prefix: str  # the compfw root within the repository: "" or "sub/dir/"
    base: str | None  # commit id of --base
    base_ref: str | None  # --base as the user wrote it

    @property
    def trusted(self) -> str:
        """The revision whose policy is trusted: the base, or HEAD when auditing a whole history."""
        return self.base or "HEAD"

    @property
    def trusted_name(self) -> str:
        return f"the base {self.base_ref}" if self.base else "HEAD"

    def shown(self, path: str) -> str:
        """A git path as the user would type it; the last part is never resolved (it may be a link)."""
        full = self.top / path
        return (Path(display_path(full.parent)) / full.name).as_posix()


@dataclass(frozen=True)
class Trust:
    """The trust roots as read from the trusted revision, and what the audit will demand."""

    policy: Policy | None
    where: str
    signatures_required: bool
    problems: list[Problem] = field(default_factory=list)

    @property
    def backdating_days(self) -> int:
        return self.policy.backdating_days if self.policy else DEFAULT_BACKDATING_DAYS

    def is_admin(self, email: str) -> bool:
        return is_admin(self.policy, email)


def portfolio_of(path: str, prefix: str) -> str | None:
    """The portfolio folder of a sign-off record's path, or None if the path is not a record.

    Records are what the loader reads (`is_record_name`, the same rule): files directly in
    portfolios/<id>/signoffs/ of a visible portfolio folder.
    """
    if not path.startswith(prefix):
        return None
    parts = path[len(prefix):].split("/")
    if (len(parts) == 4 and parts[0] == "portfolios" and parts[2] == "signoffs" and not parts[1].startswith(".")
            and is_record_name(parts[3])):
        return f"{prefix}portfolios/{parts[1]}"
    return None


def open_scope(root: Path, base: str | None) -> Scope:
    top = gitutil.toplevel(root)
    if top is None:
        raise UserError(f"{root} is not in a git repository", "the audit reads the sign-off history from git")
    if gitutil.is_shallow(top):
        raise UserError("this is a shallow clone: the audit needs the full history",
                        "fetch it (`git fetch --unshallow`; in GitHub Actions, actions/checkout with fetch-depth: 0)")
    if gitutil.resolve_commit(top, "HEAD") is None:
        raise UserError("the repository has no commits yet", "commit first; the audit reads committed history")
    base_id = None
    if base is not None:
        base_id = gitutil.resolve_commit(top, base)
        if base_id is None:
            raise UserError(f"--base {base!r} is not a commit here",
                            "give the base branch of the pull request, fetched (e.g. origin/main)")
    try:
        prefix = root.resolve().relative_to(top.resolve()).as_posix()
    except ValueError:
        prefix = "."
    prefix = "" if prefix == "." else prefix + "/"
    return Scope(top, prefix, base_id, base)


def load_blob(blob: bytes | None, path: str, model: type):
    """A model from a file's content at some revision: (model, None) or (None, why not)."""
    from compfw.model.modelerrors import validate_as
    from compfw.files.yaml_located import YamlDocument, YamlProblem
    from compfw.files.yaml_parse import parse_text

    if blob is None:
        return None, "missing"
    try:
        text = blob.decode("utf-8-sig")
        doc = YamlDocument(Path(path), parse_text(text), text)
    except (UnicodeDecodeError, YamlProblem) as exc:
        return None, getattr(exc, "message", "not valid UTF-8")
    parsed, problems = validate_as(doc, model)
    return parsed, (None if parsed is not None else (problems[0].message if problems else "invalid"))


def who(info: CommitInfo) -> str:
    return f"{info.author_name} <{info.author_email}>"


def read_trust(scope: Scope, require_signed: bool, require_policy: bool) -> Trust:
    """The policy of the trusted revision, and the findings about it (missing, unreadable)."""
    where = scope.trusted_name
    read = policy_at(scope.top, scope.trusted, scope.prefix, where, scope.shown(scope.prefix + POLICY_FILE))
    shown = scope.shown(scope.prefix + POLICY_FILE)
    problems = [Problem(p.path, p.line, p.col, f"the trust policy in {where}: {p.message}", p.hint,
                        code=p.code if p.code == "trust-symlink" else "trust-policy-invalid")
                for p in read.problems]
    if read.policy is None and not read.problems:
        severity = "error" if (require_signed or require_policy) else "warning"
        problems.append(Problem(shown, 0, 0, f"there is no trust policy ({POLICY_FILE}) in {where}: nothing is "
                                "proved beyond commit metadata, and signatures, programme admins and framework "
                                "overrides cannot be checked",
                                "a programme admin commits the policy to the base branch (see docs/trust.md)",
                                severity, code="trust-no-policy"))
    required = require_signed or bool(read.policy and read.policy.signatures.required)
    return Trust(read.policy, where, required, problems)


def signature_verdicts(scope: Scope, trust: Trust, commits: set[str]) -> dict[str, tuple[str, str]] | None:
    """%G? and %GS of each commit, verified by git against the policy's keys; None when
    signatures are not required (or there is no policy to hold the keys)."""
    if not trust.signatures_required or trust.policy is None:
        return None
    if not commits:
        return {}
    # The keys come from the trusted policy, written where the branch under review cannot reach:
    # a fresh private folder outside the work tree, removed afterwards.
    with tempfile.TemporaryDirectory(prefix="compfw-audit-") as folder:
        path = Path(folder) / "allowed_signers"
        with open(path, "w", encoding="utf-8") as out:
            out.write(allowed_signers_text(trust.policy))
        os.chmod(path, 0o600)
        return gitutil.signature_checks(scope.top, sorted(commits), path)


def principal_email(principal: str) -> str:
    """The email of a signature's signer: the SSH principal, or the address in an OpenPGP 'Name <email>'."""
    if "<" in principal and principal.endswith(">"):
        principal = principal[principal.rindex("<") + 1:-1]
    return principal.strip().lower()


def signature_problem(commit: str, email: str, signatures: dict[str, tuple[str, str]] | None) -> str | None:
    """Why a commit's signature does not prove that `email` made it, or None if it does (or is not asked)."""
    if signatures is None:
        return None
    verdict, principal = signatures.get(commit, ("N", ""))
    if verdict != "G":
        return SIGNATURE_VERDICTS.get(verdict, f"has signature status {verdict!r}")
    if principal_email(principal) != email.strip().lower():
        return f"is signed by {principal}, not by {email}"
    return None
