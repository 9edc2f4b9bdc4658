"""Audit checks beyond the sign-off records themselves: what defines achievement is guarded,
HEAD's tree holds nothing the loader must not follow, and evidence is not edited under a
sign-off that cites it.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from compfw.files import git_history, gitutil
from compfw.trust.audit_scope import Scope, Trust, load_blob, portfolio_of, signature_problem, who
from compfw.files.git_log import CommitInfo, FileChange, file_changes
from compfw.checks.layout_checks import shipped_frameworks
from compfw.files.reading import is_record_name
from compfw.model.loading import PORTFOLIO_FILE
from compfw.model.models import Framework, Signoff
from compfw.model.policy import POLICY_FILE
from compfw.model.provenance import evidence_at
from compfw.files.problems import Problem
from compfw.files.yaml_located import YamlProblem
from compfw.files.yaml_parse import parse_text

GUARDED_FOLDERS = ("frameworks", "templates", ".compfw")  # under the compfw root; .github/ is at the top
TRAINEE_OWNED = ("plan", "reflective_piece")  # the parts of portfolio.yaml a trainee keeps up themselves
LINK_MODES = {"120000": "a symbolic link", "160000": "a submodule"}


def _parsed(blob: bytes | None):
    """A file's YAML data, or the raw bytes when it is not YAML (so a comparison still sees a change)."""
    if blob is None:
        return None
    try:
        return parse_text(blob.decode("utf-8-sig"))
    except (UnicodeDecodeError, YamlProblem):
        return blob


def _guarded_part(data):
    if isinstance(data, dict):
        return {key: value for key, value in data.items() if key not in TRAINEE_OWNED}
    return data


def _is_portfolio_file(path: str, prefix: str) -> bool:
    parts = path[len(prefix):].split("/") if path.startswith(prefix) else []
    return len(parts) == 3 and parts[0] == "portfolios" and parts[2] == PORTFOLIO_FILE


@dataclass
class GuardedChanges:
    """Guarded paths that REF..HEAD changes, each with the commits in the range that touched it."""

    scope: Scope
    trust: Trust
    paths: dict[str, list[str]] = field(default_factory=dict)
    infos: dict[str, CommitInfo] = field(default_factory=dict)

    @property
    def commits(self) -> set[str]:
        return {sha for shas in self.paths.values() for sha in shas}

    def _why_not_admin(self, info: CommitInfo, signatures) -> list[str]:
        reasons = []
        if not self.trust.is_admin(info.author_email):
            reasons.append(f"its author {who(info)} is not a programme admin in the policy of {self.trust.where}")
        elif info.committer_email.strip().lower() != info.author_email.strip().lower():
            reasons.append(f"it was committed by {info.committer_name} <{info.committer_email}>, not by its author")
        unsigned = signature_problem(info.sha, info.author_email, signatures)
        if unsigned:
            reasons.append(f"it {unsigned}, and the policy requires signatures")
        return reasons

    def findings(self, signatures) -> list[Problem]:
        out = []
        for path, shas in sorted(self.paths.items()):
            what = _describe(path, self.scope.prefix)
            hint = (f"only a programme admin named in {POLICY_FILE} on the base branch may change {what}: "
                    "leave it out of this pull request, or ask an admin to make the change")
            if not shas:
                out.append(Problem(self.scope.shown(path), 0, 0, f"{what} changed in {self.scope.base_ref}..HEAD, "
                                   "but no commit of the range shows the change (a merge brought it in)", hint,
                                   code="trust-guarded-change"))
                continue
            for sha in shas:
                reasons = self._why_not_admin(self.infos[sha], signatures)
                if reasons:
                    out.append(Problem(self.scope.shown(path), 0, 0,
                                       f"{what} changed in commit {sha[:12]}: {'; '.join(reasons)}", hint,
                                       code="trust-guarded-change"))
                    break
        return out


def _describe(path: str, prefix: str) -> str:
    inner = path[len(prefix):] if path.startswith(prefix) else path
    if _is_portfolio_file(path, prefix):
        return "the managers, dates, framework, specialism or target level in portfolio.yaml"
    if inner == POLICY_FILE or inner.startswith(".compfw/"):
        return "the trust policy folder (.compfw/)"
    if inner.startswith("frameworks/"):
        return "a framework"
    if inner.startswith("templates/"):
        return "a report template"
    return "the repository's workflows and code owners (.github/)"


def guarded_changes(scope: Scope, trust: Trust, commits: dict[str, CommitInfo],
                    portfolio_changes: list[FileChange]) -> GuardedChanges:
    """What REF..HEAD changes, in the end, of what defines achievement, and which commits did it."""
    found = GuardedChanges(scope, trust)
    specs = [f"{scope.prefix}{folder}" for folder in GUARDED_FOLDERS] + [".github"]
    range_ = [f"{scope.base}..HEAD"]
    infos, changes = file_changes(scope.top, range_, specs)
    found.infos = {**commits, **infos}
    for path in sorted(gitutil.changed_paths(scope.top, scope.base, "HEAD", specs)):
        found.paths[path] = sorted({c.commit for c in changes if c.path == path})
    portfolio_files = sorted({c.path for c in portfolio_changes if _is_portfolio_file(c.path, scope.prefix)})
    blobs = gitutil.read_blobs(scope.top, [f"{rev}:{p}" for p in portfolio_files for rev in (scope.base, "HEAD")])
    for path in portfolio_files:
        if _guarded_part(_parsed(blobs[f"{scope.base}:{path}"])) != _guarded_part(_parsed(blobs[f"HEAD:{path}"])):
            found.paths[path] = sorted({c.commit for c in portfolio_changes if c.path == path})
    return found


# --- HEAD's tree ------------------------------------------------------------------------------


def tree_findings(scope: Scope, trust: Trust) -> list[Problem]:
    """Links (and submodules) where the loader reads, and unsanctioned overrides of shipped frameworks."""
    out: list[Problem] = []
    frameworks: list[str] = []
    for folder in ("portfolios", "frameworks", "templates"):
        for path, mode in sorted(gitutil.tree_modes(scope.top, "HEAD", f"{scope.prefix}{folder}").items()):
            if mode in LINK_MODES:
                out.append(Problem(scope.shown(path), 0, 0, f"is {LINK_MODES[mode]} in HEAD's tree: compfw never "
                                   "follows one, so what it points at is neither counted nor audited",
                                   "commit the file or folder itself instead of a link", code="trust-symlink"))
            elif folder == "frameworks" and path.count("/") == scope.prefix.count("/") + 1 \
                    and is_record_name(path.rsplit("/", 1)[-1]):
                frameworks.append(path)
    sanctioned = {(o.id, o.version) for o in trust.policy.framework_overrides} if trust.policy else set()
    blobs = gitutil.read_blobs(scope.top, [f"HEAD:{p}" for p in frameworks])
    for path in frameworks:
        framework, _ = load_blob(blobs[f"HEAD:{path}"], path, Framework)
        if framework is None:
            continue  # validate reports it
        key = (framework.id, framework.version)
        if key in shipped_frameworks() and key not in sanctioned:
            out.append(Problem(scope.shown(path), 0, 0,
                               f"framework {key[0]} version {key[1]} replaces the framework of that id and version "
                               f"shipped with compfw, and the policy in {trust.where} does not sanction it",
                               "give it another id or version, or a programme admin lists it under "
                               f"framework_overrides in {POLICY_FILE}", code="trust-framework-override"))
    return out


# --- evidence edited after a sign-off that cites it ---------------------------------------------


class _EvidenceAt:
    """Evidence entries by id of one portfolio at one revision, read once."""

    def __init__(self, scope: Scope):
        self.scope = scope
        self.cache: dict[tuple[str, str], dict[str, tuple[str, object]]] = {}

    def __call__(self, rev: str, folder: str) -> dict[str, tuple[str, object]]:
        if (rev, folder) not in self.cache:
            self.cache[(rev, folder)] = evidence_at(self.scope.top, rev, folder)
        return self.cache[(rev, folder)]


def edited_evidence(scope: Scope, added_in_range: set[str]) -> list[Problem]:
    """Warnings for evidence whose entry at HEAD differs from the entry when a sign-off citing it
    was recorded. With a base, only what the range itself changed (or a sign-off it added)."""
    tree = gitutil.tree_modes(scope.top, "HEAD", f"{scope.prefix}portfolios")
    records = [p for p, mode in sorted(tree.items()) if mode not in LINK_MODES and portfolio_of(p, scope.prefix)]
    blobs = gitutil.read_blobs(scope.top, [f"HEAD:{p}" for p in records])
    cited = []
    for path in records:
        signoff, _ = load_blob(blobs[f"HEAD:{path}"], path, Signoff)
        if signoff is not None and signoff.evidence:
            cited.append((path, signoff))
    if not cited:
        return []
    added = git_history.added_in(scope.top, "HEAD", f"{scope.prefix}portfolios")
    at = _EvidenceAt(scope)
    out = []
    for path, signoff in cited:
        if path not in added:
            continue
        sha = added[path][0]
        folder = portfolio_of(path, scope.prefix)
        then, now = at(sha, folder), at("HEAD", folder)
        for eid in signoff.evidence:
            entry_then, entry_now = then.get(eid, (None, None))[1], now.get(eid, (None, None))
            if entry_then == entry_now[1]:
                continue
            if scope.base and sha not in added_in_range and at(scope.base, folder).get(eid, (None, None))[1] == entry_now[1]:
                continue  # changed before the base: an earlier audit reported it
            where = entry_now[0] or path
            change = "removed" if entry_now[1] is None else "edited"
            out.append(Problem(scope.shown(where), 0, 0,
                               f"evidence {eid} was {change} after the sign-off "
                               f"{path.rsplit('/', 1)[-1]} that cites it was recorded (commit {sha[:12]}): the "
                               "manager signed off what it said then",
                               "keep evidence as it was when signed off; add a new evidence entry for new work",
                               "warning", code="trust-evidence-edited"))
    return out
