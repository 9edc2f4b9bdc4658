"""`compfw init` and `compfw evidence add`, and the whole first-day flow through the installed command."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import git

from compfw.cli.commands import ecosystem

INIT = ["init", "portfolios/ann-lee", "--framework", "mini", "--name", "Ann Lee", "--email", "ann.lee@example.org",
        "--scheme-start", "2025-09-01", "--scheme-end", "2027-08-31",
        "--programme-manager-name", "Pat Boss", "--programme-manager-email", "pat.boss@example.org",
        "--placement", "Placement 1", "--placement-organisation", "Northfield Hospitals",
        "--placement-start", "2025-09-01", "--placement-end", "2026-08-31",
        "--placement-manager-name", "Tom Reid", "--placement-manager-email", "tom.reid@example.org"]


def init_with(option: str, value: str) -> list[str]:
    """INIT with one option's value replaced."""
    args = list(INIT)
    args[args.index(option) + 1] = value
    return args

PORTFOLIO = """\
# yaml-language-server: $schema=../../schemas/portfolio.schema.json
# Ann Lee's portfolio, written by the trainee (scaffolded by `compfw init` on 2026-11-22).
# - Evidence: one file per entry in evidence/ (`compfw evidence add` writes one).
# - Sign-offs: one file each in signoffs/, written by a manager (`compfw signoff`); never edited.
# - Add placements as a list under 'placements' (name, organisation, start, end, manager:
#   {name, email}); plan competencies per placement under 'plan' ('<placement name>': [ids]).
# - Quote ids and versions ("4.1.3", "2.1"); dates are YYYY-MM-DD. `compfw validate` checks it all.
trainee:
  id: ann-lee
  name: Ann Lee
  email: ann.lee@example.org
framework:
  id: mini
  version: '1.0'
specialism: informatics
scheme:
  start: 2025-09-01
  end: 2027-08-31
programme_manager:
  name: Pat Boss
  email: pat.boss@example.org
placements:
- name: Placement 1
  organisation: Northfield Hospitals
  start: 2025-09-01
  end: 2026-08-31
  manager:
    name: Tom Reid
    email: tom.reid@example.org
plan: {}
"""

NEXT = ("next: `compfw validate portfolios/ann-lee`, `compfw status portfolios/ann-lee`, then "
        "`compfw evidence add portfolios/ann-lee --competency ID --title ... --narrative ...`; commit the folder\n")


def snapshot(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*"))
            if p.is_file() and ".git" not in p.relative_to(root).parts}


def _init(cli, root: Path, *extra: str):
    return cli(INIT + list(extra), cwd=root)


# --- init -------------------------------------------------------------------------------------


def test_init_scaffolds_a_portfolio_that_validates(make_repo, cli):
    root = make_repo()
    result = _init(cli, root)
    assert result.exit_code == 0, result.stderr
    assert result.stdout == (
        "wrote portfolios/ann-lee/portfolio.yaml\n"
        "wrote portfolios/ann-lee/reflective-piece.md\n"
        "wrote portfolios/ann-lee/evidence/.gitkeep\n"
        "wrote portfolios/ann-lee/signoffs/.gitkeep\n"
        "wrote schemas/framework.schema.json\n"
        "wrote schemas/portfolio.schema.json\n"
        "wrote schemas/evidence.schema.json\n"
        "wrote schemas/signoff.schema.json\n"
        "wrote schemas/request.schema.json\n" + NEXT)
    assert result.stderr == ""
    assert (root / "portfolios/ann-lee/portfolio.yaml").read_text() == PORTFOLIO
    assert (root / "portfolios/ann-lee/evidence/.gitkeep").read_text() == ""
    assert (root / "schemas/portfolio.schema.json").read_text() == cli(["schema", "portfolio"], cwd=root).stdout
    checked = cli(["validate"], cwd=root)
    assert (checked.exit_code, checked.stdout) == (0, "ok: no problems in frameworks, portfolios\n")


def test_init_keeps_the_schemas_a_repository_already_has(make_repo, cli):
    root = make_repo()
    (root / "schemas").mkdir()
    (root / "schemas/portfolio.schema.json").write_text("{}\n")
    result = _init(cli, root)
    assert result.exit_code == 0, result.stderr
    assert "wrote schemas/portfolio.schema.json" not in result.stdout
    assert "wrote schemas/signoff.schema.json\n" in result.stdout
    assert (root / "schemas/portfolio.schema.json").read_text() == "{}\n"


def test_init_defaults_and_options(make_repo, cli):
    root = make_repo()
    result = cli(["init", "portfolios/Zoë Ng", "--framework", "mini", "--framework-version", "1.0",
                  "--name", "Zoë Ng", "--email", "zoe@example.org", "--scheme-start", "2025-09-01",
                  "--scheme-end", "2027-08-31", "--programme-manager-name", "Pat Boss",
                  "--programme-manager-email", "pat@example.org", "--target-level", "3", "--specialism", "informatics"],
                 cwd=root)
    assert result.exit_code == 0, result.stderr
    text = (root / "portfolios/Zoë Ng/portfolio.yaml").read_text()
    assert "trainee:\n  id: zoe-ng\n" in text
    assert "specialism: informatics\ntarget_level: 3\n" in text
    assert "placements: []\n" in text


def test_init_refuses_an_existing_portfolio_and_writes_nothing(make_repo, cli):
    root = make_repo()
    assert _init(cli, root).exit_code == 0
    before = snapshot(root)
    result = _init(cli, root)
    assert result.exit_code == 1
    assert result.stdout == ""
    assert result.stderr == ("error: portfolios/ann-lee/portfolio.yaml already exists\n"
                             "hint: init never overwrites a portfolio; edit it, or choose another folder\n")
    assert snapshot(root) == before


def test_init_refuses_a_second_portfolio_for_the_same_email(make_repo, cli):
    root = make_repo()
    assert _init(cli, root).exit_code == 0
    before = snapshot(root)
    result = cli(["init", "portfolios/ann-2"] + INIT[2:], cwd=root)
    assert result.exit_code == 1
    assert result.stderr == ("error: portfolios/ann-lee already has trainee email ann.lee@example.org\n"
                             "hint: one portfolio per trainee: `compfw status` finds a portfolio by its email\n")
    assert snapshot(root) == before


def test_init_without_required_options_is_a_usage_error_outside_a_terminal(make_repo, cli):
    root = make_repo()
    before = snapshot(root)
    result = cli(["init", "portfolios/ann-lee", "--name", "Ann Lee", "--placement-start", "2025-09-01"], cwd=root)
    assert result.exit_code == 2
    assert ("Error: missing option(s): --framework, --email, --scheme-start, --scheme-end, "
            "--programme-manager-name, --programme-manager-email, --placement, --placement-end, "
            "--placement-manager-name, --placement-manager-email (pass them; compfw init asks for them only "
            "at a terminal)") in " ".join(result.stderr.split())
    assert snapshot(root) == before


def test_init_rejects_a_malformed_date_as_a_usage_error(make_repo, cli):
    root = make_repo()
    args = init_with("--scheme-end", "31/08/2027")
    result = cli(args, cwd=root)
    assert result.exit_code == 2
    assert "'31/08/2027' is not a date; write YYYY-MM-DD" in result.stderr
    assert not (root / "portfolios").exists()


@pytest.mark.parametrize("change, message", [
    (("--email", "ann-at-example.org"),
     "portfolios/ann-lee/portfolio.yaml:11:10: error: trainee.email: the text 'ann-at-example.org' is not an email address"),
    (("--placement-end", "2028-01-31"),
     "portfolios/ann-lee/portfolio.yaml:23:3: error: placement 'Placement 1' runs outside the scheme dates"),
    (("--scheme-end", "2025-01-01"),
     "portfolios/ann-lee/portfolio.yaml:17:3: error: scheme: the scheme must end after it starts"),
])
def test_init_refuses_values_that_would_not_validate(make_repo, cli, change, message):
    root = make_repo()
    args = init_with(change[0], change[1])
    result = cli(args, cwd=root)
    assert result.exit_code == 1
    lines = result.stderr.splitlines()
    assert lines[:2] == ["error: these options do not make a valid portfolio; nothing was written",
                         "hint: fix the values named below"]
    assert lines[2].startswith(message), lines[2]
    assert not (root / "portfolios").exists() and not (root / "schemas").exists()


def test_init_needs_a_target_level_where_the_framework_has_none(make_repo, cli):
    root = make_repo()
    args = init_with("--framework", "nhs-leadership-framework")
    result = cli(args, cwd=root)
    assert result.exit_code == 1
    assert result.stderr.startswith("error: nhs-leadership-framework has competencies with no target level; "
                                    "pass --target-level\nhint: the level or stage this person is tracked at, one of [")
    assert not (root / "portfolios").exists()
    result = cli(args + ["--target-level", "2"], cwd=root)
    assert result.exit_code == 0, result.stderr
    assert cli(["validate", "portfolios"], cwd=root).exit_code == 0


def test_init_refuses_an_unknown_framework(make_repo, cli):
    root = make_repo()
    args = init_with("--framework", "nope")
    result = cli(args, cwd=root)
    assert result.exit_code == 1
    assert result.stderr.startswith("error: unknown framework 'nope'\nhint: known frameworks: ")
    assert not (root / "portfolios").exists()


def test_init_asks_for_what_is_missing_at_a_terminal(make_repo, cli, monkeypatch):
    monkeypatch.setattr(ecosystem, "interactive", lambda: True)
    root = make_repo()
    answers = ["mini", "Ann Lee", "ann.lee@example.org", "2025-13-01", "2025-09-01", "2027-08-31",
               "Pat Boss", "pat.boss@example.org", "Placement 1", "2025-09-01", "2026-08-31",
               "Tom Reid", "tom.reid@example.org"]
    result = cli(["init", "portfolios/ann-lee", "--placement-organisation", "Northfield Hospitals"], cwd=root,
                 input="\n".join(answers) + "\n")
    assert result.exit_code == 0, result.stderr
    assert "Known frameworks: " in result.stdout and "mini" in result.stdout
    assert "Scheme start (YYYY-MM-DD): " in result.stdout
    assert "'2025-13-01' is not a date; write YYYY-MM-DD" in result.stderr
    assert (root / "portfolios/ann-lee/portfolio.yaml").read_text() == PORTFOLIO


def test_prompts_only_for_a_terminal_and_never_in_ci(monkeypatch):
    class Tty:
        def isatty(self):
            return True

    monkeypatch.setattr(sys, "stdin", Tty())
    monkeypatch.delenv("CI", raising=False)
    assert ecosystem.interactive() is True
    monkeypatch.setenv("CI", "true")
    assert ecosystem.interactive() is False
    monkeypatch.delenv("CI")
    monkeypatch.setattr(sys, "stdin", open(os.devnull))
    assert ecosystem.interactive() is False


# --- evidence add -----------------------------------------------------------------------------


@pytest.fixture
def portfolio_repo(make_repo, cli):
    root = make_repo()
    assert _init(cli, root).exit_code == 0
    return root


EVIDENCE = """\
# yaml-language-server: $schema=../../../schemas/evidence.schema.json
id: ev-2026-03-02-stakeholder-workshop-on-shared-records
date: 2026-03-02
title: Stakeholder workshop on shared records
narrative: |-
  I ran a workshop with two departments.
  We agreed the scope.
documents:
- docs/workshop.pdf
- https://example.org/notes
competencies:
- 2.1.1
- 3.1.2
"""


def test_evidence_add_writes_one_file_that_validates(portfolio_repo, cli):
    result = cli(["evidence", "add", "portfolios/ann-lee", "--competency", "2.1.1", "-c", "3.1.2", "-c", "2.1.1",
                  "--title", "Stakeholder  workshop on shared records",
                  "--narrative", "I ran a workshop with two departments.\nWe agreed the scope.\n",
                  "--date", "2026-03-02", "--document", "docs/workshop.pdf",
                  "--document", "https://example.org/notes"], cwd=portfolio_repo)
    assert result.exit_code == 0, result.stderr
    path = "portfolios/ann-lee/evidence/2026-03-02-stakeholder-workshop-on-shared-records.yaml"
    assert result.stdout == (f"wrote {path} (id ev-2026-03-02-stakeholder-workshop-on-shared-records; "
                             "competencies 2.1.1, 3.1.2)\n")
    assert (portfolio_repo / path).read_text() == EVIDENCE
    assert cli(["validate"], cwd=portfolio_repo).stdout == "ok: no problems in frameworks, portfolios\n"
    status = json.loads(cli(["status", "portfolios/ann-lee", "--json"], cwd=portfolio_repo).stdout)
    rows = {c["id"]: c for c in status["competencies"]}
    assert rows["2.1.1"]["status"] == "partially_achieved"
    assert rows["2.1.1"]["evidence"] == ["ev-2026-03-02-stakeholder-workshop-on-shared-records"]


def test_evidence_add_defaults_to_today_and_reads_a_file_or_stdin(portfolio_repo, cli):
    (portfolio_repo / "notes.md").write_text("From a file.\n")
    result = cli(["evidence", "add", "portfolios/ann-lee", "-c", "2.1.2", "--title", "Team day",
                  "--file", "notes.md", "--id", "ev-team"], cwd=portfolio_repo)
    assert result.exit_code == 0, result.stderr
    written = (portfolio_repo / "portfolios/ann-lee/evidence/2026-11-22-team-day.yaml").read_text()
    assert "id: ev-team\ndate: 2026-11-22\ntitle: Team day\nnarrative: From a file.\ncompetencies:\n- 2.1.2\n" in written
    result = cli(["evidence", "add", "portfolios/ann-lee", "-c", "2.1.2", "--title", "Piped", "--file", "-"],
                 cwd=portfolio_repo, input="From stdin.\n")
    assert result.exit_code == 0, result.stderr
    assert "narrative: From stdin.\n" in (portfolio_repo / "portfolios/ann-lee/evidence/2026-11-22-piped.yaml").read_text()


def test_evidence_add_refuses_unknown_competencies_before_writing(portfolio_repo, cli):
    before = snapshot(portfolio_repo)
    result = cli(["evidence", "add", "portfolios/ann-lee", "-c", "2.1.1", "-c", "2.1.9", "-c", "9", "--title", "X",
                  "--narrative", "Y"], cwd=portfolio_repo)
    assert result.exit_code == 1
    assert result.stdout == ""
    assert result.stderr == ("error: unknown competency id(s) in mini 1.0: 2.1.9, 9; nothing was written\n"
                             "hint: did you mean 2.1.4 for 2.1.9? see `compfw framework show mini --version 1.0`\n")
    assert snapshot(portfolio_repo) == before


@pytest.mark.parametrize("args, stderr", [
    (["--date", "2026-12-01"],
     "error: this would not be a valid evidence entry; nothing was written\nhint: fix the values below\n"
     "portfolios/ann-lee/evidence/2026-12-01-workshop.yaml:3:7: error: evidence date 2026-12-01 is in the future "
     "(hint: check the date)\n"),
    (["--date", "2024-01-01"],
     "error: this would not be a valid evidence entry; nothing was written\nhint: fix the values below\n"
     "portfolios/ann-lee/evidence/2024-01-01-workshop.yaml:3:7: error: evidence date 2024-01-01 is outside the "
     "scheme (hint: check the date)\n"),
    (["--id", "-bad id"],
     "error: --id '-bad id' is not a valid id\nhint: letters, digits, '.', '_' and '-', starting with a letter or "
     "digit, at most 64\n"),
    (["--file", "missing.md"],
     "error: no such file: missing.md\nhint: give the path of a text or Markdown file, or - for stdin\n"),
    (["--narrative", "  \n"],
     "error: the narrative is empty\nhint: say what you did, what happened and what you learnt\n"),
])
def test_evidence_add_refusals_write_nothing(portfolio_repo, cli, args, stderr):
    before = snapshot(portfolio_repo)
    base = ["evidence", "add", "portfolios/ann-lee", "-c", "2.1.1", "--title", "Workshop"]
    if "--file" not in args and "--narrative" not in args:
        base += ["--narrative", "Done."]
    result = cli(base + args, cwd=portfolio_repo)
    assert (result.exit_code, result.stdout, result.stderr) == (1, "", stderr)
    assert snapshot(portfolio_repo) == before


def test_evidence_add_refuses_a_used_id_and_an_existing_file(portfolio_repo, cli):
    args = ["evidence", "add", "portfolios/ann-lee", "-c", "2.1.1", "--title", "Workshop", "--narrative", "Done."]
    assert cli(args, cwd=portfolio_repo).exit_code == 0
    before = snapshot(portfolio_repo)
    again = cli(args, cwd=portfolio_repo)
    assert (again.exit_code, again.stderr) == (1, (
        "error: evidence id 'ev-2026-11-22-workshop' is already used in "
        "portfolios/ann-lee/evidence/2026-11-22-workshop.yaml\nhint: pass --id with another id, or change the title\n"))
    clash = cli(args + ["--id", "ev-other"], cwd=portfolio_repo)
    assert (clash.exit_code, clash.stderr) == (1, (
        "error: portfolios/ann-lee/evidence/2026-11-22-workshop.yaml already exists\n"
        "hint: compfw never overwrites a file; give this evidence a different --title\n"))
    assert snapshot(portfolio_repo) == before


@pytest.mark.parametrize("args, message", [
    (["--title", "X", "--narrative", "Y"], "missing option(s): --competency"),
    (["-c", "2.1.1", "--narrative", "Y"], "missing option(s): --title"),
    (["-c", "2.1.1", "--title", "X"], "missing option(s): --narrative or --file"),
    (["-c", "2.1.1", "--title", "X", "--narrative", "Y", "--file", "f"], "give --narrative or --file, not both"),
    (["-c", "2.1.1", "--title", "X", "--narrative", "Y", "--date", "yesterday"], "'yesterday' is not a date"),
])
def test_evidence_add_usage_errors(portfolio_repo, cli, args, message):
    before = snapshot(portfolio_repo)
    result = cli(["evidence", "add", "portfolios/ann-lee", *args], cwd=portfolio_repo)
    assert result.exit_code == 2
    assert message in result.stderr
    assert snapshot(portfolio_repo) == before


def test_evidence_add_refuses_a_folder_that_is_not_a_portfolio(portfolio_repo, cli):
    result = cli(["evidence", "add", "portfolios", "-c", "2.1.1", "--title", "X", "--narrative", "Y"],
                 cwd=portfolio_repo)
    assert result.exit_code == 1
    assert result.stderr.startswith("error: cannot read portfolio portfolios\n")
    assert "Traceback" not in result.stderr


# --- the first day, as a new user does it from the README, through the installed command ------


def run(exe: Path, root: Path, *args: str, input: str | None = None) -> subprocess.CompletedProcess:
    done = subprocess.run([str(exe), *args], cwd=root, capture_output=True, text=True, input=input,
                          stdin=None if input is not None else subprocess.DEVNULL)
    assert "Traceback" not in done.stderr
    return done


def test_first_day_init_evidence_signoff_status_in_a_fresh_git_repo(tmp_path):
    exe = Path(sys.executable).parent / "compfw"
    assert exe.exists(), f"compfw is not installed beside {sys.executable} (pip install -e .)"
    root = tmp_path / "cohort-2026"
    root.mkdir()
    git(root, "init", "-q")
    git(root, "config", "user.email", "ann.lee@example.org")
    git(root, "config", "user.name", "Ann Lee")

    # 1. the trainee scaffolds their portfolio on the shipped informatics framework
    done = run(exe, root, "init", "portfolios/ann-lee", "--framework", "nhs-gmts-informatics",
               "--name", "Ann Lee", "--email", "ann.lee@example.org",
               "--scheme-start", "2026-09-01", "--scheme-end", "2028-08-31",
               "--programme-manager-name", "Helen Morris", "--programme-manager-email", "helen.morris@example.org",
               "--placement", "Placement 1", "--placement-start", "2026-09-01", "--placement-end", "2027-08-31",
               "--placement-manager-name", "Tom Reid", "--placement-manager-email", "tom.reid@example.org")
    assert done.returncode == 0, done.stderr
    assert "version: '2.1'" in (root / "portfolios/ann-lee/portfolio.yaml").read_text()

    # 2. logs evidence
    done = run(exe, root, "evidence", "add", "portfolios/ann-lee", "-c", "4.1.3", "-c", "2.1.1",
               "--title", "Data quality audit", "--date", "2026-10-05", "--file", "-",
               input="I ran the monthly data quality audit for the ward systems.\n")
    assert done.returncode == 0, done.stderr
    assert done.stdout == ("wrote portfolios/ann-lee/evidence/2026-10-05-data-quality-audit.yaml "
                           "(id ev-2026-10-05-data-quality-audit; competencies 4.1.3, 2.1.1)\n")
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "Ann Lee: portfolio and first evidence")

    # 3. the placement manager signs 4.1.3 off
    feedback = ("Ann ran the audit on her own, found two recurring errors and agreed fixes with the ward "
                "managers; next, present the trend to the governance group.")
    git(root, "config", "user.email", "tom.reid@example.org")  # on Tom's machine: his own git identity
    done = run(exe, root, "signoff", "portfolios/ann-lee", "4.1.3", "--level", "3", "--feedback", feedback,
               "--evidence", "ev-2026-10-05-data-quality-audit", "--date", "2026-11-20")
    git(root, "config", "user.email", "ann.lee@example.org")
    assert done.returncode == 0, done.stderr
    signoffs = sorted((root / "portfolios/ann-lee/signoffs").glob("*.yaml"))
    assert len(signoffs) == 1 and signoffs[0].name.startswith("2026-11-20-4.1.3")

    # 4. everything validates, and `compfw status` (found by the trainee's git email) shows it
    done = run(exe, root, "validate")
    assert (done.returncode, done.stdout) == (0, "ok: no problems in portfolios\n"), done.stdout + done.stderr
    done = run(exe, root, "status", "--json")
    assert done.returncode == 0, done.stderr
    doc = json.loads(done.stdout)
    assert doc["trainee"]["id"] == "ann-lee"
    rows = {c["id"]: c for c in doc["competencies"]}
    assert (rows["4.1.3"]["status"], rows["4.1.3"]["level"]) == ("achieved", 3)
    assert rows["2.1.1"]["status"] == "partially_achieved"
    assert doc["achieved"] == 1
    done = run(exe, root, "status")
    assert done.returncode == 0, done.stderr
    assert "Ann Lee (ann-lee)" in done.stdout
    assert "\x1b[" not in done.stdout  # not a terminal: no colour


# --- nested cohort folders: refused by init, named by validate ---------------------------------


@pytest.mark.parametrize("folder, where", [
    ("portfolios/cohort-2026/ann-lee", "is nested in a folder inside portfolios"),
    ("elsewhere/ann-lee", "is not in portfolios"),
])
def test_init_refuses_a_folder_not_directly_in_portfolios(make_repo, cli, folder, where):
    root = make_repo()
    before = snapshot(root)
    result = cli(["init", folder] + INIT[2:], cwd=root)
    assert result.exit_code == 1
    assert result.stdout == ""
    assert result.stderr == (
        f"error: {folder} {where}; nothing was written\n"
        "hint: a portfolio is a folder directly in portfolios/ (e.g. portfolios/ann-lee): validate, status, "
        "report, audit and codeowners look for portfolios only there\n")
    assert snapshot(root) == before


def test_validate_names_a_portfolio_hidden_in_a_cohort_folder(make_repo, cli):
    root = make_repo()
    assert _init(cli, root).exit_code == 0
    (root / "portfolios/cohort-2026").mkdir()
    (root / "portfolios/ann-lee").rename(root / "portfolios/cohort-2026/ann-lee")
    result = cli(["validate"], cwd=root)
    assert result.exit_code == 1
    assert result.stdout == (
        "portfolios/cohort-2026: error: portfolios nested in a folder are not read "
        "(portfolios/cohort-2026/ann-lee/portfolio.yaml) (hint: move each portfolio to portfolios/<name>/: "
        "compfw reads portfolios only there)\n"
        "1 error(s), 0 warning(s) in frameworks, portfolios\n")


def test_init_scaffolds_the_reflective_piece_with_the_framework_criteria(make_repo, cli):
    """The informatics framework's piece: its length, window and the seed's 14 criteria, as front
    matter comments that the word count leaves out."""
    from compfw.model.loading import count_words

    root = make_repo()
    result = cli([*INIT[:2], "--framework", "nhs-gmts-informatics", *INIT[4:]], cwd=root)
    assert result.exit_code == 0, result.stderr
    text = (root / "portfolios/ann-lee/reflective-piece.md").read_text()
    assert text.startswith("---\n# The reflective piece for section 1 Personal Qualities, scaffolded by `compfw init`.\n")
    assert "# Length: 2,000 words +/- 10% (1,800-2,200)" in text
    assert "# Written between 2026-08-31 and 2027-08-31 (the last 12 months of the scheme)" in text
    assert "# Cognitive Skills – Behaviours, Emotional Intelligence and Values\n# - Evidence of planning around personal qualities;\n" in text
    assert text.count("\n# - ") == 14
    assert count_words(text) == 0
    assert cli(["validate"], cwd=root).exit_code == 0
