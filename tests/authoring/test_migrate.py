"""`compfw migrate` and the reading of recorded migrations (`migration.apply_migrations`).

Case data: tests/cases/ecosystem/migrate/ holds the framework mini2 in three versions
(1.0; 2.0 renames 2.1.4 -> 2.1.8, withdraws 3.1.2, adds 3.1.5; 3.0 renames 3.1.1 -> 3.1.6) and the
portfolio dana-cole on 1.0, with sign-offs of 2.1.4, 2.1.1, 3.1.2 and 3.1.1, evidence in a
one-entry file and a two-entry file, comments in portfolio.yaml and a plan naming 2.1.4.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from conftest import CASES, git

from compfw.files.yaml_edit import replace_scalars
from compfw.model.migrations import version_key

CASE = CASES / "ecosystem" / "migrate"
DANA = "portfolios/dana-cole"
RENAMED = {"2.1.4": "2.1.8"}
DROPPED = {"3.1.2"}

MIGRATE_OUT = """\
Migrating portfolios/dana-cole from mini2 1.0 to 2.0 (versions 1.0 -> 2.0)
Renamed competencies: 2.1.4 -> 2.1.8
No longer in 2.0: 3.1.2
Records carried across (files unchanged; read through the migration record):
  evidence/2026-01-20-negotiation.yaml: 2.1.4 -> 2.1.8
  evidence/2026-02-01-several.yaml: 3.1.2 -> (no longer exists; not counted)
  signoffs/2026-02-10-2.1.4.yaml: 2.1.4 -> 2.1.8
  signoffs/2026-03-05-3.1.2.yaml: 3.1.2 -> (no longer exists; not counted)
Plan (Placement 2): 2.1.4 -> 2.1.8
Achieved: 30.0% on 1.0, 20.0% on 2.0
wrote portfolios/dana-cole/migrations/2026-11-22-1.0-to-2.0.yaml
re-pinned portfolios/dana-cole/portfolio.yaml: framework.version 1.0 -> 2.0
next: review with `git diff`, run `compfw validate`, and commit both files
"""

MIGRATION_FILE = """\
# Written by `compfw migrate` on 2026-11-22: this portfolio was re-pinned from mini2 1.0 to 2.0.
# A record of the migration: do not edit it. Evidence and sign-off files keep the ids they
# were written with; compfw reads each file listed under `records` with its ids mapped
# (null: the competency no longer exists; the sign-off stays in the history, not counted).
framework: mini2
from: '1.0'
to: '2.0'
date: 2026-11-22
renames:
  2.1.4: 2.1.8
dropped:
- 3.1.2
records:
  evidence/2026-01-20-negotiation.yaml:
    2.1.4: 2.1.8
  evidence/2026-02-01-several.yaml:
    3.1.2: null
  signoffs/2026-02-10-2.1.4.yaml:
    2.1.4: 2.1.8
  signoffs/2026-03-05-3.1.2.yaml:
    3.1.2: null
"""

VALIDATE_AFTER = """\
portfolios/dana-cole/signoffs/2026-03-05-3.1.2.yaml:2:13: warning: sign-off of 3.1.2 is kept in the history \
but not counted: 3.1.2 no longer exists in mini2 2.0 (see portfolios/dana-cole/migrations/2026-11-22-1.0-to-2.0.yaml) \
(hint: nothing to fix; a new sign-off against the current framework counts)
portfolios/dana-cole/evidence/2026-02-01-several.yaml:10:17: warning: evidence ev-plans: competency 3.1.2 no longer \
exists in mini2 2.0 (see portfolios/dana-cole/migrations/2026-11-22-1.0-to-2.0.yaml); that link is not counted \
(hint: nothing to fix; link new evidence to current competencies)
0 error(s), 2 warning(s) in frameworks, portfolios
"""


def tree(root: Path, under: str = "") -> dict[str, bytes]:
    base = root / under
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(base.rglob("*"))
            if p.is_file() and ".git" not in p.relative_to(root).parts}


def status(cli, root: Path) -> dict:
    result = cli(["status", DANA, "--json"], cwd=root)
    assert result.exit_code == 0, result.stderr
    return json.loads(result.stdout)


@pytest.fixture
def repo(git_repo):
    return git_repo(CASE)


def test_case_starts_valid(repo, cli):
    result = cli(["validate"], cwd=repo)
    assert (result.exit_code, result.stdout) == (0, "ok: no problems in frameworks, portfolios\n")


# --- the Must-show: a renamed competency keeps the trainee's status --------------------------


def test_migration_keeps_the_status_of_every_carried_competency(repo, cli):
    before = status(cli, repo)
    assert before["framework"]["version"] == "1.0"
    rows = {c["id"]: c for c in before["competencies"]}
    assert (rows["2.1.4"]["status"], rows["2.1.4"]["level"]) == ("achieved", 4)   # the renamed one counts
    assert rows["3.1.2"]["status"] == "achieved"                                   # the withdrawn one did

    result = cli(["migrate", DANA, "--to", "2.0"], cwd=repo)
    assert (result.exit_code, result.stderr) == (0, "")
    assert result.stdout == MIGRATE_OUT

    after = status(cli, repo)
    assert after["framework"]["version"] == "2.0"
    after_rows = {c["id"]: c for c in after["competencies"]}
    carried = 0
    for old_id, row in rows.items():
        if old_id in DROPPED:
            assert old_id not in after_rows
            continue
        new_id = RENAMED.get(old_id, old_id)
        expected = {k: v for k, v in row.items() if k != "id"}
        got = {k: v for k, v in after_rows[new_id].items() if k != "id"}
        assert got == expected, old_id
        carried += 1
    assert carried == 9
    assert after_rows["2.1.8"]["signoffs"][0]["file"] == "2026-02-10-2.1.4.yaml"
    assert after_rows["3.1.5"]["status"] == "not_achieved"   # new in 2.0
    assert (before["achieved"], after["achieved"]) == (3, 2)  # 3.1.2 no longer exists: reported, not counted


def test_migration_writes_new_files_and_a_reviewable_re_pin_only(repo, cli):
    records_before = {k: v for k, v in tree(repo, DANA).items() if not k.endswith("portfolio.yaml")}
    assert cli(["migrate", DANA, "--to", "2.0"], cwd=repo).exit_code == 0

    assert git(repo, "status", "--porcelain", "--untracked-files=all").splitlines() == [
        " M portfolios/dana-cole/portfolio.yaml",
        "?? portfolios/dana-cole/migrations/2026-11-22-1.0-to-2.0.yaml",
    ]
    changed = [line for line in git(repo, "diff", "-U0", "--", f"{DANA}/portfolio.yaml").splitlines()
               if line[:1] in "+-" and not line.startswith(("+++", "---"))]
    assert changed == [
        '-  version: "1.0"   # re-pinned by `compfw migrate`',
        '+  version: "2.0"   # re-pinned by `compfw migrate`',
        '-  Placement 2: ["2.1.4", "3.1.3"]   # my plan for next year',
        '+  Placement 2: ["2.1.8", "3.1.3"]   # my plan for next year',
    ]
    records_after = {k: v for k, v in tree(repo, DANA).items()
                     if not k.endswith("portfolio.yaml") and "/migrations/" not in k}
    assert records_after == records_before   # history is never rewritten
    assert (repo / DANA / "migrations/2026-11-22-1.0-to-2.0.yaml").read_text() == MIGRATION_FILE


def test_validate_passes_after_migration_and_says_what_is_not_counted(repo, cli):
    assert cli(["migrate", DANA, "--to", "2.0"], cwd=repo).exit_code == 0
    result = cli(["validate"], cwd=repo)
    assert (result.exit_code, result.stdout) == (0, VALIDATE_AFTER)


def test_strict_reports_but_does_not_fail_on_history_a_migration_left_behind(repo, cli):
    assert cli(["migrate", DANA, "--to", "2.0"], cwd=repo).exit_code == 0
    result = cli(["validate", "--strict", DANA], cwd=repo)
    assert result.exit_code == 0
    assert "warning: sign-off of 3.1.2 is kept in the history but not counted" in result.stdout


def test_records_written_after_the_migration_are_taken_as_they_are(repo, cli):
    assert cli(["migrate", DANA, "--to", "2.0"], cwd=repo).exit_code == 0
    signoff = (repo / DANA / "signoffs/2026-02-10-2.1.4.yaml").read_text()
    (repo / DANA / "signoffs/2026-11-01-2.1.8.yaml").write_text(
        signoff.replace('"2.1.4"', '"2.1.8"').replace("level: 4", "level: 5").replace("2026-02-10", "2026-11-01"))
    rows = {c["id"]: c for c in status(cli, repo)["competencies"]}
    assert (rows["2.1.8"]["status"], rows["2.1.8"]["level"]) == ("achieved_plus", 5)
    # a record with the old id written after the migration is not mapped: validate flags it
    (repo / DANA / "signoffs/2026-11-02-2.1.4.yaml").write_text(signoff.replace("2026-02-10", "2026-11-02"))
    result = cli(["validate"], cwd=repo)
    assert result.exit_code == 1
    assert ("portfolios/dana-cole/signoffs/2026-11-02-2.1.4.yaml:2:13: error: unknown competency '2.1.4' "
            "in mini2 2.0") in result.stdout


def test_migrating_along_a_chain_equals_migrating_step_by_step(git_repo, cli):
    direct = git_repo(CASE)
    result = cli(["migrate", DANA, "--to", "3.0"], cwd=direct)
    assert result.exit_code == 0, result.stderr
    assert result.stdout.splitlines()[:3] == [
        "Migrating portfolios/dana-cole from mini2 1.0 to 3.0 (versions 1.0 -> 2.0 -> 3.0)",
        "Renamed competencies: 2.1.4 -> 2.1.8, 3.1.1 -> 3.1.6",
        "No longer in 3.0: 3.1.2",
    ]
    stepwise = direct.parent / "stepwise"
    stepwise.mkdir()
    from conftest import copy_tree

    copy_tree(CASES / "_shared", stepwise)
    copy_tree(CASE, stepwise)
    assert cli(["migrate", DANA, "--to", "2.0"], cwd=stepwise).exit_code == 0
    result = cli(["migrate", DANA, "--to", "3.0"], cwd=stepwise)
    assert result.exit_code == 0, result.stderr
    assert "  signoffs/2026-04-20-3.1.1.yaml: 3.1.1 -> 3.1.6" in result.stdout.splitlines()
    assert sorted(p.name for p in (stepwise / DANA / "migrations").iterdir()) == [
        "2026-11-22-1.0-to-2.0.yaml", "2026-11-22-2.0-to-3.0.yaml"]
    one, two = status(cli, direct), status(cli, stepwise)
    for doc in (one, two):  # `direct` is a git repository, `stepwise` is not: only one knows when records were committed
        for c in doc["competencies"]:
            for so in c["signoffs"]:
                so.pop("recorded")
    assert one["competencies"] == two["competencies"]
    assert {c["id"]: c["status"] for c in one["competencies"]}["3.1.6"] == "partially_achieved"
    for root in (direct, stepwise):
        assert cli(["validate"], cwd=root).exit_code == 0


def test_dry_run_writes_nothing(repo, cli):
    before = tree(repo)
    result = cli(["migrate", DANA, "--to", "2.0", "--dry-run"], cwd=repo)
    assert result.exit_code == 0, result.stderr
    assert result.stdout.startswith("Would migrate portfolios/dana-cole from mini2 1.0 to 2.0")
    assert result.stdout.endswith("would write portfolios/dana-cole/migrations/2026-11-22-1.0-to-2.0.yaml\n"
                                  "would re-pin portfolios/dana-cole/portfolio.yaml\n")
    assert tree(repo) == before


# --- refusals: error + hint, exit 1, nothing written ------------------------------------------


def _refused(cli, root: Path, args: list[str], stderr: str) -> None:
    before = tree(root)
    result = cli(args, cwd=root)
    assert (result.exit_code, result.stdout, result.stderr) == (1, "", stderr)
    assert tree(root) == before


def test_refuses_an_unknown_version(repo, cli):
    _refused(cli, repo, ["migrate", DANA, "--to", "9.0"],
             "error: framework mini2 has no version '9.0'\nhint: available: 1.0, 2.0, 3.0\n")


def test_refuses_the_version_already_pinned(repo, cli):
    _refused(cli, repo, ["migrate", DANA, "--to", "1.0"],
             "error: portfolio dana-cole is already pinned to mini2 1.0\nhint: nothing to do\n")


def test_refuses_to_go_backwards(repo, cli):
    assert cli(["migrate", DANA, "--to", "2.0"], cwd=repo).exit_code == 0
    _refused(cli, repo, ["migrate", DANA, "--to", "1.0"],
             "error: no chain of `replaces` links leads from mini2 2.0 to 1.0\n"
             "hint: a framework version names the version it supersedes with `replaces: {version: ..., "
             "renames: {old: new}}`; migrate only moves forward along those links\n")


def test_refuses_while_the_plan_names_a_competency_that_no_longer_exists(repo, cli):
    path = repo / DANA / "portfolio.yaml"
    path.write_text(path.read_text().replace('["2.1.4", "3.1.3"]', '["2.1.4", "3.1.2"]'))
    _refused(cli, repo, ["migrate", DANA, "--to", "2.0"],
             "error: the plan in portfolio.yaml names competencies that no longer exist in mini2 2.0: 3.1.2\n"
             "hint: remove them from 'plan' in portfolio.yaml (your plan is yours to change), then migrate again\n")


def test_refuses_while_a_record_cannot_be_read(repo, cli):
    (repo / DANA / "signoffs/2026-05-01-broken.yaml").write_text("competency: [\n")
    before = tree(repo)
    result = cli(["migrate", DANA, "--to", "2.0"], cwd=repo)
    assert result.exit_code == 1
    assert result.stderr.splitlines()[:2] == [
        "error: portfolio portfolios/dana-cole has records that cannot be read",
        "hint: fix them first (`compfw validate` lists them); a migration must see every record"]
    assert "portfolios/dana-cole/signoffs/2026-05-01-broken.yaml:2:1: error: invalid YAML" in result.stderr
    assert tree(repo) == before


def test_refuses_a_folder_that_is_not_a_portfolio(repo, cli):
    _refused(cli, repo, ["migrate", "portfolios", "--to", "2.0"],
             "error: portfolios is not a portfolio folder\nhint: give the folder that holds portfolio.yaml\n")


# --- reading recorded migrations --------------------------------------------------------------


def test_a_broken_migration_record_is_a_located_error(repo, cli):
    assert cli(["migrate", DANA, "--to", "2.0"], cwd=repo).exit_code == 0
    path = repo / DANA / "migrations/2026-11-22-1.0-to-2.0.yaml"
    path.write_text(path.read_text().replace("renames:", "renamed:"))
    result = cli(["validate", DANA], cwd=repo)
    assert result.exit_code == 1
    assert result.stdout.splitlines()[0] == (
        "portfolios/dana-cole/migrations/2026-11-22-1.0-to-2.0.yaml:9:1: error: unknown key 'renamed' "
        "(hint: did you mean 'renames'?)")


def test_a_hand_edited_migration_cannot_move_a_sign_off_to_another_competency(repo, cli):
    assert cli(["migrate", DANA, "--to", "2.0"], cwd=repo).exit_code == 0
    path = repo / DANA / "migrations/2026-11-22-1.0-to-2.0.yaml"
    text = path.read_text()
    assert "  signoffs/2026-02-10-2.1.4.yaml:\n    2.1.4: 2.1.8\n" in text
    path.write_text(text.replace("  signoffs/2026-02-10-2.1.4.yaml:\n    2.1.4: 2.1.8\n",
                                 "  signoffs/2026-02-10-2.1.4.yaml:\n    2.1.4: 3.1.3\n"))
    result = cli(["validate", DANA], cwd=repo)
    assert result.exit_code == 1
    assert "error: maps 2.1.4 to 3.1.3 in signoffs/" in result.stdout
    assert "but mini2 1.0 -> 2.0 maps it to 2.1.8 (hint: migration files are written by `compfw migrate`" in result.stdout


def test_a_sign_off_moved_by_a_hand_edited_migration_is_not_counted_where_it_was_moved(repo, cli):
    # The trainee migrates honestly, then edits the committed record so that a sign-off of 2.1.4
    # lands on 3.1.3 instead of 2.1.8, and commits that too.
    assert cli(["migrate", DANA, "--to", "2.0"], cwd=repo).exit_code == 0
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "migrate to 2.0")
    honest = {c["id"]: (c["status"], c["level"]) for c in status(cli, repo)["competencies"]}
    assert honest["3.1.3"] == ("partially_achieved", None) and honest["2.1.8"] == ("achieved", 4)
    path = repo / DANA / "migrations/2026-11-22-1.0-to-2.0.yaml"
    path.write_text(path.read_text().replace("  signoffs/2026-02-10-2.1.4.yaml:\n    2.1.4: 2.1.8\n",
                                             "  signoffs/2026-02-10-2.1.4.yaml:\n    2.1.4: 3.1.3\n"))
    git(repo, "commit", "-q", "-am", "fix migration")

    validated = cli(["validate", DANA], cwd=repo)
    assert validated.exit_code == 1
    assert ("portfolios/dana-cole/signoffs/2026-02-10-2.1.4.yaml:2:13: error: this sign-off is not counted: "
            "portfolios/dana-cole/migrations/2026-11-22-1.0-to-2.0.yaml maps its competency in a way "
            "`compfw migrate` did not (hint: restore the migration file from the repository's history)"
            ) in validated.stdout.splitlines()
    forged = {c["id"]: (c["status"], c["level"]) for c in status(cli, repo)["competencies"]}
    assert forged["3.1.3"] == ("partially_achieved", None)  # the moved sign-off gives it no level
    assert forged["2.1.8"] == ("partially_achieved", None)  # nor does it count where it belonged


def test_a_migration_record_from_a_version_no_chain_leads_from_counts_none_of_its_moves(repo, cli):
    assert cli(["migrate", DANA, "--to", "2.0"], cwd=repo).exit_code == 0
    path = repo / DANA / "migrations/2026-11-22-1.0-to-2.0.yaml"
    path.write_text(path.read_text().replace("from: '1.0'", "from: '0.5'").replace(
        "  signoffs/2026-02-10-2.1.4.yaml:\n    2.1.4: 2.1.8\n", "  signoffs/2026-02-10-2.1.4.yaml:\n    2.1.4: 3.1.3\n"))
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "migrate")

    validated = cli(["validate", DANA], cwd=repo)
    assert validated.exit_code == 1
    assert [line.split(": error: ")[0] for line in validated.stdout.splitlines() if ": error: " in line] == [
        "portfolios/dana-cole/migrations/2026-11-22-1.0-to-2.0.yaml:6:7",
        "portfolios/dana-cole/signoffs/2026-02-10-2.1.4.yaml:2:13"]
    forged = {c["id"]: (c["status"], c["level"]) for c in status(cli, repo)["competencies"]}
    assert forged["3.1.3"] == ("partially_achieved", None)


def test_a_pin_that_does_not_match_the_migrations_is_a_located_error(repo, cli):
    assert cli(["migrate", DANA, "--to", "2.0"], cwd=repo).exit_code == 0
    path = repo / DANA / "portfolio.yaml"
    path.write_text(path.read_text().replace('version: "2.0"', 'version: "3.0"'))  # by hand, past the records
    result = cli(["validate", DANA], cwd=repo)
    assert result.exit_code == 1
    assert result.stdout.splitlines()[0] == (
        "portfolios/dana-cole/migrations/2026-11-22-1.0-to-2.0.yaml:7:5: error: the last migration ends at version "
        "'2.0', but portfolio.yaml pins '3.0'; no migration is applied (hint: set framework.version in "
        "portfolio.yaml to '2.0', where the recorded migrations lead; `compfw migrate` then moves it on)")
    path.write_text(path.read_text().replace('version: "3.0"', 'version: "2.0"'))  # as the hint says
    assert cli(["migrate", DANA, "--to", "3.0"], cwd=repo).exit_code == 0
    assert cli(["validate", DANA], cwd=repo).exit_code == 0


# --- migrate stopped between its two writes ---------------------------------------------------


def _write_the_record_only(root: Path, monkeypatch) -> Path:
    """What a `compfw migrate --to 2.0` killed between its two writes leaves: its first write, made
    by the library's own code, and portfolio.yaml untouched."""
    from compfw.authoring.migrate import prepare_migration
    from compfw.files.problems import today
    from compfw.files.writing import write_new

    monkeypatch.chdir(root)
    result = prepare_migration(Path(DANA), "2.0", today())
    write_new(result.migration_path, result.migration_text)
    return result.migration_path


def test_migrate_finishes_a_migration_stopped_between_its_two_writes(repo, cli, monkeypatch):
    record = _write_the_record_only(repo, monkeypatch)
    written = record.read_bytes()
    stopped = cli(["validate"], cwd=repo)
    assert stopped.exit_code == 1
    assert stopped.stdout.splitlines()[0] == (
        "portfolios/dana-cole/migrations/2026-11-22-1.0-to-2.0.yaml:7:5: error: this migration to version '2.0' "
        "was not finished: portfolio.yaml still pins '1.0', so the records are read as of '1.0' (hint: finish it "
        "with `compfw migrate portfolios/dana-cole --to 2.0` (it re-pins portfolio.yaml and leaves this file as "
        "it is), or delete this file to stay on 1.0)")
    assert status(cli, repo)["framework"]["version"] == "1.0"

    result = cli(["migrate", DANA, "--to", "2.0"], cwd=repo)   # as the hint says
    assert (result.exit_code, result.stderr) == (0, "")
    assert result.stdout == MIGRATE_OUT.replace(
        "wrote portfolios/dana-cole/migrations/2026-11-22-1.0-to-2.0.yaml\n",
        "kept portfolios/dana-cole/migrations/2026-11-22-1.0-to-2.0.yaml: written by an earlier `compfw migrate` "
        "that stopped before the re-pin, and left as it is\n").replace(
        "commit both files\n", "commit both files (the record may be committed already)\n")
    assert record.read_bytes() == written == MIGRATION_FILE.encode()   # the record is never rewritten
    assert git(repo, "status", "--porcelain", "--untracked-files=all").splitlines() == [
        " M portfolios/dana-cole/portfolio.yaml",
        "?? portfolios/dana-cole/migrations/2026-11-22-1.0-to-2.0.yaml",
    ]
    after = cli(["validate"], cwd=repo)
    assert (after.exit_code, after.stdout) == (0, VALIDATE_AFTER)   # as after a migration never stopped


def test_the_installed_compfw_finishes_a_stopped_migration(repo, monkeypatch):
    """The same through the `compfw` entry point, as a separate process."""
    import subprocess
    import sys

    _write_the_record_only(repo, monkeypatch)
    exe = Path(sys.executable).parent / "compfw"
    assert exe.exists(), f"the compfw entry point is not installed beside {sys.executable}"
    done = subprocess.run([exe, "migrate", DANA, "--to", "2.0"], cwd=repo, capture_output=True, text=True)
    assert (done.returncode, done.stderr) == (0, "")
    done = subprocess.run([exe, "validate"], cwd=repo, capture_output=True, text=True)
    assert (done.returncode, done.stdout) == (0, VALIDATE_AFTER)


def test_a_stopped_migration_is_not_finished_towards_another_version(repo, cli, monkeypatch):
    _write_the_record_only(repo, monkeypatch)
    record = "portfolios/dana-cole/migrations/2026-11-22-1.0-to-2.0.yaml"
    _refused(cli, repo, ["migrate", DANA, "--to", "3.0"],
             f"error: a migration of portfolios/dana-cole to mini2 2.0 was begun and not finished: {record} is "
             "written, but portfolio.yaml still pins 1.0\n"
             "hint: finish that one first with `compfw migrate portfolios/dana-cole --to 2.0`, then migrate to 3.0; "
             f"or delete {record} (abandoning the migration to 2.0) and run this again; nothing was written\n")
    (repo / record).unlink()   # the other way the hint offers
    assert cli(["migrate", DANA, "--to", "3.0"], cwd=repo).exit_code == 0
    assert cli(["validate"], cwd=repo).exit_code == 0


@pytest.mark.parametrize("to, hint", [
    ("1.0", "to stay on 1.0, delete {record}; to finish the migration, run `compfw migrate portfolios/dana-cole "
            "--to 2.0`"),
    ("0.9", "finish that one first with `compfw migrate portfolios/dana-cole --to 2.0`; no chain of `replaces` "
            "links leads from 1.0 to 0.9"),
])
def test_a_stopped_migration_hint_offers_only_what_would_work(repo, cli, monkeypatch, to, hint):
    _write_the_record_only(repo, monkeypatch)
    record = "portfolios/dana-cole/migrations/2026-11-22-1.0-to-2.0.yaml"
    _refused(cli, repo, ["migrate", DANA, "--to", to],
             f"error: a migration of portfolios/dana-cole to mini2 2.0 was begun and not finished: {record} is "
             f"written, but portfolio.yaml still pins 1.0\nhint: {hint.format(record=record)}; nothing was written\n")


# --- the text-only re-pin ---------------------------------------------------------------------


@pytest.mark.parametrize("before, after", [
    ("framework:\n  id: x\n  version: '2.1'  # pinned\n", "framework:\n  id: x\n  version: '2.2'  # pinned\n"),
    ('framework:\n  version: "2.1"\n', 'framework:\n  version: "2.2"\n'),
    ("framework: {id: x, version: '2.1'}\n", "framework: {id: x, version: '2.2'}\n"),
    ("framework:\n  version: v2\n", 'framework:\n  version: "2.2"\n'),  # plain 2.2 would read as a number
])
def test_replace_scalars_keeps_style_and_everything_else(before, after):
    from compfw.files.yaml_located import position_of
    from compfw.files.yaml_parse import parse_text

    pos = position_of(parse_text(before), ("framework", "version"))
    assert replace_scalars(before, {pos: "2.2"}) == after


def test_replace_scalars_on_a_shipped_portfolio_is_a_one_line_change():
    from conftest import REPO

    from compfw.files.yaml_located import position_of
    from compfw.files.yaml_parse import parse_text

    text = (REPO / "portfolios/asha-patel/portfolio.yaml").read_text()
    new = replace_scalars(text, {position_of(parse_text(text), ("framework", "version")): "2.2"})
    diff = [(a, b) for a, b in zip(text.splitlines(), new.splitlines()) if a != b]
    assert diff == [("  version: '2.1'", "  version: '2.2'")]
    assert len(new.splitlines()) == len(text.splitlines())


def test_version_order():
    assert sorted(["10.0", "2.0", "2.0-rc1", "1.1"], key=version_key) == ["1.1", "2.0", "2.0-rc1", "10.0"]
