"""Reports: the plain data a template receives (the lookup and rendering are in render.templates).

A trainee report's template receives the document `compfw status --json` prints (its keys are
the template's top-level variables) plus one more key, ``report``, with views derived from it
for convenience (the sign-off history in date order, what is missing, what changed since a
date). A cohort report's template receives one row of plain data per trainee. Templates never
see engine objects: everything is dicts, lists, strings, numbers, booleans and None, exactly
what ``--context-json`` prints.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import statistics
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from compfw.checks.cached import decode_problems, encode_problems, remember_for_portfolio
from compfw.checks.workspace import load_checked, open_portfolio
from compfw.engine.summary import standing_document, status_document
from compfw.files.git_history import signoff_history_ahead
from compfw.files.layout import find_portfolio, framework_folders
from compfw.files.problems import Problem, UserError, display_path
from compfw.files.problems import today as current_day
from compfw.files.progress import progress_iter
from compfw.files.result_cache import ResultCache
from compfw.files.workers import PARALLEL_FROM, WorkerPool, available_cpus
from compfw.model.loading import FrameworkStore, find_repo_root, portfolio_folders
from compfw.render.trajectory_view import TREND_POINTS, chart, trend

DEFAULT_LAST = 10
MISSING = ("not_achieved", "partially_achieved")
DEFAULT_STALE_DAYS = 30
CSV_COLUMNS = (
    "trainee_id", "name", "specialism", "current_placement", "organisation", "manager", "manager_email",
    "percent_achieved", "expected_percent", "verdict", "trend", "gap_now", "gap_3_months_ago", "gap_change",
    "missed_milestones", "last_activity", "days_since_activity", "stale", "personal_qualities", "last_signoff",
    "achieved", "required", "graduation_ready",
    "framework", "framework_version", "folder", "errors", "error",
)


# --- the data a trainee template receives -----------------------------------------------------


def signoff_history(doc: dict) -> list[dict]:
    """Every sign-off counted in the document, oldest first, with its competency beside it."""
    names = {level["value"]: level["name"] for level in doc["framework"]["scale"]}
    out = []
    for c in doc["competencies"]:
        for s in c["signoffs"]:
            out.append({
                "date": s["date"], "competency": c["id"], "competency_text": c["text"],
                "section": c["section"], "section_title": c["section_title"], "assessment": c["assessment"],
                "level": s["level"], "level_name": names.get(s["level"]) if s["level"] is not None else None,
                "achieved": s["achieved"], "signer": s["signer"], "feedback": s["feedback"],
                "evidence": s["evidence"], "file": s["file"], "recorded": s["recorded"],
                "evidence_edited": s["evidence_edited"],
            })
    out.sort(key=lambda s: (s["date"], s["file"] or "", s["competency"]))
    return out


def _changes(doc: dict, history: list[dict], before: dict | None, since: dt.date | None,
             effective: str | None, last: int) -> dict:
    if since is not None:
        signoffs = [s for s in history if s["date"] >= effective]
    else:
        signoffs = history[-last:] if last else []
    evidence = [e for e in doc["evidence"] if effective is not None and e["date"] >= effective]
    moved = []
    if before is not None:
        was = {c["id"]: c for c in before["competencies"]}
        for c in doc["competencies"]:
            old = was.get(c["id"])
            if old is not None and (old["status"], old["level"]) != (c["status"], c["level"]):
                moved.append({"id": c["id"], "text": c["text"], "section": c["section"],
                              "from": old["status"], "from_label": old["status_label"], "from_level": old["level"],
                              "to": c["status"], "to_label": c["status_label"], "to_level": c["level"]})
    return {
        "since": effective,
        "by": "date" if since is not None else "last",
        "percent_before": before["percent_achieved"] if before is not None else None,
        "achieved_before": before["achieved"] if before is not None else None,
        "signoffs": list(reversed(signoffs)),
        "evidence": list(reversed(evidence)),
        "status_changes": moved,
    }


def trainee_context(lp, lf, as_of: dt.date, since: dt.date | None = None, last: int = DEFAULT_LAST,
                    template: str = "") -> dict[str, Any]:
    """The status document of one trainee plus the ``report`` key (see docs/templates.md)."""
    if since is not None and since > as_of:
        raise UserError(f"--since {since} is after the report date {as_of}", "give a --since on or before --as-of")
    doc = status_document(lp, lf, as_of)
    history = signoff_history(doc)
    if since is not None:
        effective = since.isoformat()
    else:
        recent = history[-last:] if last else []
        effective = recent[0]["date"] if recent else None
    before = None
    if effective is not None:
        before = status_document(lp, lf, dt.date.fromisoformat(effective) - dt.timedelta(days=1), trajectory_points=0)
    context = dict(doc)
    context["report"] = {
        "kind": "trainee",
        "template": template,
        "since": since.isoformat() if since else None,
        "last": last,
        "signoffs": history,
        "missing": [c for c in doc["competencies"] if c["status"] in MISSING],
        "changes": _changes(doc, history, before, since, effective, last),
        "trajectory": chart(doc),
    }
    return context


def trainee_context_of(path: Path | None, as_of: dt.date, since: dt.date | None, last: int, template: str,
                       cache: ResultCache) -> tuple[dict[str, Any], list[Problem]]:
    """trainee_context for a portfolio found as status finds it, and the problems found in it."""
    today = current_day()
    root, folder = find_portfolio(path)

    def compute() -> dict:
        opened = open_portfolio(folder, today)
        return {"context": trainee_context(opened.portfolio, opened.framework, as_of, since, last, template),
                "problems": opened.problems}

    with signoff_history_ahead(folder):  # the report shows git's recorded dates, as status does
        found = remember_for_portfolio(
            cache, "trainee-report", folder, root, framework_folders(root), today,
            [as_of.isoformat(), since.isoformat() if since else None, last, template], compute,
            lambda found: {"context": found["context"], "problems": encode_problems(found["problems"])},
            lambda data: {"context": _dict(data["context"]), "problems": decode_problems(data["problems"])})
    return found["context"], found["problems"]


def _dict(data: Any) -> dict:
    if not isinstance(data, dict):
        raise ValueError("not a report context")
    return data


# --- the data a cohort template receives ------------------------------------------------------


def personal_qualities(doc: dict, lf) -> dict | None:
    """Whether the Personal Qualities are done: the sections of the framework's reflective piece
    (else its achieved/not-achieved sections) all achieved. None when the framework has neither."""
    fw = lf.framework
    ids = list(fw.reflective_piece.sections) if fw.reflective_piece else \
        [s.id for s in fw.sections if s.assessment == "binary"]
    sections = [s for s in doc["by_section"] if s["id"] in ids]
    if not sections:
        return None
    required = sum(s["required"] for s in sections)
    achieved = sum(s["achieved"] for s in sections)
    return {"sections": [s["id"] for s in sections], "title": " / ".join(s["title"] for s in sections),
            "required": required, "achieved": achieved, "done": achieved == required}


def last_activity(lp, as_of: dt.date) -> dt.date | None:
    """The latest day on or before as_of with evidence, a counted sign-off or a review request."""
    days = [r.model.date for records in (lp.evidence, lp.signoffs, lp.requests) for r in records
            if r.model.date <= as_of]
    return max(days, default=None)


def activity(doc: dict, last: dt.date | None, as_of: dt.date, stale_days: int) -> dict:
    """Days since the last activity, and whether that is more than stale_days. With no activity
    at all, the days count from the scheme start (a trainee who never started is stale too);
    before the scheme starts nobody is stale."""
    start = dt.date.fromisoformat(doc["scheme"]["start"])
    since = last if last is not None else start
    days = (as_of - since).days if as_of >= since else None
    return {"last_activity": last.isoformat() if last else None,
            "days_since_activity": days if last is not None else None,
            "stale": days is not None and days > stale_days}


def manager_of(doc: dict) -> dict | None:
    """Who answers for the trainee now: the current placement's manager, else the programme manager."""
    place = doc["current_placement"]
    if place is not None:
        return {**place["manager"], "role": "placement_manager"}
    if doc["programme_manager"] is not None:
        return {**doc["programme_manager"], "role": "programme_manager"}
    return None


def cohort_row(doc: dict, lf, folder: str, errors: int, active: dict | None = None) -> dict:
    rd = doc["readiness"]
    place = doc["current_placement"]
    return {
        "folder": folder,
        "trainee": doc["trainee"],
        "framework": {"id": doc["framework"]["id"], "version": doc["framework"]["version"],
                      "title": doc["framework"]["title"]},
        "specialism": doc["specialism"],
        "current_placement": place,
        "percent_achieved": doc["percent_achieved"],
        "achieved": doc["achieved"],
        "required": doc["required"],
        "counts": doc["counts"],
        "expected_percent": rd["expected_percent"],
        "verdict": rd["verdict"],
        "verdict_label": rd["verdict_label"],
        "graduation_ready": rd["graduation_ready"],
        "personal_qualities": personal_qualities(doc, lf),
        "last_signoff": doc["last_signoff"],
        "trend": trend(doc["trajectory"]),
        "manager": manager_of(doc),
        "missed_milestones": [{"id": m["id"], "name": m["name"], "percent": m["percent"], "due": m["due"],
                               "percent_at_due": m["percent_at_due"]}
                              for m in rd["milestones"] if m["state"] == "missed"],
        **(active or {"last_activity": None, "days_since_activity": None, "stale": False}),
        "errors": errors,
    }


def _relative(path: Path, root: Path) -> str:
    try:
        return path.resolve().relative_to(root.resolve()).as_posix()
    except ValueError:
        return display_path(path)


def cohort_row_of(path: Path, root: Path, store: FrameworkStore, as_of: dt.date, today: dt.date,
                  stale_days: int, cache: ResultCache) -> dict:
    """A portfolio's plain row; one that cannot be read comes back as {"folder", "error",
    "details"} (a row with an ``error`` key)."""
    def compute() -> dict:
        shown = _relative(path, root)
        lp, lf, problems = load_checked(path, store, today, history=False)  # a row shows no recorded dates
        errors = [p for p in problems if p.severity == "error"]
        if lp is None:
            first = errors[0] if errors else None
            pin_problem = first is not None and first.code == "unknown-framework"
            message = first.message if first else "cannot be read"
            return {"folder": shown, "error": ("framework not available: " if pin_problem else "") + message,
                    "details": [p.as_text() for p in errors]}
        doc = standing_document(lp, lf, as_of, trajectory_points=TREND_POINTS)
        return cohort_row(doc, lf, shown, len(errors), activity(doc, last_activity(lp, as_of), as_of, stale_days))

    return remember_for_portfolio(cache, "cohort-row", path, root, store.folders, today,
                                  [as_of.isoformat(), stale_days],
                                  compute, lambda row: row, _decode_row)


def _decode_row(data: Any) -> dict:
    if not isinstance(data, dict) or not isinstance(data.get("folder"), str):
        raise ValueError("not a cohort row")
    if "error" not in data and not {"trainee", "verdict", "percent_achieved", "personal_qualities"} <= set(data):
        raise ValueError("not a cohort row")
    return data


_worker: dict = {}


def _init_worker(root: Path, cache_folder: Path | None) -> None:
    _worker.update(root=root, store=FrameworkStore.for_repo(root), cache=ResultCache(cache_folder))


def _rows_in_worker(paths: list[Path], as_of: dt.date, today: dt.date, stale_days: int) -> list[dict]:
    return [cohort_row_of(path, _worker["root"], _worker["store"], as_of, today, stale_days, _worker["cache"])
            for path in paths]


def cohort_rows(folder: Path, root: Path, as_of: dt.date, today: dt.date, stale_days: int = DEFAULT_STALE_DAYS,
                cache_folder: Path | None = None, jobs: int = 0) -> Iterator[dict]:
    """One plain row per portfolio, in folder order: many portfolios are read in worker processes
    (one per core unless jobs says otherwise), rows from the cache where nothing changed."""
    paths = portfolio_folders(folder)
    workers = min(jobs if jobs > 0 else available_cpus(), len(paths))
    if workers > 1 and len(paths) >= PARALLEL_FROM:
        with WorkerPool(workers, _init_worker, (root, cache_folder), "reading portfolios") as pool:
            yield from progress_iter(pool.ordered(_rows_in_worker, paths, as_of, today, stale_days), "Reading portfolios",
                                     total=len(paths))
        return
    store, cache = FrameworkStore.for_repo(root), ResultCache(cache_folder)
    for path in progress_iter(paths, "Reading portfolios"):
        yield cohort_row_of(path, root, store, as_of, today, stale_days, cache)


def sort_key(row: dict) -> tuple:
    """Most at risk first: more missed milestones; then behind pace; then no activity for more
    than the stale threshold; then those falling behind fastest (the gap to the pace line shrank
    most over the last three month ends; no change known last); then furthest below the expected
    percentage (achieved minus expected, lowest first); then the longest without activity; then
    name and id."""
    gap = row["percent_achieved"] - row["expected_percent"] if row["expected_percent"] is not None else 0.0
    quiet = row["days_since_activity"] if row["days_since_activity"] is not None else float("inf")
    change = row["trend"]["gap_change"]
    return (-len(row["missed_milestones"]), 0 if row["verdict"] == "behind" else 1, 0 if row["stale"] else 1,
            (0, change) if change is not None else (1, 0), gap, -quiet,
            row["trainee"]["name"].casefold(), row["trainee"]["id"])


def bands(percents: list[float], width: int = 10) -> list[dict]:
    out = []
    for low in range(0, 100, width):
        high = low + width
        count = sum(1 for p in percents if low <= p < high or (high == 100 and p == 100))
        out.append({"from": low, "to": high, "label": f"{low}-{high}%", "count": count})
    return out


def cohort_context(folder: Path | None, as_of: dt.date, today: dt.date, template: str = "",
                   stale_days: int = DEFAULT_STALE_DAYS, cache_folder: Path | None = None,
                   jobs: int = 0) -> dict[str, Any]:
    root = find_repo_root(folder.resolve() if folder else None)
    folder = folder if folder is not None else root / "portfolios"
    if not folder.is_dir():
        raise UserError(f"{display_path(folder)} is not a folder",
                        "give the folder that holds the portfolios, e.g. `compfw report --cohort portfolios`")
    rows, failed = [], []
    for row in cohort_rows(folder, root, as_of, today, stale_days, cache_folder, jobs):
        (failed if "error" in row else rows).append(row)
    if not rows and not failed:
        raise UserError(f"no portfolios in {display_path(folder)}",
                        "a portfolio is a folder with a portfolio.yaml")
    rows.sort(key=sort_key)
    failed.sort(key=lambda f: f["folder"])
    percents = [r["percent_achieved"] for r in rows]
    verdicts = {v: sum(1 for r in rows if r["verdict"] == v) for v in ("behind", "on_track", "far_ahead")}
    pq = [r["personal_qualities"] for r in rows if r["personal_qualities"] is not None]
    return {
        "as_of": as_of.isoformat(),
        "folder": _relative(folder, root),
        "stale_days": stale_days,
        "rows": rows,
        "failed": failed,
        "totals": {
            "trainees": len(rows),
            "failed": len(failed),
            **verdicts,
            "no_verdict": sum(1 for r in rows if r["verdict"] is None),
            "graduation_ready": sum(1 for r in rows if r["graduation_ready"]),
            "personal_qualities_done": sum(1 for p in pq if p["done"]),
            "personal_qualities_tracked": len(pq),
            "with_errors": sum(1 for r in rows if r["errors"]),
            "stale": sum(1 for r in rows if r["stale"]),
            "missed_milestone": sum(1 for r in rows if r["missed_milestones"]),
            "mean_percent": round(statistics.fmean(percents), 1) if percents else None,
            "median_percent": round(statistics.median(percents), 1) if percents else None,
            "min_percent": min(percents) if percents else None,
            "max_percent": max(percents) if percents else None,
        },
        "bands": bands(percents),
        "report": {"kind": "cohort", "template": template},
    }


def _csv_safe(value: Any) -> Any:
    """A text cell a spreadsheet will not run as a formula (OWASP CSV injection)."""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value


def _trend_cells(trend: dict) -> dict:
    """Gaps as numbers (a signed number is no formula, so it is not quoted); none as empty."""
    cells = {key: "" if trend[key] is None else trend[key] for key in ("gap_now", "gap_3_months_ago", "gap_change")}
    return {"trend": trend["sparkline"], **cells}


def cohort_csv(context: dict) -> str:
    """The cohort as CSV, one row per trainee in report order, then the unreadable portfolios
    (only their folder, their number of errors and the first error filled in)."""
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=CSV_COLUMNS, lineterminator="\n", restval="")
    writer.writeheader()

    def number(value: float | None) -> str:
        return "" if value is None else f"{value:.1f}"

    for r in context["rows"]:
        pq, place, manager = r["personal_qualities"], r["current_placement"], r["manager"]
        row = {
            "trainee_id": r["trainee"]["id"], "name": r["trainee"]["name"], "specialism": r["specialism"] or "",
            "current_placement": place["name"] if place else "", "organisation": place["organisation"] if place else "",
            "manager": manager["name"] if manager else "", "manager_email": manager["email"] if manager else "",
            "percent_achieved": number(r["percent_achieved"]), "expected_percent": number(r["expected_percent"]),
            "verdict": r["verdict"] or "", **_trend_cells(r["trend"]),
            "missed_milestones": "; ".join(m["name"] for m in r["missed_milestones"]),
            "last_activity": r["last_activity"] or "",
            "days_since_activity": "" if r["days_since_activity"] is None else r["days_since_activity"],
            "stale": "yes" if r["stale"] else "no",
            "personal_qualities": "" if pq is None else ("yes" if pq["done"] else "no"),
            "last_signoff": r["last_signoff"] or "", "achieved": r["achieved"], "required": r["required"],
            "graduation_ready": "yes" if r["graduation_ready"] else "no", "framework": r["framework"]["id"],
            "framework_version": r["framework"]["version"], "folder": r["folder"], "errors": r["errors"],
        }
        writer.writerow({k: _csv_safe(v) for k, v in row.items()})
    for f in context["failed"]:
        row = {"folder": f["folder"], "errors": len(f["details"]), "error": f["error"]}
        writer.writerow({k: _csv_safe(v) for k, v in row.items()})
    return buffer.getvalue()
