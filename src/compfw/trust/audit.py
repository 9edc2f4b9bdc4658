"""`compfw audit`: prove the sign-off history from git, against trust roots from the base.

For the sign-off files that the audited commits touch (all of HEAD's history, or REF..HEAD with
a base), every finding names the file, the commit and why:

- a sign-off is added by a commit both authored and committed by the signer it names (%ae and
  %ce: a .mailmap in the branch under review cannot rewrite them), and, when the trust policy
  requires signatures, signed by a key the policy allows for that signer (verified by git);
- it is never modified, renamed or deleted afterwards (renames are not followed: a rename is a
  deletion of the record that was signed);
- its signer is not the trainee, and was authorised on the sign-off's date by the portfolio.yaml
  of the trusted revision: the base (with --base) or else the adding commit's parent, never the
  adding commit itself, so no commit can make its author a manager and sign off at once;
- its date is at most the policy's backdating_days before the commit that recorded it, and not
  after it.

With a base, changes to what defines achievement (audit_guard) must be a programme admin's; in
every mode, links and unsanctioned framework overrides in HEAD's tree and evidence edited after
a sign-off that cites it are reported. The report says what was proved and what rests on commit
metadata alone.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

from compfw.files import git_history, gitutil
from compfw.trust.audit_guard import GuardedChanges, edited_evidence, guarded_changes, tree_findings
from compfw.trust.audit_scope import (
    MERGE_HINT,
    Scope,
    Trust,
    load_blob,
    open_scope,
    portfolio_of,
    read_trust,
    signature_problem,
    signature_verdicts,
    who,
)
from compfw.files.git_log import CommitInfo, FileChange, file_changes
from compfw.model.models import Portfolio, Signoff
from compfw.model.policy import POLICY_FILE
from compfw.files.problems import Problem, UserError

__all__ = ["AuditReport", "portfolio_of", "run_audit"]


@dataclass
class AuditReport:
    problems: list[Problem]
    checked: str  # what was audited, for the summary line
    proved: list[str] = field(default_factory=list)  # what the checks that ran establish
    not_proved: list[str] = field(default_factory=list)  # what was not checked, or rests on commit metadata alone


def run_audit(root: Path, base: str | None = None, require_signed: bool = False,
              require_policy: bool = False) -> AuditReport:
    """Audit the history; require_signed demands signatures whatever the policy says, and
    require_policy makes a missing policy an error (as the shipped CI workflow does)."""
    scope = open_scope(root, base)
    try:
        return _audit(scope, require_signed, require_policy)
    except gitutil.GitError as exc:
        raise UserError(f"git failed while reading the history: {exc}", "check the repository with `git fsck`") from None


def _audit(scope: Scope, require_signed: bool, require_policy: bool) -> AuditReport:
    trust = read_trust(scope, require_signed, require_policy)
    revisions = [f"{scope.base}..HEAD"] if scope.base else ["HEAD"]
    commits, changes = file_changes(scope.top, revisions, [f"{scope.prefix}portfolios"])
    records = [c for c in changes if portfolio_of(c.path, scope.prefix)]
    additions = [c for c in records if set(c.status) == {"A"}]
    guarded = guarded_changes(scope, trust, commits, changes) if scope.base else None
    signed = {c.commit for c in additions} | (guarded.commits if guarded else set())
    signatures = signature_verdicts(scope, trust, signed)
    problems = list(trust.problems)
    problems += [_changed(scope, c, commits[c.commit]) for c in records if set(c.status) != {"A"}]
    problems += _dropped(scope, additions, records, commits)
    problems += _check_additions(scope, trust, additions, commits, signatures)
    if guarded is not None:
        problems += guarded.findings(signatures)
    problems += tree_findings(scope, trust)
    problems += edited_evidence(scope, {c.commit for c in additions})
    problems += _uncommitted(scope)
    files = len({c.path for c in records})
    where = f"{scope.base_ref}..HEAD" if scope.base else "the history of HEAD"
    report = AuditReport(sorted(problems), f"{files} sign-off file(s) in {where}")
    describe(report, scope, trust, files, guarded, signatures is not None)
    return report


def _changed(scope: Scope, change: FileChange, info: CommitInfo) -> Problem:
    short, merge = change.commit[:12], len(info.parents) > 1
    kind = "merge commit" if merge else "commit"
    if set(change.status) == {"D"}:
        return Problem(scope.shown(change.path), 0, 0,
                       f"sign-off deleted in {kind} {short} by {who(info)}: a sign-off is never removed",
                       "restore the file; a later sign-off supersedes an earlier one, both stay", code="audit-deleted")
    return Problem(scope.shown(change.path), 0, 0,
                   f"sign-off modified in {kind} {short} by {who(info)}: a sign-off is never edited once added",
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
                               f"sign-off added in commit {change.commit[:12]} by {who(commits[change.commit])} "
                               "is not at HEAD: it was dropped (e.g. by a merge) without a commit deleting it",
                               "restore the file; a sign-off is never removed", code="audit-deleted"))
    return out


def _uncommitted(scope: Scope) -> list[Problem]:
    out = []
    for path in sorted(git_history.uncommitted_files(scope.top, f"{scope.prefix}portfolios")):
        if portfolio_of(path, scope.prefix):
            out.append(Problem(scope.shown(path), 0, 0, "sign-off is not committed: the audit covers committed history",
                               "the signer commits it (`compfw signoff --commit`)", "warning", code="audit-uncommitted"))
    return out


# --- additions --------------------------------------------------------------------------------


def _authority_rev(scope: Scope, info: CommitInfo) -> tuple[str | None, str]:
    """Where the signer's authority is read for a sign-off added in this commit, and how to say it."""
    if scope.base:
        return scope.base, f"the base {scope.base_ref}"
    if info.parents:
        return info.parents[0], f"the parent of commit {info.sha[:12]}"
    return None, f"the history before commit {info.sha[:12]} (it is the first commit)"


def _check_additions(scope: Scope, trust: Trust, additions: list[FileChange], commits: dict[str, CommitInfo],
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
        out += _check_addition(scope, trust, change, commits[change.commit], blobs, signatures)
    return out


def _portfolio_at(blobs: dict[str, bytes | None], rev: str | None, folder: str) -> tuple[Portfolio | None, str]:
    path = f"{folder}/portfolio.yaml"
    return load_blob(blobs.get(f"{rev}:{path}") if rev else None, path, Portfolio)


def _check_addition(scope: Scope, trust: Trust, change: FileChange, info: CommitInfo,
                    blobs: dict[str, bytes | None], signatures: dict[str, tuple[str, str]] | None) -> list[Problem]:
    shown, short = scope.shown(change.path), change.commit[:12]

    def finding(message: str, hint: str, code: str) -> Problem:
        return Problem(shown, 0, 0, message, hint, code=code)

    signoff, why = load_blob(blobs[f"{change.commit}:{change.path}"], change.path, Signoff)
    if signoff is None:
        return [finding(f"the sign-off as added in commit {short} cannot be read ({why}), so its signer is unknown",
                        "run `compfw validate` on it", "audit-unreadable")]
    email = signoff.signer.email.strip().lower()
    out: list[Problem] = []
    own = "the signer commits their own sign-off (`compfw signoff --commit`)"
    if info.author_email.strip().lower() != email:
        out.append(finding(f"added in commit {short} authored by {who(info)}, but it names {signoff.signer.email} "
                           "as the signer", f"{own}; {MERGE_HINT}", "trust-author-mismatch"))
    elif info.committer_email.strip().lower() != email:
        out.append(finding(f"added in commit {short} authored by the signer {signoff.signer.email} but committed by "
                           f"{info.committer_name} <{info.committer_email}> (an amend, rebase or cherry-pick by "
                           "someone else makes a new commit that the signer did not make)",
                           f"{own}, and nobody rewrites it; {MERGE_HINT}", "trust-committer-mismatch"))
    out += _authority_findings(scope, change, info, signoff, blobs, finding)
    unsigned = signature_problem(change.commit, email, signatures)
    if unsigned:
        out.append(finding(f"commit {short} that added it {unsigned}: the trust policy in {trust.where} requires the "
                           "signer's good signature",
                           f"the signer signs the commit with a key that {POLICY_FILE} in {trust.where} allows for "
                           f"{email} (`compfw signoff --commit` does, once signing is set up); {MERGE_HINT}",
                           "trust-unsigned"))
    out += _date_findings(trust, signoff, info, finding)
    return out


def recorded_date(info: CommitInfo) -> dt.date | None:
    """The day a commit was recorded, in the committer's own time zone (as a sign-off's date is written)."""
    try:
        return dt.date.fromisoformat(info.committed[:10])
    except ValueError:
        return None


def _date_findings(trust: Trust, signoff: Signoff, info: CommitInfo, finding) -> list[Problem]:
    """A sign-off's date against the day its commit recorded it: never after, at most backdating_days before."""
    recorded = recorded_date(info)
    if recorded is not None and signoff.date > recorded:
        # Dated after the commit that recorded it: signed off ahead of time, so it would start to
        # count on a day nobody looked at the evidence.
        return [finding(f"dated {signoff.date} but recorded by commit {info.sha[:12]} on {recorded}, "
                        f"{(signoff.date - recorded).days} days before that date: a sign-off cannot be given "
                        "ahead of its date", "date a sign-off on the day it is given", "trust-forward-dated")]
    if recorded is None or (recorded - signoff.date).days <= trust.backdating_days:
        return []
    days = (recorded - signoff.date).days
    return [finding(f"dated {signoff.date} but recorded by commit {info.sha[:12]} on {recorded}, {days} days later: "
                    f"more than the {trust.backdating_days} days the trust policy allows",
                    "date a sign-off when it is given and commit it then; a programme admin can raise "
                    "backdating_days in the policy for a late batch", "trust-backdated")]


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


# --- what the result proves -------------------------------------------------------------------


def describe(report: AuditReport, scope: Scope, trust: Trust, files: int, guarded: GuardedChanges | None,
             signed: bool) -> None:
    """Say what the checks that ran establish, and what was not checked or rests on metadata alone."""
    proved, open_ = report.proved, report.not_proved
    if trust.policy is not None:
        proved.append(f"trust roots read from {trust.where} only: {len(trust.policy.admins)} programme admin(s), "
                      f"{len(trust.policy.signatures.allowed_signers)} allowed signing key(s)")
    else:
        open_.append(f"no usable trust policy in {trust.where}: nothing is proved beyond commit metadata; not run: "
                     "signature checks, the programme-admin check of guarded changes, sanctioned framework overrides")
    history = (f"{files} sign-off file(s): each added by a commit whose author and committer are its signer, "
               "by a manager the trusted portfolio.yaml authorises, never edited or deleted, dated at most "
               f"{trust.backdating_days} day(s) before its commit and never after it")
    if signed:
        proved.append(history)
        proved.append("signatures verified by git: each commit that added a sign-off"
                      + (" or made a guarded change" if guarded is not None else "")
                      + " carries a good SSH signature by a key the policy allows for that person")
    else:
        open_.append(history + " -- as commit metadata only: author and committer are what the committer's git "
                     "was told, so they do not prove who made a commit"
                     + (" (the policy sets signatures.required: false)" if trust.policy is not None else ""))
    if guarded is not None:
        proved.append(f"guarded changes (frameworks, templates, the policy, .github/, portfolio managers, dates, "
                      f"specialism, target level): {len(guarded.paths)} changed path(s), each checked to be a "
                      "programme admin's" + ("" if signed else " by commit metadata"))
    else:
        open_.append("guarded changes are checked against a base only: run with --base REF (CI does, on every "
                     "pull request)")
    proved.append("HEAD's tree: no symbolic link in a portfolio, frameworks/ or templates/; no repository "
                  "framework replaces a shipped one unless the policy sanctions it")
    open_.append("the dates in commits are set by the committer's clock; a stolen signing key, or an "
                 "administrator of the hosting platform, is out of scope (docs/trust.md)")
