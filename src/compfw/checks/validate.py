"""`compfw validate` as a library call: which files to check, and every problem in them."""

from __future__ import annotations

import datetime as dt
import hashlib
import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from compfw.checks.cached import (
    decode_framework_check,
    decode_portfolio_check,
    encode_framework_check,
    encode_portfolio_check,
    remember_for_portfolio,
)
from compfw.checks.layout_checks import folder_name_problems, link_problems, override_problem
from compfw.checks.record_rules import check_loose_records
from compfw.checks.rules import check_framework, check_portfolio
from compfw.checks.same_trainee import Identity, duplicate_problems, identities_mentioning, identity_of
from compfw.files.layout import policy_present
from compfw.files.problems import Problem, display_path
from compfw.files.problems import today as current_day
from compfw.files.progress import progress_iter
from compfw.files.reading import yaml_files
from compfw.files.result_cache import ResultCache
from compfw.files.workers import PARALLEL_FROM, WorkerPool, available_cpus
from compfw.files.yaml_located import shown_path
from compfw.files.yaml_parse import load_yaml
from compfw.model.loading import PORTFOLIO_FILE, FrameworkStore, load_framework_file, sanctioned_overrides
from compfw.model.policy import POLICY_FILE, parse_policy
from compfw.model.portfolios import load_portfolio

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
            if policy_present(path):
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


def check_frameworks(files: list[Path], strict: bool, cache: ResultCache,
                     sanctioned: set[tuple[str, str]] = frozenset()) -> list[Problem]:
    """Every framework file's problems, and any (id, version) defined twice."""
    problems: list[Problem] = []
    seen: dict[tuple[str, str], str] = {}
    for path in files:
        checked = cache.remember("validate-framework", [os.getcwd(), os.fspath(path), os.path.realpath(path), strict,
                                                        sorted(sanctioned)],
                                 lambda path=path: _check_framework_file(path, strict, sanctioned),
                                 encode=encode_framework_check, decode=decode_framework_check)
        problems.extend(checked["load"])
        if checked["id"] is None:
            continue
        key = (checked["id"], checked["version"])
        if key in seen:
            problems.append(Problem(checked["shown"], *checked["at"],
                                    f"framework {key[0]} version {key[1]} is also defined in {seen[key]}",
                                    "framework ids (with version) must be unique; rename or remove one",
                                    code="duplicate-framework"))
            continue
        seen[key] = checked["shown"]
        problems.extend(checked["check"])
    return problems


def _check_framework_file(path: Path, strict: bool, sanctioned: set[tuple[str, str]]) -> dict:
    """One framework file's own problems (duplicates across files are found by the caller)."""
    lf, found = load_framework_file(path)
    if lf is None:
        return {"id": None, "version": None, "shown": "", "at": [0, 0], "load": found, "check": []}
    override = override_problem(lf, sanctioned)
    return {"id": lf.framework.id, "version": lf.framework.version, "shown": lf.doc.shown,
            "at": list(lf.doc.data.value_pos["id"]), "load": found,
            "check": check_framework(lf, strict) + ([override] if override else [])}


def check_portfolio_folder(folder: Path, store: FrameworkStore, today: dt.date, root: Path,
                           cache: ResultCache) -> tuple[list[Problem], Identity | None]:
    """A portfolio's problems, and whose it is (for the duplicate check across portfolios)."""
    def compute() -> tuple[list[Problem], Identity | None]:
        lp, problems = load_portfolio(folder)
        if lp is None:  # a broken portfolio.yaml: its evidence and sign-offs are checked as far as they can be
            problems.extend(check_loose_records(folder, store, today))
        problems.extend(folder_name_problems(folder))
        problems.extend(link_problems(folder, _links_reported(folder, lp, problems)))
        if lp is None:
            return problems, None
        problems.extend(check_portfolio(lp, store, today))
        return problems, identity_of(lp)

    return remember_for_portfolio(cache, "validate", folder, root, store.folders, today, [], compute,
                                  encode_portfolio_check, decode_portfolio_check)


def _links_reported(folder: Path, lp, problems: list[Problem]) -> set[str]:
    """The links the loader has reported already (a linked record or records folder, a linked
    reflective piece, which it reports at portfolio.yaml), so that each link is reported once."""
    reported = {p.path for p in problems if p.code == "trust-symlink"}
    piece = lp.portfolio.reflective_piece if lp is not None else None
    if piece is not None and any(p.code == "reflective-piece" for p in problems):
        reported.add(shown_path(folder / piece.file))
    return reported


def in_shard(folder: Path, root: Path, shard: tuple[int, int]) -> bool:
    """Whether a portfolio is in shard K of N: by a stable hash of its path in the repository, so
    every machine (and every run) puts it in the same shard."""
    number, count = shard
    if count == 1:
        return True
    absolute, top = os.path.abspath(folder), os.path.abspath(root)
    name = os.path.relpath(absolute, top) if absolute.startswith(top.rstrip(os.sep) + os.sep) else absolute
    digest = hashlib.blake2b(Path(name).as_posix().encode("utf-8", "surrogateescape"), digest_size=8).digest()
    return int.from_bytes(digest, "big") % count == number - 1


_worker: dict = {}


def _init_worker(root: Path, extra: list[Path], cache_folder: Path | None) -> None:
    _worker.update(root=root, store=FrameworkStore.for_repo(root, extra), cache=ResultCache(cache_folder))


def _check_in_worker(folders: list[Path], today: dt.date) -> list[tuple[list[Problem], Identity | None]]:
    return [check_portfolio_folder(folder, _worker["store"], today, _worker["root"], _worker["cache"])
            for folder in folders]


def run_validation(paths: list[Path], root: Path, strict: bool = False, today: dt.date | None = None,
                   jobs: int = 0, compare_with: list[Path] | None = None, cache_folder: Path | None = None,
                   shard: tuple[int, int] = (1, 1)) -> Iterator[Problem]:
    """Every problem in every file under the paths; frameworks first, then portfolios in order,
    then trainees with more than one portfolio (compared also with the portfolios in
    compare_with, when only some are checked).

    Many portfolios are checked in worker processes (one per core unless jobs says otherwise),
    which start on the portfolios while this process checks the frameworks. Results stream back
    in order and nothing of a portfolio outlives its check, so memory stays flat in the number of
    portfolios. With a cache folder, results whose inputs are unchanged come from the cache.

    shard (K, N) checks only the portfolios of shard K (see in_shard), comparing their trainees
    with every other portfolio's; the frameworks, the policy and paths that do not exist are
    reported by shard 1 alone. So the N shards together report exactly what one full run does.
    """
    today = today or current_day()
    targets = classify(paths)
    first = shard[0] == 1
    if first:
        for path in targets.missing:
            yield Problem(display_path(path), 0, 0, "no such file or folder", "check the path", code="missing")
        for path in targets.policies:
            yield from check_policy_file(path)
    sanctioned = sanctioned_overrides(root)
    frameworks = targets.frameworks if first else []
    folders = [f for f in targets.portfolios if in_shard(f, root, shard)]
    extra = _framework_folders(targets.frameworks)
    cache = ResultCache(cache_folder)
    identities: list[Identity] = []
    workers = min(jobs if jobs > 0 else available_cpus(), len(folders))
    if workers > 1 and len(folders) >= PARALLEL_FROM:
        with WorkerPool(workers, _init_worker, (root, extra, cache_folder), "checking portfolios") as pool:
            results = pool.ordered(_check_in_worker, folders, today)
            yield from check_frameworks(frameworks, strict, cache, sanctioned)  # meanwhile, here
            for found, identity in progress_iter(results, "Validating portfolios", total=len(folders)):
                yield from found
                if identity is not None:
                    identities.append(identity)
    else:
        yield from check_frameworks(frameworks, strict, cache, sanctioned)
        store = FrameworkStore.for_repo(root, extra)
        for folder in progress_iter(folders, "Validating portfolios"):
            found, identity = check_portfolio_folder(folder, store, today, root, cache)
            yield from found
            if identity is not None:
                identities.append(identity)
    checked = set(folders)
    others = [f for f in [*targets.portfolios, *(compare_with or [])] if f not in checked]
    yield from duplicate_problems(identities, identities_mentioning(others, identities) if identities else [])


def _framework_folders(files: list[Path]) -> list[Path]:
    """The folders the given framework files are in: portfolios may pin a framework found there.

    Worked out from the paths alone so that the workers can start before the frameworks are read;
    a folder whose files all turn out broken adds nothing, since the store skips what it cannot load.
    """
    return sorted({f.parent for f in files if f.suffix in (".yaml", ".yml")})
