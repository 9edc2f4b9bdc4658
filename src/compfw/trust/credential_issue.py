"""Issuing credentials from a portfolio, and verifying them against the repository that holds it.

`issue` turns what `status` counts into signed Open Badges 3.0 credentials, each citing the git
commit that recorded its sign-off. `verify` checks a credential on its own (signature, dates,
structure) and, given the repository, that what it cites is still there, unchanged, and passes
audit.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

from compfw.trust.credentials import (
    CredentialError,
    Issuer,
    SignoffCitation,
    competency_credential,
    decode,
    graduation_credential,
    identity_hash,
    load_private_key,
    load_public_key,
    parse_evidence_id,
    public_jwk,
    sign,
)
from compfw.files.problems import UserError

MAX_TOKEN_BYTES = 1024 * 1024
ACHIEVED = ("achieved", "achieved_plus")


@dataclass
class Issued:
    trainee: str
    files: list[Path]


def issuer_from_policy(root: Path) -> Issuer:
    from compfw.model.policy import POLICY_FILE, load_policy

    read = load_policy(root)
    if read.problems:
        raise UserError(f"{POLICY_FILE} has problems: {read.problems[0].as_text()}",
                        "run `compfw validate` and fix the policy first")
    issuer = read.policy.issuer if read.policy is not None else None
    if issuer is None:
        raise UserError(f"no issuer in {POLICY_FILE}",
                        "a programme admin adds `issuer: {id: https://..., name: ..., public_key: <PEM>}` "
                        "to the policy (see docs/credentials.md)")
    return Issuer(issuer.id, issuer.name, issuer.url, issuer.public_key)


def issue(portfolio: Path, competencies: list[str], graduation: bool, key_file: Path, out_dir: Path,
          today: dt.date, now: dt.datetime) -> Issued:
    from compfw.engine.summary import status_document
    from compfw.checks.workspace import open_portfolio
    from compfw.files.writing import write_all_new

    opened = open_portfolio(portfolio)
    issuer = issuer_from_policy(opened.root)
    try:
        key = load_private_key(_read_key(key_file))
    except CredentialError as exc:
        raise UserError(f"{key_file}: {exc}", "pass the programme's RSA private key in PEM form") from None
    if public_jwk(key.public_key())["kid"] != public_jwk(load_public_key(issuer.public_key_pem))["kid"]:
        raise UserError(f"{key_file} is not the issuer key named in the trust policy",
                        "use the private key whose public half is `issuer.public_key` in .compfw/policy.yaml")
    doc = status_document(opened.portfolio, opened.framework, today)
    rows = {row["id"]: row for row in doc["competencies"]}
    chosen = _choose(rows, competencies, graduation)
    citations = _citations(opened.root, opened.portfolio.folder, [rows[c] for c in chosen])
    trainee = doc["trainee"]["id"]
    files: dict[Path, str] = {}
    for cid in chosen:
        credential = competency_credential(doc, rows[cid], citations[cid], issuer, now)
        files[out_dir / f"{trainee}-{cid}.jwt"] = sign(credential, key) + "\n"
    if graduation:
        if not doc["readiness"]["graduation_ready"]:
            raise UserError(f"{doc['trainee']['name']} is not graduation-ready "
                            f"({doc['percent_achieved']}% achieved, {doc['readiness']['graduation_percent']}% needed)",
                            "issue the graduation credential once `compfw status` says graduation-ready")
        every = _citations(opened.root, opened.portfolio.folder,
                           [r for r in doc["competencies"] if r["status"] in ACHIEVED])
        files[out_dir / f"{trainee}-graduation.jwt"] = sign(
            graduation_credential(doc, list(every.values()), issuer, now), key) + "\n"
    if not files:
        raise UserError("nothing to issue: no competency is achieved yet", "see `compfw status`")
    return Issued(trainee, write_all_new(files))


def _read_key(path: Path) -> bytes:
    try:
        return path.read_bytes()[:64 * 1024]
    except OSError as exc:
        raise UserError(f"cannot read the key file {path}: {exc.strerror}", "check the path") from None


def _choose(rows: dict[str, dict], wanted: list[str], graduation: bool) -> list[str]:
    if not wanted:
        return [] if graduation else [cid for cid, row in rows.items() if row["status"] in ACHIEVED]
    for cid in wanted:
        if cid not in rows:
            raise UserError(f"{cid} is not a competency this portfolio is tracked against",
                            "see `compfw status` for the ids")
        if rows[cid]["status"] not in ACHIEVED:
            raise UserError(f"{cid} is not achieved ({rows[cid]['status_label']})",
                            "a credential is issued only for a competency signed off at its target")
    return list(dict.fromkeys(wanted))


def _counted_signoff(row: dict) -> dict:
    """The earliest sign-off that gave the competency the level it has now."""
    reaching = [s for s in row["signoffs"] if (s["level"] == row["level"] if row["level"] is not None
                                                 else s["achieved"])]
    return min(reaching or row["signoffs"], key=lambda s: s["date"])


def _citations(root: Path, folder: Path, rows: list[dict]) -> dict[str, SignoffCitation]:
    from compfw.files.git_history import added_in
    from compfw.files.gitutil import GitError, toplevel

    top = toplevel(root)
    if top is None:
        raise UserError("credentials cite the git commit of each sign-off, and this is not a git repository",
                        "run this in a clone of the portfolio repository")
    out: dict[str, SignoffCitation] = {}
    picked = {row["id"]: _counted_signoff(row) for row in rows}
    paths = {cid: (folder.resolve() / "signoffs" / s["file"]).relative_to(top.resolve()).as_posix()
             for cid, s in picked.items()}
    try:
        in_history = added_in(top, "HEAD", (folder.resolve() / "signoffs").relative_to(top.resolve()).as_posix())
        added = {cid: in_history.get(path) for cid, path in paths.items()}
        verdicts = _signature_verdicts(root, top, [c[0] for c in added.values() if c])
    except GitError as exc:
        raise UserError(f"git could not say which commit recorded a sign-off: {exc}", "check the repository") from None
    for cid, s in picked.items():
        if added[cid] is None:
            raise UserError(f"the sign-off of {cid} ({paths[cid]}) is not committed",
                            "a credential cites the commit that recorded the sign-off: commit it first")
    findings = _audit_findings(root, set(paths.values()))
    for cid, path in paths.items():
        if findings.get(path):
            raise UserError(f"audit rejects the sign-off of {cid} ({path}): {findings[path][0]}",
                            "a credential is issued only for a sign-off that `compfw audit` accepts")
    for cid, s in picked.items():
        if added[cid] is None:
            raise UserError(f"the sign-off of {cid} ({paths[cid]}) is not committed",
                            "a credential cites the commit that recorded the sign-off: commit it first")
        commit, recorded = added[cid]
        signer = s["signer"]
        out[cid] = SignoffCitation(cid, s["level"], bool(s["achieved"]), s["date"], signer["name"], signer["email"],
                                   signer["role"], s["feedback"], paths[cid], commit, recorded,
                                   verdicts.get(commit, "unsigned"))
    return out


def _signature_verdicts(root: Path, top: Path, commits: list[str]) -> dict[str, str]:
    import tempfile

    from compfw.files.gitutil import signature_checks
    from compfw.model.policy import allowed_signers_text, load_policy

    policy = load_policy(root).policy
    if policy is None or not commits:
        return {}
    with tempfile.TemporaryDirectory(prefix="compfw-") as work:
        signers = Path(work) / "allowed_signers"
        signers.write_text(allowed_signers_text(policy))
        checks = signature_checks(top, commits, signers)
    words = {"G": "verified", "N": "unsigned"}
    return {sha: words.get(verdict, f"not verified ({verdict})") for sha, (verdict, _) in checks.items()}


# --- verifying ---------------------------------------------------------------------------------


@dataclass
class Verdict:
    file: str
    valid: bool
    reason: str
    notes: list[str] = field(default_factory=list)


def verify(files: list[Path], repo: Path | None, now: dt.datetime) -> list[Verdict]:
    trusted = None
    if repo is not None:
        trusted = load_public_key(issuer_at_head(repo).public_key_pem)
    return [_verify_one(path, repo, trusted, now) for path in files]


def issuer_at_head(repo: Path) -> Issuer:
    """The issuer named by the committed policy (HEAD), not by uncommitted edits of it."""
    from compfw.files.gitutil import toplevel
    from compfw.model.policy import POLICY_FILE, policy_at

    top = toplevel(repo)
    if top is None:
        raise UserError(f"{repo} is not a git repository", "pass the clone of the portfolio repository")
    prefix = Path(repo).resolve().relative_to(top.resolve()).as_posix()
    read = policy_at(top, "HEAD", "" if prefix == "." else prefix + "/", "HEAD")
    issuer = read.policy.issuer if read.policy is not None else None
    if issuer is None:
        raise UserError(f"the repository's committed {POLICY_FILE} names no issuer",
                        "verify against the repository that issued the credential")
    return Issuer(issuer.id, issuer.name, issuer.url, issuer.public_key)


def _verify_one(path: Path, repo: Path | None, trusted, now: dt.datetime) -> Verdict:
    shown = str(path)
    try:
        raw = path.read_bytes()[:MAX_TOKEN_BYTES + 1]
    except OSError as exc:
        return Verdict(shown, False, f"cannot read the file: {exc.strerror}")
    if len(raw) > MAX_TOKEN_BYTES:
        return Verdict(shown, False, "the file is larger than a credential can be")
    try:
        decoded = decode(raw.decode("ascii"), trusted, now)
        if repo is not None:
            issuer = issuer_at_head(repo)
            if decoded.credential["issuer"]["id"] != issuer.id:
                raise CredentialError(f"issued by {decoded.credential['issuer']['id']}, not by this repository's "
                                      f"issuer {issuer.id}")
            notes = _check_against_repo(decoded.credential, repo)
        else:
            notes = ["integrity only: checked against the key carried in the credential itself; pass --repo "
                     "to check that the programme issued it and that what it cites holds"]
    except UnicodeDecodeError:
        return Verdict(shown, False, "not a VC-JWT (the file is not ASCII text)")
    except CredentialError as exc:
        return Verdict(shown, False, str(exc))
    name = decoded.credential.get("name", "")
    return Verdict(shown, True, f"valid: {name}", notes)


def _check_against_repo(credential: dict, repo: Path) -> list[str]:
    from compfw.files.gitutil import GitError, read_blobs, resolve_commit, toplevel

    top = toplevel(repo)
    cited = [parse_evidence_id(e.get("id", "")) for e in credential.get("evidence", []) if isinstance(e, dict)]
    cited = [c for c in cited if c is not None]
    if not cited:
        raise CredentialError("the credential cites no sign-off commit")
    try:
        for commit, path in cited:
            if resolve_commit(top, commit) is None:
                raise CredentialError(f"cites commit {commit}, which is not in the repository")
            if not _added_in(top, commit, path):
                raise CredentialError(f"commit {commit} did not add {path}")
            blobs = read_blobs(top, [f"{commit}:{path}", f"HEAD:{path}"])
            if blobs[f"HEAD:{path}"] is None:
                raise CredentialError(f"{path} has been removed since commit {commit}")
            if blobs[f"HEAD:{path}"] != blobs[f"{commit}:{path}"]:
                raise CredentialError(f"{path} has been changed since commit {commit} recorded it")
        _check_recipient(credential, top, cited[0][1])
    except GitError as exc:
        raise CredentialError(f"git could not read what the credential cites: {exc}") from None
    findings = _audit_findings(repo, {path for _, path in cited})
    if findings:
        raise CredentialError(f"audit rejects a sign-off it cites: {next(iter(findings.values()))[0]}")
    return [f"cites {len(cited)} sign-off commit(s), present and unchanged; audit finds nothing against them"]


def _added_in(top: Path, commit: str, path: str) -> bool:
    from compfw.files.gitutil import git

    out = git(["--no-replace-objects", "--literal-pathspecs", "diff-tree", "-r", "--root", "--no-commit-id",
               "--no-renames", "--name-status", "-z", commit, "--", path], top)
    parts = out.split("\0")
    return any(status == "A" and name == path for status, name in zip(parts[::2], parts[1::2]))


def _check_recipient(credential: dict, top: Path, signoff_path: str) -> None:
    from compfw.files.gitutil import read_blobs
    from compfw.files.yaml_located import YamlProblem
    from compfw.files.yaml_parse import parse_text

    folder = signoff_path.rsplit("/signoffs/", 1)[0]
    blob = read_blobs(top, [f"HEAD:{folder}/portfolio.yaml"])[f"HEAD:{folder}/portfolio.yaml"]
    try:
        data = parse_text(blob.decode("utf-8")) if blob else None
    except (YamlProblem, UnicodeDecodeError):
        data = None
    email = ((data or {}).get("trainee") or {}).get("email") if isinstance(data, dict) else None
    ids = credential.get("credentialSubject", {}).get("identifier") or []
    if not isinstance(email, str) or not any(
            isinstance(i, dict) and i.get("identityHash") == identity_hash(email, str(i.get("salt", "")))
            for i in ids):
        raise CredentialError(f"the recipient is not the trainee of {folder}")


def _audit_findings(repo: Path, paths: set[str]) -> dict[str, list[str]]:
    """Audit's errors against each of these files (repository-relative paths), over all history."""
    from compfw.trust.audit import run_audit

    found: dict[str, list[str]] = {}
    for problem in run_audit(repo).problems:
        if problem.severity != "error":
            continue
        for path in paths:
            if problem.path == path or problem.path.endswith("/" + path):
                found.setdefault(path, []).append(problem.message)
    return found
