"""Rules on evidence, sign-offs and requests that need no more of their portfolio than its records
(and, for competency ids and levels, its framework); and the check of a portfolio whose
portfolio.yaml cannot be read, which is left with only these.

A broken portfolio.yaml must not hide the findings in the portfolio's other files: they are
checked as far as they can be without it, and a note at portfolio.yaml says what was not.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from itertools import islice
from pathlib import Path

from compfw.files.problems import Problem
from compfw.files.yaml_located import YamlDocument, position_of, shown_path
from compfw.model.catalog import Catalog, Placed
from compfw.model.loading import PORTFOLIO_FILE, FrameworkStore, LoadedFramework, Record
from compfw.model.models import Framework, Pin, ReviewRequest, Scheme, Signoff
from compfw.model.portfolios import load_loose_records

Finding = tuple[tuple, str, str]  # (field location in the record, message, hint)
SIGNOFF_DATE_HINT = "use the date the sign-off was given"
REQUEST_DATE_HINT = "use the date the request is made"


# A whole space-separated token (the lookbehind anchors each try at a token's start, so a long
# token without a letter costs one linear pass) with a letter or digit ([^\W_] is str.isalnum).
_WORD_TOKEN = re.compile(r"(?<!\S)\S*[^\W_]\S*")


def word_count(text: str) -> int:
    """Words are the space-separated tokens with a letter or a digit in them: punctuation alone
    ("...", "-", "!!") is no feedback, so fifteen dots do not pass a fifteen-word minimum."""
    return len(_WORD_TOKEN.findall(text))


# One letter or digit: a whitespace-separated token with one is a word (str.split's whitespace is
# the regular expressions' \s, so its tokens are exactly _WORD_TOKEN's \S runs).
_WORD_CHAR = re.compile(r"[^\W_]")


def has_words(text: str, wanted: int) -> bool:
    """word_count(text) >= wanted, reading only as far as the wanted-th word: feedback is often
    several times the minimum, and every sign-off of a cohort is checked. When the first wanted
    tokens are all words, the answer is known from them (split and searched in C); otherwise the
    words are counted."""
    if wanted <= 0:
        return True
    first = text.split(maxsplit=wanted)[:wanted]
    if len(first) == wanted and all(map(_WORD_CHAR.search, first)):
        return True
    return sum(1 for _ in islice(_WORD_TOKEN.finditer(text), wanted)) >= wanted


def located(record: Record, loc: tuple, message: str, hint: str, code: str, severity: str = "error") -> Problem:
    """A finding in a record's file, at a field of the record."""
    return Problem(record.shown, *record.pos(*loc), message, hint, severity, code)


def unknown_framework_problem(pin: Pin, doc: YamlDocument, store: FrameworkStore) -> Problem:
    """Why the framework a portfolio pins cannot be had: a broken file, no such version, no such id."""
    def at(*loc: str) -> tuple[int, int]:
        return position_of(doc.data, ("framework",) + loc)

    broken = sorted({p.path for p in store.unreadable(pin.id) if p.severity == "error"})
    if broken:
        return Problem(doc.shown, *at("id"), f"framework {pin.id} {pin.version} may be in {', '.join(broken)}, "
                       "which cannot be read", f"fix it first: `compfw validate {broken[0]}` lists its problems",
                       code="unknown-framework")
    versions = store.versions(pin.id)
    if versions:
        return Problem(doc.shown, *at("version"), f"framework {pin.id} has no version {pin.version!r}",
                       f"available: {', '.join(versions)}; `compfw migrate` re-pins a portfolio",
                       code="unknown-framework")
    known = sorted({lf.framework.id for lf in store.all()})
    return Problem(doc.shown, *at("id"), f"unknown framework {pin.id!r}",
                   f"known frameworks: {', '.join(known) or 'none'}", code="unknown-framework")


def evidence_problems(records: list[Record], catalog: Catalog | None, today: dt.date,
                      scheme: Scheme | None) -> tuple[list[Problem], dict[str, Record]]:
    """Duplicate ids, unknown competencies (given the framework), dates in the future or (given
    the scheme) outside it; and the evidence by id, for the sign-offs' references."""
    out: list[Problem] = []
    by_id: dict[str, Record] = {}
    for record in records:
        ev = record.model
        if ev.id in by_id:
            out.append(located(record, ("id",), f"evidence id {ev.id!r} is used twice (also in {by_id[ev.id].shown})",
                               "give each evidence entry its own id", "duplicate-id"))
        by_id.setdefault(ev.id, record)
        for index, cid in enumerate(ev.competencies if catalog is not None else ()):
            if cid not in catalog.by_id:
                out.append(located(record, ("competencies", index), f"unknown competency {cid!r}",
                                   f"see `compfw framework show {catalog.framework.id}`", "unknown-competency"))
        if ev.date > today:
            out.append(located(record, ("date",), f"evidence date {ev.date} is in the future", "check the date",
                               "portfolio"))
        elif scheme is not None and not scheme.start <= ev.date <= scheme.end:
            out.append(located(record, ("date",), f"evidence date {ev.date} is outside the scheme", "check the date",
                               "portfolio"))
    return out, by_id


def unknown_competency(signoff: Signoff, fw: Framework) -> Finding:
    return (("competency",), f"unknown competency {signoff.competency!r} in {fw.id} {fw.version}",
            f"check the id against `compfw framework show {fw.id}`")


def scale_findings(signoff: Signoff, placed: Placed, fw: Framework) -> Iterator[Finding]:
    """A level where the competency takes none, or one off the framework's scale."""
    if placed.assessment == "binary":
        if signoff.level is not None:
            yield ("level",), f"competency {placed.id} is achieved/not-achieved: it takes no level", \
                "write 'achieved: true' instead of 'level'"
    elif signoff.achieved is not None:
        yield ("achieved",), f"competency {placed.id} is rated: give a 'level', not 'achieved'", \
            "write 'level: N' with N on the framework's scale"
    elif signoff.level is not None and fw.scale is not None and not fw.scale.has(signoff.level):
        yield ("level",), f"level {signoff.level} is not on the scale of {fw.id}", \
            f"use one of {[lv.value for lv in fw.scale.levels]}"


def feedback_findings(signoff: Signoff, min_words: int | None) -> Iterator[Finding]:
    """No feedback, or (given the framework's minimum) too little."""
    if not signoff.feedback.strip():
        yield ("feedback",), "sign-off has no feedback", \
            "the framework asks for detailed, constructive feedback with every sign-off"
    elif min_words is not None and not has_words(signoff.feedback, min_words):
        yield ("feedback",), f"feedback has {word_count(signoff.feedback)} words; at least {min_words} are required", \
            "give detailed, constructive feedback"


def future_findings(kind: str, when: dt.date, today: dt.date, hint: str) -> Iterator[Finding]:
    if when > today:
        yield ("date",), f"{kind} date {when} is in the future", hint


def outside_scheme_findings(kind: str, when: dt.date, scheme: Scheme) -> Iterator[Finding]:
    if not scheme.start <= when <= scheme.end:
        yield ("date",), f"{kind} date {when} is outside the scheme ({scheme.start} to {scheme.end})", "check the date"


def evidence_reference_problems(record: Record, evidence: dict[str, Record]) -> list[Problem]:
    return [located(record, ("evidence", index), f"sign-off refers to unknown evidence {eid!r}",
                    "use the id of an evidence entry in evidence/", "portfolio")
            for index, eid in enumerate(record.model.evidence) if eid not in evidence]


def request_competency_findings(request: ReviewRequest, catalog: Catalog | None) -> Iterator[Finding]:
    """Competencies a request names that (given the framework) do not exist, or that it names twice."""
    for index, cid in enumerate(request.competencies):
        if catalog is not None and cid not in catalog.by_id:
            yield ("competencies", index), f"unknown competency {cid!r}", \
                f"see `compfw framework show {catalog.framework.id}`"
        elif cid in request.competencies[:index]:
            yield ("competencies", index), f"competency {cid} is named twice in this request", "name each once"


# --- a portfolio whose portfolio.yaml cannot be read ------------------------------------------


def check_loose_records(folder: Path, store: FrameworkStore, today: dt.date) -> list[Problem]:
    """The problems of a portfolio's records when its portfolio.yaml cannot be read or is invalid,
    and a note at portfolio.yaml of what could not be checked (nothing, if there is no such file)."""
    loose, read = load_loose_records(folder)
    if loose is None or not (loose.evidence or loose.signoffs or loose.requests or read):
        return []  # no such portfolio.yaml to blame, or no record it could hide a finding in
    problems: list[Problem] = []
    lf = store.get(loose.pin.id, loose.pin.version) if loose.pin is not None else None
    if loose.pin is not None and lf is None:
        from compfw.files.yaml_parse import load_yaml

        doc, _ = load_yaml(folder / PORTFOLIO_FILE)  # it parsed, or there would be no pin
        problems.append(unknown_framework_problem(loose.pin, doc, store))
    problems.append(_not_checked_note(folder, loose.pin, lf))
    problems.extend(read)
    catalog = lf.catalog if lf is not None else None
    found, evidence = evidence_problems(loose.evidence, catalog, today, scheme=None)
    problems.extend(found)
    for record in loose.signoffs:
        problems.extend(located(record, loc, message, hint, "signoff")
                        for loc, message, hint in _signoff_alone(record.model, lf, today))
        problems.extend(evidence_reference_problems(record, evidence))
    for record in loose.requests:
        findings = [*request_competency_findings(record.model, catalog),
                    *future_findings("request", record.model.date, today, REQUEST_DATE_HINT)]
        problems.extend(located(record, loc, message, hint, "request") for loc, message, hint in findings)
    from compfw.checks.migration_check import check_migration_files

    problems.extend(check_migration_files(loose, store))
    return problems


def _signoff_alone(signoff: Signoff, lf: LoadedFramework | None, today: dt.date) -> Iterator[Finding]:
    if lf is not None:
        placed = lf.catalog.get(signoff.competency)
        if placed is None:
            yield unknown_competency(signoff, lf.framework)
            return
        yield from scale_findings(signoff, placed, lf.framework)
    yield from feedback_findings(signoff, lf.framework.signoff.feedback_min_words if lf is not None else None)
    yield from future_findings("sign-off", signoff.date, today, SIGNOFF_DATE_HINT)


def _not_checked_note(folder: Path, pin: Pin | None, lf: LoadedFramework | None) -> Problem:
    if lf is not None:
        checked = f"on their own and against {lf.framework.id} {lf.framework.version}, the framework it pins"
        unchecked = ""
    else:
        why = ("the framework it pins is not available" if pin is not None
               else "the framework it pins cannot be read from it")
        checked = f"only on their own ({why})"
        unchecked = "competency ids, levels and the minimum feedback, "
    return Problem(shown_path(folder / PORTFOLIO_FILE), 0, 0,
                   f"this file cannot be used, so the portfolio's evidence, sign-offs and requests were checked "
                   f"{checked}; not checked: {unchecked}who may sign, the scheme dates, the stage and the "
                   "reflective piece",
                   "fix this file, then run `compfw validate` again for the full check", "warning", "not-checked")
