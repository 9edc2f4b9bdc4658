"""What waits for whom: each manager's open requests and unreviewed evidence, oldest first.

Pure functions over portfolios that are already loaded and checked (sign-offs that validate
rejects are not counted, as in `status`). Nothing here reads files, prints or exits.

Who may sign for a trainee today: the programme manager, and the manager of any placement that
has started (the rule `signoff` and `validate` apply, compfw.model.authority).

What waits for a manager:

- a **request** addressed to them, while any of its competencies is unanswered: a competency is
  answered by that manager's sign-off of it dated on or after the request, or once it is achieved
  (by anyone's sign-off), since then nothing is left to do;
- **evidence** linked to a competency that is not achieved and has had no sign-off since the
  evidence's date (so evidence a manager has already responded to, even below target, no longer
  waits). Evidence goes to the person who supervised the work: the manager of the placement the
  evidence is dated in; evidence dated outside every placement goes to the programme manager.
  A programme manager therefore sees their trainees' requests to them and unplaced evidence, and
  `--all` (every manager) shows the whole programme.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field

from compfw.engine.status import statuses
from compfw.files.yaml_located import shown_path
from compfw.model.authority import signer_authority
from compfw.model.loading import LoadedFramework, LoadedPortfolio
from compfw.model.models import Person, Portfolio, Signoff

JSON_VERSION = 1


@dataclass(frozen=True)
class Waiting:
    """One thing waiting for a manager: a request or an evidence entry, with what it is about."""

    kind: str  # "request" | "evidence"
    date: dt.date
    age_days: int
    competencies: tuple[str, ...]  # the ones still waiting
    file: str  # shown path of the record
    label: str  # the evidence's title, or the request's note
    evidence_id: str | None = None


@dataclass
class TraineeQueue:
    trainee_id: str
    trainee_name: str
    portfolio: str  # shown path of the folder
    role: str  # the manager's role for this trainee today
    items: list[Waiting] = field(default_factory=list)


@dataclass
class ManagerQueue:
    email: str
    name: str
    trainees: list[TraineeQueue] = field(default_factory=list)

    @property
    def waiting(self) -> int:
        return sum(len(t.items) for t in self.trainees)

    def items(self) -> list[tuple[TraineeQueue, Waiting]]:
        """Everything waiting, oldest first (then by trainee, kind and file, for a stable order)."""
        pairs = [(t, w) for t in self.trainees for w in t.items]
        return sorted(pairs, key=lambda pair: (pair[1].date, pair[0].trainee_id, pair[1].kind, pair[1].file))


@dataclass
class Queue:
    today: dt.date
    managers: list[ManagerQueue]
    unreadable: list[str]  # portfolios that could not be read, so are not in the queue
    everyone: bool  # --all


Checked = tuple[LoadedPortfolio, LoadedFramework]


def _signed_since(signoffs: list[Signoff], competency: str, since: dt.date, by: str | None = None) -> bool:
    return any(s.competency == competency and s.date >= since and (by is None or s.signer.email.lower() == by)
               for s in signoffs)


def _supervisor(portfolio: Portfolio, day: dt.date) -> list[str]:
    """Emails of whoever supervised work done on day: the placement managers then, else the programme manager."""
    managers = [p.manager.email.lower() for p in portfolio.placements if p.start <= day <= p.end]
    return managers or [portfolio.programme_manager.email.lower()]


def waiting_for(lp: LoadedPortfolio, lf: LoadedFramework, email: str, today: dt.date) -> list[Waiting]:
    """What waits for this manager in this portfolio today (empty if they may not sign for it)."""
    email = email.strip().lower()
    pf = lp.portfolio
    signoffs = [r.model for r in lp.signoffs if r.model.date <= today]
    current = statuses(lf.catalog, pf, [r.model for r in lp.evidence], signoffs, today)
    achieved = {row.placed.id for row in current.competencies if row.achieved}
    out: list[Waiting] = []
    for record in lp.requests:
        request = record.model
        if request.to.strip().lower() != email or request.date > today:
            continue
        unanswered = tuple(c for c in dict.fromkeys(request.competencies)
                           if c not in achieved and not _signed_since(signoffs, c, request.date, email))
        if unanswered:
            out.append(Waiting("request", request.date, (today - request.date).days, unanswered, record.shown,
                               " ".join(request.note.split())))
    for record in lp.evidence:
        entry = record.model
        if entry.date > today or email not in _supervisor(pf, entry.date):
            continue
        open_ids = tuple(c for c in dict.fromkeys(entry.competencies)
                         if c in lf.catalog.by_id and c not in achieved and not _signed_since(signoffs, c, entry.date))
        if open_ids:
            out.append(Waiting("evidence", entry.date, (today - entry.date).days, open_ids, record.shown,
                               " ".join(entry.title.split()), entry.id))
    return sorted(out, key=lambda w: (w.date, w.kind, w.file))


def _people(pf: Portfolio) -> list[Person]:
    return [pf.programme_manager, *(p.manager for p in pf.placements)]


def queue_for(checked: Iterable[Checked], emails: list[str] | None, today: dt.date,
              unreadable: Iterable[str] = ()) -> Queue:
    """The queue of each manager in emails (None: every manager named in any portfolio).

    A manager's queue lists every trainee they may sign for today, with what waits for them
    there (possibly nothing).
    """
    managers: dict[str, ManagerQueue] = {}
    wanted = None if emails is None else [e.strip().lower() for e in emails]
    for email in wanted or []:
        managers[email] = ManagerQueue(email, email)
    for lp, lf in sorted(checked, key=lambda pair: pair[0].id):
        pf = lp.portfolio
        for person in _people(pf):
            key = person.email.lower()
            if wanted is not None and key not in wanted:
                continue
            role = signer_authority(pf, key, today)
            if role is None:
                continue
            queue = managers.setdefault(key, ManagerQueue(person.email, person.name))
            if queue.name == queue.email:
                queue.email, queue.name = person.email, person.name
            if any(t.trainee_id == pf.trainee.id and t.portfolio == shown_path(lp.folder) for t in queue.trainees):
                continue  # a manager named twice in one portfolio (two placements)
            queue.trainees.append(TraineeQueue(pf.trainee.id, pf.trainee.name, shown_path(lp.folder), role,
                                               waiting_for(lp, lf, key, today)))
    ordered = sorted(managers.values(), key=lambda m: (m.name.lower(), m.email.lower()))
    return Queue(today, ordered, sorted(unreadable), wanted is None)


def queue_document(queue: Queue) -> dict:
    """The queue as JSON-ready plain data (what `queue --json` prints)."""
    return {
        "compfw_queue_version": JSON_VERSION,
        "today": queue.today.isoformat(),
        "all": queue.everyone,
        "managers": [{
            "email": m.email,
            "name": m.name,
            "waiting": m.waiting,
            "trainees": [{
                "id": t.trainee_id, "name": t.trainee_name, "portfolio": t.portfolio, "role": t.role,
                "items": [{"kind": w.kind, "date": w.date.isoformat(), "age_days": w.age_days,
                           "competencies": list(w.competencies), "file": w.file, "label": w.label,
                           "evidence_id": w.evidence_id} for w in t.items],
            } for t in m.trainees],
        } for m in queue.managers],
        "unreadable": list(queue.unreadable),
    }
