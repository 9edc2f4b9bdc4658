"""Validation rules: what a framework or a portfolio must satisfy beyond its schema.

Every rule returns problems located in the file that has to change. Rules that the sign-off
command also enforces before writing (who may sign, what a sign-off must carry) live here once.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

from compfw.engine.readiness import add_months
from compfw.files.problems import Problem
from compfw.files.yaml_located import position_of
from compfw.model.catalog import Placed
from compfw.model.authority import signer_authority  # noqa: F401  (also imported from here by trust/)
from compfw.checks.record_rules import (
    REQUEST_DATE_HINT,
    SIGNOFF_DATE_HINT,
    evidence_problems,
    evidence_reference_problems,
    feedback_findings,
    future_findings,
    outside_scheme_findings,
    request_competency_findings,
    scale_findings,
    unknown_competency,
    unknown_framework_problem,
)
from compfw.model.loading import FrameworkStore, LoadedFramework, LoadedPortfolio
from compfw.model.models import Framework, Portfolio, ReviewRequest, Signoff


# --- frameworks -------------------------------------------------------------------------------


def competency_locations(framework: Framework) -> dict[str, list[tuple]]:
    """Each competency id's location(s) in the framework document, for messages."""
    where: dict[str, list[tuple]] = {}
    for si, section in enumerate(framework.sections):
        for ci, c in enumerate(section.competencies):
            where.setdefault(c.id, []).append(("sections", si, "competencies", ci))
        for ei, element in enumerate(section.elements):
            for ci, c in enumerate(element.competencies):
                where.setdefault(c.id, []).append(("sections", si, "elements", ei, "competencies", ci))
    return where


def check_framework(lf: LoadedFramework, strict: bool = False) -> list[Problem]:
    fw, doc = lf.framework, lf.doc
    out: list[Problem] = []

    def add(loc: tuple, message: str, hint: str = "", severity: str = "error", code: str = "framework") -> None:
        line, col = position_of(doc.data, loc)
        out.append(Problem(doc.shown, line, col, message, hint, severity, code))

    stem = doc.path.stem
    if stem != fw.id and stem != f"{fw.id}@{fw.version}":
        add(("id",), f"framework id {fw.id!r} does not match the file name {doc.path.name!r}",
            f"name the file {fw.id}.yaml (or {fw.id}@{fw.version}.yaml for another version)")
    where = competency_locations(fw)
    for cid, locs in where.items():
        for loc in locs[1:]:
            first = position_of(doc.data, locs[0])
            add(loc + ("id",), f"competency id {cid!r} is used more than once (first at line {first[0]})",
                "give each competency its own id; record the id as printed in 'printed_id'", code="duplicate-id")
    scale = fw.scale
    catalog = lf.catalog
    rated = [p for p in catalog.placed if p.assessment == "rated"]
    if rated and scale is None:
        add(("sections",), "rated competencies need a scale, and this framework has none",
            "add a 'scale' with levels, or mark the sections 'assessment: binary'")
    if scale is not None and fw.default_target is not None and not scale.has(fw.default_target):
        add(("default_target",), f"default_target {fw.default_target} is not a level on the scale",
            f"use one of {[lv.value for lv in scale.levels]}")
    for p in catalog.placed:
        loc = where[p.id][0]
        c = p.competency
        if p.assessment == "binary" and c.target is not None:
            add(loc + ("target",), f"competency {c.id} is achieved/not-achieved and cannot have a target level",
                "remove 'target'")
        elif c.target is not None and scale is not None and not scale.has(c.target):
            add(loc + ("target",), f"target {c.target} of competency {c.id} is not a level on the scale",
                f"use one of {[lv.value for lv in scale.levels]}")
        if strict and p.assessment == "rated" and c.target_source == "not_in_source":
            fallback = (f"the framework default {fw.default_target} applies" if fw.default_target is not None
                        else "the portfolio's target_level applies")
            add(loc + ("id",), f"competency {c.id}: the source shows no target level; {fallback}",
                "confirm the target against the source document", severity="warning", code="target-not-in-source")
    for loc, stages in _stage_lists(fw):
        for index, stage in enumerate(stages):
            if scale is None or not scale.has(stage):
                add(loc + ("stages", index), f"stage {stage} is not a level on the scale",
                    f"use one of {[lv.value for lv in scale.levels]}" if scale else "add a 'scale' of stages")
    if fw.reflective_piece is not None:
        known = {s.id for s in fw.sections}
        for index, section_id in enumerate(fw.reflective_piece.sections):
            if section_id not in known:
                add(("reflective_piece", "sections", index), f"reflective_piece names unknown section {section_id!r}",
                    f"use one of {sorted(known)}")
    known_sections = {s.id for s in fw.sections}
    for ri, rule in enumerate(fw.signoff.sections):
        for index, section_id in enumerate(rule.sections):
            if section_id not in known_sections:
                add(("signoff", "sections", ri, "sections", index), f"signoff rule names unknown section {section_id!r}",
                    f"use one of {sorted(known_sections)}")
    graduation = [m for m in fw.milestones if m.graduation]
    if len(graduation) > 1:
        add(("milestones",), "more than one milestone is marked graduation: true", "mark only one")
    if fw.replaces is not None:
        for index, (old, new) in enumerate(fw.replaces.renames.items()):
            if new not in catalog.by_id:
                add(("replaces", "renames", old), f"rename {old} -> {new}: {new!r} is not a competency of this version",
                    "fix the new id")
    return out


def _stage_lists(framework: Framework) -> Iterator[tuple[tuple, list[int]]]:
    """Every 'stages' list in a framework, with where it is."""
    for si, section in enumerate(framework.sections):
        loc = ("sections", si)
        if section.stages is not None:
            yield loc, section.stages
        holders = [(loc + ("competencies", ci), c) for ci, c in enumerate(section.competencies)]
        for ei, element in enumerate(section.elements):
            eloc = loc + ("elements", ei)
            if element.stages is not None:
                yield eloc, element.stages
            holders += [(eloc + ("competencies", ci), c) for ci, c in enumerate(element.competencies)]
        for cloc, competency in holders:
            if competency.stages is not None:
                yield cloc, competency.stages


# --- sign-offs --------------------------------------------------------------------------------


def reflective_window(portfolio: Portfolio, framework: Framework) -> tuple[dt.date, dt.date] | None:
    rule = framework.reflective_piece
    if rule is None:
        return None
    return add_months(portfolio.scheme.end, -rule.final_months), portfolio.scheme.end


def signoff_findings(signoff: Signoff, placed: Placed | None, lp: LoadedPortfolio, lf: LoadedFramework,
                     today: dt.date) -> Iterator[tuple[tuple, str, str]]:
    """What is wrong with one sign-off: (field location, message, hint) triples."""
    pf, fw = lp.portfolio, lf.framework
    if placed is None:
        yield unknown_competency(signoff, fw)
        return
    yield from scale_findings(signoff, placed, fw)
    if placed.assessment == "binary" and fw.reflective_piece and placed.section.id in fw.reflective_piece.sections:
        yield from _reflective_findings(lp, lf, signoff.date)
    yield from feedback_findings(signoff, fw.signoff.feedback_min_words)
    email = signoff.signer.email
    if email.lower() == pf.trainee.email.lower():
        yield ("signer", "email"), "trainees cannot sign themselves off", \
            "the placement or programme manager signs"
    else:
        role = signer_authority(pf, email, signoff.date)
        if role is None:
            yield ("signer", "email"), f"{email} is not authorised to sign off this portfolio on {signoff.date}", \
                "the signer must be the programme manager or a placement manager named in portfolio.yaml"
        elif role != signoff.signer.role and not (role == "programme_manager" and _is_placement_manager(pf, email)):
            yield ("signer", "role"), f"{email} is the {role.replace('_', ' ')}, not the {signoff.signer.role.replace('_', ' ')}", \
                f"write 'role: {role}'"
        if role is not None:
            yield from _section_rule_findings(signoff, placed, lp, lf, role)
    yield from future_findings("sign-off", signoff.date, today, SIGNOFF_DATE_HINT)
    yield from outside_scheme_findings("sign-off", signoff.date, pf.scheme)


def _section_rule_findings(signoff: Signoff, placed: Placed, lp: LoadedPortfolio, lf: LoadedFramework,
                           role: str) -> Iterator[tuple[tuple, str, str]]:
    """The framework's own sign-off rule for this competency's section: who signs, what is stated.

    The informatics seed: "The Placement Manager (or Programme Manager in their absence) is
    responsible for signing off the competencies in the Personal Qualities section once both the
    trainee and Placement Manager have had an opportunity to discuss the reflective piece."
    """
    rule = lf.framework.signoff.for_section(placed.section.id)
    if rule is None:
        return
    if role == "programme_manager" and _is_placement_manager(lp.portfolio, signoff.signer.email):
        role = "placement_manager"
    names = " or the ".join(r.replace("_", " ") for r in rule.signers)
    if role in rule.signers:
        if signoff.placement_manager_absent:
            yield ("placement_manager_absent",), \
                f"the {role.replace('_', ' ')} signs competency {placed.id} and cannot be absent from it", \
                "remove 'placement_manager_absent' and 'absence_reason'"
    elif role in rule.absence_signers:
        if not signoff.placement_manager_absent:
            yield ("signer", "role"), (f"competency {placed.id} is signed off by the {names}; the "
                                       f"{role.replace('_', ' ')} signs only in the placement manager's absence, "
                                       "and the sign-off must say so"), \
                "add 'placement_manager_absent: true' and 'absence_reason: ...' " \
                "(compfw signoff --placement-manager-absent REASON)"
    else:
        yield ("signer", "role"), f"competency {placed.id} is signed off by the {names} only", \
            "ask the manager the framework names"
    if rule.discussion_required:
        yield from _discussion_findings(signoff, placed, lp)


def _discussion_findings(signoff: Signoff, placed: Placed, lp: LoadedPortfolio) -> Iterator[tuple[tuple, str, str]]:
    if signoff.discussed is None:
        yield ("competency",), (f"the sign-off of {placed.id} does not state when the reflective piece was "
                              "discussed with the trainee"), \
            "sign off once you have both discussed the piece, and add 'discussed: YYYY-MM-DD' " \
            "(compfw signoff --discussed DATE)"
        return
    if signoff.discussed > signoff.date:
        yield ("discussed",), f"the piece was discussed on {signoff.discussed}, after this sign-off", \
            "sign off after the discussion"
    ref = lp.portfolio.reflective_piece
    if ref is not None and signoff.discussed < ref.completed:
        yield ("discussed",), (f"the piece was discussed on {signoff.discussed}, before it was completed "
                               f"({ref.completed})"), "give the date of the discussion of the completed piece"


def _is_placement_manager(pf: Portfolio, email: str) -> bool:
    return any(p.manager.email.lower() == email.lower() for p in pf.placements)


def _reflective_findings(lp: LoadedPortfolio, lf: LoadedFramework, on: dt.date) -> Iterator[tuple[tuple, str, str]]:
    rule = lf.framework.reflective_piece
    ref = lp.portfolio.reflective_piece
    if ref is None:
        yield ("achieved",), "Personal Qualities are signed off after the reflective piece, and there is none", \
            "add 'reflective_piece: {file: reflective-piece.md, completed: YYYY-MM-DD}' to portfolio.yaml"
        return
    words = lp.reflective_words
    if words is None:
        yield ("achieved",), f"the reflective piece {ref.file!r} cannot be read", "write the piece beside portfolio.yaml"
    elif not rule.min_words <= words <= rule.max_words:
        yield ("achieved",), (f"the reflective piece has {words} words; it must be {rule.words} words "
                              f"+/- {rule.tolerance_percent:g}% ({rule.min_words}-{rule.max_words})"), \
            "revise the piece to the required length"
    start, end = reflective_window(lp.portfolio, lf.framework)
    if not start <= ref.completed <= end:
        yield ("achieved",), (f"the reflective piece was completed on {ref.completed}, outside the last "
                              f"{rule.final_months} months of the scheme ({start} to {end})"), \
            "the piece is written in the final twelve months of the scheme"
    elif ref.completed > on:
        yield ("date",), f"the reflective piece was completed on {ref.completed}, after this sign-off", \
            "sign off after the piece has been completed and discussed"


# --- portfolios -------------------------------------------------------------------------------


def check_portfolio(lp: LoadedPortfolio, store: FrameworkStore, today: dt.date) -> list[Problem]:
    pf, doc = lp.portfolio, lp.doc
    out: list[Problem] = []

    def add(record_doc, loc: tuple, message: str, hint: str = "", severity: str = "error", code: str = "portfolio") -> None:
        line, col = position_of(record_doc.data, loc)
        out.append(Problem(record_doc.shown, line, col, message, hint, severity, code))

    lf = store.get(pf.framework.id, pf.framework.version)
    if lf is None:
        return [unknown_framework_problem(pf.framework, doc, store)]
    fw, catalog = lf.framework, lf.catalog
    if fw.specialism and pf.specialism and fw.specialism != pf.specialism:
        add(doc, ("specialism",), f"specialism {pf.specialism!r} does not match the framework's {fw.specialism!r}",
            "pin the framework of your specialism")
    if pf.target_level is not None and fw.scale is not None and not fw.scale.has(pf.target_level):
        add(doc, ("target_level",), f"target_level {pf.target_level} is not on the scale of {fw.id}",
            f"use one of {[lv.value for lv in fw.scale.levels]}")
    untargeted = [p.id for p in catalog.placed if p.assessment == "rated"
                  and p.target(fw, pf.target_level)[0] is None]
    if untargeted:
        add(doc, ("framework",), f"{len(untargeted)} competencies of {fw.id} have no target level "
            f"(e.g. {untargeted[0]})", "set 'target_level' to the level or stage this person is tracked at")
    elif catalog.staged and pf.target_level is None:
        add(doc, ("framework",), f"what {fw.id} requires depends on the stage, and this portfolio sets none",
            "set 'target_level' to the stage this person is tracked at")
    for index, placement in enumerate(pf.placements):
        if placement.start < pf.scheme.start or placement.end > pf.scheme.end:
            add(doc, ("placements", index), f"placement {placement.name!r} runs outside the scheme dates",
                "check the placement and scheme dates")
    names = {p.name for p in pf.placements}
    for key, ids in pf.plan.items():
        if key not in names:
            add(doc, ("plan", key), f"plan names placement {key!r}, which is not in 'placements'",
                f"use one of {sorted(names)}" if names else "add the placement first")
        for index, cid in enumerate(ids):
            if cid not in catalog.by_id:
                add(doc, ("plan", key, index), f"unknown competency {cid!r} in the plan", f"see `compfw framework show {fw.id}`")
    if pf.reflective_piece is not None and pf.reflective_piece.completed > today:
        add(doc, ("reflective_piece", "completed"), "the reflective piece is dated in the future", "check the date")

    found, evidence_ids = evidence_problems(lp.evidence, catalog, today, pf.scheme)
    out.extend(found)

    from compfw.checks.migration_check import check_migration_files

    out.extend(check_migration_files(lp, store))
    for record in lp.signoffs:
        so = record.model
        placed = catalog.get(so.competency)
        for loc, message, hint in signoff_findings(so, placed, lp, lf, today):
            add(record.doc, loc, message, hint, code="signoff")
        if placed is not None and not placed.required_at(pf.target_level):
            add(record.doc, ("competency",), f"competency {placed.id} is not required at stage {pf.target_level} "
                f"(only at stage {', '.join(map(str, placed.stages))}); this sign-off is not counted",
                "nothing to do unless target_level is wrong", severity="warning", code="not-at-stage")
        out.extend(evidence_reference_problems(record, evidence_ids))
    for record in lp.requests:
        for loc, message, hint in request_findings(record.model, catalog, pf, today):
            add(record.doc, loc, message, hint, code="request")
    return out


def request_findings(request: ReviewRequest, catalog, pf: Portfolio, today: dt.date) -> Iterator[tuple[tuple, str, str]]:
    """What is wrong with one request for review: (field location, message, hint) triples."""
    yield from request_competency_findings(request, catalog)
    if request.to.strip().lower() == pf.trainee.email.lower():
        yield ("to",), "a request is addressed to a manager, not to the trainee", \
            "name the placement manager or the programme manager"
    elif signer_authority(pf, request.to, request.date) is None:
        managers = [pf.programme_manager.email, *(p.manager.email for p in pf.placements if p.start <= request.date)]
        yield ("to",), f"{request.to} may not sign off this portfolio on {request.date}, so cannot answer the request", \
            f"address it to a manager named in portfolio.yaml: {', '.join(dict.fromkeys(managers))}"
    if request.date > today:
        yield from future_findings("request", request.date, today, REQUEST_DATE_HINT)
    else:
        yield from outside_scheme_findings("request", request.date, pf.scheme)


def framework_for(lp: LoadedPortfolio, store: FrameworkStore) -> LoadedFramework | None:
    return store.get(lp.portfolio.framework.id, lp.portfolio.framework.version)


def is_inside(path: Path, root: Path) -> bool:
    try:
        path.resolve().relative_to(root.resolve())
        return True
    except (ValueError, OSError):
        return False
