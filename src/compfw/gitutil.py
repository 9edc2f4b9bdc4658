"""The one place that runs git. Returns values or raises GitError; never prints."""

from __future__ import annotations

import subprocess
from pathlib import Path


class GitError(Exception):
    pass


def git(args: list[str], cwd: Path, check: bool = True, input_text: str | None = None) -> str:
    try:
        done = subprocess.run(["git", *args], cwd=cwd, capture_output=True, text=True, input=input_text)
    except FileNotFoundError:
        raise GitError("git is not installed or not on PATH") from None
    if check and done.returncode != 0:
        raise GitError(done.stderr.strip() or f"git {' '.join(args)} failed")
    return done.stdout


def config_value(key: str, cwd: Path) -> str | None:
    try:
        value = git(["config", "--get", key], cwd, check=False).strip()
    except GitError:
        return None
    return value or None


def toplevel(cwd: Path) -> Path | None:
    try:
        out = git(["rev-parse", "--show-toplevel"], cwd, check=False).strip()
    except GitError:
        return None
    return Path(out) if out else None
