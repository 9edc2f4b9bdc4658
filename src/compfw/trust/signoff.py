"""Recording sign-offs: who may sign, what a record says, and writing it (optionally committing it).

A new record is checked by exactly the rules `compfw validate` applies: it is rendered to the text
that will be written, parsed back the way the loader reads a file, and run through
`check_portfolio` beside the portfolio's existing records. Only if every record of the batch is
clean is anything written, so `signoff` and `validate` cannot disagree.
"""

from __future__ import annotations

import datetime as dt
import json
import secrets
from dataclasses import dataclass
from pathlib import Path

from pydantic import TypeAdapter, ValidationError

from compfw.checks.workspace import Opened, open_portfolio
from compfw.files.problems import UserError
from compfw.files.problems import today as current_day
from compfw.files.yaml_located import YamlDocument, YamlProblem
from compfw.files.yaml_parse import dump_yaml, parse_text
from compfw.model.loading import Record
from compfw.model.models import Id, Portfolio, Signer

HEADER = ("# yaml-language-server: $schema=../../../schemas/signoff.schema.json\n"
          "# A sign-off record: never edited once added. To change a sign-off, add a new one.\n")
_ID = TypeAdapter(Id)


@dataclass(frozen=True)
class SignoffRequest:
    portfolio: Path
    competencies: tuple[str, ...]
    feedback: str
    level: int | None = None
    evidence: tuple[str, ...] = ()
    role: str | None = None  # placement_manager | programme_manager; None: the role the signer holds
    date: dt.date | None = None  # None: today
    discussed: dt.date | None = None  # when the reflective piece was discussed (Personal Qualities)
    absence_reason: str | None = None  # why the placement manager is absent (a programme manager signs)


@dataclass(frozen=True)
class NewSignoff:
    path: Path
    text: str
    record: Record


@dataclass(frozen=True)
class Outcome:
    trainee_id: str
    trainee_name: str
    signer: Signer
    written: list[NewSignoff]
    level_name: str
    commit: str | None
    percent_before: float
    percent_after: float
    notes: tuple[str, ...] = ()  # what the trust policy means for this sign-off
    late_signal: int | None = None  # Ctrl-C (or SIGTERM) came after the commit had landed
    recovered: object | None = None  # recording.Recovery: an interrupted earlier sign-off, finished or undone


# --- who signs --------------------------------------------------------------------------------


ROLES = ("placement_manager", "programme_manager")


def find_signer(portfolio: Portfolio, email: str, on: dt.date, role: str | None = None) -> Signer:
    """The signer as the portfolio names them; refuses the trainee and anyone not authorised.

    role picks one of the signer's own roles (someone can be both a programme and a placement
    manager); it never changes who signs.
    """
    from compfw.checks.rules import signer_authority

    wanted = email.strip().lower()
    trainee = portfolio.trainee
    if wanted == trainee.email.lower():
        raise UserError(f"you ({email}) are the trainee of {trainee.id}; trainees never sign themselves off",
                        "the placement manager or the programme manager named in portfolio.yaml signs, "
                        "from their own git identity")
    pm = portfolio.programme_manager
    held = {}
    if wanted == pm.email.lower():
        held["programme_manager"] = Signer(name=pm.name, email=pm.email, role="programme_manager")
    placed = [p for p in portfolio.placements if p.manager.email.lower() == wanted and p.start <= on]
    if placed:
        held["placement_manager"] = Signer(name=placed[0].manager.name, email=placed[0].manager.email,
                                           role="placement_manager")
    if role is not None and held:
        if role in held:
            return held[role]
        have = " and ".join(r.replace("_", " ") for r in held)
        raise UserError(f"you ({email}) are not a {role.replace('_', ' ')} of {trainee.id} on {on}; you are its {have}",
                        "leave out --as to sign in the role you hold; --as chooses between your own roles")
    if held:
        role = signer_authority(portfolio, wanted, on)
        return held.get(role) or next(iter(held.values()))
    later = [p for p in portfolio.placements if p.manager.email.lower() == wanted]
    if later:
        first = min(later, key=lambda p: p.start)
        raise UserError(f"you ({email}) manage placement {first.name!r}, which starts on {first.start}: "
                        f"not yet authorised on {on}", "sign off once the placement has started")
    raise UserError(f"you ({email}, your git user.email) are not the programme manager or a placement manager "
                    f"of {trainee.id}, so nothing was written",
                    "compfw signs as your own git identity, never as someone else: the manager named in "
                    "portfolio.yaml runs `compfw signoff` from their own account")


def signer_identity(root: Path) -> str:
    """The email of the person running compfw: git's user.email, which git must also record as
    both the author and the committer of a commit made now (no GIT_AUTHOR_* / GIT_COMMITTER_*
    override naming someone else)."""
    from compfw.files.gitutil import config_value, identity

    email = config_value("user.email", root)
    if not email:
        raise UserError("who is signing? git user.email is not set",
                        "set your own (`git config --global user.email you@example.org`); compfw signs as you")
    for who in ("AUTHOR", "COMMITTER"):
        ident = identity(root, who)
        if ident is not None and ident[1].strip().lower() != email.strip().lower():
            raise UserError(f"git would record the {who.lower()} as {ident[1]}, but your git user.email is {email}: "
                            "a sign-off is recorded only as the person running compfw",
                            f"unset GIT_{who}_EMAIL (and GIT_{who}_NAME) in your environment")
    return email


# --- what is written --------------------------------------------------------------------------


def render_record(fields: dict) -> str:
    """The file text: header comments, then the fields in model order (competency id quoted,
    so that an id like 2.1 can never be read back as a number)."""
    rest = {key: value for key, value in fields.items() if key != "competency"}
    return HEADER + f"competency: {json.dumps(fields['competency'])}\n" + dump_yaml(rest)


def _file_name(on: dt.date, competency: str, taken: set[str]) -> str:
    # A random suffix: two managers signing the same competency on the same day on different
    # branches must not produce the same path (a merge conflict, or one record hiding another).
    while True:
        name = f"{on.isoformat()}-{competency}-{secrets.token_hex(3)}.yaml"
        if name not in taken:
            taken.add(name)
            return name


def _parse_back(path: Path, text: str) -> Record | str:
    """The record as the loader will read it, or why it cannot be read."""
    from compfw.model.modelerrors import validate_as
    from compfw.model.models import Signoff

    try:
        doc = YamlDocument(path, parse_text(text), text)
    except YamlProblem as exc:
        return exc.message
    model, problems = validate_as(doc, Signoff)
    if model is None:
        return problems[0].message if problems else "the record cannot be read back"
    return Record(model, doc)


def _assessed(competency: str, placed, level: int | None) -> dict | tuple[str, str]:
    """The level part of a record ({'level': N} or {'achieved': True}), or (why not, hint)."""
    if placed is not None and placed.assessment == "binary":
        if level is not None:
            return "it is achieved/not-achieved and takes no level", "leave out --level (sign it off in a call of its own)"
        return {"achieved": True}
    if level is not None:
        return {"level": level}
    if placed is not None:
        return "it is rated: the sign-off needs a level", "give --level N"
    return {"achieved": True}  # an unknown id: the rules say so, with the framework named


def _statements(request: SignoffRequest) -> dict:
    """What the sign-off states beyond its level: the discussion date, the placement manager's absence."""
    out: dict = {}
    if request.discussed is not None:
        out["discussed"] = request.discussed
    if request.absence_reason is not None:
        out.update(placement_manager_absent=True, absence_reason=request.absence_reason.strip())
    return out


def plan_signoffs(request: SignoffRequest, opened: Opened, signer: Signer, on: dt.date) -> list[NewSignoff]:
    """The files to write, or UserError naming every competency that cannot be signed off."""
    catalog = opened.framework.catalog
    folder = opened.portfolio.folder / "signoffs"
    taken = {p.name for p in folder.iterdir()} if folder.is_dir() else set()
    failures: list[tuple[str, str, str]] = []
    planned: list[NewSignoff] = []
    for index, competency in enumerate(request.competencies):
        try:
            _ID.validate_python(competency)  # before it becomes part of a file name
        except ValidationError:
            failures.append((competency, "not a competency id", "ids look like 2.1.1; see `compfw framework show`"))
            continue
        if competency in request.competencies[:index]:
            failures.append((competency, "given more than once", "name each competency once"))
            continue
        assessed = _assessed(competency, catalog.get(competency), request.level)
        if isinstance(assessed, tuple):
            failures.append((competency, *assessed))
            continue
        fields = {"competency": competency, **assessed, "signer": signer.model_dump(), "date": on,
                  "feedback": request.feedback.strip(), "evidence": list(request.evidence),
                  **_statements(request)}
        path = folder / _file_name(on, competency, taken)
        text = render_record(fields)
        record = _parse_back(path, text)
        if isinstance(record, str):
            failures.append((competency, record, "check --level and --evidence"))
            continue
        planned.append(NewSignoff(path, text, record))
    failures.extend(_rule_failures(opened, planned))
    if failures:
        raise _refusal(failures, len(request.competencies))
    return planned


def _rule_failures(opened: Opened, planned: list[NewSignoff]) -> list[tuple[str, str, str]]:
    """What validate would say about the new records, checked beside the existing ones."""
    from compfw.checks.rules import check_portfolio

    lp = opened.portfolio
    trial = lp.with_records(signoffs=[*lp.signoffs, *(n.record for n in planned)])
    problems = check_portfolio(trial, opened.store, current_day())
    by_file = {n.record.shown: n.record.model.competency for n in planned}
    return [(by_file[p.path], p.message, p.hint) for p in problems
            if p.path in by_file and p.severity == "error"]


def _refusal(failures: list[tuple[str, str, str]], asked: int) -> UserError:
    """One line naming what cannot be signed off and why; the same reason is said once."""
    hints = "; ".join(dict.fromkeys(hint for _, _, hint in failures if hint))
    refused = list(dict.fromkeys(c for c, _, _ in failures))
    by_reason: dict[str, list[str]] = {}
    for competency, message, _ in failures:
        by_reason.setdefault(message, []).append(competency)
    if len(by_reason) == 1:
        head = f"cannot sign off {', '.join(refused)}: {failures[0][1]}"
    elif len(refused) == 1:
        head = f"cannot sign off {refused[0]}: " + "; ".join(by_reason)
    else:
        head = f"cannot sign off {len(refused)} of the {asked} competencies: " + "; ".join(
            f"{', '.join(dict.fromkeys(ids))}: {reason}" for reason, ids in by_reason.items())
    return UserError(f"{head} (nothing was written)", hints)


# --- recording --------------------------------------------------------------------------------


def commit_message(trainee_id: str, signer: Signer, planned: list[NewSignoff], level_name: str) -> str:
    ids = ", ".join(n.record.model.competency for n in planned)
    level = planned[0].record.model.level
    what = "achieved" if level is None else f"at level {level}"
    lines = [f"Sign-off for {trainee_id}: {ids} {what}", ""]
    for n in planned:
        so = n.record.model
        lines.append(f"- {so.competency}: " + ("achieved" if so.level is None else
                                                f"level {so.level}" + (f" ({level_name})" if level_name else "")))
    lines += ["", f"Signed off by {signer.name} <{signer.email}>, {signer.role.replace('_', ' ')}.",
              "Recorded with `compfw signoff`."]
    return "\n".join(lines) + "\n"


def _percent(opened: Opened, on: dt.date) -> float:
    from compfw.engine.summary import evaluate

    current, _ = evaluate(opened.portfolio, opened.framework, on)
    return current.percent_achieved


def _policy(root: Path):
    """The working tree's trust policy (signoff's check before writing; audit reads the base's)."""
    from compfw.model.policy import load_policy

    return load_policy(root)


def _refuse_backdating(policy, on: dt.date, today: dt.date) -> None:
    """A sign-off dated further back than the policy allows is what the audit reports as
    backdated (its date against the commit that records it): refuse it before writing."""
    if policy is None or (today - on).days <= policy.backdating_days:
        return
    raise UserError(f"a sign-off dated {on} is {(today - on).days} days before today, and the trust policy allows "
                    f"at most {policy.backdating_days} (backdating_days), so nothing was written",
                    "date it when the work was assessed, within that window; a programme admin can change "
                    "backdating_days in .compfw/policy.yaml for a late batch")


def record_signoffs(request: SignoffRequest, commit: bool = False, interrupts=None) -> Outcome:
    """Check, write and, if asked, commit the sign-offs of one request: whole or not at all.

    interrupts (interrupts.DeferredInterrupts) holds Ctrl-C until the batch can be undone or
    has landed; without one, nothing is deferred.
    """
    from compfw.files.gitutil import toplevel
    from compfw.files.interrupts import NoInterrupts
    from compfw.trust.recording import Batch, CommitRequest, record_batch
    from compfw.trust.signing_keys import signing_check

    interrupts = interrupts or NoInterrupts()
    today = current_day()
    on = request.date or today
    opened = open_portfolio(request.portfolio, today)
    pf = opened.portfolio.portfolio
    email = signer_identity(opened.root)
    signer = find_signer(pf, email, on, request.role)
    top = toplevel(opened.root)
    if commit and top is None:
        raise UserError("--commit needs a git repository, and this is not one", "leave out --commit")
    planned = plan_signoffs(request, opened, signer, on)
    policy = _policy(opened.root)
    check = signing_check(policy, email, opened.root, today, commits=commit)
    if check.refusal:
        raise UserError(*check.refusal)
    _refuse_backdating(policy.policy, on, today)
    required = policy.policy is not None and policy.policy.signatures.required
    scale = opened.framework.framework.scale
    level_name = scale.name_of(request.level) if scale and request.level is not None else ""
    before = _percent(opened, today)
    wanted = None
    if commit:
        wanted = CommitRequest(commit_message(pf.trainee.id, signer, planned, level_name), sign=required)
    try:
        recorded, recovered = record_batch(Batch(opened.root, top, {n.path: n.text for n in planned}, wanted),
                                           interrupts)
    except OSError as exc:  # e.g. 'signoffs' is a file, or the folder is read-only; nothing is left behind
        raise UserError(f"cannot write the sign-off: {exc.strerror or exc}", "check the portfolio's signoffs/ folder; "
                        "nothing was written") from None
    after = _percent(open_portfolio(opened.portfolio.folder, today), today)
    return Outcome(pf.trainee.id, pf.trainee.name, signer, planned, level_name, recorded.commit, before, after,
                   check.notes, recorded.late_signal, recovered)
