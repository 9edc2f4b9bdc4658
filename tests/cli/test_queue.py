"""`compfw queue` and `compfw request`: folder-driven runs, Markdown that parses, requests validated.

Case folders: tests/cases/queue/<case>/ (see its README.md). The end-to-end path (a trainee's
request, the manager's queue, the sign-off, the diff) is in test_daily_loop.py.
"""

from __future__ import annotations

import json
import os

import pytest
import yaml
from conftest import CASES, markdown_tables
from markdown_it import MarkdownIt

QUEUE_CASES = sorted(p for p in (CASES / "queue").iterdir() if (p / "case.yaml").exists())


def _runs(case):
    return yaml.safe_load((case / "case.yaml").read_text())["runs"]


@pytest.mark.parametrize("case, run", [(c, r) for c in QUEUE_CASES for r in _runs(c)],
                         ids=lambda v: v["expected"] if isinstance(v, dict) else v.name)
def test_queue_case(case, run, make_repo, cli):
    root = make_repo(case / "repo")
    result = cli(run["args"], cwd=root)
    expected = case / run["expected"]
    if os.environ.get("COMPFW_REGEN"):
        expected.write_text(result.stdout)
    assert result.stdout == expected.read_text()
    assert result.exit_code == run["exit"], result.stderr
    assert "Traceback" not in result.stderr




def test_markdown_digest_parses_into_one_table_per_busy_manager():
    text = (CASES / "queue" / "cohort" / "all.md").read_text()
    tokens = MarkdownIt("commonmark").enable("table").parse(text)
    headings = [tokens[i + 1].content for i, t in enumerate(tokens) if t.type == "heading_open" and t.tag == "h2"]
    assert headings == ["Kim Lee (kim@example.org): 1 waiting, from 1 of 1 trainee",
                        "Max Place (max@example.org): 1 waiting, from 1 of 1 trainee",
                        "Nia North (nia@example.org): 1 waiting, from 1 of 1 trainee",
                        "Pat Prog (pat@example.org): 2 waiting, from 2 of 2 trainees"]
    tables = markdown_tables(text)
    assert [len(t) - 1 for t in tables] == [1, 1, 1, 2]
    assert all(len(row) == 6 for table in tables for row in table)
    nia = tables[2][1]
    assert nia[:4] == ["48", "2026-10-05", "Asha Trainee (asha)", "3.1.1, 2.1.4"]
    # The title's '|' stays inside its cell; its link and emphasis stay text, escaped.
    assert nia[4] == "evidence ev-negotiation: Contract negotiation | with a \\[link\\](http://x) and \\*stars\\*"
    assert not any(t.type == "link_open" for t in tokens if t.children is None) and not any(
        c.type in ("link_open", "em_open") for t in tokens for c in (t.children or []))
    pat = tables[3]
    assert [r[0] for r in pat[1:]] == ["52", "2"], "oldest first"


def test_json_lists_every_trainee_the_manager_may_sign_for():
    doc = json.loads((CASES / "queue" / "cohort" / "all.json").read_text())
    by_email = {m["email"]: m for m in doc["managers"]}
    assert sorted(by_email) == ["kim@example.org", "max@example.org", "nia@example.org", "pat@example.org"]
    assert [t["id"] for t in by_email["pat@example.org"]["trainees"]] == ["asha", "ben"]
    assert doc["unreadable"] == ["portfolios/zed"]
    max_items = by_email["max@example.org"]["trainees"][0]["items"]
    assert max_items == [{"kind": "request", "date": "2026-09-15", "age_days": 68, "competencies": ["3.1.1"],
                          "file": "portfolios/asha/requests/2026-09-15-max.yaml",
                          "label": "The network map and the business plan, before my placement review.",
                          "evidence_id": None}]


def test_queue_needs_to_know_who_asks(make_repo, cli, monkeypatch, tmp_path):
    root = make_repo(CASES / "queue" / "cohort" / "repo")
    empty = tmp_path / "empty-gitconfig"
    empty.write_text("")
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", str(empty))
    result = cli(["queue"], cwd=root)
    assert result.exit_code == 1
    assert result.stderr.startswith("error: whose queue? git user.email is not set\nhint: ")
    assert result.stdout == ""


def test_queue_defaults_to_git_user_email(make_repo, cli, tmp_path, monkeypatch):
    root = make_repo(CASES / "queue" / "cohort" / "repo")
    config = tmp_path / "nia-gitconfig"
    config.write_text("[user]\n\temail = nia@example.org\n")
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", str(config))
    result = cli(["queue"], cwd=root)
    assert result.exit_code == 0
    assert result.stdout.splitlines()[0] == "Nia North <nia@example.org> on 2026-11-22: 1 waiting, from 1 of 1 trainee"


@pytest.mark.parametrize("args, message", [
    (["queue", "--format", "html"], "choose one of text, markdown, json"),
    (["queue", "--all", "--as", "max@example.org"], "--all shows every manager"),
])
def test_queue_usage_errors(make_repo, cli, args, message):
    result = cli(args, cwd=make_repo())
    assert result.exit_code == 2
    assert message in result.stderr


# --- compfw request ---------------------------------------------------------------------------

SIGNOFF_REPO = CASES / "signoff" / "repo"


def _requests(root):
    folder = root / "portfolios" / "asha" / "requests"
    return sorted(folder.iterdir()) if folder.is_dir() else []


def test_request_writes_one_new_file_that_validates(make_repo, cli):
    root = make_repo(SIGNOFF_REPO)
    (root / "portfolios" / "asha" / "reflective-piece.md").write_text("A piece.\n")
    result = cli(["request", "portfolios/asha", "2.1.1", "2.1.1", "3.1.2", "--to", "Max@Example.org",
                  "--note", "  The network map,\nplease.  ", "--date", "2026-11-01"], cwd=root)
    assert result.exit_code == 0, result.stderr
    [path] = _requests(root)
    assert path.name.startswith("2026-11-01-max-2.1.1-3.1.2-") and path.suffix == ".yaml"
    assert path.read_text() == (
        "# yaml-language-server: $schema=../../../schemas/request.schema.json\n"
        "# A request for review: never edited once added. A sign-off of these competencies by the\n"
        "# manager asked answers it; to ask again, add a new request.\n"
        "to: Max@Example.org\ndate: 2026-11-01\ncompetencies:\n- 2.1.1\n- 3.1.2\n"
        "note: |-\n  The network map,\n  please.\n")
    assert result.stdout == (f"Asked Max Place <Max@Example.org> to review 2.1.1, 3.1.2 for asha: "
                             f"portfolios/asha/requests/{path.name}\n"
                             "Commit it with your evidence; a sign-off of these competencies by them answers it.\n")
    check = cli(["validate"], cwd=root)
    assert check.exit_code == 0, check.stdout
    queue = cli(["queue", "--as", "max@example.org", "--json"], cwd=root)
    items = json.loads(queue.stdout)["managers"][0]["trainees"][0]["items"]
    [item] = [i for i in items if i["kind"] == "request"]
    assert (item["kind"], item["age_days"], item["competencies"]) == ("request", 21, ["2.1.1", "3.1.2"])


@pytest.mark.parametrize("args, message", [
    (["9.9.9", "--to", "max@example.org"], "unknown competency '9.9.9'"),
    (["2.1.1", "--to", "asha@example.org"], "a request is addressed to a manager, not to the trainee"),
    (["2.1.1", "--to", "nia@example.org", "--date", "2026-05-01"],
     "nia@example.org may not sign off this portfolio on 2026-05-01"),
    (["2.1.1", "--to", "max@example.org", "--date", "2026-12-01"], "request date 2026-12-01 is in the future"),
    (["2.1.1", "--to", "not-an-email"], "to: the text 'not-an-email' is not an email address"),
])
def test_a_request_validate_would_refuse_is_not_written(make_repo, cli, args, message):
    root = make_repo(SIGNOFF_REPO)
    (root / "portfolios" / "asha" / "reflective-piece.md").write_text("A piece.\n")
    result = cli(["request", "portfolios/asha", *args], cwd=root)
    assert result.exit_code == 1
    assert result.stderr.startswith("error: this would not be a valid request; nothing was written\n")
    assert message in result.stderr
    assert result.stdout == ""
    assert _requests(root) == []


def test_request_usage_errors(make_repo, cli):
    root = make_repo(SIGNOFF_REPO)
    assert cli(["request", "portfolios/asha", "2.1.1"], cwd=root).exit_code == 2  # --to is required
    bad_date = cli(["request", "portfolios/asha", "2.1.1", "--to", "max@example.org", "--date", "soon"], cwd=root)
    assert bad_date.exit_code == 2 and "'soon' is not a date" in bad_date.stderr
    assert _requests(root) == []
