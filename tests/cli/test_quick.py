"""`compfw status` and `compfw report --cohort` parsed by hand (cli.quick) answer exactly as the
typer app does, and leave to the app every command line they do not fully understand."""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import REPO

from compfw.cli.quick import parse_cohort_report, parse_status

COMPFW = Path(sys.executable).parent / "compfw"

SPELLINGS = [
    ["status", "portfolios/asha-patel"],
    ["status", "portfolios/asha-patel", "--json"],
    ["status", "--json", "portfolios/chloe-evans"],
    ["status", "portfolios/ben-okafor", "--as-of", "2026-03-01"],
    ["status", "portfolios/ben-okafor", "--as-of=2026-03-01", "--json"],
    ["status", "portfolios/ben-okafor", "--no-cache", "--json"],
    ["--no-color", "status", "portfolios/asha-patel"],
    ["status", "portfolios/no-such-trainee"],
    ["status", "portfolios/asha-patel", "--as-of", "2026-02-30"],
    ["status", "portfolios/asha-patel", "--as-of", "0001-01-01"],  # a date, but outside the accepted range
    ["status", "portfolios/asha-patel", "--json", "--as-of=3000-01-01"],
    ["status", "portfolios/asha-patel", "--no-color", "--brief"],
    ["status", "portfolios/asha-patel", "--no-color"],
    ["status", "portfolios/asha-patel", "--as-of"],
    ["status", "portfolios/asha-patel", "portfolios/ben-okafor"],
    ["status", "--help"],
    ["status", "-x"],
    ["report", "--cohort"],
    ["report", "--cohort", "portfolios"],
    ["report", "portfolios", "--cohort", "--format", "csv"],
    ["report", "--cohort", "--format=csv", "--no-cache"],
    ["report", "--cohort", "-f", "md", "--as-of", "2026-06-30"],
    ["report", "--cohort", "--as-of=2026-06-30", "--stale-days", "3", "-j", "1"],
    ["report", "--cohort", "--context-json", "--jobs=2", "--stale-days=0"],
    ["report", "--cohort", "--template", "cohort"],
    ["report", "--cohort", "-t", "no-such-template"],
    ["report", "--cohort", "-t", "trainee"],
    ["report", "--cohort", "--format", "csv", "--template", "cohort"],
    ["report", "--cohort", "portfolios/asha-patel/signoffs"],
    ["report", "--cohort", "portfolios/no-such-folder"],
    ["--no-color", "report", "--cohort", "--no-color"],
    ["report", "--cohort", "--as-of", "0001-01-01"],
    ["report", "--cohort", "--as-of", "2026-02-30"],
    ["report", "--cohort", "--format", "pdf"],
    ["report", "--cohort", "--stale-days", "-1"],
    ["report", "--cohort", "--jobs", "two"],
    ["report", "--cohort", "--since", "2026-01-01"],
    ["report", "--cohort", "--cohort"],
    ["report", "--cohort", "portfolios", "templates"],
    ["report", "--cohort", "--jobs"],
]


@pytest.mark.parametrize("args", SPELLINGS, ids=" ".join)
def test_the_entry_point_answers_as_the_app(args, cli):
    done = subprocess.run([str(COMPFW), *args], cwd=REPO, capture_output=True, text=True, env=os.environ, timeout=60)
    app = cli(args, REPO)
    assert (done.returncode, done.stdout) == (app.exit_code, app.stdout)
    assert done.stderr == app.stderr


def test_status_by_email_answers_as_the_app(cli, isolated_env):
    (isolated_env / ".gitconfig").write_text("[user]\n\temail = Chloe.Evans@example.org\n")
    done = subprocess.run([str(COMPFW), "status", "--json"], cwd=REPO, capture_output=True, text=True,
                          env=os.environ, timeout=60)
    assert done.returncode == 0, done.stderr
    assert done.stdout == cli(["status", "--json"], REPO).stdout
    assert '"id": "chloe-evans"' in done.stdout


def test_plain_spellings_are_parsed_here():
    assert parse_status(["status", "p", "--as-of=2026-01-02", "--json", "--no-cache"]) == {
        "path": Path("p"), "as_of": dt.date(2026, 1, 2), "json_out": True, "cache": False, "no_color": False}
    assert parse_status(["--no-color", "status"])["no_color"] is True


def test_plain_cohort_report_spellings_are_parsed_here():
    assert parse_cohort_report(["report", "p", "--cohort", "-o", "out.md", "--format=csv", "-j", "3",
                                "--stale-days", "7", "--as-of", "2026-01-02", "--no-cache"]) == {
        "path": Path("p"), "output": Path("out.md"), "template": None, "as_of": dt.date(2026, 1, 2), "fmt": "csv",
        "context_json": False, "stale_days": 7, "jobs": 3, "cache": False, "no_color": False}
    assert parse_cohort_report(["--no-color", "report", "--cohort", "-t", "mine"])["template"] == "mine"


@pytest.mark.parametrize("args", [
    ["report"], ["report", "portfolios/asha-patel"], ["report", "--cohort", "--since", "2026-01-01"],
    ["report", "--cohort", "--last", "3"], ["report", "--cohort", "-j4"], ["report", "--cohort", "-o=x.md"],
    ["report", "--cohort", "--jobs", "٣"], ["report", "--cohort", "--stale-days", "-1"],
    ["report", "--cohort", "--output", ""], ["report", "--cohort", "--template", "--no-cache"],
    ["report", "--cohort", "--format", "pdf"], ["report", "--cohort", "--as-of", "0001-01-01"],
    ["report", "--cohort", "--cohort"], ["report", "--cohort", "--no-cache", "--no-cache"],
    ["report", "--cohort", "--jobs", "1", "-j", "2"], ["report", "--cohort=yes"], ["report", "--cohort", "--", "p"],
    ["report", "--cohort", "-h"], ["status", "--as-of", "0001-01-01"],
])
def test_other_report_lines_go_to_the_app(args):
    assert parse_cohort_report(args) is None and parse_status(args) is None


def test_a_cohort_report_written_to_a_file_is_the_apps(cli, tmp_path):
    quick, app = tmp_path / "quick.md", tmp_path / "app.md"
    done = subprocess.run([str(COMPFW), "report", "--cohort", "-o", str(quick)], cwd=REPO, capture_output=True,
                          text=True, env=os.environ, timeout=60)
    answered = cli(["report", "--cohort", "-o", str(app)], REPO)
    assert (done.returncode, answered.exit_code) == (0, 0), done.stderr
    assert quick.read_text() == app.read_text()
    assert "| Asha Patel" in quick.read_text()
    assert done.stderr == answered.stderr.replace("app.md", "quick.md")


@pytest.mark.parametrize("args", [
    [], ["validate"], ["status", "-h"], ["status", "--help"], ["status", "a", "b"], ["status", "--as-of"],
    ["status", "--as-of", "yesterday"], ["status", "--", "p"], ["status", "--jsn"], ["--version", "status"],
])
def test_everything_else_goes_to_the_app(args):
    assert parse_status(args) is None


@pytest.mark.parametrize("args", [["status", "portfolios/asha-patel", "--json"], ["status", "portfolios/chloe-evans"],
                                  ["report", "--cohort", "-j", "1"]], ids=" ".join)
def test_the_plain_spellings_import_nothing_they_do_not_need(args):
    # typer's options cost a tenth of a second; difflib (did-you-mean hints) and shlex (quoting a
    # path in one git refusal) serve only messages a valid portfolio never gets, the migration
    # records' reader only a portfolio that was migrated (none of the examples), and rich only a
    # terminal or text that is not plain ASCII (the output here is piped).
    code = ("import sys; from compfw.cli import main; sys.argv = ['compfw', *sys.argv[1:]]\n"
            "try:\n    main()\nexcept SystemExit as done:\n"
            "    unneeded = [m for m in ('typer', 'difflib', 'shlex', 'compfw.model.migrations', 'rich')\n"
            "                if m in sys.modules]\n"
            "    sys.stderr.write(f'exit {done.code}; imported: {unneeded}')")
    done = subprocess.run([sys.executable, "-c", code, *args], cwd=REPO, capture_output=True, text=True,
                          env=os.environ, timeout=60)
    assert done.stderr.endswith("exit 0; imported: []"), done.stderr[-500:]


def test_a_cohort_report_collects_garbage_as_the_app_does():
    # `status` runs without the cyclic collector; a cohort's workers, forked from this process,
    # must not: a large cohort would keep every cycle it made.
    code = ("import gc, sys; import compfw.cli.commands.report as report; real = report.run_report\n"
            "def spy(*args, **kwargs):\n"
            "    sys.stderr.write(f'collecting: {gc.isenabled()} {gc.get_threshold()}\\n')\n"
            "    return real(*args, **kwargs)\n"
            "report.run_report = spy; from compfw.cli import main; sys.argv = ['compfw', 'report', '--cohort']\n"
            "try:\n    main()\nexcept SystemExit as done:\n    sys.stderr.write(f'exit {done.code}')")
    done = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, env=os.environ,
                          timeout=60)
    assert done.stderr == "collecting: True (20000, 50, 1000)\nexit 0", done.stderr[-500:]
