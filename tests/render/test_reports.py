"""`compfw report`: golden files, Markdown that stays valid whatever a portfolio says, templates
from names and paths, template errors that name the file and line, the cohort and its CSV.

COMPFW_REGEN=1 rewrites the golden files (tests/cases/report/expected/ and docs/reports/) from
the current output; review the diff before committing.
"""

from __future__ import annotations

import csv
import io
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from conftest import CASES, REPO
from markdown_it import MarkdownIt
from mermaid_check import xychart_structure

from compfw.render.bars import bar
from compfw.render.markdown_escape import md_cell, mermaid_label

CASE = CASES / "report"
EXPECTED = CASE / "expected"
GOLDENS = yaml.safe_load((CASE / "goldens.yaml").read_text())
HINT = ("hint: the variables are listed in docs/templates.md; "
        "`compfw report --context-json` prints the data this template receives\n")
REGEN = bool(os.environ.get("COMPFW_REGEN"))


@pytest.fixture
def repo(make_repo):
    """The case portfolios on the mini framework, plus tpl/ (templates given by path)."""
    return make_repo(CASE / "repo", CASE / "extra")


def compare(path: Path, text: str) -> None:
    if REGEN:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8", newline="\n")
    assert text == path.read_text(encoding="utf-8")


# --- golden files -----------------------------------------------------------------------------


@pytest.mark.parametrize("case", GOLDENS, ids=lambda c: c["expected"])
def test_golden(case, repo, cli):
    result = cli(case["args"], cwd=repo)
    assert result.exit_code == 0, result.stderr
    compare(EXPECTED / case["expected"], result.stdout)


DOCS = [
    ("trainee-report.md", ["report", "portfolios/asha-patel", "--as-of", "2026-11-22"]),
    ("review-pack.md", ["report", "portfolios/ben-okafor", "--template", "review-pack", "--since", "2026-09-01",
                        "--as-of", "2026-11-22"]),
    ("cohort-report.md", ["report", "--cohort", "--as-of", "2026-11-22"]),
    ("cohort-report.csv", ["report", "--cohort", "--format", "csv", "--as-of", "2026-11-22"]),
]


@pytest.mark.parametrize("name,args", DOCS, ids=[d[0] for d in DOCS])
def test_docs_examples_are_current(name, args, cli):
    """docs/reports/ holds the reports of the example portfolios; they never go stale."""
    if not (REPO / "portfolios" / "asha-patel" / "portfolio.yaml").exists():
        pytest.skip("the example portfolios are not in this checkout")
    result = cli(args, cwd=REPO)
    assert result.exit_code == 0, result.stderr
    assert result.stderr == ""
    compare(REPO / "docs" / "reports" / name, result.stdout)


def test_output_is_byte_stable(repo, cli):
    first = cli(["report", "--cohort", "--as-of", "2026-11-22"], cwd=repo).stdout
    second = cli(["report", "--cohort", "--as-of", "2026-11-22"], cwd=repo).stdout
    assert first == second
    assert first.endswith("\n") and not first.endswith("\n\n")


def test_broken_signoff_is_warned_about_and_not_counted(repo, cli):
    result = cli(["report", "portfolios/ada", "--as-of", "2026-11-22"], cwd=repo)
    assert result.exit_code == 0
    assert result.stderr == (
        "warning: portfolios/ada/signoffs/2026-10-20-3.1.4.yaml:5:11: error: feedback has 2 words; at least 5 "
        "are required (hint: give detailed, constructive feedback)\n"
        "warning: sign-offs with errors are not counted; run `compfw validate`\n")
    assert "| 3.1.4 | Translates strategy | 3 | — | Not Achieved | — |" in result.stdout


# --- Markdown that no portfolio text can break ------------------------------------------------


def gfm_cells(line: str) -> list[str]:
    """Split a table row into cells as GitHub does: a backslash escapes the next character."""
    line = line.strip()
    cells, current, i = [], "", 0
    if line.startswith("|"):
        i = 1
    while i < len(line):
        ch = line[i]
        if ch == "\\" and i + 1 < len(line):
            current += line[i:i + 2]
            i += 2
            continue
        if ch == "|":
            cells.append(current)
            current = ""
        else:
            current += ch
        i += 1
    if current.strip():
        cells.append(current)
    return cells


def check_markdown(text: str) -> list:
    """Parse with a CommonMark + GFM tables parser; every row has the header's cell count (in
    the source, where the parser would silently pad or drop cells), no HTML but <br>, no
    <script> anywhere, and every Mermaid block is a plain pie chart or compfw's trajectory chart."""
    md = MarkdownIt("commonmark").enable("table")
    tokens = md.parse(text)
    lines = text.split("\n")
    tables = 0
    header = None
    for token in tokens:
        if token.type == "table_open":
            tables += 1
            table_lines = lines[token.map[0]:token.map[1]]
            header = len(gfm_cells(table_lines[0]))
            assert re.fullmatch(r"\|( :?-{3,}:? \|)+", table_lines[1]), table_lines[1]
            for row in table_lines:
                assert row.startswith("| ") and row.endswith(" |"), row
                assert len(gfm_cells(row)) == header, row
        elif token.type == "tr_open":
            row = lines[token.map[0]]
            assert len(gfm_cells(row)) == header, row
        elif token.type == "html_block":
            raise AssertionError(f"HTML block in the report: {token.content!r}")
        elif token.type == "fence" and token.info == "mermaid":
            check_mermaid(token.content)
        elif token.type == "fence":
            raise AssertionError(f"unexpected code block: {token.content!r}")
    for token in tokens:
        for child in token.children or []:
            if child.type == "html_inline":
                assert child.content == "<br>", child.content
            if child.type == "code_inline":  # only the templates' own: progress bars, sparklines, a command
                assert re.fullmatch("[█░]+|[▁▂▃▄▅▆▇█]*|compfw validate", child.content), child.content
    assert "<script" not in text.lower()
    assert "<script" not in md.render(text).lower()
    assert tables > 0
    return tokens


MERMAID_LINE = re.compile(r'pie showData|    title [\w\s\-.,\'/+!?…]+|    "[\w +]+" : \d+')


def check_mermaid(body: str) -> None:
    if "\nxychart-beta\n" in body:
        xychart_structure(body)
        return
    for line in body.rstrip("\n").split("\n"):
        assert MERMAID_LINE.fullmatch(line), line


def cell_text(inline) -> str:
    """What a reader sees in a cell: the text, with <br> as a newline."""
    out = []
    for child in inline.children:
        if child.type in ("text", "text_special"):
            out.append(child.content)
        elif child.type == "html_inline" and child.content == "<br>":
            out.append("\n")
        else:
            raise AssertionError(f"markup in a cell: {child.type} {child.content!r}")
    return "".join(out)


def table_rows(tokens) -> list[list]:
    rows, current = [], None
    for token in tokens:
        if token.type == "tr_open":
            current = []
            rows.append(current)
        elif token.type == "inline" and current is not None:
            current.append(token)
        elif token.type == "tr_close":
            current = None
    return rows


@pytest.mark.parametrize("args", [
    ["report", "portfolios/hostile"],
    ["report", "portfolios/hostile", "--template", "review-pack", "--since", "2025-09-01"],
    ["report", "--cohort"],
], ids=["trainee", "review-pack", "cohort"])
def test_hostile_text_keeps_tables_valid(args, repo, cli):
    result = cli(args, cwd=repo)
    assert result.exit_code == 0, result.stderr
    check_markdown(result.stdout)


def test_hostile_text_reads_back_unchanged(repo, cli):
    """Escaping loses nothing: each cell shows exactly what the trainee and the manager wrote."""
    text = cli(["report", "portfolios/hostile"], cwd=repo).stdout
    tokens = check_markdown(text)
    folder = repo / "portfolios" / "hostile"
    evidence = yaml.safe_load((folder / "evidence" / "hostile.yaml").read_text())
    feedback = yaml.safe_load((folder / "signoffs" / "2026-01-10-2.1.1.yaml").read_text())["feedback"]

    def seen(value: str) -> str:
        value = re.sub(r"[\x00-\x08\x0e-\x1f\x7f]", "", value).replace("\t", " ")
        return "\n".join(line.strip() for line in re.split(r"\r\n|\r|\n|\x0b|\x0c|\x85", value.strip()))

    rows = {cell_text(r[1]): r for r in table_rows(tokens) if len(r) == 6 and cell_text(r[0]).startswith("20")}
    h1, h2 = rows["H1"], rows["H2"]
    assert cell_text(h1[2]) == evidence[0]["title"]
    assert cell_text(h1[4]) == seen(evidence[0]["narrative"])
    assert cell_text(h1[5]) == "\n".join(evidence[0]["documents"])
    assert cell_text(h2[2]) == evidence[1]["title"]
    assert cell_text(h2[4]) == "Tab here, CRLF\nline, form\nfeed, NEL\nend"
    history = [r for r in table_rows(tokens) if len(r) == 6 and cell_text(r[0]) == "2026-01-10"
               and cell_text(r[1]) == "—"]  # recorded: none outside git
    assert cell_text(history[0][5]) == seen(feedback)
    assert cell_text(history[0][4]) == 'Max "the boss" [Place]; %%{init: {}}%% (placement manager)'


def test_mermaid_labels_from_portfolios_are_harmless(repo, cli):
    text = cli(["report", "portfolios/hostile"], cwd=repo).stdout
    assert "    title Competency statuses of Zoë Pipe Name b O'Neil /b\n" in text


# --- the escaping filters ---------------------------------------------------------------------


@pytest.mark.parametrize("value,expected", [
    ("plain text", "plain text"),
    ("a | b", "a \\| b"),
    ("line one\nline two\r\nthree", "line one<br>line two<br>three"),
    ("<script>alert(1)</script>", "&lt;script&gt;alert(1)&lt;/script&gt;"),
    ("`code` & ``more``", "&#96;code&#96; &amp; &#96;&#96;more&#96;&#96;"),
    ("*a* _b_ [c](d) ~~e~~ $f$", "\\*a\\* \\_b\\_ \\[c\\](d) \\~\\~e\\~\\~ \\$f\\$"),
    ("# 1 \\| x", "\\# 1 \\\\\\| x"),
    ("- item", "\\- item"),
    ("+ item", "\\+ item"),
    ("12. item", "12\\. item"),
    ("3) item", "3\\) item"),
    ("1.1.1 is an id", "1.1.1 is an id"),
    ("  padded  \n\n  lines  ", "padded<br><br>lines"),
    ("tab\tand\x00nul", "tab andnul"),
    (None, ""),
    (42, "42"),
])
def test_md_cell(value, expected):
    assert md_cell(value) == expected


@pytest.mark.parametrize("value,expected", [
    ("Ada Quinn", "Ada Quinn"),
    ('Max "the boss" [Place]; %%{init: {}}%%', "Max the boss Place init"),
    ("a\nb\r\nc", "a b c"),
    ("A --> B: C#quot;", "A -- B C quot"),
    ("O'Neil-Smith, Jr.", "O'Neil-Smith, Jr."),
    ("x" * 70, "x" * 59 + "…"),
    (None, ""),
])
def test_mermaid_label(value, expected):
    assert mermaid_label(value) == expected


@pytest.mark.parametrize("percent,width,expected", [
    (0, 10, "░" * 10), (25, 10, "██" + "░" * 8), (100, 4, "████"), (150, 4, "████"), (None, 3, "░░░"),
])
def test_bar(percent, width, expected):
    assert bar(percent, width) == expected


# --- templates by name and by path ------------------------------------------------------------


def test_custom_template_from_a_path(repo, cli):
    result = cli(["report", "portfolios/ben", "--template", "tpl/custom.md.j2"], cwd=repo)
    assert result.exit_code == 0, result.stderr
    assert result.stdout == (
        "Ben Hart: 60.0%, On track\n"
        "- 2025-12-01 2.1.1 by Max Place\n"
        "- 2026-02-10 2.1.2 by Max Place\n"
        "- 2026-03-15 2.1.4 by Max Place\n"
        "- 2026-06-30 3.1.2 by Max Place\n"
        "- 2026-10-05 3.1.1 by Olu Ade\n"
        "- 2026-11-12 3.1.4 by Pat Prog\n"
        "- 2026-11-15 2.1.3 by Olu Ade\n")


def test_cohort_template_from_a_path(repo, cli):
    result = cli(["report", "--cohort", "-t", "tpl/cohort-list.md.j2"], cwd=repo)
    assert result.exit_code == 0
    assert result.stdout == ('# Cohort\n- Zoë "Pipe\\|Name" &lt;b&gt;O\'Neil&lt;/b&gt; 10.0%\n- Ada Quinn 20.0%\n'
                             "- Cy Evans 100.0%\n- Dee Malik 70.0%\n- Ben Hart 60.0%\n")


def test_repo_templates_override_the_shipped_ones(repo, cli):
    (repo / "templates").mkdir()
    (repo / "templates" / "trainee.md.j2").write_text("Ours: {{ trainee.name }}\n")
    (repo / "templates" / "panel.md.j2").write_text("Panel: {{ report.template }} {{ percent_achieved | pct }}\n")
    assert cli(["report", "portfolios/ada"], cwd=repo).stdout == "Ours: Ada Quinn\n"
    assert cli(["report", "portfolios/ada", "-t", "panel"], cwd=repo).stdout == "Panel: panel 20.0%\n"
    # the shipped review pack is still there
    assert cli(["report", "portfolios/ada", "-t", "review-pack"], cwd=repo).stdout.startswith("# Review pack: Ada")


def test_unknown_template_name_lists_the_available(repo, cli):
    (repo / "templates").mkdir()
    (repo / "templates" / "panel.md.j2").write_text("x\n")
    (repo / "templates" / "_macros.md.j2").write_text("x\n")
    result = cli(["report", "portfolios/ada", "--template", "trainees"], cwd=repo)
    assert result.exit_code == 1
    assert result.stdout == ""
    assert result.stderr == ("error: no template named 'trainees'\n"
                             "hint: available: cohort, panel, review-pack, trainee (or give a path to a .j2 file)\n")


def test_missing_template_path(repo, cli):
    result = cli(["report", "portfolios/ada", "--template", "tpl/nope.md.j2"], cwd=repo)
    assert result.exit_code == 1
    assert result.stderr == ("error: template file tpl/nope.md.j2 not found\n"
                             "hint: give a path to a .j2 file, or a name: cohort, review-pack, trainee\n")


@pytest.mark.parametrize("template,message,hint", [
    ("typo-attribute", "tpl/typo-attribute.md.j2:3: 'nmae' is undefined (the object has: email, handle, id, name)",
     HINT),
    ("undefined-variable", "tpl/undefined-variable.md.j2:6: 'trainee_name' is undefined", HINT),
    ("includes", "tpl/_part.md.j2:2: 'titel' is undefined (the object has: id, scale, title, version)", HINT),
    ("syntax-error", "tpl/syntax-error.md.j2:4: template syntax error: Unexpected end of template. Jinja was "
                     "looking for the following tags: 'endfor' or 'else'. The innermost block that needs to be "
                     "closed is 'for'.", "hint: see https://jinja.palletsprojects.com/templates/\n"),
    ("missing-include", "tpl/missing-include.md.j2:3: template '_nope.md.j2' not found",
     "hint: templates are looked up in tpl, {}\n".format(REPO / "templates")),
    ("wrong-type", "tpl/wrong-type.md.j2:2: template error: TypeError: float() argument must be a string or a real "
                   "number, not 'dict'", HINT),
    ("unsafe", "tpl/unsafe.md.j2:2: not allowed in a template: access to attribute '__class__' of 'dict' object "
               "is unsafe.", "hint: templates render in a sandbox: use the data, not Python internals\n"),
])
def test_template_errors_name_the_file_and_line(template, message, hint, repo, cli):
    result = cli(["report", "portfolios/ben", "--template", f"tpl/{template}.md.j2"], cwd=repo)
    assert result.exit_code == 1
    assert result.stdout == ""
    assert result.stderr == f"error: {message}\n{hint}"


def test_a_trainee_template_on_the_cohort_says_what_is_missing(repo, cli):
    result = cli(["report", "--cohort", "--template", "review-pack"], cwd=repo)
    assert result.exit_code == 1
    assert f"\nerror: {REPO / 'templates' / 'review-pack.md.j2'}:6: 'trainee' is undefined\n" in result.stderr


def test_sandbox_blocks_python_internals(repo, cli):
    (repo / "evil.md.j2").write_text("{{ ''.__class__.__mro__[1].__subclasses__() }}\n")
    result = cli(["report", "portfolios/ben", "-t", "evil.md.j2"], cwd=repo)
    assert result.exit_code == 1
    assert result.stderr.startswith("error: evil.md.j2:1: not allowed in a template: access to attribute "
                                    "'__class__' of 'str' object is unsafe.\n")


# --- the data templates receive ---------------------------------------------------------------


def test_trainee_data_is_the_status_json_plus_report(repo, cli):
    status = json.loads(cli(["status", "portfolios/ben", "--json"], cwd=repo).stdout)
    context = json.loads(cli(["report", "portfolios/ben", "--context-json"], cwd=repo).stdout)
    report = context.pop("report")
    assert context == status
    assert sorted(report) == ["changes", "kind", "last", "missing", "signoffs", "since", "template", "trajectory"]
    assert report["kind"] == "trainee" and report["template"] == "trainee"
    assert [s["competency"] for s in report["signoffs"]] == ["2.1.1", "2.1.2", "2.1.4", "3.1.2", "3.1.1", "3.1.4",
                                                            "2.1.3"]
    assert [c["id"] for c in report["missing"]] == ["1.1.1", "1.1.2", "2.1.3", "3.1.3"]


def test_changes_since_a_date(repo, cli):
    context = json.loads(cli(["report", "portfolios/ben", "--context-json", "--since", "2026-10-01"], cwd=repo).stdout)
    changes = context["report"]["changes"]
    assert changes["since"] == "2026-10-01" and changes["by"] == "date"
    assert changes["percent_before"] == 40.0 and changes["achieved_before"] == 4
    assert [s["date"] for s in changes["signoffs"]] == ["2026-11-15", "2026-11-12", "2026-10-05"]
    assert [e["id"] for e in changes["evidence"]] == ["B2"]
    assert [(c["id"], c["from"], c["to"]) for c in changes["status_changes"]] == [
        ("2.1.3", "partially_achieved", "partially_achieved"),
        ("3.1.1", "not_achieved", "achieved"),
        ("3.1.4", "not_achieved", "achieved"),
    ]


def test_changes_over_the_last_n_signoffs(repo, cli):
    context = json.loads(cli(["report", "portfolios/ben", "--context-json", "--last", "2"], cwd=repo).stdout)
    changes = context["report"]["changes"]
    assert changes["since"] == "2026-11-12" and changes["by"] == "last"
    assert [s["competency"] for s in changes["signoffs"]] == ["2.1.3", "3.1.4"]
    assert changes["evidence"] == []


def test_since_after_the_report_date_is_refused(repo, cli):
    result = cli(["report", "portfolios/ben", "--since", "2026-12-01", "--as-of", "2026-11-22"], cwd=repo)
    assert result.exit_code == 1
    assert result.stderr == ("error: --since 2026-12-01 is after the report date 2026-11-22\n"
                             "hint: give a --since on or before --as-of\n")


# --- the cohort -------------------------------------------------------------------------------


def test_cohort_rows_most_at_risk_first_and_failures_at_the_end(repo, cli):
    """Missed milestones, then behind, then stale (no activity for more than 30 days), then the
    gap to the expected percentage: cy (100%) is above ben (60%) because nothing happened in 43 days."""
    result = cli(["report", "--cohort", "--context-json"], cwd=repo)
    assert result.exit_code == 0
    context = json.loads(result.stdout)
    assert context["stale_days"] == 30
    assert [(r["trainee"]["id"], r["verdict"], r["percent_achieved"], len(r["missed_milestones"]), r["stale"],
             r["last_activity"], r["days_since_activity"]) for r in context["rows"]] == [
        ("hostile", "behind", 10.0, 1, True, "2026-10-10", 43), ("ada", "behind", 20.0, 1, False, "2026-11-02", 20),
        ("cy", "on_track", 100.0, 0, True, "2026-10-10", 43), ("dee", "far_ahead", 70.0, 0, True, "2026-10-10", 43),
        ("ben", "on_track", 60.0, 0, False, "2026-11-15", 7)]
    assert context["rows"][1]["missed_milestones"] == [
        {"id": "end-of-placement-1", "name": "End of placement 1", "percent": 40.0, "due": "2026-08-31",
         "percent_at_due": 20.0}]
    assert [(r["manager"]["name"], r["manager"]["role"]) for r in context["rows"]][1:] == [
        ("Nia Lead", "placement_manager"), ("Nia Lead", "placement_manager"), ("Rae Stone", "placement_manager"),
        ("Olu Ade", "placement_manager")]
    assert [r["personal_qualities"]["done"] for r in context["rows"]] == [False, False, True, False, False]
    assert [r["errors"] for r in context["rows"]] == [0, 1, 0, 0, 0]
    assert context["failed"] == [{
        "folder": "portfolios/zz-broken",
        "error": "invalid YAML: a '{' mapping is not closed where it should be",
        "details": ["portfolios/zz-broken/portfolio.yaml:2:10: error: invalid YAML: a '{' mapping is not closed "
                    "where it should be (hint: add the missing ',' or '}', or quote a value that contains one "
                    "of ,[]{})"],
    }]
    totals = context["totals"]
    assert (totals["trainees"], totals["failed"], totals["behind"], totals["on_track"], totals["far_ahead"]) == \
        (5, 1, 2, 2, 1)
    assert (totals["mean_percent"], totals["median_percent"], totals["graduation_ready"]) == (52.0, 60.0, 1)
    assert [b["count"] for b in context["bands"]] == [0, 1, 1, 0, 0, 0, 1, 1, 0, 1]
    assert result.stderr == ("warning: portfolios/zz-broken: not in the report: invalid YAML: a '{' mapping "
                             "is not closed where it should be\n")


def test_cohort_csv_parses_back(repo, cli):
    result = cli(["report", "--cohort", "-f", "csv"], cwd=repo)
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert [r["trainee_id"] for r in rows] == ["hostile", "ada", "cy", "dee", "ben", ""]
    assert [(r["manager"], r["missed_milestones"], r["days_since_activity"], r["stale"]) for r in rows[1:]] == [
        ("Nia Lead", "End of placement 1", "20", "no"), ("Nia Lead", "", "43", "yes"),
        ("Rae Stone", "", "43", "yes"), ("Olu Ade", "", "7", "no"), ("", "", "", "")]
    assert rows[0]["name"] == 'Zoë "Pipe|Name" <b>O\'Neil</b>'
    assert rows[-1]["folder"] == "portfolios/zz-broken" and rows[-1]["error"].startswith("invalid YAML")


def test_cohort_csv_defuses_formulas(repo, cli):
    path = repo / "portfolios" / "ada" / "portfolio.yaml"
    path.write_text(path.read_text().replace("name: Ada Quinn", "name: '=HYPERLINK(\"http://x\")'"))
    rows = list(csv.DictReader(io.StringIO(cli(["report", "--cohort", "-f", "csv"], cwd=repo).stdout)))
    assert rows[1]["name"] == "'=HYPERLINK(\"http://x\")"


def test_cohort_reads_one_portfolio_at_a_time():
    import inspect

    from compfw.render import reports

    assert inspect.isgeneratorfunction(reports.cohort_rows)


def test_cohort_of_an_empty_folder(repo, cli):
    (repo / "empty").mkdir()
    result = cli(["report", "--cohort", "empty"], cwd=repo)
    assert result.exit_code == 1
    assert result.stderr == "error: no portfolios in empty\nhint: a portfolio is a folder with a portfolio.yaml\n"


# --- options and output -----------------------------------------------------------------------


def test_output_file_is_written_and_replaced(repo, cli):
    target = repo / "out" / "ada.md"
    target.parent.mkdir()
    target.write_text("old\n")
    result = cli(["report", "portfolios/ben", "-o", "out/ada.md", "--as-of", "2026-11-22"], cwd=repo)
    assert result.exit_code == 0
    assert result.stdout == ""
    assert result.stderr == "wrote out/ada.md\n"
    assert target.read_text() == cli(["report", "portfolios/ben", "--as-of", "2026-11-22"], cwd=repo).stdout
    assert sorted(p.name for p in target.parent.iterdir()) == ["ada.md"]


def test_output_into_a_missing_folder_is_refused(repo, cli):
    result = cli(["report", "--cohort", "-o", "nowhere/cohort.md"], cwd=repo)
    assert result.exit_code == 1
    assert result.stderr == ("error: folder nowhere does not exist\n"
                             "hint: create it first, or write the report somewhere else\n")
    assert not (repo / "nowhere").exists()


@pytest.mark.parametrize("args,message", [
    (["report", "portfolios/ada", "-f", "csv"], "error: --format csv is for the cohort report\nhint: add --cohort\n"),
    (["report", "--cohort", "-f", "csv", "-t", "cohort"],
     "error: --template does not apply to --format csv\nhint: the CSV columns are fixed; drop --template\n"),
    (["report", "--cohort", "--since", "2026-01-01"], "error: --since is for a trainee's report, not --cohort\n"),
    (["report", "--cohort", "missing"],
     "error: missing is not a folder\nhint: give the folder that holds the portfolios, e.g. "
     "`compfw report --cohort portfolios`\n"),
])
def test_refused_combinations(args, message, repo, cli):
    result = cli(args, cwd=repo)
    assert result.exit_code == 1
    assert result.stderr == message


def test_bad_format_and_date_are_usage_errors(repo, cli):
    assert cli(["report", "portfolios/ada", "-f", "html"], cwd=repo).exit_code == 2
    assert cli(["report", "portfolios/ada", "--as-of", "22/11/2026"], cwd=repo).exit_code == 2
    assert cli(["report", "portfolios/ada", "--last", "0"], cwd=repo).exit_code == 2


def test_default_portfolio_is_found_by_git_email(repo, cli):
    from conftest import git

    git(repo, "init", "-q")
    git(repo, "config", "user.email", "ben@example.org")
    result = cli(["report", "-t", "tpl/custom.md.j2"], cwd=repo)
    assert result.exit_code == 0, result.stderr
    assert result.stdout.startswith("Ben Hart: 60.0%, On track\n")


def test_shipped_templates_are_found():
    from compfw.model.loading import shipped_dir

    names = sorted(p.name for p in shipped_dir("templates").glob("*.md.j2"))
    assert names == ["cohort.md.j2", "review-pack.md.j2", "trainee.md.j2"]


def test_jinja2_is_imported_only_by_the_report_command():
    code = ("import sys; from compfw.cli.app import app; from typer.testing import CliRunner; "
            "CliRunner().invoke(app, ['--help']); "
            "print(sorted(m for m in ('jinja2', 'compfw.render.reports', 'compfw.render.templates', 'markdown_it') "
            "if m in sys.modules))")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout == "[]\n"


@pytest.mark.parametrize("path", sorted(EXPECTED.glob("*.md")) + sorted((REPO / "docs" / "reports").glob("*.md")),
                         ids=lambda p: f"{p.parent.name}/{p.name}")
def test_every_golden_report_is_valid_markdown(path):
    check_markdown(path.read_text(encoding="utf-8"))


def test_cohort_activity_threshold_and_manager_fallback(repo, cli):
    """A trainee with no records at all counts from the scheme start; with no current placement
    the programme manager answers; the threshold comes from --stale-days."""
    folder = repo / "portfolios" / "new"
    folder.mkdir()
    (folder / "portfolio.yaml").write_text(
        "trainee: {id: new, name: Noa New, email: noa@example.org}\n"
        'framework: {id: mini, version: "1.0"}\n'
        "scheme: {start: 2026-11-02, end: 2028-08-31}\n"
        "programme_manager: {name: Pat Prog, email: pat@example.org}\n")

    def rows(*extra: str) -> dict:
        result = cli(["report", "--cohort", "--context-json", "--as-of", "2026-11-22", *extra], cwd=repo)
        assert result.exit_code == 0, result.stderr
        return {r["trainee"]["id"]: r for r in json.loads(result.stdout)["rows"]}

    new = rows()["new"]
    assert (new["last_activity"], new["days_since_activity"], new["stale"]) == (None, None, False)
    assert new["manager"] == {"name": "Pat Prog", "email": "pat@example.org", "handle": None,
                              "role": "programme_manager"}
    by_id = rows("--stale-days", "19")
    assert (by_id["new"]["stale"], by_id["ada"]["stale"], by_id["ben"]["stale"]) == (True, True, False)
    markdown = cli(["report", "--cohort", "--as-of", "2026-11-22", "--stale-days", "19"], cwd=repo).stdout
    assert "| Noa New (new) | Pat Prog (programme) | — |" in markdown
    assert "| none **stale** |" in markdown
    assert "| No activity for more than 19 days | 5 |" in markdown


@pytest.mark.parametrize("args, code, stderr", [
    (["report", "portfolios/ada", "--stale-days", "5"], 1,
     "error: --stale-days is for the cohort report\nhint: add --cohort\n"),
    (["report", "--cohort", "--stale-days", "-1"], 2, "Invalid value for '--stale-days'"),
])
def test_stale_days_misuse(repo, cli, args, code, stderr):
    result = cli(args, cwd=repo)
    assert result.exit_code == code
    assert stderr in result.stderr
