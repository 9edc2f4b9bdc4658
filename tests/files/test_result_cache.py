"""The result cache never shows a stale answer: after any edit to any input, a cached run prints
exactly what a run with --no-cache prints, on real files through the installed `compfw`.

Each test edits one kind of input (a sign-off, an evidence entry, portfolio.yaml, a framework,
the trust policy, the day) and checks three things: the answer changed (so the edit mattered),
the cached answer equals the fresh one, and the cache was really used where nothing changed (a
run that finds every result writes no new entry)."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import Cli

COMPFW = Path(sys.executable).parent / "compfw"
ASHA = "portfolios/asha-patel"
CLI = Cli()


@pytest.fixture
def repo(sanctioned_copy):
    return sanctioned_copy


def run(args: list[str], cwd: Path, **env: str) -> tuple[int, str, str]:
    """In this process (the app, through typer), for speed; the installed entry point below."""
    saved = {name: os.environ.get(name) for name in env}
    os.environ.update(env)
    try:
        done = CLI(args, cwd)
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value
    return done.exit_code, done.stdout, done.stderr


def run_installed(args: list[str], cwd: Path, **env: str) -> tuple[int, str, str]:
    done = subprocess.run([str(COMPFW), *args], cwd=cwd, capture_output=True, text=True,
                          env={**os.environ, **env}, timeout=120)
    return done.returncode, done.stdout, done.stderr


def entries() -> set[Path]:
    folder = Path(os.environ["COMPFW_CACHE_DIR"])
    return {p for p in folder.rglob("*.json")} if folder.exists() else set()


def cached_equals_fresh(args: list[str], cwd: Path, **env: str) -> tuple[int, str, str]:
    """Run cached (twice: the second finds everything) and fresh; all three must agree."""
    first = run(args, cwd, **env)
    written = entries()
    second = run(args, cwd, **env)
    assert entries() == written, "a second run with nothing changed recomputed something"
    fresh = run([*args, "--no-cache"], cwd, **env)
    assert first == second == fresh
    return first


COMMANDS = {
    "validate": ["validate"],
    "status": ["status", ASHA],
    "status-json": ["status", ASHA, "--json"],
    "report": ["report", ASHA],
    "cohort": ["report", "--cohort", "--context-json"],
}


def _replace(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, (path, old)
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def _a_signoff(repo: Path) -> Path:
    return sorted((repo / ASHA / "signoffs").glob("*.yaml"))[-1]


def edit_signoff(repo: Path) -> None:
    path = _a_signoff(repo)
    level = re.search(r"^level: (\d)", path.read_text(), re.M)
    _replace(path, level.group(0), "level: 7")


def add_signoff(repo: Path) -> None:
    path = _a_signoff(repo)
    text = path.read_text()
    competency = re.search(r"^competency: (.*)$", text, re.M).group(0)
    (path.parent / "2026-11-20-added.yaml").write_text(text.replace(competency, "competency: 9.9.9"))


def remove_signoff(repo: Path) -> None:
    _a_signoff(repo).unlink()


def edit_evidence(repo: Path) -> None:
    path = sorted((repo / ASHA / "evidence").glob("*.yaml"))[0]
    _replace(path, "\ntitle:", "\ntitel:")


def edit_portfolio(repo: Path) -> None:
    _replace(repo / ASHA / "portfolio.yaml", "name: Asha Patel", "name: Asha Patel-Jones")


def edit_manager(repo: Path) -> None:
    _replace(repo / ASHA / "portfolio.yaml", "email: tom.reid@example.org", "email: tom.reid@example.net")


def edit_framework(repo: Path) -> None:
    path = repo / "frameworks" / "nhs-gmts-informatics.yaml"
    text = path.read_text()
    target = re.search(r"target: (\d)", text)
    path.write_text(text[:target.start()] + f"target: {5 if target.group(1) != '5' else 1}" + text[target.end():])


def rename_competency(repo: Path) -> None:
    competency = re.search(r"^competency: (.*)$", _a_signoff(repo).read_text(), re.M).group(1).strip().strip("'\"")
    path = repo / "frameworks" / "nhs-gmts-informatics.yaml"
    text = path.read_text()
    found = re.search(r"id: ['\"]?" + re.escape(competency) + r"['\"]?([,}\s])", text)
    path.write_text(text[:found.start()] + f'id: "{competency}.9"' + found.group(1) + text[found.end():])


def add_framework_copy(repo: Path) -> None:
    source = repo / "frameworks" / "nhs-gmts-informatics.yaml"
    (repo / "frameworks" / "zz-copy.yaml").write_text(source.read_text())


def link_signoff(repo: Path) -> None:
    """The same bytes, but through a symbolic link (to a copy inside the repository), which the
    loader refuses: the folder listing's names are unchanged, only the kind of one entry is not."""
    path = _a_signoff(repo)
    copy = repo / "copied-signoff.yaml"
    copy.write_bytes(path.read_bytes())
    path.unlink()
    path.symlink_to(os.path.relpath(copy, path.parent))


EDITS = {
    "a sign-off's level": edit_signoff,
    "a new sign-off": add_signoff,
    "a sign-off removed": remove_signoff,
    "a sign-off replaced by a link to a copy": link_signoff,
    "an evidence entry": edit_evidence,
    "portfolio.yaml's trainee name": edit_portfolio,
    "portfolio.yaml's placement manager": edit_manager,
    "a framework's target": edit_framework,
    "a framework's competency id": rename_competency,
    "a second file defining a framework": add_framework_copy,
}


@pytest.mark.parametrize("edit", EDITS)
def test_an_edit_changes_the_cached_answer_exactly_as_a_fresh_run(repo, edit):
    before = {command: run(args, repo) for command, args in COMMANDS.items()}  # fills the cache
    EDITS[edit](repo)
    for command, args in COMMANDS.items():
        after = cached_equals_fresh(args, repo)
        if (command, edit) not in UNAFFECTED:
            assert after != before[command], f"{command}: the edit did not change the answer"


# Edits that, by the rules, do not change this command's answer (the cache must still agree).
UNAFFECTED = {
    *((c, "a second file defining a framework") for c in ("status", "status-json", "report", "cohort")),
    ("validate", "a sign-off removed"),  # the rest stays valid
    ("validate", "a framework's target"),  # targets are not checked
    ("validate", "portfolio.yaml's trainee name"),
}


@pytest.mark.parametrize("command", ["validate", "status-json", "cohort"])
def test_a_change_of_day_changes_the_answer_as_a_fresh_run(repo, command):
    args = COMMANDS[command]
    later = cached_equals_fresh(args, repo, COMPFW_TODAY="2026-11-22")
    earlier = cached_equals_fresh(args, repo, COMPFW_TODAY="2025-10-01")  # sign-offs now in the future
    assert earlier != later
    assert cached_equals_fresh(args, repo, COMPFW_TODAY="2026-11-22") == later


def test_validate_a_day_earlier_finds_the_future_dated_signoffs(repo):
    code, out, _ = cached_equals_fresh(["validate"], repo, COMPFW_TODAY="2025-10-01")
    assert code == 1 and "in the future" in out


def test_the_policy_is_an_input_of_every_result(repo):
    first = cached_equals_fresh(["validate"], repo)
    before = entries()
    (repo / ".compfw" / "policy.yaml").write_text("admins: []\n")
    after = cached_equals_fresh(["validate"], repo)
    assert after != first  # the policy itself is checked, and this one is refused
    new = entries() - before
    assert len([p for p in new if p.parent.parent.name == "results"]) >= 3, "portfolio results were not recomputed"
    status = cached_equals_fresh(["status", ASHA, "--json"], repo)
    (repo / ".compfw" / "policy.yaml").write_text("admins: [{name: A Admin, email: a@example.org}]\n")
    assert cached_equals_fresh(["status", ASHA, "--json"], repo) == status


def test_a_damaged_or_foreign_cache_is_ignored_and_replaced(repo):
    good = cached_equals_fresh(["status", ASHA, "--json"], repo)
    assert run_installed(["status", ASHA, "--json"], repo) == good
    damaged = sorted(entries())
    assert damaged
    for index, path in enumerate(damaged):
        raw = path.read_bytes()
        header, _, payload = raw.partition(b"\n")
        path.write_bytes([b"", b"not json at all", raw[: len(raw) // 2],
                          header + b"\n" + payload.replace(b"Asha", b"Evil"),
                          json.dumps({"format": "compfw-cache-1", "name": "x", "payload": "y"}).encode() + b"\n[]"][index % 5])
    assert run_installed(["status", ASHA, "--json"], repo) == good
    assert run_installed(["status", ASHA, "--json"], repo) == good


def test_a_cache_folder_that_cannot_be_written_is_not_used(repo, tmp_path):
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the cache folder would be\n")
    fresh = run_installed(["validate"], repo)
    assert run_installed(["validate"], repo, COMPFW_CACHE_DIR=str(blocker / "cache")) == fresh
    assert blocker.read_text() == "a file where the cache folder would be\n"


def test_the_cache_folder_follows_xdg_and_home(repo, tmp_path, monkeypatch):
    monkeypatch.delenv("COMPFW_CACHE_DIR")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    run_installed(["status", ASHA], repo)
    assert list((tmp_path / "xdg" / "compfw").rglob("*.json"))
    monkeypatch.delenv("XDG_CACHE_HOME")
    run_installed(["status", ASHA], repo)
    assert list((Path(os.environ["HOME"]) / ".cache" / "compfw").rglob("*.json"))


def test_no_cache_neither_reads_nor_writes(repo):
    run(["validate", "--no-cache"], repo)
    run(["status", ASHA, "--no-cache"], repo)
    run(["report", "--cohort", "--no-cache"], repo)
    assert entries() == set()


def test_a_cached_run_from_another_folder_shows_paths_from_there(repo):
    edit_signoff(repo)
    (repo / ASHA / "signoffs" / "2026-11-21-bad.yaml").write_text("competency: [\n")
    from_root = cached_equals_fresh(["validate"], repo)
    from_inside = cached_equals_fresh(["validate", "."], repo / "portfolios")
    assert "portfolios/asha-patel/signoffs/2026-11-21-bad.yaml" in from_root[1]
    assert "asha-patel/signoffs/2026-11-21-bad.yaml" in from_inside[1]
    assert "portfolios/asha-patel" not in from_inside[1]


def _recorded(out: str) -> list:
    return [s["recorded"] for c in json.loads(out)["competencies"] for s in c.get("signoffs", [])]


def test_git_history_is_an_input_of_status(repo):
    # A sign-off's recorded date comes from git, not from any file compfw reads: committing,
    # or changing a committed sign-off, must change the cached answer as it changes a fresh one.
    from conftest import git

    git(repo, "init", "-q")
    args = ["status", ASHA, "--json"]
    _, uncommitted, _ = cached_equals_fresh(args, repo)
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "portfolio", env={"GIT_COMMITTER_DATE": "2026-11-10T12:00:00Z"})
    _, committed, _ = cached_equals_fresh(args, repo)
    assert set(_recorded(uncommitted)) == {None} and set(_recorded(committed)) == {"2026-11-10"}
    git(repo, "rm", "-q", "--cached", str(_a_signoff(repo).relative_to(repo)))  # staged: no longer in HEAD's form
    _, staged, _ = cached_equals_fresh(args, repo)
    assert _recorded(staged).count(None) == 1


def test_an_edit_that_keeps_size_and_modification_time_is_still_seen(repo):
    # Files whose stat is older than the racy window are listed with it, and a later check trusts
    # an unchanged stat without reading the file. An edit that keeps the size and puts the
    # modification time back still changes the change time, so it is read and seen.
    import time

    time.sleep(2.2)  # past the racy window: the copied files' stats become trustworthy
    args = ["status", ASHA, "--json"]
    first = cached_equals_fresh(args, repo)
    listed = [json.loads(p.read_bytes().partition(b"\n")[2]) for p in entries() if p.parent.parent.name == "inputs"]
    assert any(len(item) == 4 for entry in listed for item in entry), "no input was listed with its stat"
    path = _a_signoff(repo)
    before = path.stat()
    text = path.read_text()
    level = re.search(r"^level: (\d)", text, re.M)
    other = "3" if level.group(1) != "3" else "2"
    path.write_text(text.replace(level.group(0), f"level: {other}", 1))
    os.utime(path, ns=(before.st_atime_ns, before.st_mtime_ns))
    assert path.stat().st_size == before.st_size and path.stat().st_mtime_ns == before.st_mtime_ns
    after = cached_equals_fresh(args, repo)
    assert after != first


def test_a_command_that_observes_more_inputs_than_it_keeps_still_answers_from_the_cache(repo, monkeypatch):
    # The in-command memo of observed inputs is bounded (a cohort's own files are each seen once);
    # past the bound it starts again, and the answers stay those of a fresh run.
    from compfw.files import result_cache

    monkeypatch.setattr(result_cache, "MAX_SEEN", 3)
    for args in (["validate"], ["report", "--cohort", "--context-json"]):
        cached_equals_fresh(args, repo)


def test_a_portfolio_folder_nested_thousands_deep_is_walked_without_recursion(repo, monkeypatch):
    # The folder's shape keys the cache and is searched for links: one walk (files/tree.py) that
    # keeps a stack, so a hostile tree deeper than Python's recursion limit is no internal error.
    monkeypatch.chdir(repo)  # the working directory is put back after the test
    deep = repo / ASHA / "notes"
    deep.mkdir()
    try:
        os.chdir(deep)  # relative steps keep each path short; the tree is 1,500 folders deep
        for _ in range(1500):
            os.mkdir("a")
            os.chdir("a")
        Path("link.yaml").symlink_to("../a")
        os.chdir(repo)
        code, out, err = cached_equals_fresh(["validate"], repo)
    finally:
        _remove_deep(deep)  # shutil.rmtree (and pytest's clean-up of tmp_path) would recurse
    assert code == 1 and "internal error" not in err
    assert "/a/link.yaml: error: folder is a symbolic link; links are not allowed anywhere inside a portfolio" in out


def _remove_deep(top: Path) -> None:
    os.chdir(top)
    depth = 0
    while os.path.isdir("a") and not os.path.islink("a"):
        os.chdir("a")
        depth += 1
    Path("link.yaml").unlink(missing_ok=True)
    for _ in range(depth):
        os.chdir("..")
        os.rmdir("a")
    os.chdir(top.parent)
    top.rmdir()


def _status_importing_policy(repo: Path) -> tuple[str, bool]:
    """`compfw status --json` on Asha in a fresh process: its output, and whether it imported the
    trust policy's models (about 8 ms to build, more than the rest of the work on one portfolio)."""
    code = ("import sys; from compfw.cli import main; sys.argv = ['compfw', 'status', sys.argv[1], '--json']\n"
            "try:\n    main()\nexcept SystemExit as done:\n"
            "    sys.stderr.write(f'exit {done.code}; policy imported: {\"compfw.model.policy\" in sys.modules}')")
    done = subprocess.run([sys.executable, "-c", code, ASHA], cwd=repo, capture_output=True, text=True,
                          env=os.environ, timeout=60)
    found = re.search(r"exit 0; policy imported: (True|False)\Z", done.stderr)
    assert found, done.stderr[-500:]
    return done.stdout, found.group(1) == "True"


def test_after_an_edit_status_takes_the_sanctioned_overrides_from_the_cache(repo):
    edit_framework(repo)  # the repository's edition differs from the shipped one, and is sanctioned
    first, imported = _status_importing_policy(repo)
    assert imported  # the policy lists an override: it is validated once
    edit_evidence(repo)
    after, imported = _status_importing_policy(repo)
    assert not imported  # the policy is unchanged: its verdict comes from the cache
    assert after != first and after == run(["status", ASHA, "--json", "--no-cache"], repo)[1]
    (repo / ".compfw" / "policy.yaml").write_text("admins:\n  - {name: A Admin, email: a@example.org}\n")
    unsanctioned, imported = _status_importing_policy(repo)
    # A policy that lists no override sanctions none, valid or not: nothing to validate for that.
    assert not imported and unsanctioned != after
    assert unsanctioned == run(["status", ASHA, "--json", "--no-cache"], repo)[1]
