#!/usr/bin/env python3
"""The floor for `compfw validate`: the least any validator of these files can do.

    python benchmarks/floor.py REPO [--jobs N] [--portfolio NAME]

Reads every framework and portfolio file under REPO, parses each with PyYAML's C loader
(``yaml.load(text, Loader=yaml.CSafeLoader)``) and validates it with the same pydantic models
compfw uses, in a bare loop: no positions, no rules, no messages. With --jobs N > 1 the portfolio
folders are split over N worker processes (``multiprocessing.Pool.imap`` in chunks), the way
`compfw validate` splits them. With --portfolio NAME only that portfolio and the framework file
it pins are read (the floor for `compfw status` on one portfolio). Prints the number of files and
of invalid documents.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

import yaml
from pydantic import ValidationError

from compfw.model.models import Evidence, Framework, Portfolio, Signoff


def _check(path: str, model) -> int:
    with open(path, "rb") as handle:
        data = yaml.load(handle.read().decode("utf-8-sig"), Loader=yaml.CSafeLoader)
    items = data if isinstance(data, list) and model is Evidence else [data]
    bad = 0
    for item in items:
        try:
            model.model_validate(item)
        except ValidationError:
            bad += 1
    return bad


def _yaml_in(folder: str) -> list[str]:
    try:
        names = sorted(os.listdir(folder))
    except FileNotFoundError:
        return []
    return [os.path.join(folder, n) for n in names if n.endswith((".yaml", ".yml"))]


def check_portfolio(folder: str) -> tuple[int, int]:
    files, bad = 1, _check(os.path.join(folder, "portfolio.yaml"), Portfolio)
    for path in _yaml_in(os.path.join(folder, "evidence")):
        files, bad = files + 1, bad + _check(path, Evidence)
    for path in _yaml_in(os.path.join(folder, "signoffs")):
        files, bad = files + 1, bad + _check(path, Signoff)
    return files, bad


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("repo", type=Path)
    parser.add_argument("--jobs", type=int, default=1)
    parser.add_argument("--portfolio", help="only this portfolio (a folder name under portfolios/)")
    args = parser.parse_args()
    files = bad = 0
    if args.portfolio:
        folder = args.repo / "portfolios" / args.portfolio
        with open(folder / "portfolio.yaml", "rb") as handle:
            pin = yaml.load(handle.read(), Loader=yaml.CSafeLoader)["framework"]["id"]
        bad = _check(str(args.repo / "frameworks" / f"{pin}.yaml"), Framework)
        f, b = check_portfolio(str(folder))
        print(f"floor: {f + 1} files, {bad + b} invalid documents")
        return 0
    for path in _yaml_in(str(args.repo / "frameworks")):
        files, bad = files + 1, bad + _check(path, Framework)
    base = args.repo / "portfolios"
    folders = [str(base / n) for n in sorted(os.listdir(base)) if (base / n / "portfolio.yaml").exists()]
    if args.jobs > 1:
        from multiprocessing import Pool

        with Pool(args.jobs) as pool:
            results = pool.imap(check_portfolio, folders, chunksize=max(1, min(64, len(folders) // (args.jobs * 8))))
            for f, b in results:
                files, bad = files + f, bad + b
    else:
        for folder in folders:
            f, b = check_portfolio(folder)
            files, bad = files + f, bad + b
    print(f"floor: {files} files, {bad} invalid documents")
    return 0


if __name__ == "__main__":
    sys.exit(main())
