"""The trajectory (issue 18): `status --json`'s series, the trainee report's chart and caption, the
cohort's trend columns and order, and the sparkline beside `compfw status`'s percentage.

The chart's data points are checked against `compfw status --as-of` run for each month end, for
every trainee golden report and the docs example, so the picture can never drift from the number.
"""

from __future__ import annotations

import calendar
import datetime as dt
import json
import re

import pytest
import yaml
from conftest import CASES, REPO
from mermaid_check import mermaid_blocks, mermaid_parse, xychart_structure

from compfw.engine.trajectory import by_record_count, trajectory_dates
from compfw.render.trajectory_view import caption, sparkline, trend

CASE = CASES / "report"
GOLDENS = yaml.safe_load((CASE / "goldens.yaml").read_text())
TRAINEE_GOLDENS = [g for g in GOLDENS if g["args"][1] != "--cohort" and not {"-t", "--template"} & set(g["args"])]
MONTHS = {name: i + 1 for i, name in enumerate(calendar.month_abbr[1:])}


@pytest.fixture
def repo(make_repo):
    return make_repo(CASE / "repo")


def label_date(label: str) -> dt.date:
    """'Sep 2025' is the end of that month; '22 Nov 2026' is that day."""
    parts = label.split()
    if len(parts) == 3:
        return dt.date(int(parts[2]), MONTHS[parts[1]], int(parts[0]))
    year, month = int(parts[1]), MONTHS[parts[0]]
    return dt.date(year, month, calendar.monthrange(year, month)[1])


def status_at(cli, cwd, portfolio: str, day: dt.date) -> dict:
    result = cli(["status", portfolio, "--json", "--as-of", day.isoformat()], cwd=cwd)
    assert result.exit_code == 0, result.stderr
    return json.loads(result.stdout)


def assert_chart_matches_status(markdown: str, cli, cwd, portfolio: str, as_of: str) -> None:
    charts = [b for b in mermaid_blocks(markdown) if "\nxychart-beta\n" in b]
    assert len(charts) == 1
    chart = xychart_structure(charts[0])
    days = [label_date(label) for label in chart["labels"]]
    assert days[-1] == dt.date.fromisoformat(as_of)
    assert days == trajectory_dates(days[0].replace(day=1), days[-1])
    final = status_at(cli, cwd, portfolio, days[-1])
    due = {dt.date.fromisoformat(m["due"]): m["percent"] for m in final["readiness"]["milestones"]}
    charted = any(d <= days[-1] for d in due)
    kinds = [kind for kind, _ in chart["series"]]
    assert kinds == ["bar", "line", "line"] if charted else ["line", "line"]
    series = [values for _, values in chart["series"]]
    bars = series.pop(0) if charted else [0.0] * len(days)
    achieved, expected = series
    for i, day in enumerate(days):
        doc = status_at(cli, cwd, portfolio, day)
        assert (achieved[i], expected[i]) == (doc["percent_achieved"], doc["readiness"]["expected_percent"]), day
        falls_due = [pct for d, pct in due.items() if (days[i - 1] if i else dt.date.min) < d <= day]
        assert bars[i] == (max(falls_due) if falls_due else 0.0), day
    assert f"\n{caption(final['trajectory'])}\n" in markdown
    assert f"{final['percent_achieved']:g}% by " in caption(final["trajectory"])


@pytest.mark.parametrize("case", TRAINEE_GOLDENS, ids=lambda c: c["expected"])
def test_golden_chart_points_are_what_status_says(case, repo, cli):
    markdown = (CASE / "expected" / case["expected"]).read_text(encoding="utf-8")
    assert_chart_matches_status(markdown, cli, repo, case["args"][1], case["args"][-1])


def test_docs_example_chart_points_are_what_status_says(cli):
    if not (REPO / "portfolios" / "asha-patel" / "portfolio.yaml").exists():
        pytest.skip("the example portfolios are not in this checkout")
    markdown = (REPO / "docs" / "reports" / "trainee-report.md").read_text(encoding="utf-8")
    assert_chart_matches_status(markdown, cli, REPO, "portfolios/asha-patel", "2026-11-22")


def test_every_mermaid_block_parses_with_mermaid():
    """Mermaid 11's own parser, when installed (tests/tools/mermaid: `npm ci`)."""
    files = sorted((CASE / "expected").glob("*.md")) + sorted((REPO / "docs" / "reports").glob("*.md"))
    blocks = [block for path in files for block in mermaid_blocks(path.read_text(encoding="utf-8"))]
    assert sum("\nxychart-beta\n" in b for b in blocks) >= 5
    verdicts = mermaid_parse(blocks)
    if verdicts is None:
        pytest.skip("Mermaid's parser is not installed (cd tests/tools/mermaid && npm ci); structure checked only")
    assert [v for v in verdicts if not v["ok"]] == []
    assert {v["type"] for v in verdicts} == {"pie", "xychart"}


def test_mermaid_parser_rejects_a_broken_chart():
    verdicts = mermaid_parse(['xychart-beta\n    title "a "b" c"\n    line [1.0]\n'])
    if verdicts is None:
        pytest.skip("Mermaid's parser is not installed (cd tests/tools/mermaid && npm ci)")
    assert verdicts[0]["ok"] is False


@pytest.mark.parametrize("body", [
    # a series shorter than the axis
    '%%{init: {"themeVariables": {"xyChart": {"plotColorPalette": "#1f6feb"}}}}%%\nxychart-beta\n'
    '    title "Percentage achieved at each month end"\n    x-axis ["Sep 2025", "Oct 2025"]\n'
    '    y-axis "Percent" 0 --> 100\n    line [1.0]\n',
    # text that is not a generated month label
    '%%{init: {"themeVariables": {"xyChart": {"plotColorPalette": "#1f6feb"}}}}%%\nxychart-beta\n'
    '    title "Percentage achieved at each month end"\n    x-axis ["Ada Quinn"]\n'
    '    y-axis "Percent" 0 --> 100\n    line [1.0]\n',
    # a y-axis that is not 0-100
    '%%{init: {"themeVariables": {"xyChart": {"plotColorPalette": "#1f6feb"}}}}%%\nxychart-beta\n'
    '    title "Percentage achieved at each month end"\n    x-axis ["Sep 2025"]\n'
    '    y-axis "Percent" 0 --> 50\n    line [1.0]\n',
], ids=["short-series", "data-label", "y-axis"])
def test_structure_check_catches(body):
    with pytest.raises(AssertionError):
        xychart_structure(body)


# --- the series in status --json ----------------------------------------------------------------


def test_status_json_trajectory(repo, cli):
    doc = status_at(cli, repo, "portfolios/ben", dt.date(2026, 3, 31))
    assert doc["trajectory"][0] == {"date": "2025-09-30", "percent": 0.0, "expected": 3.2}
    assert [p["date"] for p in doc["trajectory"]][-2:] == ["2026-02-28", "2026-03-31"]
    assert len(doc["trajectory"]) == 7
    last = doc["trajectory"][-1]
    assert (last["percent"], last["expected"]) == (doc["percent_achieved"], doc["readiness"]["expected_percent"])


def test_trajectory_before_the_scheme_and_after_it(repo, cli):
    assert status_at(cli, repo, "portfolios/ben", dt.date(2025, 8, 31))["trajectory"] == []
    first_day = status_at(cli, repo, "portfolios/ben", dt.date(2025, 9, 1))["trajectory"]
    assert first_day == [{"date": "2025-09-01", "percent": 0.0, "expected": 0.0}]
    after = status_at(cli, repo, "portfolios/ben", dt.date(2027, 10, 15))["trajectory"]
    assert [p["date"] for p in after][-3:] == ["2027-08-31", "2027-09-30", "2027-10-15"]
    assert after[-1]["expected"] == after[-2]["expected"] == 90.0


def test_trainee_report_before_the_scheme_says_so(repo, cli):
    result = cli(["report", "portfolios/ben", "--as-of", "2025-08-01"], cwd=repo)
    assert result.exit_code == 0
    assert "xychart-beta" not in result.stdout
    assert "## Progress over time\n\nThe scheme has not started yet: there is no progress to show.\n" in result.stdout


def test_framework_without_milestones_draws_one_line(repo, cli):
    path = repo / "frameworks" / "mini.yaml"
    text = path.read_text()
    path.write_text(re.sub(r"milestones:\n(  - .*\n)+", "milestones: []\n", text))
    doc = status_at(cli, repo, "portfolios/ben", dt.date(2026, 11, 22))
    assert {p["expected"] for p in doc["trajectory"]} == {None}
    report = cli(["report", "portfolios/ben", "--as-of", "2026-11-22"], cwd=repo).stdout
    chart = xychart_structure(mermaid_blocks(report)[0])
    assert [kind for kind, _ in chart["series"]] == ["line"]
    assert ("Percentage achieved rose from 0% in Sep 2025 to 60% by 22 Nov 2026; the framework has no "
            "milestones, so there is no pace line.\n") in report
    assert "In the chart, the blue line is the percentage achieved.\n" in report


# --- cost, pictures, words ----------------------------------------------------------------------


def test_one_status_evaluation_per_distinct_set_of_records():
    asked = []
    records = [dt.date(2026, 1, 10), dt.date(2026, 1, 20), dt.date(2026, 5, 1)]
    percent_at = by_record_count(records, lambda day: asked.append(day) or len(asked))
    days = trajectory_dates(dt.date(2025, 9, 1), dt.date(2026, 11, 22))
    values = [percent_at(day) for day in days]
    assert len(days) == 15
    assert asked == [dt.date(2025, 9, 30), dt.date(2026, 1, 31), dt.date(2026, 5, 31)]
    assert values == [1] * 4 + [2] * 4 + [3] * 7


def test_dates_are_month_ends_then_the_as_of_date():
    assert trajectory_dates(dt.date(2024, 1, 15), dt.date(2024, 3, 31)) == [
        dt.date(2024, 1, 31), dt.date(2024, 2, 29), dt.date(2024, 3, 31)]
    assert trajectory_dates(dt.date(2024, 1, 31), dt.date(2024, 2, 1)) == [dt.date(2024, 1, 31), dt.date(2024, 2, 1)]
    assert trajectory_dates(dt.date(2024, 1, 15), dt.date(2024, 1, 20)) == [dt.date(2024, 1, 20)]
    assert trajectory_dates(dt.date(2024, 1, 15), dt.date(2024, 1, 14)) == []


def test_sparkline_is_on_an_absolute_scale():
    assert sparkline([0, 12.4, 12.5, 50, 87.5, 99.9, 100]) == "▁▁▂▅███"
    assert sparkline([0, 12.4, 12.5, 50, 87.5, 99.9, 100], ascii=True) == "__.=###"
    assert sparkline([]) == ""


def point(date: str, percent: float, expected: float | None) -> dict:
    return {"date": date, "percent": percent, "expected": expected}


def test_trend_gaps_now_and_three_month_ends_before():
    series = [point(f"2026-0{m}-28", 10.0 * m, 8.0 * m) for m in range(1, 9)]
    assert trend(series) == {"sparkline": "▃▄▅▅▆▇", "from": "2026-03-28", "gap_now": 16.0,
                             "gap_3_months_ago": 10.0, "gap_change": 6.0}
    short = trend(series[:3])
    assert (short["sparkline"], short["gap_now"], short["gap_3_months_ago"], short["gap_change"]) == \
        ("▁▂▃", 6.0, None, None)
    assert trend([]) == {"sparkline": "", "from": None, "gap_now": None, "gap_3_months_ago": None,
                         "gap_change": None}


@pytest.mark.parametrize("series,words", [
    ([point("2025-09-30", 0.0, 3.2), point("2026-11-22", 34.7, 38.6)],
     "Percentage achieved rose from 0% in Sep 2025 to 34.7% by 22 Nov 2026; the pace line expects 38.6%: "
     "3.9 points behind."),
    ([point("2025-09-30", 5.0, 3.2), point("2026-10-31", 5.0, 5.0)],
     "Percentage achieved stayed at 5% from Sep 2025 to Oct 2026; the pace line expects 5%: level with it."),
    ([point("2025-09-12", 2.5, 1.0)],
     "Percentage achieved was 2.5% by 12 Sep 2025; the pace line expects 1%: 1.5 points ahead."),
    ([], "The scheme has not started yet: there is no progress to show."),
], ids=["rose-behind", "stayed-level", "one-point-ahead", "none"])
def test_caption(series, words):
    assert caption(series) == words


# --- the cohort -----------------------------------------------------------------------------------


def test_cohort_trend_and_order(repo, cli):
    context = json.loads(cli(["report", "--cohort", "--context-json", "--as-of", "2026-11-22"], cwd=repo).stdout)
    rows = [(r["trainee"]["id"], r["verdict"], r["trend"]["gap_change"], r["percent_achieved"])
            for r in context["rows"]]
    # missed milestones and behind first; then stale (cy and dee: nothing for 43 days); within each
    # tier the gap that shrank most (or grew least) over three month ends; then the gap to pace
    assert rows == [("hostile", "behind", -11.4, 10.0), ("ada", "behind", -11.4, 20.0),
                    ("cy", "on_track", 8.6, 100.0), ("dee", "far_ahead", 10.9, 70.0),
                    ("ben", "on_track", 8.6, 60.0)]
    ben = next(r for r in context["rows"] if r["trainee"]["id"] == "ben")
    doc = status_at(cli, repo, "portfolios/ben", dt.date(2026, 11, 22))
    assert ben["trend"]["sparkline"] == sparkline([p["percent"] for p in doc["trajectory"][-6:]])
    then = status_at(cli, repo, "portfolios/ben", dt.date(2026, 8, 31))
    assert ben["trend"]["gap_3_months_ago"] == round(then["percent_achieved"] - then["readiness"]["expected_percent"], 1)


# --- compfw status ------------------------------------------------------------------------------


def test_status_shows_the_trend_in_plain_characters_without_colour(repo, cli):
    result = cli(["status", "portfolios/ben", "--as-of", "2026-11-22"], cwd=repo)
    assert result.exit_code == 0
    assert result.stdout.split("\n")[1] == (
        " 60.0% achieved ██████████████████░░░░░░░░░░░░  6 of 10 competencies  trend since Jun 2026: ::::==")


def test_status_shows_block_characters_on_a_terminal(repo, monkeypatch):
    """Through a pseudo-terminal, with colour allowed: the installed entry point, as a person runs it."""
    import os
    import pty
    import subprocess
    import sys
    from pathlib import Path

    monkeypatch.delenv("NO_COLOR")
    leader, follower = pty.openpty()
    env = dict(os.environ, TERM="xterm-256color", COLUMNS="200")
    done = subprocess.run([str(Path(sys.executable).parent / "compfw"), "status", "portfolios/ben", "--as-of", "2026-11-22"],
                          cwd=repo, env=env, stdin=follower, stdout=follower, stderr=subprocess.PIPE, timeout=60)
    os.close(follower)
    chunks = []
    while True:
        try:
            chunk = os.read(leader, 65536)
        except OSError:
            break
        if not chunk:
            break
        chunks.append(chunk)
    os.close(leader)
    assert done.returncode == 0, done.stderr
    shown = re.sub(r"\x1b\[[0-9;]*m", "", b"".join(chunks).decode("utf-8")).replace("\r\n", "\n")
    assert "6 of 10 competencies  trend since Jun 2026: ▄▄▄▄▅▅\n" in shown
