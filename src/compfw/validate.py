"""`compfw validate` as a library call: which files to check, and every problem in them."""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from compfw.loading import (
    PORTFOLIO_FILE,
    FrameworkStore,
    LoadedFramework,
    load_framework_file,
    load_portfolio,
    yaml_files,
)
from compfw.problems import Problem, display_path
from compfw.problems import today as current_day
from compfw.rules import check_framework, check_portfolio

RECORD_FOLDERS = ("evidence", "signoffs")


@dataclass
class Targets:
    frameworks: list[Path] = field(default_factory=list)
    portfolios: list[Path] = field(default_factory=list)
    missing: list[Path] = field(default_factory=list)

    def add_portfolio(self, folder: Path) -> None:
        if folder not in self.portfolios:
            self.portfolios.append(folder)


def classify(paths: list[Path]) -> Targets:
    """Sort the command-line paths into framework files and portfolio folders."""
    found = Targets()
    for path in paths:
        if not path.exists():
            found.missing.append(path)
        elif path.is_file():
            if path.name == PORTFOLIO_FILE:
                found.add_portfolio(path.parent)
            elif path.parent.name in RECORD_FOLDERS and (path.parent.parent / PORTFOLIO_FILE).exists():
                found.add_portfolio(path.parent.parent)
            else:
                found.frameworks.append(path)
        elif (path / PORTFOLIO_FILE).exists():
            found.add_portfolio(path)
        elif path.name in RECORD_FOLDERS and (path.parent / PORTFOLIO_FILE).exists():
            found.add_portfolio(path.parent)
        else:
            found.frameworks.extend(yaml_files(path))
            for sub in sorted(p for p in path.iterdir() if p.is_dir() and not p.name.startswith(".")):
                found.add_portfolio(sub)
    return found


def check_frameworks(files: list[Path], strict: bool) -> tuple[list[LoadedFramework], list[Problem]]:
    loaded: list[LoadedFramework] = []
    problems: list[Problem] = []
    seen: dict[tuple[str, str], LoadedFramework] = {}
    for path in files:
        lf, found = load_framework_file(path)
        problems.extend(found)
        if lf is None:
            continue
        key = (lf.framework.id, lf.framework.version)
        if key in seen:
            problems.append(Problem(lf.doc.shown, *lf.doc.data.value_pos["id"],
                                    f"framework {key[0]} version {key[1]} is also defined in {seen[key].doc.shown}",
                                    "framework ids (with version) must be unique; rename or remove one",
                                    code="duplicate-framework"))
            continue
        seen[key] = lf
        loaded.append(lf)
        problems.extend(check_framework(lf, strict))
    return loaded, problems


def check_portfolio_folder(folder: Path, store: FrameworkStore, today: dt.date) -> list[Problem]:
    lp, problems = load_portfolio(folder)
    if lp is not None:
        problems.extend(check_portfolio(lp, store, today))
    return problems


_worker_store: FrameworkStore | None = None


def _init_worker(root: Path, extra: list[Path]) -> None:
    global _worker_store
    _worker_store = FrameworkStore.for_repo(root, extra)


def _check_in_worker(args: tuple[Path, dt.date]) -> list[Problem]:
    folder, today = args
    return check_portfolio_folder(folder, _worker_store, today)


PARALLEL_FROM = 48


def run_validation(paths: list[Path], root: Path, strict: bool = False,
                   today: dt.date | None = None, jobs: int = 0) -> Iterator[Problem]:
    """Every problem in every file under the paths; frameworks first, then portfolios in order.

    Many portfolios are checked in worker processes (one per core unless jobs says otherwise);
    results stream back in order, so memory stays flat in the number of portfolios.
    """
    today = today or current_day()
    targets = classify(paths)
    for path in targets.missing:
        yield Problem(display_path(path), 0, 0, "no such file or folder", "check the path", code="missing")
    loaded, problems = check_frameworks(targets.frameworks, strict)
    yield from problems
    extra_folders = sorted({lf.doc.path.parent for lf in loaded})
    workers = jobs if jobs > 0 else (os.cpu_count() or 1)
    if workers > 1 and len(targets.portfolios) >= PARALLEL_FROM:
        from concurrent.futures import ProcessPoolExecutor

        chunk = max(1, min(64, len(targets.portfolios) // (workers * 8)))
        with ProcessPoolExecutor(workers, initializer=_init_worker, initargs=(root, extra_folders)) as pool:
            for found in pool.map(_check_in_worker, ((f, today) for f in targets.portfolios), chunksize=chunk):
                yield from found
        return
    store = FrameworkStore.for_repo(root, extra_folders)
    for folder in targets.portfolios:
        yield from check_portfolio_folder(folder, store, today)
