"""What a person sees day to day, through the installed entry point with a real pipe: ids never
wrapped, text never cut, options accepted where people type them."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import REPO

COMPFW = Path(sys.executable).parent / "compfw"


def piped(args: list[str], cwd: Path = REPO, **env: str) -> subprocess.CompletedProcess:
    """compfw with stdout a pipe, COLUMNS unset (a pipe has no width)."""
    environ = {k: v for k, v in os.environ.items() if k not in ("COLUMNS", "TTY_COMPATIBLE", "FORCE_COLOR")}
    return subprocess.run([str(COMPFW), *args], cwd=cwd, capture_output=True, text=True,
                          env={**environ, **env}, timeout=60)


def test_framework_list_piped_keeps_every_id_and_title_whole():
    done = piped(["framework", "list"])
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    informatics = [line for line in lines if "nhs-gmts-informatics" in line]
    assert len(informatics) == 1
    assert informatics[0].split()[:2] == ["nhs-gmts-informatics", "2.1"]
    assert informatics[0].endswith("NHS Graduate Management Training Scheme: Informatics Competency Framework")


def test_framework_list_never_wraps_an_id_at_any_width():
    for columns in ("40", "80", "120"):
        done = piped(["framework", "list"], COLUMNS=columns, TTY_COMPATIBLE="1")
        assert done.returncode == 0, done.stderr
        ids = [line.split()[0] for line in done.stdout.splitlines()[2:] if not line.startswith(" ")]
        assert ids == ["dhsc-senior-leadership-potential", "nhs-gmts-informatics", "nhs-leadership-framework",
                       "nhs-management-leadership-standards", "nhse-board-leadership"], columns


LONGEST_2_2_2 = ("Works with clinicians and other senior representatives (and, where possible, patients?) within "
                 "the organisation and use information to support a case for change or implementation of a "
                 "recommendation.")


def test_status_piped_prints_every_competency_text_whole():
    done = piped(["status", "portfolios/ben-okafor", "--as-of", "2026-11-22"], COLUMNS="80")
    assert done.returncode == 0, done.stderr
    row = [line for line in done.stdout.splitlines() if line.startswith("2.2.2 ")]
    assert row == [f"2.2.2      3      3*  Achieved            {LONGEST_2_2_2}"]
    assert "…" not in done.stdout


def test_status_goldens_fit_their_width():
    """Every line of the terminal goldens fits the terminal; the piped ones are never wrapped."""
    from rich.cells import cell_len

    from conftest import CASES

    for case in sorted((CASES / "status").glob("midway-*")):
        lines = (case / "expected.txt").read_text().splitlines()
        width = 80 if case.name.endswith("-80") else 120 if case.name.endswith("-120") else None
        if width:
            assert max(cell_len(line) for line in lines) <= width, case.name
        else:
            assert max(cell_len(line) for line in lines) > 120, case.name  # long lines left whole


def test_brief_is_a_few_lines_with_the_plan_first():
    done = piped(["status", "portfolios/ben-okafor", "--as-of", "2026-11-22", "--brief"])
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines() == [
        "Ben Okafor (ben-okafor): 23.8% achieved (24 of 101), Behind pace (expected 51.4%)",
        "67 more achievements needed by 2027-08-31 to meet 'End of the Scheme (graduation standard)' (90%). "
        "28 more to stay on pace (expected 51.4% today).",
        "Next steps (the plan for Placement 2 first):",
        "  3.3.1 (target 3): Instructs and manages other team members in particular activities/projects while "
        "ensuring appropriate accountabilities and clear goals are in place",
        "  4.4.2 (target 3): Has experience of supporting the implementation of a change management process/project",
        "  3.2.4 (target 3): Understands local informatics capability and capacity.",
    ]


@pytest.mark.parametrize("args", [
    ["status", "portfolios/asha-patel", "--brief", "--no-color"],
    ["status", "--no-color", "portfolios/asha-patel", "--brief"],
    ["validate", "--no-color"],
    ["framework", "list", "--no-color"],
    ["framework", "--no-color", "list"],
    ["export", "csv", "nhs-gmts-informatics", "--no-color"],
    ["report", "--cohort", "--no-color"],
])
def test_global_options_are_accepted_after_the_subcommand(cli, monkeypatch, args):
    monkeypatch.delenv("NO_COLOR", raising=False)
    result = cli(args, cwd=REPO)
    assert result.exit_code == 0, result.stderr
    assert os.environ.get("NO_COLOR") == "1"
    monkeypatch.delenv("NO_COLOR", raising=False)
