"""`compfw audit`: prove the sign-off history from git.

For the sign-off files that the audited commits touch (all of HEAD's history, or REF..HEAD with
a base), every finding names the file, the commit and why:

- a sign-off is added by a commit authored by the signer it names (%ae: a .mailmap in the
  branch under review cannot rewrite it);
- it is never modified, renamed or deleted afterwards (renames are not followed: a rename is a
  deletion of the record that was signed);
- its signer is not the trainee, and was authorised on the sign-off's date by the portfolio.yaml
  of the trusted revision: the base (with --base) or else the adding commit's parent, never the
  adding commit itself, so no commit can make its author a manager and sign off at once;
- with --require-signed, the adding commit has a good signature (%G? = G) by a key that the
  allowed-signers file of the trusted revision lists for the signer's email.
"""

from __future__ import annotations

import os
import tempfile
from dataclasses import dataclass
from pathlib import Path

from compfw.files import gitutil
from compfw.files.gitutil import CommitInfo, FileChange
from compfw.files.problems import Problem, UserError, display_path
from compfw.model.models import Portfolio, Signoff

ALLOWED_SIGNERS = ".compfw/allowed_signers"
SIGNATURE_VERDICTS = {
    "N": "has no signature",
    "B": "has a bad signature",
    "U": "is signed by a key that the allowed-signers file does not list",
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
        """The revision whose portfolio.yaml and allowed-signers file are trusted for signatures."""
        return self.base or "HEAD"

    def shown(self, path: str) -> str:
        return display_path(self.top / path)


@dataclass(frozen=True)
class AuditReport:
    problems: list[Problem]
    checked: str  # what was audited, for the summary line


def portfolio_of(path: str, prefix: str) -> str | None:
    """The portfolio folder of a sign-off record's path, or None if the path is not a record.

    Records are what the loader reads: portfolios/<id>/signoffs/<name>.yaml|.yml, not hidden.
    """
    if not path.startswith(prefix):
        return None
    parts = path[len(prefix):].split("/")
    if (len(parts) == 4 and parts[0] == "portfolios" and parts[2] == "signoffs"
            and parts[3].endswith((".yaml", ".yml")) and not parts[3].startswith(".")):
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


def run_audit(root: Path, base: str | None = None, require_signed: bool = False) -> AuditReport:
    scope = open_scope(root, base)
    try:
        return _audit(scope, require_signed)
    except gitutil.GitError as exc:
        raise UserError(f"git failed while reading the history: {exc}", "check the repository with `git fsck`") from None


def _audit(scope: Scope, require_signed: bool) -> AuditReport:
    revisions = [f"{scope.base}..HEAD"] if scope.base else ["HEAD"]
    commits, changes = gitutil.file_changes(scope.top, revisions, [f"{scope.prefix}portfolios"])
    changes = [c for c in changes if portfolio_of(c.path, scope.prefix)]
    additions = [c for c in changes if set(c.status) == {"A"}]
    problems = [_changed(scope, c, commits[c.commit]) for c in changes if set(c.status) != {"A"}]
    problems += _dropped(scope, additions, changes, commits)
    signatures = _signatures(scope, additions) if require_signed else None
    problems += _check_additions(scope, additions, commits, signatures)
    problems += _uncommitted(scope)
    files = len({c.path for c in changes})
    where = f"{scope.base_ref}..HEAD" if scope.base else "the history of HEAD"
    return AuditReport(sorted(problems), f"{files} sign-off file(s) in {where}")


def _who(info: CommitInfo) -> str:
    return f"{info.author_name} <{info.author_email}>"


def _changed(scope: Scope, change: FileChange, info: CommitInfo) -> Problem:
    short, merge = change.commit[:12], len(info.parents) > 1
    kind = "merge commit" if merge else "commit"
    if set(change.status) == {"D"}:
        return Problem(scope.shown(change.path), 0, 0,
                       f"sign-off deleted in {kind} {short} by {_who(info)}: a sign-off is never removed",
                       "restore the file; a later sign-off supersedes an earlier one, both stay", code="audit-deleted")
    return Problem(scope.shown(change.path), 0, 0,
                   f"sign-off modified in {kind} {short} by {_who(info)}: a sign-off is never edited once added",
                   "restore the file as it was added; to change a sign-off, the manager adds a new one",
                   code="audit-modified")


def _dropped(scope: Scope, additions: list[FileChange], changes: list[FileChange],
             commits: dict[str, CommitInfo]) -> list[Problem]:
    """Records added but gone at HEAD with no commit deleting them (a merge can drop a file)."""
    deleted = {c.path for c in changes if "D" in c.status}
    present = gitutil.files_at(scope.top, "HEAD", f"{scope.prefix}portfolios")
    out = []
    for change in additions:
        if change.path not in present and change.path not in deleted:
            out.append(Problem(scope.shown(change.path), 0, 0,
                               f"sign-off added in commit {change.commit[:12]} by {_who(commits[change.commit])} "
                               "is not at HEAD: it was dropped (e.g. by a merge) without a commit deleting it",
                               "restore the file; a sign-off is never removed", code="audit-deleted"))
    return out


def _uncommitted(scope: Scope) -> list[Problem]:
    out = []
    for path in sorted(gitutil.uncommitted_files(scope.top, f"{scope.prefix}portfolios")):
        if portfolio_of(path, scope.prefix):
            out.append(Problem(scope.shown(path), 0, 0, "sign-off is not committed: the audit covers committed history",
                               "the signer commits it (`compfw signoff --commit`)", "warning", code="audit-uncommitted"))
    return out


# --- additions --------------------------------------------------------------------------------


def _load(blob: bytes | None, path: str, model: type):
    """A model from a file's content at some revision: (model, None) or (None, why not)."""
    from compfw.files.yaml_located import YamlDocument, YamlProblem
    from compfw.files.yaml_parse import parse_text
    from compfw.model.modelerrors import validate_as

    if blob is None:
        return None, "missing"
    try:
        text = blob.decode("utf-8-sig")
        doc = YamlDocument(Path(path), parse_text(text), text)
    except (UnicodeDecodeError, YamlProblem) as exc:
        return None, getattr(exc, "message", "not valid UTF-8")
    parsed, problems = validate_as(doc, model)
    return parsed, (None if parsed is not None else (problems[0].message if problems else "invalid"))


def _authority_rev(scope: Scope, info: CommitInfo) -> tuple[str | None, str]:
    """Where the signer's authority is read for a sign-off added in this commit, and how to say it."""
    if scope.base:
        return scope.base, f"the base {scope.base_ref}"
    if info.parents:
        return info.parents[0], f"the parent of commit {info.sha[:12]}"
    return None, f"the history before commit {info.sha[:12]} (it is the first commit)"


def _check_additions(scope: Scope, additions: list[FileChange], commits: dict[str, CommitInfo],
                     signatures: dict[str, tuple[str, str]] | None) -> list[Problem]:
    specs = []
    for change in additions:
        folder = portfolio_of(change.path, scope.prefix)
        rev, _ = _authority_rev(scope, commits[change.commit])
        specs += [f"{change.commit}:{change.path}", f"{change.commit}:{folder}/portfolio.yaml",
                  f"HEAD:{folder}/portfolio.yaml"]
        if rev:
            specs.append(f"{rev}:{folder}/portfolio.yaml")
    blobs = gitutil.read_blobs(scope.top, specs)
    out: list[Problem] = []
    for change in additions:
        out += _check_addition(scope, change, commits[change.commit], blobs, signatures)
    return out


def _portfolio_at(blobs: dict[str, bytes | None], rev: str | None, folder: str) -> tuple[Portfolio | None, str]:
    path = f"{folder}/portfolio.yaml"
    return _load(blobs.get(f"{rev}:{path}") if rev else None, path, Portfolio)


def _check_addition(scope: Scope, change: FileChange, info: CommitInfo, blobs: dict[str, bytes | None],
                    signatures: dict[str, tuple[str, str]] | None) -> list[Problem]:
    shown, short = scope.shown(change.path), change.commit[:12]

    def finding(message: str, hint: str, code: str) -> Problem:
        return Problem(shown, 0, 0, message, hint, code=code)

    signoff, why = _load(blobs[f"{change.commit}:{change.path}"], change.path, Signoff)
    if signoff is None:
        return [finding(f"the sign-off as added in commit {short} cannot be read ({why}), so its signer is unknown",
                        "run `compfw validate` on it", "audit-unreadable")]
    email = signoff.signer.email.strip().lower()
    out: list[Problem] = []
    if info.author_email.strip().lower() != email:
        out.append(finding(f"added in commit {short} authored by {_who(info)}, but it names {signoff.signer.email} "
                           "as the signer", f"the signer commits their own sign-off (`compfw signoff --commit`); "
                           f"{MERGE_HINT}", "audit-author"))
    out += _authority_findings(scope, change, info, signoff, blobs, finding)
    if signatures is not None:
        out += _signature_findings(scope, change, email, signatures, finding)
    return out


def _authority_findings(scope: Scope, change: FileChange, info: CommitInfo, signoff: Signoff,
                        blobs: dict[str, bytes | None], finding) -> list[Problem]:
    from compfw.checks.rules import signer_authority

    email, short = signoff.signer.email.strip().lower(), change.commit[:12]
    folder = portfolio_of(change.path, scope.prefix)
    rev, where = _authority_rev(scope, info)
    trusted, why = _portfolio_at(blobs, rev, folder)
    # The trainee is whoever any version we read names: a sign-off by them is always a finding,
    # even if a later change of trainee email would hide it.
    versions = (trusted, _portfolio_at(blobs, change.commit, folder)[0], _portfolio_at(blobs, "HEAD", folder)[0])
    if email in {pf.trainee.email.strip().lower() for pf in versions if pf is not None}:
        return [finding(f"signed by the trainee ({signoff.signer.email}) in commit {short}: "
                        "trainees never sign themselves off",
                        "drop the commit; the placement or programme manager signs off", "audit-self-signoff")]
    if trusted is None:
        reason = "there is none" if why == "missing" else f"it cannot be read: {why}"
        return [finding(f"cannot tell who may sign: no readable {folder}/portfolio.yaml in {where} ({reason})",
                        "add the portfolio and its managers in an earlier pull request, then sign off",
                        "audit-authority")]
    if signer_authority(trusted, email, signoff.date) is None:
        return [finding(f"{signoff.signer.email} was not authorised to sign off {signoff.competency} on "
                        f"{signoff.date} by portfolio.yaml in {where} (commit {short})",
                        "managers are named in portfolio.yaml on the base branch: a pull request cannot "
                        "add a manager and sign off at once", "audit-authority")]
    return []


# --- signatures -------------------------------------------------------------------------------


def _signatures(scope: Scope, additions: list[FileChange]) -> dict[str, tuple[str, str]]:
    """%G? and %GS of each adding commit, checked against the trusted revision's allowed signers."""
    spec = f"{scope.trusted}:{scope.prefix}{ALLOWED_SIGNERS}"
    content = gitutil.read_blobs(scope.top, [spec])[spec]
    where = f"the base {scope.base_ref}" if scope.base else "HEAD"
    if content is None:
        raise UserError(f"--require-signed needs {scope.prefix}{ALLOWED_SIGNERS} in {where}, and there is none",
                        "commit it to the base branch: one line per manager, "
                        "'EMAIL namespaces=\"git\" ssh-ed25519 AAAA...'")
    # The file is read from git, never from the working tree of the branch under review.
    handle, name = tempfile.mkstemp(prefix="compfw-allowed-signers-")
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(content)
        return gitutil.signature_checks(scope.top, sorted({c.commit for c in additions}), Path(name))
    finally:
        os.unlink(name)


def _principal_email(principal: str) -> str:
    """The email of a signature's signer: the SSH principal, or the address in an OpenPGP 'Name <email>'."""
    if "<" in principal and principal.endswith(">"):
        principal = principal[principal.rindex("<") + 1:-1]
    return principal.strip().lower()


def _signature_findings(scope: Scope, change: FileChange, email: str, signatures: dict[str, tuple[str, str]],
                        finding) -> list[Problem]:
    verdict, principal = signatures.get(change.commit, ("N", ""))
    short = change.commit[:12]
    where = f"the base {scope.base_ref}" if scope.base else "HEAD"
    hint = (f"the signer signs the commit (gpg.format ssh, user.signingkey, commit -S) with a key listed for "
            f"{email} in {ALLOWED_SIGNERS} on {where}; {MERGE_HINT}")
    if verdict != "G":
        why = SIGNATURE_VERDICTS.get(verdict, f"has signature status {verdict!r}")
        return [finding(f"commit {short} that added it {why}: --require-signed needs the signer's good signature",
                        hint, "audit-unsigned")]
    if _principal_email(principal) != email:
        return [finding(f"commit {short} that added it is signed by {principal}, not by the signer {email}",
                        hint, "audit-unsigned")]
    return []
