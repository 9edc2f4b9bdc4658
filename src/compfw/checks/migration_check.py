"""Migration files must say what the frameworks' `replaces` links say (a check validate runs)."""

from __future__ import annotations

from compfw.files.layout import has_migration_records
from compfw.files.problems import Problem, UserError
from compfw.files.yaml_located import position_of
from compfw.model.loading import FrameworkStore, LoadedPortfolio


def check_migration_files(lp: LoadedPortfolio, store: FrameworkStore) -> list[Problem]:
    """Every id map in a migration file must be what the frameworks' `replaces` links say.

    The maps are applied when the portfolio is read, so a hand-made migration file could
    otherwise move a sign-off from one competency to another. A sign-off such a map names is
    reported as an error of its own too, so that status, which counts no sign-off with an error,
    never counts it where the hand-made map put it.
    """
    if not has_migration_records(lp.folder):
        return []  # the usual case, decided before importing the records' reader and its model
    from compfw.model.migrations import plan_migration, read_migration_files

    problems: list[Problem] = []
    untrusted: dict[str, str] = {}  # a record named by a map compfw did not make -> that file, shown
    # A broken record was reported when the portfolio was read; each good one is checked here.
    for mig, doc in read_migration_files(lp.folder)[0]:
        try:
            plan = plan_migration(store, mig.framework, mig.from_version, mig.to_version)
        except UserError as exc:
            line, col = position_of(doc.data, ("from",))
            problems.append(Problem(doc.shown, line, col, exc.message, exc.hint, code="migration"))
            untrusted.update((record, doc.shown) for record in mig.records)
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
                    untrusted.setdefault(record, doc.shown)
    return problems + _signoffs_moved_by(lp, untrusted)


def _signoffs_moved_by(lp: LoadedPortfolio, untrusted: dict[str, str]) -> list[Problem]:
    from compfw.model.migrations import record_path

    problems = []
    for record in lp.signoffs:
        shown = untrusted.get(record_path(lp, record.doc.path))
        if shown is not None:
            line, col = record.pos("competency")
            problems.append(Problem(record.shown, line, col,
                                    f"this sign-off is not counted: {shown} maps its competency in a way "
                                    "`compfw migrate` did not",
                                    "restore the migration file from the repository's history", code="migration"))
    return problems
