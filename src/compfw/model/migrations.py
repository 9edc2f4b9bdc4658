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

A record whose `from` is still the pinned version was written by a `compfw migrate` stopped before
step 3: it is reported as unfinished and not applied, and `compfw migrate` to its `to` finishes it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Protocol

from pydantic import ConfigDict, Field

from compfw.files.layout import MIGRATIONS, has_migration_records
from compfw.model.models import Day, Id, Pin, Slug, Strict, Text

if TYPE_CHECKING:
    from compfw.files.problems import Problem
    from compfw.files.yaml_located import YamlDocument
    from compfw.model.loading import FrameworkStore, LoadedFramework, Record


class PortfolioRecords(Protocol):
    """What applying migrations needs of a portfolio: its folder and its records (a loaded
    portfolio, or the records of one whose portfolio.yaml cannot be read)."""

    folder: Path
    evidence: list[Record]
    signoffs: list[Record]


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


def read_migration_files(folder: Path) -> tuple[list[tuple[MigrationFile, YamlDocument]], list[Problem]]:
    """A portfolio's migration records, oldest first, each read and schema-checked."""
    from compfw.files.reading import yaml_files
    from compfw.files.yaml_parse import load_yaml
    from compfw.model.modelerrors import validate_as

    problems: list[Problem] = []
    loaded: list[tuple[MigrationFile, YamlDocument]] = []
    if not has_migration_records(folder):
        return [], []
    for path in yaml_files(folder / MIGRATIONS):
        doc, problem = load_yaml(path)
        if problem:
            problems.append(problem)
            continue
        parsed, found = validate_as(doc, MigrationFile)
        problems.extend(found)
        if parsed:
            loaded.append((parsed, doc))
    loaded.sort(key=lambda item: (item[0].date, version_key(item[0].from_version)))
    return loaded, problems


def apply_migrations(lp: PortfolioRecords, pin: Pin) -> list[Problem]:
    """Map record competency ids across the portfolio's recorded migrations; problems found.

    pin is the framework the portfolio.yaml pins: the migrations must lead to it.
    """
    from compfw.files.problems import Problem
    from compfw.files.yaml_located import position_of, shown_path

    loaded, problems = read_migration_files(lp.folder)
    if problems:
        return problems  # a broken record of a migration: apply none rather than some
    if not loaded:
        return []
    unfinished = unfinished_migration(loaded, pin)
    if unfinished is not None:
        # `compfw migrate` wrote this record and stopped before re-pinning: the records are read
        # as of the pin, through the migrations that lead to it.
        loaded = loaded[:-1]
        mig, doc = unfinished
        line, col = position_of(doc.data, ("to",))
        folder = shown_path(lp.folder)
        problems.append(Problem(doc.shown, line, col,
                                f"this migration to version {mig.to_version!r} was not finished: portfolio.yaml "
                                f"still pins {pin.version!r}, so the records are read as of {pin.version!r}",
                                f"finish it with `compfw migrate {folder} --to {mig.to_version}` (it re-pins "
                                f"portfolio.yaml and leaves this file as it is), or delete this file to stay on "
                                f"{pin.version}", code=UNFINISHED))
    expected_from = None
    for index, (mig, doc) in enumerate(loaded):
        last = index == len(loaded) - 1
        message = None
        if mig.framework != pin.id:
            message, key = f"this migration is of framework {mig.framework!r}, but portfolio.yaml pins {pin.id!r}", "framework"
            hint = (f"pin {mig.framework} in portfolio.yaml, as its recorded migrations do; compfw migrates between "
                    "versions of one framework")
        elif expected_from is not None and mig.from_version != expected_from:
            message, key = (f"this migration starts from version {mig.from_version!r}, but the one before it "
                            f"ends at {expected_from!r}"), "from"
            hint = ("a migration record is missing or was changed: restore it from the repository's history "
                    "(records are written by `compfw migrate`)")
        elif last and mig.to_version != pin.version:
            message, key = (f"the last migration ends at version {mig.to_version!r}, but portfolio.yaml pins "
                            f"{pin.version!r}"), "to"
            hint = (f"set framework.version in portfolio.yaml to {mig.to_version!r}, where the recorded migrations "
                    "lead; `compfw migrate` then moves it on")
        if message:
            line, col = position_of(doc.data, (key,))
            return [Problem(doc.shown, line, col, message + "; no migration is applied", hint, code="migration")]
        expected_from = mig.to_version

    for mig, doc in loaded:
        problems.extend(apply_one(lp, mig, doc.shown))
    return problems


UNFINISHED = "migration-unfinished"


def unfinished_migration(loaded: list[tuple[MigrationFile, YamlDocument]], pin: Pin
                         ) -> tuple[MigrationFile, YamlDocument] | None:
    """The migration record `compfw migrate` wrote before it was stopped short of re-pinning
    portfolio.yaml: the last record (oldest first), of the pinned framework, leading from the
    pinned version to another, the records before it leading to the pinned version."""
    if not loaded:
        return None
    mig, doc = loaded[-1]
    if mig.framework != pin.id or mig.from_version != pin.version or mig.to_version == pin.version:
        return None
    if len(loaded) > 1 and loaded[-2][0].to_version != pin.version:
        return None
    return mig, doc


def record_path(lp: PortfolioRecords, path: Path) -> str:
    try:
        return path.relative_to(lp.folder).as_posix()
    except ValueError:
        return path.as_posix()


def apply_one(lp: PortfolioRecords, mig: MigrationFile, shown: str) -> list[Problem]:
    from compfw.files.problems import Problem

    problems: list[Problem] = []
    gone = f"no longer exists in {mig.framework} {mig.to_version} (see {shown})"

    kept = []
    for record in lp.signoffs:
        ids = mig.records.get(record_path(lp, record.doc.path))
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
        ids = mig.records.get(record_path(lp, record.doc.path))
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
    from compfw.files.problems import UserError

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
