"""What a person sees day to day, through the installed entry point with a real pipe: ids never
wrapped, text never cut, options accepted where people type them."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

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
