"""`compfw migrate`: re-pin a portfolio to a later framework version, writing one migration record.

See model/migrations.py for how a recorded migration is read back and applied.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from pathlib import Path

from compfw.files.layout import MIGRATIONS
from compfw.files.yaml_edit import replace_scalars
from compfw.model.loading import FrameworkStore, LoadedPortfolio
from compfw.files.yaml_located import YamlDocument
from compfw.model.migrations import (
    UNFINISHED,
    MigrationFile,
    MigrationPlan,
    apply_one,
    plan_migration,
    read_migration_files,
    record_path,
    unfinished_migration,
)


def record_changes(lp: LoadedPortfolio, mapping: dict[str, str | None]) -> dict[str, dict[str, str | None]]:
    """For each evidence/sign-off file whose (current) ids change: relative path -> id map."""
    out: dict[str, dict[str, str | None]] = {}

    def note(record, ids) -> None:
        for cid in ids:
            if cid in mapping and mapping[cid] != cid:
                out.setdefault(record_path(lp, record.doc.path), {})[cid] = mapping[cid]

    for record in lp.evidence:
        note(record, record.model.competencies)
    for record in lp.signoffs:
        note(record, [record.model.competency])
    return dict(sorted(out.items()))


def safe_part(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9._\-]+", "-", text).strip("-") or "x"


def migration_file_name(day: dt.date, from_version: str, to_version: str) -> str:
    return f"{day.isoformat()}-{safe_part(from_version)}-to-{safe_part(to_version)}.yaml"


def migration_text(plan: MigrationPlan, day: dt.date, records: dict[str, dict[str, str | None]]) -> str:
    from compfw.files.yaml_parse import dump_yaml

    data = {
        "framework": plan.framework_id,
        "from": plan.from_version,
        "to": plan.to_version,
        "date": day,
        "renames": plan.renames,
        "dropped": plan.dropped,
        "records": records,
    }
    header = (f"# Written by `compfw migrate` on {day.isoformat()}: this portfolio was re-pinned from "
              f"{plan.framework_id} {plan.from_version} to {plan.to_version}.\n"
              "# A record of the migration: do not edit it. Evidence and sign-off files keep the ids they\n"
              "# were written with; compfw reads each file listed under `records` with its ids mapped\n"
              "# (null: the competency no longer exists; the sign-off stays in the history, not counted).\n")
    return header + dump_yaml(data)



@dataclass
class MigrationResult:
    plan: MigrationPlan
    migration_path: Path
    migration_text: str | None   # None: the record is there already (an unfinished migration), only re-pin
    portfolio_path: Path
    portfolio_text: str
    records: dict[str, dict[str, str | None]]
    plan_renames: list[tuple[str, str, str]]   # (placement, old, new)
    percent_before: float
    percent_after: float


def prepare_migration(folder: Path, to_version: str, day: dt.date) -> MigrationResult:
    """Everything `compfw migrate` would write, checked; raises UserError on any refusal."""
    from compfw.engine.summary import evaluate
    from compfw.files.problems import UserError
    from compfw.files.yaml_located import position_of
    from compfw.files.yaml_parse import parse_text
    from compfw.model.loading import PORTFOLIO_FILE, FrameworkStore, find_repo_root
    from compfw.model.modelerrors import validate_as
    from compfw.model.models import Portfolio
    from compfw.model.portfolios import load_portfolio

    if not (folder / PORTFOLIO_FILE).is_file():
        raise UserError(f"{folder} is not a portfolio folder", "give the folder that holds portfolio.yaml")
    lp, problems = load_portfolio(folder)
    if lp is None:
        raise UserError(f"cannot read portfolio {folder}", "fix the problems below (`compfw validate` lists them)",
                        problems)
    pin = lp.portfolio.framework
    store = FrameworkStore.for_repo(find_repo_root(folder.resolve()))
    leftover = unfinished_migration(read_migration_files(folder)[0], pin)
    if leftover is not None and leftover[0].to_version != to_version:
        _refuse_another_target(folder, leftover, to_version, store)
    errors = [p for p in problems if p.severity == "error" and p.code != UNFINISHED]
    if errors:
        raise UserError(f"portfolio {folder} has records that cannot be read",
                        "fix them first (`compfw validate` lists them); a migration must see every record", errors)
    if to_version == pin.version:
        raise UserError(f"portfolio {lp.id} is already pinned to {pin.id} {pin.version}", "nothing to do")
    plan = plan_migration(store, pin.id, pin.version, to_version)

    plan_renames: list[tuple[str, str, str]] = []
    plan_dropped: list[str] = []
    changes: dict[tuple[int, int], str] = {position_of(lp.doc.data, ("framework", "version")): to_version}
    for placement, ids in lp.portfolio.plan.items():
        for index, cid in enumerate(ids):
            if cid not in plan.mapping or plan.mapping[cid] == cid:
                continue
            if plan.mapping[cid] is None:
                plan_dropped.append(cid)
            else:
                plan_renames.append((placement, cid, plan.mapping[cid]))
                changes[position_of(lp.doc.data, ("plan", placement, index))] = plan.mapping[cid]
    if plan_dropped:
        raise UserError(f"the plan in portfolio.yaml names competencies that no longer exist in {pin.id} "
                        f"{to_version}: {', '.join(plan_dropped)}",
                        "remove them from 'plan' in portfolio.yaml (your plan is yours to change), then migrate again")
    try:
        new_text = replace_scalars(lp.doc.text, changes)
        check = YamlDocument(lp.doc.path, parse_text(new_text), new_text)
    except Exception as exc:  # noqa: BLE001 - any surprise here means: do not touch the file
        raise UserError(f"cannot re-pin {lp.doc.shown} automatically ({exc})",
                        f"set framework.version to \"{to_version}\" by hand; nothing was written") from None
    repinned, found = validate_as(check, Portfolio)
    if repinned is None or repinned.framework.version != to_version:
        raise UserError(f"cannot re-pin {lp.doc.shown} automatically",
                        f"set framework.version to \"{to_version}\" by hand; nothing was written", found)

    records = record_changes(lp, plan.mapping)
    mig = MigrationFile.model_validate({"framework": pin.id, "from": pin.version, "to": to_version, "date": day,
                                        "renames": plan.renames, "dropped": plan.dropped, "records": records})
    if leftover is not None:
        path, text = leftover[1].path, None
        _check_leftover(folder, leftover, mig)
    else:
        path, text = folder / MIGRATIONS / migration_file_name(day, pin.version, to_version), migration_text(plan, day, records)
        if path.exists():
            raise UserError(f"{path} already exists", "compfw never overwrites a record; nothing was written")

    old_lf, new_lf = plan.chain[0], plan.chain[-1]
    before = evaluate(_counted(lp, store, day), old_lf, day)[0].percent_achieved
    lp.portfolio = repinned
    apply_one(lp, mig, "")
    after = evaluate(_counted(lp, store, day), new_lf, day)[0].percent_achieved
    return MigrationResult(plan, path, text, lp.doc.path, new_text, records, plan_renames, before, after)


def _refuse_another_target(folder: Path, leftover: tuple[MigrationFile, YamlDocument], to_version: str,
                           store: FrameworkStore) -> None:
    """Refuse to start a migration while another is unfinished; the hint offers only what would work."""
    from compfw.files.problems import UserError

    mig, doc = leftover
    finish = f"`compfw migrate {folder} --to {mig.to_version}`"
    if to_version == mig.from_version:
        hint = f"to stay on {mig.from_version}, delete {doc.shown}; to finish the migration, run {finish}"
    else:
        hint = f"finish that one first with {finish}"
        if _reachable(store, mig.framework, mig.to_version, to_version):
            hint += f", then migrate to {to_version}"
        if _reachable(store, mig.framework, mig.from_version, to_version):
            hint += f"; or delete {doc.shown} (abandoning the migration to {mig.to_version}) and run this again"
        else:
            hint += f"; no chain of `replaces` links leads from {mig.from_version} to {to_version}"
    raise UserError(f"a migration of {folder} to {mig.framework} {mig.to_version} was begun and not finished: "
                    f"{doc.shown} is written, but portfolio.yaml still pins {mig.from_version}",
                    hint + "; nothing was written")


def _reachable(store: FrameworkStore, framework_id: str, from_version: str, to_version: str) -> bool:
    from compfw.files.problems import UserError

    try:
        plan_migration(store, framework_id, from_version, to_version)
    except UserError:
        return False
    return True


def _check_leftover(folder: Path, leftover: tuple[MigrationFile, YamlDocument], expected: MigrationFile) -> None:
    """An unfinished migration is finished only if its record says what migrating now would write
    (the date apart): records added or changed since would otherwise be read through a wrong map."""
    from compfw.files.problems import UserError

    mig, doc = leftover
    if mig.model_copy(update={"date": expected.date}) != expected:
        raise UserError(f"{doc.shown} was written by a migration that was not finished, and does not record what "
                        f"migrating to {expected.to_version} does now (records were added or changed since)",
                        f"delete {doc.shown}, then run `compfw migrate {folder} --to {expected.to_version}` again; "
                        "nothing was written")


def _counted(lp: LoadedPortfolio, store: FrameworkStore, day: dt.date) -> LoadedPortfolio:
    """The portfolio as `compfw status` counts it: sign-offs in files with rule errors left out."""
    from compfw.checks.rules import check_portfolio

    broken = {p.path for p in check_portfolio(lp, store, day) if p.severity == "error"}
    return lp.with_records(signoffs=[r for r in lp.signoffs if r.shown not in broken])


def write_migration(result: MigrationResult) -> None:
    """The new migration record, then the re-pin; the record is removed again if the re-pin fails.

    Finishing an unfinished migration writes the re-pin only: its record is there already, and is
    never touched.
    """
    from compfw.files.writing import replace_file, write_new

    if result.migration_text is None:
        replace_file(result.portfolio_path, result.portfolio_text)
        return
    write_new(result.migration_path, result.migration_text)
    try:
        replace_file(result.portfolio_path, result.portfolio_text)
    except BaseException:
        result.migration_path.unlink(missing_ok=True)
        raise
