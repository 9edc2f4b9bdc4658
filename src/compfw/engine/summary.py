"""The plain-data view of a trainee's standing: what `status --json` prints and templates receive."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from fractions import Fraction
from typing import Any

from compfw.engine.outlook import outlook
from compfw.engine.readiness import VERDICT_LABELS, Readiness, add_months, readiness
from compfw.engine.status import STATUS_LABELS, PortfolioStatus, percent_by_day, statuses
from compfw.engine.trajectory import by_record_count, trajectory
from compfw.model.loading import LoadedFramework, LoadedPortfolio
from compfw.model.models import Person, Portfolio

JSON_VERSION = 1


def evaluate(lp: LoadedPortfolio, lf: LoadedFramework, as_of: dt.date) -> tuple[PortfolioStatus, Readiness]:
    current, rd, _ = evaluate_over_time(lp, lf, as_of)
    return current, rd


def evaluate_over_time(lp: LoadedPortfolio, lf: LoadedFramework,
                       as_of: dt.date) -> tuple[PortfolioStatus, Readiness, Callable[[dt.date], Fraction]]:
    """The status and readiness at as_of, and the percentage on any day (from the day each
    competency was first achieved, shared by readiness and the trajectory)."""
    evidence = [r.model for r in lp.evidence]
    signoffs = [r.model for r in lp.signoffs]
    percent_on = percent_by_day(lf.catalog, lp.portfolio, signoffs)

    def evaluated(day: dt.date) -> Fraction:
        return current.exact_percent if day == as_of else percent_on(day)

    current = statuses(lf.catalog, lp.portfolio, evidence, signoffs, as_of)
    percent_at = by_record_count([e.date for e in evidence] + [s.date for s in signoffs], evaluated)
    return current, readiness(lf.framework, lp.portfolio, as_of, percent_at,
                               judged=current.not_judged is None), percent_at


def _person(person: Person | None) -> dict | None:
    if person is None:
        return None
    return {"name": person.name, "email": person.email, "handle": person.handle}


def current_placement(portfolio: Portfolio, as_of: dt.date) -> dict | None:
    for placement in sorted(portfolio.placements, key=lambda p: p.start):
        if placement.start <= as_of <= placement.end:
            return {"name": placement.name, "organisation": placement.organisation,
                    "start": placement.start.isoformat(), "end": placement.end.isoformat(),
                    "manager": _person(placement.manager)}
    return None


def status_document(lp: LoadedPortfolio, lf: LoadedFramework, as_of: dt.date,
                    trajectory_points: int | None = None) -> dict[str, Any]:
    """Everything about one trainee at a date, as JSON-ready plain data.

    ``trajectory_points`` keeps only that many of the trajectory's last points (each costs a
    status evaluation): the cohort needs six, the "before" of a review pack none."""
    st, rd, percent_at = evaluate_over_time(lp, lf, as_of)
    return {**_standing(lp, lf, as_of, st, rd, percent_at, trajectory_points),
            "competencies": _competencies(lp, lf, st),
            "evidence": [{"id": e.id, "date": e.date.isoformat(), "title": e.title, "narrative": e.narrative,
                          "documents": list(e.documents), "competencies": list(e.competencies)}
                         for e in sorted((r.model for r in lp.evidence), key=lambda e: (e.date, e.id))
                         if e.date <= as_of]}


def standing_document(lp: LoadedPortfolio, lf: LoadedFramework, as_of: dt.date,
                      trajectory_points: int | None = None) -> dict[str, Any]:
    """status_document without its two long lists (each competency, each evidence entry): what a
    cohort row is made from. Every key it has, it has with the same value."""
    st, rd, percent_at = evaluate_over_time(lp, lf, as_of)
    return _standing(lp, lf, as_of, st, rd, percent_at, trajectory_points)


def _standing(lp: LoadedPortfolio, lf: LoadedFramework, as_of: dt.date, st: PortfolioStatus, rd: Readiness,
              percent_at: Callable[[dt.date], Fraction], trajectory_points: int | None) -> dict[str, Any]:
    fw, pf = lf.framework, lp.portfolio
    scale = fw.scale
    sections = [{"id": s.id, "title": s.title, "assessment": s.assessment,
                 "required": st.by_section[s.id].required, "achieved": st.by_section[s.id].achieved,
                 "percent": st.by_section[s.id].percent}
                for s in fw.sections if s.id in st.by_section]
    return {
        "compfw_status_version": JSON_VERSION,
        "as_of": as_of.isoformat(),
        "trainee": {"id": pf.trainee.id, "name": pf.trainee.name, "email": pf.trainee.email,
                    "handle": pf.trainee.handle},
        "framework": {"id": fw.id, "version": fw.version, "title": fw.title,
                      "scale": [{"value": lv.value, "name": lv.name} for lv in scale.levels] if scale else []},
        "specialism": pf.specialism,
        "target_level": pf.target_level,
        "scheme": {"start": pf.scheme.start.isoformat(), "end": pf.scheme.end.isoformat()},
        "programme_manager": _person(pf.programme_manager),
        "placements": [{"name": p.name, "organisation": p.organisation, "start": p.start.isoformat(),
                        "end": p.end.isoformat(), "manager": _person(p.manager)} for p in pf.placements],
        "current_placement": current_placement(pf, as_of),
        "plan": {name: list(ids) for name, ids in pf.plan.items()},
        "percent_achieved": st.percent_achieved,
        "required": st.total.required,
        "achieved": st.total.achieved,
        "counts": dict(st.counts),
        "by_section": sections,
        "by_kind": {k: {"required": t.required, "achieved": t.achieved, "percent": t.percent}
                    for k, t in st.by_kind.items()},
        "not_judged": st.not_judged,
        "readiness": _readiness(rd, st.not_judged),
        "outlook": outlook(pf, rd, st.total.required, st.total.achieved),
        "trajectory": trajectory(fw, pf, as_of, percent_at, trajectory_points),
        "reflective_piece": _reflective(lp, lf),
        "last_signoff": _last_signoff(lp, as_of),
    }


def _competencies(lp: LoadedPortfolio, lf: LoadedFramework, st: PortfolioStatus) -> list[dict[str, Any]]:
    scale = lf.framework.scale
    signoff_files = {id(r.model): r for r in lp.signoffs}
    competencies = []
    for row in st.competencies:
        c, placed = row.placed.competency, row.placed
        competencies.append({
            "id": c.id,
            "section": placed.section.id,
            "section_title": placed.section.title,
            "element": placed.element.id if placed.element else None,
            "element_title": placed.element.title if placed.element else None,
            "kind": c.kind,
            "assessment": placed.assessment,
            "text": c.text,
            "status": row.status,
            "status_label": STATUS_LABELS[row.status],
            "level": row.level,
            "level_name": scale.name_of(row.level) if scale and row.level is not None else None,
            "target": row.target,
            "target_source": row.target_source,
            "examples": list(c.examples),
            "evidence": list(row.evidence_ids),
            "signoffs": [_signoff(s, signoff_files.get(id(s))) for s in row.signoffs],
        })
    return competencies


def _last_signoff(lp: LoadedPortfolio, as_of: dt.date) -> str | None:
    dates = [r.model.date for r in lp.signoffs if r.model.date <= as_of]
    return max(dates).isoformat() if dates else None


def _signoff(s, record) -> dict:
    """One sign-off: the date it claims and, beside it, the date git recorded it (None outside git
    or before it is committed), and the cited evidence edited since then."""
    return {"date": s.date.isoformat(), "recorded": record.recorded if record else None,
            "level": s.level, "achieved": s.achieved,
            "signer": {"name": s.signer.name, "email": s.signer.email, "role": s.signer.role},
            "feedback": s.feedback, "evidence": list(s.evidence),
            "evidence_edited": list(record.evidence_edited) if record else [],
            "file": record.doc.name if record else None}


def _readiness(rd: Readiness, not_judged: str | None) -> dict:
    if rd.verdict:
        label = VERDICT_LABELS[rd.verdict]
    else:
        label = "Not judged" if not_judged else "No milestones in this framework"
    return {
        "verdict": rd.verdict,
        "verdict_label": label,
        "expected_percent": rd.expected_percent,
        "far_ahead_margin": rd.far_ahead_margin,
        "graduation_percent": rd.graduation_percent,
        "graduation_ready": rd.graduation_ready,
        "milestones": [{"id": m.milestone.id, "name": m.milestone.name, "percent": m.milestone.percent,
                        "due": m.due.isoformat(), "state": m.state, "percent_at_due": m.percent_at_due,
                        "graduation": m.milestone.graduation} for m in rd.milestones],
    }


def _reflective(lp: LoadedPortfolio, lf: LoadedFramework) -> dict | None:
    rule = lf.framework.reflective_piece
    ref = lp.portfolio.reflective_piece
    if rule is None:
        return None
    window_start = add_months(lp.portfolio.scheme.end, -rule.final_months)
    return {
        "file": ref.file if ref else None,
        "completed": ref.completed.isoformat() if ref else None,
        "words": lp.reflective_words,
        "min_words": rule.min_words,
        "max_words": rule.max_words,
        "window_start": window_start.isoformat(),
        "window_end": lp.portfolio.scheme.end.isoformat(),
        "length_ok": lp.reflective_words is not None and rule.min_words <= lp.reflective_words <= rule.max_words,
        "in_window": ref is not None and window_start <= ref.completed <= lp.portfolio.scheme.end,
        "sections": list(rule.sections),
        "criteria_intro": rule.criteria_intro,
        "criteria": [{"heading": g.heading, "items": list(g.items)} for g in rule.criteria],
    }
