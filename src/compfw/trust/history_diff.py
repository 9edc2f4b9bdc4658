"""`compfw diff BASE [HEAD]`: what a change (a pull request) does to each trainee it touches.

Both trees are read from git, never from the work tree: the frameworks and the touched portfolio
folders of each commit are written by git into a temporary folder (through a private index, see
files.gitutil.export_tree) and loaded, checked and evaluated exactly as `status` does it there, so
a sign-off that validate rejects is not counted on either side. Judged as of today for both.

A portfolio is touched when a file under it differs between the commits; when a framework file
differs, every portfolio is compared (its result may change without a file of its own changing),
and only those whose standing changed are listed.

What this cannot prove: who was allowed to sign is read from each tree's own portfolio.yaml. A
change that also edits the managers is flagged (`managers_changed`); `compfw audit --base` checks
sign-offs against the base branch's managers.
"""

from __future__ import annotations

import datetime as dt
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from compfw.checks.workspace import load_checked
from compfw.engine.readiness import VERDICT_LABELS
from compfw.engine.status import STATUS_LABELS
from compfw.engine.summary import evaluate
from compfw.files import gitutil
from compfw.files.problems import UserError
from compfw.model.loading import FrameworkStore, LoadedFramework, LoadedPortfolio, portfolio_folders

JSON_VERSION = 1


@dataclass
class Side:
    """One trainee in one tree: None fields where the portfolio is absent or cannot be read."""

    present: bool = False
    lp: LoadedPortfolio | None = None
    lf: LoadedFramework | None = None
    errors: int = 0
    doc: dict | None = None


@dataclass
class TraineeDiff:
    folder: str  # portfolios/<name>, relative to the compfw root
    before: Side
    after: Side
    competencies: list[dict] = field(default_factory=list)
    milestones: list[dict] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        b, a = self.before.doc, self.after.doc
        if (b is None) != (a is None) or self.before.errors != self.after.errors:
            return True
        if b is None:
            return self.before.present != self.after.present
        return bool(self.competencies or self.milestones or b["percent"] != a["percent"]
                    or b["verdict"] != a["verdict"])


def _root_prefix(root: Path, top: Path) -> str:
    try:
        relative = root.resolve().relative_to(top.resolve()).as_posix()
    except ValueError:
        return ""
    return "" if relative == "." else relative + "/"


def _touched(top: Path, prefix: str, base: str, head: str) -> tuple[list[str], bool]:
    """Portfolio folder names touched between the commits, and whether a framework changed."""
    paths = gitutil.changed_paths(top, base, head, [f"{prefix}portfolios", f"{prefix}frameworks"])
    names: set[str] = set()
    frameworks = False
    for path in paths:
        parts = path[len(prefix):].split("/")
        if parts[0] == "frameworks":
            frameworks = True
        elif len(parts) >= 3 and parts[0] == "portfolios" and not parts[1].startswith("."):
            names.add(parts[1])
    return sorted(names), frameworks


def _summary(lp: LoadedPortfolio, lf: LoadedFramework, as_of: dt.date) -> dict:
    current, ready = evaluate(lp, lf, as_of)
    return {
        "percent": current.percent_achieved,
        "achieved": current.total.achieved,
        "required": current.total.required,
        "verdict": ready.verdict,
        "statuses": {row.placed.id: (row.status, row.level) for row in current.competencies},
        "texts": {row.placed.id: row.placed.competency.text for row in current.competencies},
        "milestones": {m.milestone.id: (m.milestone.name, m.state) for m in ready.milestones},
    }


def _side(root: Path, name: str, store: FrameworkStore, today: dt.date) -> Side:
    folder = root / "portfolios" / name
    if not folder.is_dir():
        return Side()
    lp, lf, problems = load_checked(folder, store, today)
    errors = sum(p.severity == "error" for p in problems)
    if lp is None or lf is None:
        return Side(True, errors=max(errors, 1))
    return Side(True, lp, lf, errors, _summary(lp, lf, today))


def _signer(record) -> dict:
    s = record.model
    return {"name": s.signer.name, "email": s.signer.email, "role": s.signer.role, "date": s.date.isoformat(),
            "level": s.level, "achieved": s.achieved, "file": record.doc.name}


def _compare(diff: TraineeDiff) -> None:
    b, a = diff.before.doc, diff.after.doc
    if a is None:
        return
    old_files = {r.doc.name for r in diff.before.lp.signoffs} if diff.before.lp else set()
    new_signoffs = [r for r in diff.after.lp.signoffs if r.doc.name not in old_files]
    for cid, (status, level) in a["statuses"].items():
        was = b["statuses"].get(cid) if b else None
        if was == (status, level) or (was is None and status == "not_achieved"):
            continue  # unchanged, or newly required with nothing done yet (a new portfolio)
        diff.competencies.append({
            "id": cid, "text": a["texts"][cid],
            "before": None if was is None else {"status": was[0], "label": STATUS_LABELS[was[0]], "level": was[1]},
            "after": {"status": status, "label": STATUS_LABELS[status], "level": level},
            "signed_by": [_signer(r) for r in new_signoffs if r.model.competency == cid],
        })
    for mid, (name, state) in a["milestones"].items():
        was = b["milestones"].get(mid, (name, None))[1] if b else None
        if was != state and not (was is None and state == "pending"):
            diff.milestones.append({"id": mid, "name": name, "before": was, "after": state})


def _managers(lp: LoadedPortfolio | None) -> set[tuple[str, str]]:
    if lp is None:
        return set()
    pf = lp.portfolio
    return {("programme_manager", pf.programme_manager.email.lower()),
            *(("placement_manager", p.manager.email.lower()) for p in pf.placements)}


def _resolve(top: Path, ref: str, which: str) -> str:
    if ref.startswith("-"):
        raise UserError(f"{which} {ref!r} is not a git revision", "give a commit, branch or tag")
    commit = gitutil.resolve_commit(top, ref)
    if commit is None:
        raise UserError(f"{which} {ref!r} is not a commit here",
                        "give a commit, branch or tag that exists here (in CI, fetch the base branch first)")
    return commit


def diff_trees(root: Path, base_ref: str, head_ref: str, today: dt.date) -> dict:
    """The change from base to head as JSON-ready plain data (what `diff --format json` prints)."""
    top = gitutil.toplevel(root)
    if top is None:
        raise UserError(f"{root} is not in a git repository", "`compfw diff` compares two commits")
    base, head = _resolve(top, base_ref, "BASE"), _resolve(top, head_ref, "HEAD")
    prefix = _root_prefix(root, top)
    try:
        names, frameworks_changed = _touched(top, prefix, base, head)
        with tempfile.TemporaryDirectory(prefix="compfw-diff-") as temp:
            roots = {}
            for side, commit in (("before", base), ("after", head)):
                dest = Path(temp) / side
                dest.mkdir()
                wanted = [f"{prefix}frameworks", *(f"{prefix}portfolios/{n}" for n in names)]
                if frameworks_changed:
                    wanted = [f"{prefix}frameworks", f"{prefix}portfolios"]
                gitutil.export_tree(top, commit, wanted, dest, Path(temp) / f"{side}.index")
                roots[side] = dest / prefix if prefix else dest
            if frameworks_changed:
                names = sorted({f.name for r in roots.values() for f in portfolio_folders(r / "portfolios")})
            trainees = []
            for name in names:
                diff = TraineeDiff(f"{prefix}portfolios/{name}",
                                   _side(roots["before"], name, FrameworkStore.for_repo(roots["before"]), today),
                                   _side(roots["after"], name, FrameworkStore.for_repo(roots["after"]), today))
                _compare(diff)
                doc = _document(diff)
                if diff.changed or doc["managers_changed"]:
                    trainees.append(doc)
    except gitutil.GitError as exc:
        raise UserError(f"git failed while reading the two commits: {exc}", "check both revisions exist here") from None
    return {
        "compfw_diff_version": JSON_VERSION,
        "as_of": today.isoformat(),
        "base": {"ref": base_ref, "commit": base},
        "head": {"ref": head_ref, "commit": head},
        "frameworks_changed": frameworks_changed,
        "touched": len(names),
        "trainees": trainees,
    }


def _document(diff: TraineeDiff) -> dict:
    b, a = diff.before, diff.after
    person = (a.lp or b.lp).portfolio.trainee if (a.lp or b.lp) else None

    def standing(side: Side) -> dict | None:
        if side.doc is None:
            return None
        verdict = side.doc["verdict"]
        return {"percent": side.doc["percent"], "achieved": side.doc["achieved"], "required": side.doc["required"],
                "verdict": verdict, "verdict_label": VERDICT_LABELS[verdict] if verdict else None}

    return {
        "portfolio": diff.folder,
        "id": person.id if person else diff.folder.rsplit("/", 1)[-1],
        "name": person.name if person else None,
        "change": "added" if not b.present else "removed" if not a.present else "changed",
        "before": standing(b),
        "after": standing(a),
        "errors_before": b.errors,
        "errors_after": a.errors,
        "managers_changed": b.lp is not None and a.lp is not None and _managers(b.lp) != _managers(a.lp),
        "competencies": diff.competencies,
        "milestones": diff.milestones,
    }
