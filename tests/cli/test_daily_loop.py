"""The daily loop end to end, through the installed `compfw` entry point in a fresh git repository.

A trainee logs evidence and asks her placement manager to review it; the manager's queue shows
both with their age; the manager signs off with --commit; the queue is empty; `compfw diff`
against the commit before the sign-off shows the status change and the new percentage as text,
JSON and Markdown (the Markdown read back by a CommonMark parser, not just printed). The git
configuration is isolated by tests/conftest.py; each person sets their identity in the repository.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import committed_signoff_case, git, markdown_tables
from markdown_it import MarkdownIt

COMPFW = Path(sys.executable).parent / "compfw"
ASHA = ("Asha Trainee", "asha@example.org")
NIA = ("Nia North", "nia@example.org")
FEEDBACK = "Negotiated the supplier contract with care and firmness; the evidence shows level four throughout."


def compfw(root: Path, *args: str, exit_code: int = 0) -> str:
    done = subprocess.run([str(COMPFW), *args], cwd=root, capture_output=True, text=True, env=dict(os.environ))
    assert done.returncode == exit_code, f"compfw {' '.join(args)}: {done.stdout}{done.stderr}"
    assert "Traceback" not in done.stderr
    return done.stdout


def be(root: Path, person: tuple[str, str]) -> None:
    git(root, "config", "user.name", person[0])
    git(root, "config", "user.email", person[1])


@pytest.fixture
def repo(make_repo):
    assert COMPFW.exists(), f"the compfw entry point is not installed beside {sys.executable}"
    return committed_signoff_case(make_repo)




def test_request_queue_signoff_diff(repo):
    # The trainee: evidence of 2026-11-10 and a request of 2026-11-12 (today is 2026-11-22).
    be(repo, ASHA)
    compfw(repo, "evidence", "add", "portfolios/asha", "--competency", "2.1.4", "--title", "Supplier contract",
           "--narrative", "Led the negotiation of the regional supplier contract.", "--date", "2026-11-10")
    compfw(repo, "request", "portfolios/asha", "2.1.4", "--to", "nia@example.org",
           "--note", "The supplier contract negotiation", "--date", "2026-11-12")
    git(repo, "add", "portfolios")
    git(repo, "commit", "-q", "-m", "Evidence and a request for review")
    before_signoff = git(repo, "rev-parse", "HEAD").strip()
    [request] = (repo / "portfolios" / "asha" / "requests").iterdir()

    # The manager's queue: both, with their age, oldest first.
    be(repo, NIA)
    queue = compfw(repo, "queue").splitlines()
    assert queue[0] == "Nia North <nia@example.org> on 2026-11-22: 2 waiting, from 1 of 1 trainee"
    assert queue[2].split() == ["12", "days", "2026-11-10", "Asha", "Trainee", "(asha)", "2.1.4", "evidence",
                                "ev-2026-11-10-supplier-contract:", "Supplier", "contract",
                                "portfolios/asha/evidence/2026-11-10-supplier-contract.yaml"]
    assert queue[3].split() == ["10", "days", "2026-11-12", "Asha", "Trainee", "(asha)", "2.1.4", "request:", "The",
                                "supplier", "contract", "negotiation", f"portfolios/asha/requests/{request.name}"]
    assert len(queue) == 4
    items = json.loads(compfw(repo, "queue", "--json"))["managers"][0]["trainees"][0]["items"]
    assert [(i["kind"], i["age_days"], i["competencies"]) for i in items] == [
        ("evidence", 12, ["2.1.4"]), ("request", 10, ["2.1.4"])]

    # The manager signs at the target (4) and commits; the request is answered, nothing rewritten.
    compfw(repo, "signoff", "portfolios/asha", "2.1.4", "--level", "4", "--feedback", FEEDBACK, "--commit")
    assert git(repo, "status", "--porcelain") == ""
    assert git(repo, "log", "-1", "--format=%ae").strip() == "nia@example.org"
    assert compfw(repo, "queue") == "Nia North <nia@example.org> on 2026-11-22: nothing waiting (1 trainee)\n" \
                                    "  Nothing waiting from: Asha Trainee (asha)\n"
    assert git(repo, "diff", "--name-status", before_signoff, "HEAD").startswith("A\tportfolios/asha/signoffs/")
    compfw(repo, "validate")

    # What the change did, three ways.
    text = compfw(repo, "diff", before_signoff).splitlines()
    assert text[0] == f"{before_signoff} ({before_signoff[:12]}) -> HEAD ({git(repo, 'rev-parse', 'HEAD')[:12]}), " \
                      "as of 2026-11-22: 1 of 1 touched portfolio changed"
    assert text[2] == ("Asha Trainee (asha), portfolios/asha: 0.0% (0 of 10) -> 10.0% (1 of 10) achieved; "
                       "Behind pace -> Behind pace")
    assert text[3] == ("  2.1.4 Negotiates: Partially Achieved -> Achieved (level 4), signed by "
                       "Nia North <nia@example.org>, placement manager, 2026-11-22")
    assert len(text) == 4

    doc = json.loads(compfw(repo, "diff", before_signoff, "HEAD", "--format", "json"))
    [trainee] = doc["trainees"]
    assert (trainee["id"], trainee["change"], trainee["before"]["percent"], trainee["after"]["percent"]) == \
        ("asha", "changed", 0.0, 10.0)
    [change] = trainee["competencies"]
    assert change["id"] == "2.1.4"
    assert (change["before"]["status"], change["after"]["status"], change["after"]["level"]) == \
        ("partially_achieved", "achieved", 4)
    assert [(s["email"], s["role"], s["level"]) for s in change["signed_by"]] == [("nia@example.org", "placement_manager", 4)]

    markdown = compfw(repo, "diff", before_signoff, "--format", "markdown")
    tokens = MarkdownIt("commonmark").enable("table").parse(markdown)
    headings = [tokens[i + 1].content for i, t in enumerate(tokens) if t.type == "heading_open"]
    assert headings == ["compfw: what this change does to the portfolios", "Asha Trainee (asha)"]
    standing, competencies = markdown_tables(markdown)
    assert standing == [["", "before", "after"], ["achieved", "0.0% (0 of 10)", "10.0% (1 of 10)"],
                        ["readiness", "Behind pace", "Behind pace"]]
    assert competencies == [["competency", "before", "after", "signed by"],
                            ["2.1.4 Negotiates", "Partially Achieved", "Achieved (level 4)",
                             "Nia North (nia@example.org), placement manager, 2026-11-22"]]
