"""Where things are in a repository: its root, the portfolio folders, the framework folders.

Plain paths, no models: the commands that find a result in the cache need these and nothing else.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

from compfw.files.problems import UserError
from compfw.files.reading import FileRefused, read_bytes

PORTFOLIO_FILE = "portfolio.yaml"
POLICY_FILE = ".compfw/policy.yaml"  # the trust policy, under the repository root
SCRATCH = "compfw"  # compfw's own folder inside a work tree's git folder (trust/recording.py)
SIGNOFF_JOURNAL = "signoff-journal.json"  # in SCRATCH while a batch of sign-offs is being recorded
MIGRATIONS = "migrations"  # a portfolio's records of `compfw migrate` (model/migrations.py)


def has_migration_records(folder: Path) -> bool:
    """Whether a portfolio has a migrations folder (followed if a link: reading it reports that).

    Few portfolios were ever migrated: the readers and checks of migration records, and their
    pydantic model, are imported only for one that was (a few milliseconds of every `status`).
    """
    return (folder / MIGRATIONS).is_dir()


def policy_present(root: Path) -> bool:
    """Whether the repository under root has a trust policy file (a link counts: reading it reports it)."""
    path = root / POLICY_FILE
    return path.exists() or path.is_symlink()


def pending_signoff_journal(start: Path) -> bool:
    """Whether the work tree around start has a sign-off batch's journal left by a killed command:
    a look at the disk, no git process and no import of the recording code (every command asks)."""
    from compfw.files.gitutil import find_git_dir

    found = find_git_dir(start)
    return found is not None and (found / SCRATCH / SIGNOFF_JOURNAL).is_file()


def find_repo_root(start: Path | None = None) -> Path:
    """The nearest folder at or above start that holds portfolios/ or frameworks/ (else start)."""
    here = (start or Path.cwd()).resolve()
    for folder in (here, *here.parents):
        if (folder / "portfolios").is_dir() or (folder / "frameworks").is_dir():
            return folder
        if (folder / ".git").exists():
            break
    return here


def shipped_dir(kind: str) -> Path:
    """Data shipped with the package (wheel), or the source checkout's copy (editable install)."""
    packaged = Path(__file__).parents[1] / "_data" / kind
    if packaged.is_dir():
        return packaged
    return Path(__file__).resolve().parents[3] / kind


def framework_folders(root: Path, extra: list[Path] | None = None) -> list[Path]:
    """The folders frameworks are read from, in order (later ones win): the shipped ones, the
    repository's frameworks/, then any extra; each once, missing ones left out."""
    unique: list[Path] = []
    for folder in [shipped_dir("frameworks"), root / "frameworks", *(extra or [])]:
        if folder.is_dir() and all(not _same(folder, seen) for seen in unique):
            unique.append(folder)
    return unique


def _same(a: Path, b: Path) -> bool:
    try:
        return a.resolve() == b.resolve()
    except OSError:
        return False


def portfolio_folders(root: Path) -> list[Path]:
    """Portfolio folders under a directory (itself, if it is one)."""
    if (root / PORTFOLIO_FILE).exists():
        return [root]
    try:
        with os.scandir(root) as entries:
            names = sorted(e.name for e in entries if not e.name.startswith(".") and e.is_dir())
    except OSError:
        return []
    return [root / name for name in names if os.path.exists(os.path.join(root, name, PORTFOLIO_FILE))]


def portfolio_folders_below(folder: Path) -> list[Path]:
    """Portfolio folders anywhere below folder (not folder itself), for saying where they went."""
    try:
        return sorted(p.parent for p in folder.rglob(PORTFOLIO_FILE) if p.parent != folder)
    except OSError:
        return []


def _email_of(folder: Path, needle: str) -> bool:
    """Whether this portfolio's trainee email is needle (read cheaply: a portfolio.yaml whose
    text cannot hold the address, with no escape that could spell it, is not parsed)."""
    try:
        text = read_bytes(folder / PORTFOLIO_FILE).decode("utf-8-sig")
    except (FileRefused, UnicodeDecodeError):
        return False
    if needle not in text.lower() and "\\" not in text:
        return False
    from compfw.files.yaml_located import YamlProblem
    from compfw.files.yaml_parse import parse_text

    try:  # the text already read, not the file again
        data = parse_text(text)
    except YamlProblem:
        return False
    trainee = data.get("trainee") if isinstance(data, dict) else None
    return isinstance(trainee, dict) and str(trainee.get("email", "")).strip().lower() == needle


def find_portfolio_by_email(root: Path, email: str) -> Path | None:
    """The portfolio whose trainee email is this one.

    The folder named like the address (asha.patel@... -> portfolios/asha-patel) is tried first,
    then every portfolio by folder name; files that cannot hold the address are not parsed, so
    this stays fast in a cohort of thousands.
    """
    needle = email.strip().lower()
    base = root / "portfolios"
    guess = re.sub(r"[^a-z0-9]+", "-", needle.split("@")[0]).strip("-")
    if guess and (base / guess / PORTFOLIO_FILE).is_file() and _email_of(base / guess, needle):
        return base / guess
    for folder in portfolio_folders(base):
        if _email_of(folder, needle):
            return folder
    return None


def locate_portfolio(path: Path | None, root: Path) -> Path:
    """The portfolio given, or the one whose trainee email is git's user.email."""
    if path is not None:
        return path
    from compfw.files.gitutil import config_value

    email = config_value("user.email", root)
    if not email:
        raise UserError("no portfolio given and git user.email is not set",
                        "pass the portfolio folder, e.g. `compfw status portfolios/<your-id>`")
    found = find_portfolio_by_email(root, email)
    if found is None:
        raise UserError(f"no portfolio in {root / 'portfolios'} has trainee email {email}",
                        "pass the portfolio folder explicitly, or fix trainee.email in your portfolio.yaml")
    return found


def find_portfolio(path: Path | None) -> tuple[Path, Path]:
    """(repository root, portfolio folder) for a command given this path (or none: yours)."""
    root = find_repo_root(path.resolve() if path else None)
    folder = locate_portfolio(path, root)
    if not folder.is_dir():
        raise UserError(f"{folder} is not a portfolio folder", "give the folder that holds portfolio.yaml")
    return root, folder
