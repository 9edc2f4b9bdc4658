"""What made `status` cheaper in a git repository must not change an answer:

- the sign-offs' evidence as each recording commit had it is read for all commits at once
  (evidence_at_each), and equals reading it commit by commit (evidence_at), on a real repository
  whose evidence changes, gains a symbolic link and a folder, over several commits;
- the top of the work tree and HEAD come from one git call, before and after the first commit
  and outside any repository;
- git answers fetched ahead (files/git_ahead.py) are used once, by the identical call, within one
  command: a commit between two `status` runs in one process shows in the second.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

from conftest import REPO, copy_tree, git

from compfw.files import git_ahead, git_history, gitutil
from compfw.model.provenance import evidence_at, evidence_at_each

EVIDENCE = """id: {id}
date: 2026-03-0{day}
title: {title}
description: Led the supplier negotiation and recorded the agreement.
competencies: [1.1.1]
"""


def _commit(repo: Path, message: str) -> str:
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", message)
    return git(repo, "rev-parse", "HEAD").strip()


def test_evidence_for_many_commits_at_once_equals_one_commit_at_a_time(tmp_path):
    repo = tmp_path / "repo"
    evidence = repo / "portfolios" / "asha" / "evidence"
    evidence.mkdir(parents=True)
    git(repo, "init", "-q")
    (repo / "README").write_text("no evidence folder yet\n")
    revs = [_commit(repo, "before any evidence")]
    (evidence / "e1.yaml").write_text(EVIDENCE.format(id="e1", day=1, title="First"))
    (evidence / "notes.txt").write_text("not a record\n")
    revs.append(_commit(repo, "e1"))
    (evidence / "e1.yaml").write_text(EVIDENCE.format(id="e1", day=1, title="First, told better"))
    (evidence / "e2.yml").write_text("- " + EVIDENCE.format(id="e2", day=2, title="Second").replace("\n", "\n  "))
    os.symlink("e1.yaml", evidence / "linked.yaml")
    revs.append(_commit(repo, "e1 edited, e2 added, a link"))
    (evidence / "e2.yml").write_text(": not yaml [\n")
    revs.append(_commit(repo, "e2 broken"))
    flat = list(revs)
    (evidence / "more").mkdir()
    (evidence / "more" / "e3.yaml").write_text(EVIDENCE.format(id="e3", day=3, title="Third"))
    revs.append(_commit(repo, "a folder inside evidence"))

    folder = "portfolios/asha"
    at_once = evidence_at_each(repo, revs, folder)
    assert at_once == {rev: evidence_at(repo, rev, folder) for rev in revs}
    # The cases are what they claim to be: nothing, e1, e1 and e2 (the link left out), the broken
    # file left out, then e3 from the folder.
    assert [sorted(at_once[rev]) for rev in revs] == [[], ["e1"], ["e1", "e2"], ["e1"], ["e1", "e3"]]
    assert at_once[flat[1]]["e1"][1]["title"] == "First"
    assert at_once[flat[2]]["e1"][1]["title"] == "First, told better"
    assert at_once[revs[-1]]["e3"][0] == "portfolios/asha/evidence/more/e3.yaml"


def test_the_top_and_head_in_one_call(tmp_path):
    repo = tmp_path / "repo"
    (repo / "sub").mkdir(parents=True)
    assert git_history.toplevel_and_head(repo / "sub") == (None, None)  # not a repository
    git(repo, "init", "-q")
    top, head = git_history.toplevel_and_head(repo / "sub")
    assert (top.resolve(), head) == (repo.resolve(), None)  # no commit yet
    (repo / "sub" / "f").write_text("x\n")
    sha = _commit(repo, "first")
    top, head = git_history.toplevel_and_head(repo / "sub")
    assert (top.resolve(), head) == (repo.resolve(), sha)


def test_an_answer_fetched_ahead_is_taken_once_and_only_in_its_command(tmp_path):
    repo = tmp_path / "repo"
    repo.mkdir()
    git(repo, "init", "-q")
    args = ["rev-parse", "--show-toplevel"]

    def call():
        return gitutil.completed(args, repo)

    generation = git_ahead.expect(args, repo)
    done = git_ahead.run(args, repo, generation, call)
    assert git_ahead.take(args, repo) is done and done.stdout.strip() == str(repo.resolve())
    assert git_ahead.take(args, repo) is None  # once
    git_ahead.forget()
    assert git_ahead.run(args, repo, generation, call) is None  # a plan of a finished command
    assert git_ahead.take(args, repo) is None


def test_an_answer_a_failed_plan_never_gave_is_not_waited_for(tmp_path):
    args = ["rev-parse", "--show-toplevel"]
    generation = git_ahead.expect(args, tmp_path)

    def plan():
        raise RuntimeError("the plan fails before asking git")

    git_ahead.in_background(plan, generation)
    assert git_ahead.take(args, tmp_path) is None  # returns (no answer): the call then runs git itself
    git_ahead.forget()


def test_a_commit_between_two_status_runs_in_one_process_shows(cli, make_repo):
    repo = make_repo()
    portfolio = copy_tree(REPO / "portfolios" / "asha-patel", repo / "portfolios" / "asha-patel")
    git(repo, "init", "-q")
    _commit(repo, "the example portfolio")
    record = sorted((portfolio / "signoffs").iterdir())[0]
    added = record.with_name("zz-added-later.yaml")
    added.write_text(record.read_text())

    def recorded() -> dict[str, str | None]:
        result = cli(["status", str(portfolio.relative_to(repo)), "--json"], cwd=repo)
        assert result.exit_code == 0, result.output
        doc = json.loads(result.stdout)
        assert git_ahead._answers == {}  # nothing left for a later command
        return {so["file"].rsplit("/", 1)[-1]: so["recorded"] for c in doc["competencies"] for so in c["signoffs"]}

    assert recorded()[added.name] is None  # not committed yet
    # From the cache: this run asks git only for HEAD and the uncommitted files, so the history
    # fetched ahead for it goes untaken, and must not reach the next command.
    assert recorded()[added.name] is None
    _commit(repo, "the new sign-off")
    assert recorded()[added.name] == git(repo, "log", "-1", "--format=%cs").strip()


def test_an_answer_fetched_for_two_uses_serves_two_identical_calls(tmp_path):
    args = ["rev-parse", "--show-toplevel"]
    tmp_path.joinpath("repo").mkdir()
    git(tmp_path / "repo", "init", "-q")
    generation = git_ahead.expect(args, tmp_path / "repo", uses=2)
    done = git_ahead.run(args, tmp_path / "repo", generation, lambda: gitutil.completed(args, tmp_path / "repo"),
                         uses=2)
    assert [git_ahead.take(args, tmp_path / "repo") for _ in range(3)] == [done, done, None]
    git_ahead.forget()


def test_status_never_writes_the_index_a_commit_elsewhere_may_need(cli, make_repo):
    """`git status` refreshes a stale index and writes it back, under index.lock, unless told not
    to; compfw asks from a background thread, so it must not (a `git commit` in another terminal
    would find the lock taken)."""
    repo = make_repo()
    portfolio = copy_tree(REPO / "portfolios" / "asha-patel", repo / "portfolios" / "asha-patel")
    git(repo, "init", "-q")
    _commit(repo, "the example portfolio")
    for record in (portfolio / "signoffs").iterdir():
        os.utime(record, ns=(1_000_000_000, 1_000_000_000))  # same content, a stat the index does not know
    index = repo / ".git" / "index"
    before = index.stat().st_mtime_ns, index.read_bytes()
    result = cli(["status", "portfolios/asha-patel", "--json"], cwd=repo)
    assert result.exit_code == 0, result.output
    assert (index.stat().st_mtime_ns, index.read_bytes()) == before
