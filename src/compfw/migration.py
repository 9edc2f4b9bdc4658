"""Framework version migration, without rewriting history.

A framework version may declare the version it replaces and how competency ids moved
(`replaces: {version: "1.0", renames: {"2.1.4": "2.1.8"}}`). `compfw migrate` re-pins a
portfolio to a later version by

1. following the chain of `replaces` links from the pinned version to the target and composing
   the rename maps along it (a competency of the old version that is neither renamed nor present
   in the new one "no longer exists");
2. writing ONE new file, `migrations/<date>-<from>-to-<to>.yaml`, that records the versions, the
   composed renames, the competencies dropped, and for each existing evidence or sign-off file
   whose ids change, the id map that applies to it;
3. replacing the version value in `portfolio.yaml` (and any renamed id in its `plan`) in place,
   text only, so that the diff is one line per change and the trainee's comments stay.

Sign-off and evidence files are never edited. When a portfolio is loaded, `apply_migrations`
reads `migrations/*.yaml` and shows each listed record with its ids mapped. A sign-off whose
competency no longer exists stays in the history but is left out of what is checked and counted
(a warning, code `migrated-away`, says so); an evidence entry keeps its other competencies.
Records not listed (written after the migration) are taken as they are.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

from pydantic import ConfigDict, Field

from compfw.models import Day, Id, Slug, Strict, Text

if TYPE_CHECKING:
    from compfw.loading import FrameworkStore, LoadedFramework, LoadedPortfolio
    from compfw.problems import Problem

MIGRATIONS = "migrations"


class MigrationFile(Strict):
    """What `compfw migrate` records in portfolios/<id>/migrations/<date>-<from>-to-<to>.yaml."""

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)

    framework: Slug
    from_version: Annotated[Text, Field(alias="from")]
    to_version: Annotated[Text, Field(alias="to")]
    date: Day
    renames: dict[Id, Id] = {}
    dropped: list[Id] = []
    records: dict[Text, dict[Id, Id | None]] = {}


# --- reading: apply recorded migrations to a loaded portfolio -----------------------------------


def apply_migrations(lp: LoadedPortfolio) -> list[Problem]:
    """Map record competency ids across the portfolio's recorded migrations; problems found."""
    folder = lp.folder / MIGRATIONS
    if not folder.is_dir():
        return []
    from compfw.loading import yaml_files
    from compfw.modelerrors import validate_as
    from compfw.problems import Problem
    from compfw.yamlio import load_yaml, position_of

    problems: list[Problem] = []
    loaded: list[tuple[MigrationFile, object]] = []
    for path in yaml_files(folder):
        doc, problem = load_yaml(path)
        if problem:
            problems.append(problem)
            continue
        parsed, found = validate_as(doc, MigrationFile)
        problems.extend(found)
        if parsed:
            loaded.append((parsed, doc))
    if problems:
        return problems  # a broken record of a migration: apply none rather than some
    if not loaded:
        return []
    loaded.sort(key=lambda item: (item[0].date, version_key(item[0].from_version)))
    pin = lp.portfolio.framework
    expected_from = None
    for index, (mig, doc) in enumerate(loaded):
        last = index == len(loaded) - 1
        message = None
        if mig.framework != pin.id:
            message, key = f"this migration is of framework {mig.framework!r}, but portfolio.yaml pins {pin.id!r}", "framework"
        elif expected_from is not None and mig.from_version != expected_from:
            message, key = (f"this migration starts from version {mig.from_version!r}, but the one before it "
                            f"ends at {expected_from!r}"), "from"
        elif last and mig.to_version != pin.version:
            message, key = (f"the last migration ends at version {mig.to_version!r}, but portfolio.yaml pins "
                            f"{pin.version!r}"), "to"
        if message:
            line, col = position_of(doc.data, (key,))
            return [Problem(doc.shown, line, col, message + "; no migration is applied",
                            "re-pin portfolio.yaml to the version the migrations lead to, or run `compfw migrate`",
                            code="migration")]
        expected_from = mig.to_version

    for mig, doc in loaded:
        problems.extend(_apply_one(lp, mig, doc.shown))
    return problems


def _relative(lp: LoadedPortfolio, path: Path) -> str:
    try:
        return path.relative_to(lp.folder).as_posix()
    except ValueError:
        return path.as_posix()


def _apply_one(lp: LoadedPortfolio, mig: MigrationFile, shown: str) -> list[Problem]:
    from compfw.problems import Problem

    problems: list[Problem] = []
    gone = f"no longer exists in {mig.framework} {mig.to_version} (see {shown})"

    kept = []
    for record in lp.signoffs:
        ids = mig.records.get(_relative(lp, record.doc.path))
        so = record.model
        if ids is None or so.competency not in ids:
            kept.append(record)
            continue
        new = ids[so.competency]
        if new is None:
            line, col = record.pos("competency")
            problems.append(Problem(record.shown, line, col,
                                    f"sign-off of {so.competency} is kept in the history but not counted: "
                                    f"{so.competency} {gone}",
                                    "nothing to fix; a new sign-off against the current framework counts",
                                    severity="warning", code="migrated-away"))
            continue
        record.model = so.model_copy(update={"competency": new})
        kept.append(record)
    lp.signoffs = kept

    for record in lp.evidence:
        ids = mig.records.get(_relative(lp, record.doc.path))
        ev = record.model
        if ids is None or not any(cid in ids for cid in ev.competencies):
            continue
        mapped, dropped = [], []
        for cid in ev.competencies:
            new = ids.get(cid, cid)
            if new is None:
                dropped.append(cid)
            elif new not in mapped:
                mapped.append(new)
        record.model = ev.model_copy(update={"competencies": mapped})
        if dropped:
            line, col = record.pos("competencies")
            problems.append(Problem(record.shown, line, col,
                                    f"evidence {ev.id}: competency {', '.join(dropped)} {gone}; "
                                    "that link is not counted",
                                    "nothing to fix; link new evidence to current competencies",
                                    severity="warning", code="migrated-away"))
    return problems


def check_migration_files(lp: LoadedPortfolio, store: FrameworkStore) -> list[Problem]:
    """Every id map in a migration file must be what the frameworks' `replaces` links say.

    The maps are applied when the portfolio is read, so a hand-made migration file could
    otherwise move a sign-off from one competency to another.
    """
    folder = lp.folder / MIGRATIONS
    if not folder.is_dir():
        return []
    from compfw.loading import yaml_files
    from compfw.modelerrors import validate_as
    from compfw.problems import Problem, UserError
    from compfw.yamlio import load_yaml, position_of

    problems: list[Problem] = []
    for path in yaml_files(folder):
        doc, problem = load_yaml(path)
        if problem:
            continue  # reported when the portfolio was read
        mig, found = validate_as(doc, MigrationFile)
        if mig is None or found:
            continue
        try:
            plan = plan_migration(store, mig.framework, mig.from_version, mig.to_version)
        except UserError as exc:
            line, col = position_of(doc.data, ("from",))
            problems.append(Problem(doc.shown, line, col, exc.message, exc.hint, code="migration"))
            continue
        for record, ids in mig.records.items():
            for old, new in ids.items():
                if old not in plan.mapping or plan.mapping[old] != new:
                    expected = plan.mapping.get(old, "nothing (not a competency of the old version)")
                    line, col = position_of(doc.data, ("records", record, old))
                    problems.append(Problem(
                        doc.shown, line, col,
                        f"maps {old} to {new} in {record}, but {mig.framework} {mig.from_version} -> "
                        f"{mig.to_version} maps it to {expected}",
                        "migration files are written by `compfw migrate`; do not edit them", code="migration"))
    return problems


# --- planning: the chain of versions and the id map ---------------------------------------------


def version_key(version: str) -> tuple:
    return tuple((0, int(part), "") if part.isdigit() else (1, 0, part)
                 for part in re.split(r"[.\-]", version))


@dataclass
class MigrationPlan:
    framework_id: str
    from_version: str
    to_version: str
    chain: list[LoadedFramework]          # old ... new
    mapping: dict[str, str | None]        # every id of the old version -> its id in the new one, or None
    renames: dict[str, str] = field(default_factory=dict)
    dropped: list[str] = field(default_factory=list)


def plan_migration(store: FrameworkStore, framework_id: str, from_version: str, to_version: str) -> MigrationPlan:
    """Follow `replaces` links back from to_version to from_version; compose the renames."""
    from compfw.problems import UserError

    versions = store.versions(framework_id)
    old = store.get(framework_id, from_version)
    if old is None:
        raise UserError(f"the pinned framework {framework_id} {from_version} is not available",
                        f"available: {', '.join(sorted(versions, key=version_key)) or 'none'}")
    new = store.get(framework_id, to_version)
    if new is None:
        raise UserError(f"framework {framework_id} has no version {to_version!r}",
                        f"available: {', '.join(sorted(versions, key=version_key))}")
    chain = [new]
    seen = {to_version}
    while chain[0].framework.version != from_version:
        replaces = chain[0].framework.replaces
        previous = store.get(framework_id, replaces.version) if replaces else None
        if previous is None or replaces.version in seen:
            raise UserError(
                f"no chain of `replaces` links leads from {framework_id} {from_version} to {to_version}",
                "a framework version names the version it supersedes with "
                "`replaces: {version: ..., renames: {old: new}}`; migrate only moves forward along those links")
        seen.add(replaces.version)
        chain.insert(0, previous)

    mapping: dict[str, str | None] = {}
    for placed in old.catalog.placed:
        current: str | None = placed.id
        for step in chain[1:]:
            renames = step.framework.replaces.renames
            current = renames.get(current, current)
            if current not in step.catalog.by_id:
                current = None
                break
        mapping[placed.id] = current
    renames = {old_id: new_id for old_id, new_id in mapping.items() if new_id is not None and new_id != old_id}
    dropped = [old_id for old_id, new_id in mapping.items() if new_id is None]
    return MigrationPlan(framework_id, from_version, to_version, chain, mapping, renames, dropped)


def record_changes(lp: LoadedPortfolio, mapping: dict[str, str | None]) -> dict[str, dict[str, str | None]]:
    """For each evidence/sign-off file whose (current) ids change: relative path -> id map."""
    out: dict[str, dict[str, str | None]] = {}

    def note(record, ids) -> None:
        for cid in ids:
            if cid in mapping and mapping[cid] != cid:
                out.setdefault(_relative(lp, record.doc.path), {})[cid] = mapping[cid]

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
    from compfw.yamlio import dump_yaml

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


# --- writing: the text-only re-pin of portfolio.yaml --------------------------------------------


class RepinError(Exception):
    pass


def _scalar_nodes(text: str) -> dict[tuple[int, int], object]:
    import yaml

    try:
        loader = yaml.CSafeLoader
    except AttributeError:  # pragma: no cover
        loader = yaml.SafeLoader
    root = yaml.compose(text, Loader=loader)
    found: dict[tuple[int, int], object] = {}
    stack = [root] if root is not None else []
    while stack:
        node = stack.pop()
        if isinstance(node, yaml.ScalarNode):
            found[(node.start_mark.line + 1, node.start_mark.column + 1)] = node
        elif isinstance(node, yaml.SequenceNode):
            stack.extend(node.value)
        elif isinstance(node, yaml.MappingNode):
            for key, value in node.value:
                stack.extend((key, value))
    return found


def _token(value: str, style: str | None) -> str:
    import yaml

    if style == "'":
        return "'" + value.replace("'", "''") + "'"
    if style in ('"', "", None):
        if not style:
            try:
                if yaml.safe_load(value) == value and value.strip() == value and "#" not in value and ":" not in value:
                    return value
            except yaml.YAMLError:
                pass
        return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'
    raise RepinError(f"block scalar style {style!r}")


def replace_scalars(text: str, changes: dict[tuple[int, int], str]) -> str:
    """Replace the scalars that start at the given 1-based (line, col) positions with new values.

    Each value keeps its quoting style; nothing else in the text changes.
    """
    nodes = _scalar_nodes(text)
    edits = []
    for pos, value in changes.items():
        node = nodes.get(pos)
        if node is None or node.style not in (None, "", "'", '"'):
            raise RepinError(f"no plain or quoted value at line {pos[0]}, column {pos[1]}")
        edits.append((node.start_mark.index, node.end_mark.index, _token(value, node.style)))
    for start, end, token in sorted(edits, reverse=True):
        text = text[:start] + token + text[end:]
    return text


@dataclass
class MigrationResult:
    plan: MigrationPlan
    migration_path: Path
    migration_text: str
    portfolio_path: Path
    portfolio_text: str
    records: dict[str, dict[str, str | None]]
    plan_renames: list[tuple[str, str, str]]   # (placement, old, new)
    percent_before: float
    percent_after: float


def prepare_migration(folder: Path, to_version: str, day: dt.date) -> MigrationResult:
    """Everything `compfw migrate` would write, checked; raises UserError on any refusal."""
    from compfw.loading import PORTFOLIO_FILE, FrameworkStore, find_repo_root, load_portfolio
    from compfw.modelerrors import validate_as
    from compfw.models import Portfolio
    from compfw.problems import UserError
    from compfw.summary import evaluate
    from compfw.yamlio import YamlDocument, parse_text, position_of

    if not (folder / PORTFOLIO_FILE).is_file():
        raise UserError(f"{folder} is not a portfolio folder", "give the folder that holds portfolio.yaml")
    lp, problems = load_portfolio(folder)
    if lp is None:
        raise UserError(f"cannot read portfolio {folder}", "fix the problems below (`compfw validate` lists them)",
                        problems)
    errors = [p for p in problems if p.severity == "error"]
    if errors:
        raise UserError(f"portfolio {folder} has records that cannot be read",
                        "fix them first (`compfw validate` lists them); a migration must see every record", errors)
    store = FrameworkStore.for_repo(find_repo_root(folder.resolve()))
    pin = lp.portfolio.framework
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
    path = folder / MIGRATIONS / migration_file_name(day, pin.version, to_version)
    if path.exists():
        raise UserError(f"{path} already exists", "compfw never overwrites a record; nothing was written")

    old_lf, new_lf = plan.chain[0], plan.chain[-1]
    before = evaluate(_counted(lp, store, day), old_lf, day)[0].percent_achieved
    mig = MigrationFile.model_validate({"framework": pin.id, "from": pin.version, "to": to_version, "date": day,
                                        "renames": plan.renames, "dropped": plan.dropped, "records": records})
    lp.portfolio = repinned
    _apply_one(lp, mig, "")
    after = evaluate(_counted(lp, store, day), new_lf, day)[0].percent_achieved
    return MigrationResult(plan, path, migration_text(plan, day, records), lp.doc.path, new_text, records,
                           plan_renames, before, after)


def _counted(lp: LoadedPortfolio, store: FrameworkStore, day: dt.date) -> LoadedPortfolio:
    """The portfolio as `compfw status` counts it: sign-offs in files with rule errors left out."""
    from dataclasses import replace

    from compfw.rules import check_portfolio

    broken = {p.path for p in check_portfolio(lp, store, day) if p.severity == "error"}
    return replace(lp, signoffs=[r for r in lp.signoffs if r.shown not in broken])


def write_migration(result: MigrationResult) -> None:
    """The new migration record, then the re-pin; the record is removed again if the re-pin fails."""
    from compfw.writing import replace_file, write_new

    write_new(result.migration_path, result.migration_text)
    try:
        replace_file(result.portfolio_path, result.portfolio_text)
    except BaseException:
        result.migration_path.unlink(missing_ok=True)
        raise
