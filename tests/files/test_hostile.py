"""Hostile and broken input: every case gives exact located messages and exit 1, never a traceback,
never a hang, never a write.

Each case is a folder, tests/cases/hostile/<case>/:

    case.yaml           args (the compfw command), exit (the exit code), and optionally
                        generate: the name of a generator below that adds inputs at run time
                        (large files, links, FIFOs: nothing big or odd is committed)
    repo/               the input files, on top of tests/cases/_shared (the mini framework)
    expected.txt        stdout, byte for byte (or, for a command whose output another test owns,
                        case.yaml's stdout_contains: texts stdout must contain)
    expected-stderr.txt stderr, byte for byte (absent: stderr must be empty)

and optionally in case.yaml: env (variables for the run), git: true (the repository is committed
with `git init` before the run), stdout: full (stdout is /dev/full, a full disk), writes (the
files the command creates or changes, each compared with expected-files/<path>; nothing else may
change; a glob maps to the name of its expected file), repo_from (folders under tests/cases whose
files come first, the case's repo/ on top), normalise ([regex, replacement] pairs applied to the
output). In the expected files, <repo> stands for the repository's absolute path.

Every case runs `python -m compfw.cli` as a real process, so that a crash in C (a segmentation
fault in libyaml) fails the case instead of killing the test run, and a hang is caught by a time
bound: TIME_LIMIT seconds, generous for a loaded 2-core CI machine (a guard against hangs, not a
benchmark; every case finishes in well under a second of work). The repository must be
byte-for-byte the same afterwards. COMPFW_REGEN=1 rewrites the expected files (review the diff).
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
import yaml
from conftest import CASES

HOSTILE = CASES / "hostile"
CASE_DIRS = sorted(p for p in HOSTILE.iterdir() if (p / "case.yaml").exists())
TIME_LIMIT = 10.0
SECRET = "TOP-SECRET-CONTENT-OUTSIDE-THE-REPO"


# --- generators: inputs made at run time ------------------------------------------------------


def alias_bomb(root: Path, outside: Path) -> None:
    lines = ['a: &a ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    for prev, name in zip("abcdefgh", "bcdefghi"):
        lines.append(f"{name}: &{name} [{', '.join(['*' + prev] * 9)}]")
    write(root / "portfolios/bomb/signoffs/a.yaml", "\n".join(lines) + "\n")


def deep_nesting(root: Path, outside: Path) -> None:
    levels = 100_000
    write(root / "portfolios/deep/signoffs/flow.yaml", "competency: " + "[" * levels + "]" * levels + "\n")
    write(root / "portfolios/deep/signoffs/unclosed.yaml", "competency: " + "[" * levels + "\n")
    write(root / "portfolios/deep/evidence/compact.yaml", "- " * levels + "x\n")
    write(root / "frameworks/deepfw.yaml", "".join(" " * i + "k:\n" for i in range(1000)) + " " * 1000 + "v\n")


def deep_portfolio(root: Path, outside: Path) -> None:
    write(root / "portfolios/deep/portfolio.yaml", "trainee: " + "{a: " * 100_000 + "1" + "}" * 100_000 + "\n")


def huge_narrative(root: Path, outside: Path) -> None:
    narrative = ("All work and no play makes a long narrative. " * 240_000)[: 10 * 1024 * 1024]
    write(root / "portfolios/long/evidence/e.yaml",
          'id: ev-1\ndate: 2026-01-05\ntitle: Long\ncompetencies: ["2.1.1"]\nnarrative: ' + narrative + "\n")


def oversized(root: Path, outside: Path) -> None:
    sparse = root / "portfolios/big/signoffs/huge.yaml"
    sparse.parent.mkdir(parents=True, exist_ok=True)
    with open(sparse, "wb") as handle:
        handle.truncate(100 * 1024 * 1024)  # sparse: costs no disk
    write(root / "portfolios/big/evidence/many.yaml", "[" + "0, " * 1_000_000 + "0]\n")


def symlinks(root: Path, outside: Path) -> None:
    secret = outside / "secret.yaml"
    write(secret, f"{SECRET}: {SECRET}\n")
    links = root / "portfolios/links"
    link(links / "signoffs/a.yaml", secret)
    (outside / "evidence").mkdir()
    write(outside / "evidence/e.yaml", f"{SECRET}: 1\n")
    link(links / "evidence", outside / "evidence")
    link(root / "frameworks/linked.yaml", secret)
    (outside / "portfolio" / ".git").mkdir(parents=True)  # another repository: it must not become the root
    write(outside / "portfolio/portfolio.yaml", f"{SECRET}: 1\n")
    link(root / "portfolios/linked-folder", outside / "portfolio")
    write(outside / "piece.md", SECRET + "\n")
    link(links / "reflective-piece.md", outside / "piece.md")
    inside = root / "portfolios/links-inside"
    link(inside / "evidence/shared.yaml", Path("../../../shared/evidence.yaml"))  # stays inside: refused all the same


def status_symlink(root: Path, outside: Path) -> None:
    write(outside / "secret.yaml", f"{SECRET}: 1\n")
    link(root / "portfolios/links/signoffs/zz.yaml", outside / "secret.yaml")


def fifos(root: Path, outside: Path) -> None:
    folder = root / "portfolios/fifo"
    (folder / "signoffs").mkdir(parents=True, exist_ok=True)
    os.mkfifo(folder / "signoffs/a.yaml")
    os.mkfifo(folder / "reflective-piece.md")


SIGNOFF = ('competency: "2.1.1"\nlevel: {level}\nsigner: {{name: Max Place, email: max@example.org, '
           'role: placement_manager}}\ndate: 2026-01-10\nfeedback: Clear and well evidenced collaboration with '
           'the regional network.\n')


def huge_numbers(root: Path, outside: Path) -> None:
    """Integers YAML 1.1 reads in every base, far too large to print (Python refuses past 4,300 digits)."""
    levels = {"hex": "0x" + "f" * 4000, "binary": "0b" + "1" * 14000, "octal": "0o" + "7" * 5000,
              "sexagesimal": ":".join(["59"] * 3000), "decimal": "9" * 5000, "negative": "-" + "9" * 4400,
              "underscores": "1_" * 3000 + "0", "just-big": "9" * 30}
    for name, level in levels.items():
        write(root / f"portfolios/s/signoffs/{name}.yaml", SIGNOFF.format(level=level))
    write(root / "portfolios/s/evidence/key.yaml", f"? 0x{'a' * 4000}\n: 1\n")


def alias_flood(root: Path, outside: Path) -> None:
    """819 kB that expand to 23.8 billion characters: 240,000 aliases of one 99,000-character text."""
    lines = ["id: ev-1", "date: 2026-01-05", "title: Flood", 'competencies: ["2.1.1"]', "documents:",
             "- &doc " + "x" * 99_000]
    lines += ["- *doc"] * 240_000
    write(root / "portfolios/s/evidence/flood.yaml", "\n".join(lines) + "\n")


def newline_names(root: Path, outside: Path) -> None:
    """A file name and keys with a newline followed by a GitHub workflow command."""
    write(root / "portfolios/s/signoffs/a\n::error file=x.py::forged.yaml", "competency: [unclosed\n")
    write(root / "portfolios/s/evidence/keys.yaml",
          'id: ev-1\ndate: 2026-01-05\ntitle: Keys\ncompetencies: ["2.1.1"]\n'
          '"x\\n::error file=y.py::forged key": 1\n"\\r\\e[2Jz": 2\n')


def long_narrative(root: Path, outside: Path) -> None:
    write(root / "narrative.md", ("A long narrative, longer than any value compfw reads. " * 2000).strip() + "\n")


GENERATORS = {f.__name__: f for f in (long_narrative, newline_names, alias_bomb, deep_nesting, deep_portfolio, huge_narrative, oversized, symlinks,
                                      status_symlink, fifos, huge_numbers, alias_flood)}


def write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


def link(path: Path, target: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.symlink_to(target)


# --- the run ----------------------------------------------------------------------------------


def snapshot(root: Path) -> dict[str, tuple]:
    """Every entry under root, links not followed: kind, size, modification time."""
    out = {}
    for folder, dirs, files in os.walk(root):
        if ".git" in dirs:  # git keeps its index fresh even for reads; the files are what matter
            dirs.remove(".git")
        for name in dirs + files:
            path = os.path.join(folder, name)
            info = os.lstat(path)
            out[os.path.relpath(path, root)] = (info.st_mode, info.st_size, info.st_mtime_ns)
    return out


def run_compfw(args: list[str], cwd: Path, env: dict | None = None,
               full_disk: bool = False) -> tuple[subprocess.CompletedProcess, float]:
    start = time.monotonic()
    output = {"stdout": open("/dev/full", "w"), "stderr": subprocess.PIPE} if full_disk else {"capture_output": True}
    try:
        done = subprocess.run([sys.executable, "-m", "compfw.cli", *args], cwd=cwd, **output,
                              text=True, encoding="utf-8", errors="replace", timeout=3 * TIME_LIMIT,
                              stdin=subprocess.DEVNULL, env={**os.environ, **(env or {})})
    except subprocess.TimeoutExpired:
        pytest.fail(f"compfw {' '.join(args)} hung: no result after {3 * TIME_LIMIT:.0f} s")
    finally:
        if full_disk:
            output["stdout"].close()
    if full_disk:
        done.stdout = ""
    return done, time.monotonic() - start


def normalised(text: str, root: Path, spec: dict) -> str:
    """Output with the repository's path as <repo>, and the case's `normalise` rules applied."""
    import re

    text = text.replace(str(root), "<repo>")
    for pattern, replacement in spec.get("normalise", []):
        text = re.sub(pattern, replacement, text)
    return text


def written_files(root: Path, writes: list | dict) -> dict[str, str]:
    """The files a case expects written: {path in the repo: name under expected-files/}.

    A path may be a glob (a sign-off file's name ends in random characters); it must match
    exactly one file, and then the case names its expected file: {glob: name}.
    """
    found = {}
    for pattern, expected_name in (writes.items() if isinstance(writes, dict) else ((w, w) for w in writes)):
        matches = [p.relative_to(root).as_posix() for p in root.glob(pattern)] if "*" in pattern else [pattern]
        assert len(matches) == 1, f"{pattern} matches {matches}"
        found[matches[0]] = expected_name
    return found


def commit_all(root: Path) -> None:
    """One commit of everything, at a fixed time, so that its id (shown in messages) is the same on every run."""
    when = {"GIT_AUTHOR_DATE": "2026-11-20T10:00:00Z", "GIT_COMMITTER_DATE": "2026-11-20T10:00:00Z"}
    for args in (["init", "-q"], ["add", "-A"], ["commit", "-q", "-m", "the case's files"]):
        subprocess.run(["git", *args], cwd=root, check=True, capture_output=True, env={**os.environ, **when})


@pytest.mark.parametrize("case", CASE_DIRS, ids=lambda p: p.name)
def test_hostile_case(case, make_repo, tmp_path):
    spec = yaml.safe_load((case / "case.yaml").read_text())
    layers = spec.get("repo_from", [])
    sources = [CASES / layer for layer in ([layers] if isinstance(layers, str) else layers)]
    root = make_repo(*sources, *[case / "repo"] * (case / "repo").is_dir())
    outside = tmp_path / "outside"
    outside.mkdir()
    if spec.get("generate"):
        GENERATORS[spec["generate"]](root, outside)
    if spec.get("git"):
        commit_all(root)
    before = snapshot(root)
    done, seconds = run_compfw(spec["args"], root, spec.get("env"), full_disk=spec.get("stdout") == "full")
    done.stdout, done.stderr = (normalised(text, root, spec) for text in (done.stdout, done.stderr))

    assert done.returncode >= 0, f"compfw was killed by signal {-done.returncode} (a crash)\n{done.stderr[-3000:]}"
    expected, expected_err = case / "expected.txt", case / "expected-stderr.txt"
    writes = written_files(root, spec.get("writes", {}))
    if os.environ.get("COMPFW_REGEN"):
        if "stdout_contains" not in spec:
            expected.write_text(done.stdout)
        if done.stderr:
            expected_err.write_text(done.stderr)
        elif expected_err.exists():
            expected_err.unlink()
        for name, expected_name in writes.items():
            target = case / "expected-files" / expected_name
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes((root / name).read_bytes())
    assert "Traceback" not in done.stdout + done.stderr, done.stderr
    assert "internal error" not in done.stderr, done.stderr
    if "stdout_contains" in spec:
        for text in spec["stdout_contains"]:
            assert text in done.stdout, text
    else:
        assert done.stdout == expected.read_text()
    assert done.stderr == (expected_err.read_text() if expected_err.exists() else "")
    assert done.returncode == spec["exit"], done.stderr
    assert seconds < TIME_LIMIT, f"took {seconds:.1f} s"
    after = snapshot(root)
    for name, expected_name in writes.items():
        assert (root / name).read_bytes() == (case / "expected-files" / expected_name).read_bytes(), name
        for changed in (name, *(parent.as_posix() for parent in Path(name).parents if parent != Path("."))):
            after.pop(changed, None)  # the file, and the folders a new file changes the time of
            before.pop(changed, None)
    assert after == before, "compfw changed the repository"
    assert SECRET not in done.stdout + done.stderr


def test_every_case_documents_itself():
    for case in CASE_DIRS:
        text = (case / "case.yaml").read_text()
        assert text.startswith("# "), f"{case.name}/case.yaml: say what the case is, in a comment"
        spec = yaml.safe_load(text)
        assert spec.get("generate") in (None, *GENERATORS), case.name
        assert (case / "expected.txt").exists() or "stdout_contains" in spec, case.name


def test_every_problem_in_the_validate_cases_is_located_or_file_level():
    """Each finding reads `path:line:col: error: ...` or, for a whole-file problem, `path: error: ...`."""
    import re

    located = re.compile(r"^\S.*?(?::\d+:\d+)?: (error|warning): .+")  # a file name may hold a colon
    for case in CASE_DIRS:
        spec = yaml.safe_load((case / "case.yaml").read_text())
        if spec["args"][0] != "validate" or spec.get("stdout") == "full":
            continue
        *problems, summary = (case / "expected.txt").read_text().splitlines()
        assert re.match(r"^\d+ error\(s\), \d+ warning\(s\) in ", summary), (case.name, summary)
        for line in problems:
            assert located.match(line), (case.name, line)


def test_many_portfolios_in_worker_processes_give_the_same_report(make_repo, tmp_path):
    """From 48 portfolios validate uses worker processes; hostile input there is reported the same
    way and in the same order as in one process, and a crash-prone file does not take a worker down."""
    root = make_repo(HOSTILE / "signoff-problems" / "repo")
    template = root / "portfolios" / "s"
    for index in range(60):
        folder = root / "portfolios" / f"p{index:02d}"
        (folder / "signoffs").mkdir(parents=True)
        text = (template / "portfolio.yaml").read_text().replace("id: s,", f"id: p{index:02d},")
        (folder / "portfolio.yaml").write_text(text.replace("s@example.org", f"p{index:02d}@example.org"))
        (folder / "signoffs" / "a.yaml").write_text((template / "signoffs" / "level-off-scale.yaml").read_text())
    deep_portfolio(root, tmp_path)
    alias_bomb(root, tmp_path)
    (root / "portfolios" / "bomb" / "portfolio.yaml").write_text(
        (root / "portfolios" / "p00" / "portfolio.yaml").read_text().replace("id: p00,", "id: bomb,"))
    before = snapshot(root)
    serial, _ = run_compfw(["validate", "--jobs", "1"], root)
    parallel, seconds = run_compfw(["validate", "--jobs", "2"], root)
    assert parallel.returncode == serial.returncode == 1, parallel.stderr
    assert parallel.stdout == serial.stdout and parallel.stderr == serial.stderr == ""
    out = parallel.stdout.splitlines()
    # 9 in s, 60 copies, 2 bombs, and bomb has p00's email: a duplicate trainee on both files
    assert out[-1] == "73 error(s), 0 warning(s) in frameworks, portfolios"
    assert out[0].startswith("portfolios/bomb/signoffs/a.yaml:5:4: error: aliases expand to too much data")
    assert out[1].startswith("portfolios/deep/portfolio.yaml:1:263: error: data is nested more than 64 levels deep")
    assert seconds < TIME_LIMIT and snapshot(root) == before


def test_a_repository_reached_through_a_link_is_read_normally(make_repo, tmp_path):
    """The checkout itself may live under a linked folder (only links inside a portfolio are refused)."""
    root = make_repo(HOSTILE / "symlinks" / "repo")
    (tmp_path / "work").symlink_to(root.parent, target_is_directory=True)
    via_link = tmp_path / "work" / root.name
    (root / "portfolios/links-inside/evidence").mkdir(parents=True, exist_ok=True)
    (root / "portfolios/links-inside/evidence/shared.yaml").write_bytes((root / "shared/evidence.yaml").read_bytes())
    done, _ = run_compfw(["validate", "portfolios/links-inside"], via_link)
    assert (done.returncode, done.stdout, done.stderr) == (0, "ok: no problems in portfolios/links-inside\n", "")
