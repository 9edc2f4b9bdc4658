"""Fuzzing: mutated example files and hostile fragments never end a run.

Hypothesis mutates one file of a small repository at a time (a portfolio.yaml, an evidence or
sign-off file, the framework, the reflective piece): values replaced by hostile fragments
(explicit tags, huge numbers, control characters, rich markup, aliases, dates off the calendar,
numbers past every bound), lines inserted, spans deleted or doubled, random characters put in.
Then `validate` (text and json), `status` (tables and JSON), `report` and, for a committed
change, `audit` run on it in this process; each must end with exit 0 or 1 and its own words:
no exception, no "internal error", no hang (an alarm stops a command that runs too long).

The run is bounded in time: COMPFW_FUZZ_SECONDS (default 4) seconds in all, in rounds of a few
examples with a fresh seed each. `COMPFW_FUZZ_SECONDS=600 pytest tests/cli/test_fuzz.py -s` is the
long run; it prints how many cases ran. A failing example is printed with the file it wrote.
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import time
from pathlib import Path

import pytest
from conftest import REPO, git
from hypothesis import HealthCheck, given, seed, settings
from hypothesis import strategies as st

FUZZ_SECONDS = float(os.environ.get("COMPFW_FUZZ_SECONDS", "4"))
COMMAND_SECONDS = 60  # a hang guard for a loaded machine, not a benchmark
ROUND = 25
LOCATED = re.compile(r"^\S.*?(?::\d+:\d+)?: (error|warning): .+")

PORTFOLIO = "portfolios/ben-okafor"
OTHER = "portfolios/chloe-evans"
FRAMEWORK = "frameworks/nhs-gmts-informatics.yaml"

HUGE_HEX = "0x" + "f" * 4000
FRAGMENTS = [
    '!!bool "maybe"', '!!timestamp "soon"', '!!int ""', '!!float ""', "!!bool ''", "!!null x", "!!str",
    "!!binary aGk=", "!!set {a}", "!!omap [a: 1]", "!!python/object:os.system ls", "!custom v", "! 3",
    HUGE_HEX, "0b" + "1" * 5000, "0o" + "7" * 4000, ":".join(["1"] * 3000), "1" + "0" * 5000,
    "-" + "9" * 4400, "1e999", ".nan", "-.inf", "0x", "0b", "1_000", "1:20", "190:20:30.15",
    "999999", "-1", "0", "2147483648", "3.5", "9999-12-31", "0001-01-01", "2026-02-30",
    "2026-01-01T25:00:00", "2026-13-01", "[/]", "[link=https://example.org]x[/link]", "[bold]x",
    '"\\e]52;c;ZXZpbA==\\a"', '"\\e[2J\\e[H"', '"\\x9b31m"', '"\\u202eevil"', '"\\x7f"', '"a\\nb"',
    '"::error::x"', '"\\r::error file=x::y"', "&a [*a]", "*nowhere", "&x 1", "<<: {a: 1}", "=", "~",
    "{", "[", "- - -", "'", '"', "|\n  text", ">-\n  folded", "? complex\n: key", "{a: b, a: b}",
    "\t", "%YAML 1.1", "---", "...", "@x", "`x`", "yes", "no", "on", "null", "",
]


def alias_flood(repeat: int, width: int) -> str:
    return f"documents:\n- &t {'x' * width}\n" + "- *t\n" * repeat


WHOLE_FILES = [
    "a: &a [x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a]\nc: &c [*b, *b, *b, *b, *b, *b, *b, *b]\n"
    "d: [*c, *c, *c, *c, *c, *c, *c, *c]\n",
    "x: " + "[" * 200 + "]" * 200 + "\n",
    "x: " + "{a: " * 70 + "1" + "}" * 70 + "\n",
    "- " * 100 + "x\n",
    "\ufeff\ufeffid: x\n",
    "\x00\x01\x02",
]


@pytest.fixture(scope="module")
def fuzz_repo(tmp_path_factory):
    """ben-okafor as it is, chloe-evans cut down, and the informatics framework as a repo file; committed."""
    root = tmp_path_factory.mktemp("fuzz") / "repo"
    shutil.copytree(REPO / PORTFOLIO, root / PORTFOLIO)
    other = root / OTHER
    shutil.copytree(REPO / OTHER, other)
    for folder, keep in (("signoffs", 12), ("evidence", 6)):
        for extra in sorted((other / folder).iterdir())[keep:]:
            extra.unlink()
    (root / "frameworks").mkdir()
    shutil.copy(REPO / FRAMEWORK, root / FRAMEWORK)
    return root


def targets(root: Path) -> list[str]:
    files = [FRAMEWORK, f"{PORTFOLIO}/portfolio.yaml", f"{OTHER}/portfolio.yaml", f"{OTHER}/reflective-piece.md"]
    for folder in (PORTFOLIO, OTHER):
        for kind in ("evidence", "signoffs"):
            files += sorted(p.relative_to(root).as_posix() for p in (root / folder / kind).iterdir())[:4]
    return files


@st.composite
def fragments(draw) -> str:
    choice = draw(st.integers(0, 9))
    if choice < 6:
        return draw(st.sampled_from(FRAGMENTS))
    if choice < 8:
        return draw(st.text(st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=12))
    if choice < 9:
        return str(draw(st.integers(-10**30, 10**30)))
    return draw(st.sampled_from(["true", "false", "null", "[]", "{}", "[1, 2]", "{a: 1}"]))


@st.composite
def mutations(draw, text: str) -> str:
    lines = text.split("\n")
    kind = draw(st.sampled_from(["value", "value", "value", "key", "insert", "delete", "double", "chars", "whole"]))
    index = draw(st.integers(0, max(0, len(lines) - 1)))
    if kind == "value":
        valued = [i for i, line in enumerate(lines) if re.match(r"^\s*(- )?[\w.\-]+:\s", line)] or [index]
        at = draw(st.sampled_from(valued))
        head = re.match(r"^(\s*(?:- )?[\w.\-]+:\s)", lines[at])
        lines[at] = (head.group(1) if head else "") + draw(fragments())
    elif kind == "key":
        lines[index] = re.sub(r"^(\s*(?:- )?)[\w.\-]+:", lambda m: m.group(1) + draw(fragments()) + ":", lines[index])
    elif kind == "insert":
        indent = " " * draw(st.sampled_from([0, 0, 2, 4]))
        name = draw(st.sampled_from(["level", "date", "id", "competency", "name", "months", "x", "documents"]))
        lines.insert(index, f"{indent}{name}: {draw(fragments())}")
    elif kind in ("delete", "double"):
        end = draw(st.integers(index, min(len(lines), index + 4)))
        span = lines[index:end]
        lines[index:end] = [] if kind == "delete" else span + span
    elif kind == "chars":
        joined = "\n".join(lines)
        at = draw(st.integers(0, len(joined)))
        return joined[:at] + draw(st.text(max_size=8)) + joined[at:]
    else:
        return draw(st.sampled_from(WHOLE_FILES + [alias_flood(3000, 2000), alias_flood(50, 99_000)]))
    return "\n".join(lines)


class Case:
    """One mutated file; its repr shows where it differs from the original, not all of it."""

    def __init__(self, target: str, original: str, text: str):
        self.target, self.text = target, text
        start = next((i for i, (a, b) in enumerate(zip(original, text)) if a != b), min(len(original), len(text)))
        self.change = text[max(0, start - 80): start + 240]

    def __repr__(self) -> str:
        return f"Case({self.target!r}, {len(self.text):,} characters, changed near: {self.change!r})"


@st.composite
def cases(draw, root: Path, files: list[str]) -> Case:
    target = draw(st.sampled_from(files))
    original = text = (root / target).read_text(encoding="utf-8")
    for _ in range(draw(st.integers(1, 3))):
        text = draw(mutations(text))
    return Case(target, original, text)


class Hang(Exception):
    pass


def _alarm(signum, frame):
    raise Hang(f"a command ran longer than {COMMAND_SECONDS} s")


def run_checked(cli, args: list[str], root: Path, written: Case) -> None:
    old = signal.signal(signal.SIGALRM, _alarm)
    signal.alarm(COMMAND_SECONDS)
    try:
        result = cli(args, cwd=root)
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, old)
    out = result.stdout + result.stderr
    context = f"compfw {' '.join(args)} on {written}"
    assert result.exit_code in (0, 1), f"{context}: exit {result.exit_code}\n{out[-2000:]}"
    assert "internal error" not in out and "Traceback" not in out, f"{context}\n{out[-2000:]}"
    if args[0] == "validate" and "--format" not in args:
        *problems, summary = result.stdout.splitlines()
        for line in problems:
            assert LOCATED.match(line), f"{context}: not one located problem per line: {line[:300]!r}"


def test_fuzz_mutated_files_never_end_a_run(fuzz_repo, cli):
    root = fuzz_repo
    files = targets(root)
    originals = {name: (root / name).read_bytes() for name in files}
    git(root, "init", "-q")
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "examples")
    base = git(root, "rev-parse", "HEAD").strip()
    counter = {"cases": 0}
    failures: list[str] = []
    hangs: list[str] = []

    def one_case(case: Case, audit: bool) -> None:
        path = root / case.target
        try:
            path.write_text(case.text, encoding="utf-8")
            counter["cases"] += 1
            portfolio = OTHER if case.target.startswith(OTHER) else PORTFOLIO
            written = case
            run_checked(cli, ["validate", "--format", "text"], root, written)
            run_checked(cli, ["validate", "--format", "json", portfolio], root, written)
            run_checked(cli, ["status", portfolio], root, written)
            run_checked(cli, ["status", "--json", portfolio], root, written)
            run_checked(cli, ["report", portfolio], root, written)
            if audit:
                git(root, "commit", "-q", "-a", "--allow-empty", "-m", "mutation")
                run_checked(cli, ["audit", "--base", "HEAD~1", "--format", "text"], root, written)
                run_checked(cli, ["audit"], root, written)
        finally:
            if audit:
                git(root, "reset", "-q", "--hard", base)
            path.write_bytes(originals[case.target])

    started = time.monotonic()
    rounds = 0
    while rounds == 0 or time.monotonic() - started < FUZZ_SECONDS:
        @seed(rounds)
        @settings(max_examples=ROUND, deadline=None, database=None, derandomize=False,
                  suppress_health_check=list(HealthCheck))
        @given(case=cases(root, files), audit=st.integers(0, 5))
        def round_of_cases(case, audit):
            try:
                one_case(case, audit=audit == 0)
            except Hang as exc:
                hangs.append(f"{exc}: {case!r}")
            except Exception as exc:  # noqa: BLE001 - counted and shown below; the run goes on
                failures.append(f"{type(exc).__name__}: {str(exc)[:1500]}\n  in {case!r}")

        round_of_cases()
        rounds += 1
    print(f"\nfuzz: {counter['cases']} cases in {time.monotonic() - started:.0f} s, {len(failures)} internal "
          f"errors, {len(hangs)} hangs")
    assert not failures and not hangs, "\n\n".join((hangs + failures)[:8])
