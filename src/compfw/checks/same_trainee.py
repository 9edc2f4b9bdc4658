"""One trainee, one portfolio: two portfolios with the same trainee id or email would count a
person twice in a cohort report and make `compfw status` (which finds "my" portfolio by email)
pick one of them silently. Validate reports each duplicate on its own portfolio.yaml line,
naming the other file(s).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from compfw.files.problems import Problem


@dataclass(frozen=True)
class Identity:
    """Who a portfolio is for, and where its portfolio.yaml says so."""

    shown: str
    trainee_id: str
    id_pos: tuple[int, int]
    email: str
    email_pos: tuple[int, int]


def identity_of(lp) -> Identity:
    from compfw.files.yaml_located import position_of

    trainee = lp.portfolio.trainee
    data = lp.doc.data
    return Identity(lp.doc.shown, trainee.id, position_of(data, ("trainee", "id")),
                    trainee.email.strip().lower(), position_of(data, ("trainee", "email")))


def duplicate_problems(checked: Iterable[Identity], others: Iterable[Identity] = ()) -> list[Problem]:
    """A problem on each checked portfolio whose trainee id or email another portfolio (checked
    or not) also has; ids compare exactly, emails without regard to case."""
    checked = list(checked)
    everyone = checked + [o for o in others if o.shown not in {c.shown for c in checked}]
    out: list[Problem] = []
    for field, label in (("trainee_id", "trainee id"), ("email", "trainee email")):
        holders: dict[str, list[Identity]] = {}
        for identity in everyone:
            holders.setdefault(getattr(identity, field), []).append(identity)
        for identity in checked:
            same = [o.shown for o in holders[getattr(identity, field)] if o.shown != identity.shown]
            if not same:
                continue
            line, col = identity.id_pos if field == "trainee_id" else identity.email_pos
            value = getattr(identity, field)
            out.append(Problem(identity.shown, line, col,
                               f"{label} {value!r} is also in {', '.join(sorted(same))}",
                               "one portfolio per trainee: merge the two, or correct the one that is wrong",
                               code="duplicate-trainee"))
    out.sort(key=lambda p: (p.path, p.line, p.col))
    return out


def identities_mentioning(folders: Iterable[Path], wanted: Iterable[Identity]) -> list[Identity]:
    """The identities of those portfolios whose portfolio.yaml could hold one of the wanted ids or
    emails: a file whose text contains none of them (and no escape that could spell one) is
    read but not parsed, so comparing a few changed portfolios with a cohort of thousands is cheap."""
    from compfw.files.reading import FileRefused, read_bytes
    from compfw.model.loading import PORTFOLIO_FILE, read_portfolio

    needles = {w.trainee_id.lower() for w in wanted} | {w.email for w in wanted}
    found: list[Identity] = []
    for folder in folders:
        try:
            text = read_bytes(folder / PORTFOLIO_FILE).decode("utf-8-sig", "replace").lower()
        except (FileRefused, OSError):
            continue
        if "\\" not in text and not any(needle in text for needle in needles):
            continue
        lp, _ = read_portfolio(folder)
        if lp is not None:
            found.append(identity_of(lp))
    return found
