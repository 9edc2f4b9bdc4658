"""`compfw validate` as a library call: which files to check, and every problem in them."""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from compfw.checks.record_rules import check_loose_records
from compfw.checks.rules import check_framework, check_portfolio
from compfw.files.problems import Problem, UserError, display_path
from compfw.files.problems import today as current_day
from compfw.files.progress import progress_iter
from compfw.files.reading import yaml_files
from compfw.files.yaml_parse import load_yaml
from compfw.model.loading import PORTFOLIO_FILE, FrameworkStore, LoadedFramework, load_framework_file
from compfw.checks.layout_checks import folder_name_problems, link_problems, override_problem
from compfw.model.policy import POLICY_FILE, load_policy, parse_policy
from compfw.model.portfolios import load_portfolio
from compfw.checks.same_trainee import Identity, duplicate_problems, identities_mentioning, identity_of

RECORD_FOLDERS = ("evidence", "signoffs", "requests", "migrations")


@dataclass
class Targets:
    frameworks: list[Path] = field(default_factory=list)
    portfolios: list[Path] = field(default_factory=list)
    policies: list[Path] = field(default_factory=list)
    missing: list[Path] = field(default_factory=list)
    _seen: set[Path] = field(default_factory=set, repr=False)

    def add_portfolio(self, folder: Path) -> None:
        if folder not in self._seen:  # a set: a cohort of 10,000 must not cost 10,000 squared
            self._seen.add(folder)
            self.portfolios.append(folder)


def _subfolders(path: Path) -> list[Path]:
    try:
        with os.scandir(path) as entries:
            names = sorted(e.name for e in entries if not e.name.startswith(".") and e.is_dir())
    except OSError:
        return []
    return [path / name for name in names]


def _lost_portfolio(path: Path) -> bool:
    """A folder with evidence/ or signoffs/ but no portfolio.yaml, and no portfolios inside it
    (a folder of portfolios may well hold a trainee called 'evidence')."""
    return (any((path / name).is_dir() for name in RECORD_FOLDERS)
            and not any((sub / PORTFOLIO_FILE).exists() for sub in _subfolders(path)))


def classify(paths: list[Path]) -> Targets:
    """Sort the command-line paths into framework files and portfolio folders.

    A file is a framework unless it is a portfolio.yaml or a record of a portfolio; a folder is a
    portfolio if it holds portfolio.yaml, evidence/ or signoffs/ (or is a portfolio's evidence/ or
    signoffs/); a
    repository root (a folder with frameworks/ or portfolios/) stands for those two; any other
    folder is a folder of frameworks (its YAML files) and portfolios (its subfolders).
    """
    found = Targets()
    for path in paths:
        if not path.exists():
            found.missing.append(path)
        elif path.is_file():
            if is_policy_file(path):
                found.policies.append(path)
            elif path.name == PORTFOLIO_FILE:
                found.add_portfolio(path.parent)
            elif path.parent.name in RECORD_FOLDERS and (path.parent.parent / PORTFOLIO_FILE).exists():
                found.add_portfolio(path.parent.parent)
            else:
                found.frameworks.append(path)
        elif (path / PORTFOLIO_FILE).exists():
            found.add_portfolio(path)
        elif path.name in RECORD_FOLDERS and (path.parent / PORTFOLIO_FILE).exists():
            found.add_portfolio(path.parent)
        elif _lost_portfolio(path):
            found.add_portfolio(path)  # a portfolio that lost its portfolio.yaml: say so
        elif (path / "frameworks").is_dir() or (path / "portfolios").is_dir():
            inner = classify([p for p in (path / "frameworks", path / "portfolios") if p.is_dir()])
            if (path / POLICY_FILE).exists() or (path / POLICY_FILE).is_symlink():
                found.policies.append(path / POLICY_FILE)
            found.frameworks.extend(inner.frameworks)
            for folder in inner.portfolios:
                found.add_portfolio(folder)
        else:
            found.frameworks.extend(yaml_files(path))
            for sub in _subfolders(path):
                found.add_portfolio(sub)
    return found


def is_policy_file(path: Path) -> bool:
    return path.name == Path(POLICY_FILE).name and path.parent.name == Path(POLICY_FILE).parent.name


def check_policy_file(path: Path) -> list[Problem]:
    doc, problem = load_yaml(path)
    if problem:
        return [problem]
    return parse_policy(doc)[1]


def check_frameworks(files: list[Path], strict: bool,
                     sanctioned: set[tuple[str, str]] = frozenset()) -> tuple[list[LoadedFramework], list[Problem]]:
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
        override = override_problem(lf, sanctioned)
        if override:
            problems.append(override)
    return loaded, problems


def check_portfolio_folder(folder: Path, store: FrameworkStore, today: dt.date) -> list[Problem]:
    return _check_and_identify(folder, store, today)[0]


def _check_and_identify(folder: Path, store: FrameworkStore, today: dt.date) -> tuple[list[Problem], Identity | None]:
    """A portfolio's problems, and whose it is (for the duplicate check across portfolios)."""
    lp, problems = load_portfolio(folder)
    if lp is None:  # a broken portfolio.yaml: its evidence and sign-offs are checked as far as they can be
        problems.extend(check_loose_records(folder, store, today))
    problems.extend(folder_name_problems(folder))
    problems.extend(link_problems(folder, {p.path for p in problems if p.code == "trust-symlink"}))
    if lp is None:
        return problems, None
    problems.extend(check_portfolio(lp, store, today))
    return problems, identity_of(lp)


_worker_store: FrameworkStore | None = None


def _init_worker(root: Path, extra: list[Path]) -> None:
    global _worker_store
    _worker_store = FrameworkStore.for_repo(root, extra)


def _check_in_worker(folders: list[Path], today: dt.date) -> list[tuple[list[Problem], Identity | None]]:
    return [_check_and_identify(folder, _worker_store, today) for folder in folders]


PARALLEL_FROM = 48


def available_cpus() -> int:
    """The cores this process may use: its CPU affinity, within a cgroup (v2) CPU quota if any.

    os.cpu_count() counts the host's cores, which in a CI container limited to two can be 64:
    64 workers would cost memory and time for nothing.
    """
    try:
        count = len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        count = os.cpu_count() or 1
    try:
        with open("/sys/fs/cgroup/cpu.max") as handle:
            quota, period = handle.read().split()[:2]
        if quota != "max":
            count = min(count, max(1, int(int(quota) / int(period) + 0.5)))
    except (OSError, ValueError):
        pass
    return max(1, count)


def _chunk_size(portfolios: int, workers: int) -> int:
    """Small chunks: a few portfolios per round trip keeps both cores busy to the very end (a
    round trip costs well under a millisecond; a portfolio tens of milliseconds)."""
    return max(1, min(4, portfolios // (workers * 16)))


def run_validation(paths: list[Path], root: Path, strict: bool = False,
                   today: dt.date | None = None, jobs: int = 0,
                   compare_with: list[Path] | None = None) -> Iterator[Problem]:
    """Every problem in every file under the paths; frameworks first, then portfolios in order,
    then trainees with more than one portfolio (compared also with the portfolios in
    compare_with, when only some are checked).

    Many portfolios are checked in worker processes (one per core unless jobs says otherwise),
    which start on the portfolios while this process checks the frameworks. Results stream back
    in order and nothing of a portfolio outlives its check, so memory stays flat in the number of
    portfolios.
    """
    today = today or current_day()
    targets = classify(paths)
    for path in targets.missing:
        yield Problem(display_path(path), 0, 0, "no such file or folder", "check the path", code="missing")
    for path in targets.policies:
        yield from check_policy_file(path)
    policy = load_policy(root).policy
    sanctioned = {(o.id, o.version) for o in policy.framework_overrides} if policy else set()
    workers = jobs if jobs > 0 else available_cpus()
    identities: list[Identity] = []
    if workers > 1 and len(targets.portfolios) >= PARALLEL_FROM:
        yield from _run_parallel(targets, root, strict, today, workers, identities, sanctioned)
    else:
        loaded, problems = check_frameworks(targets.frameworks, strict, sanctioned)
        yield from problems
        store = FrameworkStore.for_repo(root, sorted({lf.doc.path.parent for lf in loaded}))
        for folder in progress_iter(targets.portfolios, "Validating portfolios"):
            found, identity = _check_and_identify(folder, store, today)
            yield from found
            if identity is not None:
                identities.append(identity)
    checked = set(targets.portfolios)
    others = [f for f in compare_with or [] if f not in checked]
    yield from duplicate_problems(identities, identities_mentioning(others, identities) if identities else [])


def _framework_folders(files: list[Path]) -> list[Path]:
    """The folders the given framework files are in: portfolios may pin a framework found there.

    Worked out from the paths alone so that the workers can start before the frameworks are read;
    a folder whose files all turn out broken adds nothing, since the store skips what it cannot load.
    """
    return sorted({f.parent for f in files if f.suffix in (".yaml", ".yml")})


def _run_parallel(targets: Targets, root: Path, strict: bool, today: dt.date, workers: int,
                  identities: list[Identity], sanctioned: set[tuple[str, str]]) -> Iterator[Problem]:
    from concurrent.futures import ProcessPoolExecutor
    from concurrent.futures.process import BrokenProcessPool

    folders = targets.portfolios
    workers = min(workers, len(folders))
    chunk = _chunk_size(len(folders), workers)
    pool = ProcessPoolExecutor(workers, initializer=_init_worker,
                               initargs=(root, _framework_folders(targets.frameworks)))
    try:
        results = _OrderedResults(pool, folders, chunk, today, in_flight=workers * IN_FLIGHT_PER_WORKER)
        _, problems = check_frameworks(targets.frameworks, strict, sanctioned)  # meanwhile, here
        yield from problems
        for found, identity in progress_iter(results, "Validating portfolios", total=len(folders)):
            yield from found
            if identity is not None:
                identities.append(identity)
    except BrokenProcessPool:
        raise UserError("a worker process stopped unexpectedly while checking portfolios",
                        "run again with --jobs 1 to see which portfolio it was") from None
    finally:
        # Interrupted or abandoned: drop the queued work instead of finishing it.
        pool.shutdown(wait=True, cancel_futures=True)


IN_FLIGHT_PER_WORKER = 8


class _OrderedResults:
    """Each portfolio's problems, in order, from chunks submitted to the pool a few at a time.

    Executor.map would submit every chunk at once (a future, its arguments and, once done, its
    result for every chunk of the cohort); here at most `in_flight` chunks are queued or running,
    enough to keep every worker busy past a slow portfolio, so memory does not grow with the
    cohort. The first chunks are submitted at once (so the workers start while the caller does
    other work); iterating yields the results.
    """

    def __init__(self, pool, folders: list[Path], chunk: int, today: dt.date, in_flight: int):
        from collections import deque

        self.pool, self.folders, self.chunk, self.today = pool, folders, chunk, today
        self.next_start = 0
        self.window: deque = deque()
        for _ in range(in_flight):
            self._submit()

    def _submit(self) -> None:
        if self.next_start < len(self.folders):
            batch = self.folders[self.next_start:self.next_start + self.chunk]
            self.next_start += self.chunk
            self.window.append(self.pool.submit(_check_in_worker, batch, self.today))

    def __iter__(self) -> Iterator[tuple[list[Problem], Identity | None]]:
        while self.window:
            done = self.window.popleft().result()
            self._submit()
            yield from done
