"""A framework and the policy's sanctioned overrides kept in the result cache (model/kept.py):
what the cache gives back is what reading the files gives, and a status after an edit reads
neither file again while both are unchanged."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import REPO, copy_tree

from compfw.files.problems import UserError
from compfw.files.result_cache import ResultCache
from compfw.model.kept import kept_framework
from compfw.model.loading import load_framework_file
from compfw.model.models import Framework

ASHA = "portfolios/asha-patel"
FRAMEWORKS = sorted((REPO / "frameworks").glob("*.yaml"))


@pytest.mark.parametrize("path", FRAMEWORKS, ids=lambda p: p.stem)
def test_every_shipped_framework_comes_back_from_its_json_unchanged(path):
    # The cache keeps a framework as its model's JSON: every field must survive the round trip.
    loaded, problems = load_framework_file(path)
    assert problems == [] and loaded is not None
    assert Framework.model_validate_json(loaded.framework.model_dump_json()) == loaded.framework


def test_a_kept_framework_is_the_fresh_one_and_reads_its_document_only_when_asked(tmp_path):
    path = copy_tree(REPO / "frameworks", tmp_path / "frameworks") / "nhs-gmts-informatics.yaml"
    cache = ResultCache(tmp_path / "cache")
    fresh, _ = load_framework_file(path)
    first, problems = kept_framework(path, cache)
    assert problems == [] and first.framework == fresh.framework
    kept, problems = kept_framework(path, cache)
    assert (cache.hits, cache.misses) == (1, 1) and problems == []
    assert kept.framework == fresh.framework and kept._doc is None  # the YAML was not parsed
    assert (kept.doc.path, kept.doc.data, kept.doc.text) == (fresh.doc.path, fresh.doc.data, fresh.doc.text)
    assert kept.catalog.by_id.keys() == fresh.catalog.by_id.keys()


def test_a_kept_framework_whose_file_breaks_before_its_document_is_read_says_so(tmp_path):
    path = copy_tree(REPO / "frameworks", tmp_path / "frameworks") / "nhs-gmts-informatics.yaml"
    cache = ResultCache(tmp_path / "cache")
    kept_framework(path, cache)
    kept, _ = kept_framework(path, cache)
    path.write_text("sections: [\n")
    with pytest.raises(UserError, match=r"nhs-gmts-informatics.yaml changed while compfw was reading it"):
        kept.doc
    # The next command (a cache observes each input once per command) sees the edit: read again, refused.
    broken, problems = kept_framework(path, ResultCache(tmp_path / "cache"))
    assert broken is None and [p.code for p in problems] == ["yaml"]


def test_a_file_that_gives_no_framework_reports_its_problems_from_the_cache_too(tmp_path):
    path = tmp_path / "frameworks" / "broken.yaml"
    path.parent.mkdir()
    path.write_text("id: broken\nversion: '1'\n")
    cache = ResultCache(tmp_path / "cache")
    fresh = load_framework_file(path)
    assert fresh[0] is None and fresh[1]
    assert kept_framework(path, cache) == fresh
    assert kept_framework(path, cache) == fresh and cache.hits == 1


def _status(repo: Path, *extra: str) -> tuple[str, list[str]]:
    """`compfw status --json` on Asha in a fresh process: its output, and the framework files it
    parsed (a spy on load_framework_file, the one function that reads one)."""
    code = ("import sys; import compfw.model.loading as loading; real = loading.load_framework_file; read = []\n"
            "def spy(path):\n    read.append(str(path).rsplit('/', 1)[-1]); return real(path)\n"
            "loading.load_framework_file = spy\n"
            "import compfw.model.kept as kept; kept.load_framework_file = spy\n"
            "from compfw.cli import main; sys.argv = ['compfw', 'status', *sys.argv[1:]]\n"
            "try:\n    main()\nexcept SystemExit as done:\n    sys.stderr.write(f'exit {done.code}; read: {sorted(read)}')")
    done = subprocess.run([sys.executable, "-c", code, ASHA, "--json", *extra], cwd=repo, capture_output=True,
                          text=True, env=os.environ, timeout=60)
    found = re.search(r"exit 0; read: \[(.*)\]\Z", done.stderr)
    assert found, done.stderr[-500:]
    return done.stdout, [name.strip("'") for name in found.group(1).split(", ") if name]


def test_status_after_an_edit_takes_the_framework_from_the_cache(sanctioned_copy):
    repo = sanctioned_copy
    first, read = _status(repo)
    assert read == ["nhs-gmts-informatics.yaml"]  # the repository's (sanctioned, so the shipped one is not needed)
    evidence = sorted((repo / ASHA / "evidence").glob("*.yaml"))[0]
    evidence.write_text(evidence.read_text() + "# looked at again\n")
    again, read = _status(repo)
    assert (again, read) == (first, [])
    framework = repo / "frameworks" / "nhs-gmts-informatics.yaml"
    text = framework.read_text()
    target = re.search(r"target: (\d)", text)
    framework.write_text(text[:target.start()] + f"target: {5 if target.group(1) != '5' else 1}" + text[target.end():])
    edited, read = _status(repo)
    assert read == ["nhs-gmts-informatics.yaml"] and edited != first  # only the edited file is read again
    assert edited == _status(repo, "--no-cache")[0]
