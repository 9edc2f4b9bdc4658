"""The command line as a user meets it: the installed entry point, finding 'my' portfolio by
git user.email, usage errors, and the GitHub escaping that keeps portfolio text inert."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from conftest import REPO, git

from compfw.files.problems import Problem
from compfw.render.reporters import escape_data, render_problems

COMPFW = Path(sys.executable).parent / "compfw"


def run(args: list[str], cwd: Path, **env: str) -> subprocess.CompletedProcess:
    return subprocess.run([str(COMPFW), *args], cwd=cwd, capture_output=True, text=True,
                          env={**os.environ, **env}, timeout=60)


def test_installed_entry_point_shows_an_example_portfolio():
    done = run(["status", "portfolios/chloe-evans", "--json", "--as-of", "2026-11-22"], REPO)
    assert done.returncode == 0, done.stderr
    doc = json.loads(done.stdout)
    assert doc["trainee"]["id"] == "chloe-evans"
    assert doc["framework"] == {**doc["framework"], "id": "nhs-gmts-informatics", "version": "2.1"}
    assert doc["required"] == 101
    assert doc["readiness"]["graduation_ready"] is True
    assert doc["percent_achieved"] == round(100 * doc["achieved"] / 101, 1)
    assert sum(doc["counts"].values()) == 101
    assert done.stderr == ""


def test_installed_entry_point_validates_the_shipped_data():
    done = run(["validate"], REPO)
    assert (done.returncode, done.stdout) == (0, "ok: no problems in frameworks, portfolios\n")


def test_example_portfolios_are_on_track_behind_and_near_graduation(cli):
    verdicts = {}
    for name in ("asha-patel", "ben-okafor", "chloe-evans"):
        result = cli(["status", f"portfolios/{name}", "--json", "--as-of", "2026-11-22"], cwd=REPO)
        assert result.exit_code == 0, result.stderr
        doc = json.loads(result.stdout)
        verdicts[name] = (doc["readiness"]["verdict"], doc["readiness"]["graduation_ready"])
    assert verdicts == {"asha-patel": ("on_track", False), "ben-okafor": ("behind", False),
                        "chloe-evans": ("on_track", True)}


def test_status_without_argument_finds_my_portfolio_by_git_email(git_repo, cli):
    root = git_repo(REPO / "tests" / "cases" / "status" / "boundaries-json" / "repo")
    git(root, "config", "user.email", "ANN@example.org")
    result = cli(["status", "--json"], cwd=root)
    assert result.exit_code == 0, result.stderr
    assert json.loads(result.stdout)["trainee"]["id"] == "ann"


def test_status_without_argument_and_unknown_email_says_what_to_do(git_repo, cli):
    root = git_repo(REPO / "tests" / "cases" / "status" / "boundaries-json" / "repo")
    git(root, "config", "user.email", "stranger@example.org")
    result = cli(["status"], cwd=root)
    assert result.exit_code == 1
    assert result.stderr.startswith("error: no portfolio in ")
    assert "has trainee email stranger@example.org\nhint: pass the portfolio folder explicitly" in result.stderr


def test_bad_date_and_bad_format_are_usage_errors(cli):
    bad_date = cli(["status", "portfolios/asha-patel", "--as-of", "22/11/2026"], cwd=REPO)
    assert bad_date.exit_code == 2
    assert "'22/11/2026' is not a date; write YYYY-MM-DD" in bad_date.stderr
    bad_format = cli(["validate", "--format", "xml"], cwd=REPO)
    assert bad_format.exit_code == 2
    assert "choose one of text, json, github, auto" in bad_format.stderr


def test_missing_portfolio_folder_is_a_clear_error(cli, tmp_path):
    result = cli(["status", "nowhere"], cwd=tmp_path)
    assert result.exit_code == 1
    assert result.stderr == "error: nowhere is not a portfolio folder\nhint: give the folder that holds portfolio.yaml\n"


def test_auto_format_is_github_under_github_actions(cli, make_repo, monkeypatch):
    root = make_repo(REPO / "tests" / "cases" / "validate" / "broken-inputs" / "repo")
    monkeypatch.setenv("GITHUB_ACTIONS", "true")
    result = cli(["validate", "portfolios/level-seven"], cwd=root)
    assert result.exit_code == 1
    assert result.stdout == (
        "::error file=portfolios/level-seven/signoffs/a.yaml,line=2,col=8,title=compfw signoff::"
        "level 7 is not on the scale of mini (hint: use one of [1, 2, 3, 4, 5])\n"
        "1 error(s), 0 warning(s) in portfolios/level-seven\n")


def test_github_messages_cannot_start_a_new_workflow_command():
    problem = Problem("p.yaml", 3, 4, "name 'x\n::error::owned' is odd\r\n100%", "hint,with: colon")
    out = render_problems([problem], "github", "p.yaml")
    first = out.splitlines()[0]
    assert first == ("::error file=p.yaml,line=3,col=4,title=compfw invalid::"
                     "name 'x%0A::error::owned' is odd%0D%0A100%25 (hint: hint,with: colon)")
    assert escape_data("a\nb") == "a%0Ab"
    assert len(out.splitlines()) == 2


def test_reflective_piece_criteria_are_shown_where_the_piece_is_next(cli):
    """asha-patel has not had Personal Qualities signed off: status's "what next" and the trainee
    report show the framework's criteria for the piece under section 1; chloe-evans (all achieved)
    gets none."""
    import yaml

    data = yaml.safe_load((REPO / "frameworks" / "nhs-gmts-informatics.yaml").read_text())
    criteria = data["reflective_piece"]["criteria"]
    shown = cli(["status", "portfolios/asha-patel", "--as-of", "2026-11-22"], cwd=REPO).stdout
    after = shown.split("\nWhat next\n", 1)[1]
    at = after.index("Next: the reflective piece for Personal Qualities (1800-2200 words, completed between "
                     "2026-08-31 and 2027-08-31). When providing evidence, trainees are advised to consider")
    listed = [line.strip() for line in after[at:].splitlines()[1:]]
    expected = [line for g in criteria for line in [g["heading"], *(f"- {item}" for item in g["items"])]]
    assert listed[:len(expected)] == expected
    report = cli(["report", "portfolios/asha-patel", "--as-of", "2026-11-22"], cwd=REPO).stdout
    block = "".join(f"- **{g['heading']}**\n" + "".join(f"  - {item}\n" for item in g["items"]) for g in criteria)
    assert block in report
    done = cli(["status", "portfolios/chloe-evans", "--as-of", "2026-11-22"], cwd=REPO).stdout
    assert "Next: the reflective piece" not in done
