"""`compfw status` parsed by hand (cli.quick) answers exactly as the typer app does, and leaves
to the app every command line it does not fully understand."""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import REPO

from compfw.cli.quick import parse_status

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
    ["status", "portfolios/asha-patel", "--no-color", "--brief"],
    ["status", "portfolios/asha-patel", "--no-color"],
    ["status", "portfolios/asha-patel", "--as-of"],
    ["status", "portfolios/asha-patel", "portfolios/ben-okafor"],
    ["status", "--help"],
    ["status", "-x"],
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


@pytest.mark.parametrize("args", [
    [], ["validate"], ["status", "-h"], ["status", "--help"], ["status", "a", "b"], ["status", "--as-of"],
    ["status", "--as-of", "yesterday"], ["status", "--", "p"], ["status", "--jsn"], ["--version", "status"],
])
def test_everything_else_goes_to_the_app(args):
    assert parse_status(args) is None
