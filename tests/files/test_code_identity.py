"""compfw's code identity (part of every result cache key) follows its files: by their stat once
they are older than the racy window, by their content while one of them is newer, and it changes
with any edit, even one that keeps the size and puts the modification time back."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

from conftest import REPO

IDENTITY = "from compfw.files.result_cache import code_identity; print(code_identity())"


def _identity(src: Path) -> str:
    env = dict(os.environ, PYTHONPATH=str(src), PYTHONDONTWRITEBYTECODE="1")
    done = subprocess.run([sys.executable, "-c", IDENTITY], capture_output=True, text=True, env=env, cwd=src)
    assert done.returncode == 0, done.stderr
    return done.stdout.strip()


def _settle() -> None:
    time.sleep(2.2)  # past RACY_NS (2 s) since the last write


def test_the_code_identity_changes_with_every_edit_and_only_then(tmp_path):
    src = tmp_path / "src"
    shutil.copytree(REPO / "src" / "compfw", src / "compfw", ignore=shutil.ignore_patterns("__pycache__"))
    assert _identity(src) == _identity(src)  # fresh files: by content, stable
    by_content = _identity(src)
    _settle()
    by_stat = _identity(src)
    assert by_stat == _identity(src)  # settled files: by stat, stable
    assert by_stat != by_content  # the two ways never share a key

    target = src / "compfw" / "engine" / "status.py"
    before = target.stat()
    text = target.read_text()
    target.write_text(text.replace("achieved", "achieveD", 1))  # same size
    os.utime(target, ns=(before.st_atime_ns, before.st_mtime_ns))  # and the old modification time
    assert target.stat().st_size == before.st_size and target.stat().st_mtime_ns == before.st_mtime_ns
    edited_fresh = _identity(src)
    assert edited_fresh not in (by_content, by_stat)
    _settle()
    assert _identity(src) not in (by_content, by_stat, edited_fresh)
