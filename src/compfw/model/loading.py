"""Finding and loading frameworks and portfolios from disk into models, with located problems.

Layout of a portfolio directory::

    portfolios/<trainee-id>/
        portfolio.yaml          written by the trainee
        reflective-piece.md     the Personal Qualities piece (optional)
        evidence/*.yaml         one evidence entry per file (or a list of entries)
        signoffs/*.yaml         one sign-off record per file, never edited once added
        requests/*.yaml         one request for review per file, never edited once added

Frameworks are ``frameworks/<id>.yaml`` (or ``<id>@<version>.yaml`` for another version); the
ones shipped inside the package come first and a repository's own ``frameworks/`` adds to or
overrides them.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

from compfw.files import inputs
from compfw.files.layout import (  # noqa: F401 (where things are: kept importable from here)
    POLICY_FILE,
    PORTFOLIO_FILE,
    find_portfolio_by_email,
    find_repo_root,
    framework_folders,
    portfolio_folders,
    portfolio_folders_below,
    policy_present,
    shipped_dir,
)
from compfw.files.problems import Problem, UserError
from compfw.files.reading import FileRefused, outside_repository, read_bytes, yaml_entries, yaml_files
from compfw.files.yaml_located import LocatedList, YamlDocument, position_of, shown_path
from compfw.files.yaml_parse import load_yaml
from compfw.model.catalog import Catalog
from compfw.model.modelerrors import validate_as
from compfw.model.models import Evidence, Framework, Portfolio, ReviewRequest, Signoff

_WORD = re.compile(r"[^\W_](?:[\w'’\-]*[^\W_])?", re.UNICODE)
MAX_PIECE_BYTES = 1024 * 1024  # a 2,000-word piece is about 13 kB


# --- frameworks -------------------------------------------------------------------------------


# LoadedFramework, Record and LoadedPortfolio are written out rather than made with @dataclass:
# each @dataclass costs about half a millisecond of start-up (it compiles its methods), and every
# `status` pays it.


class LoadedFramework:
    """A valid framework and the file it came from.

    A framework taken from the result cache (model.kept) comes without its YAML document: the
    file is read again only if something asks for the document (a check that points into it),
    which `status` never does.
    """

    __slots__ = ("framework", "_doc", "_path", "_catalog")

    def __init__(self, framework: Framework, doc: YamlDocument | None = None, path: Path | str | None = None):
        self.framework = framework
        self._doc = doc
        self._path = path if doc is None else doc.path
        self._catalog: Catalog | None = None

    @property
    def doc(self) -> YamlDocument:
        if self._doc is None:
            doc, problem = load_yaml(self._path)
            if problem is not None:
                raise UserError(f"{problem.path} changed while compfw was reading it: {problem.message}",
                                "run the command again")
            self._doc = doc
        return self._doc

    @property
    def catalog(self) -> Catalog:
        if self._catalog is None:
            self._catalog = Catalog(self.framework)
        return self._catalog


def load_framework_file(path: Path) -> tuple[LoadedFramework | None, list[Problem]]:
    doc, problem = load_yaml(path)
    if problem:
        return None, [problem]
    framework, problems = validate_as(doc, Framework)
    if framework is None:
        return None, problems
    return LoadedFramework(framework, doc), []


class FrameworkStore:
    """Frameworks by (id, version), read lazily from the shipped folder and the repo's own.

    What it reads it keeps for the command, in Memos: each portfolio that uses a kept framework
    (or listing) depends on its files as much as the first one did (see files.inputs).
    """

    def __init__(self, folders: list[Path],
                 sanctioned: Callable[[], set[tuple[str, str]]] | None = None,
                 read: Callable[[Path], tuple[LoadedFramework | None, list[Problem]]] | None = None):
        self.folders = [f for f in folders if f.is_dir()]
        self._loaded = inputs.Memo()
        self._read = read or load_framework_file  # model.kept's reads through the result cache
        # With a repository, its frameworks may not replace a shipped one the trust policy does not
        # sanction: validate and audit report such a file, and status never counts against it.
        # sanctioned is asked once, at the first repository file that would replace a shipped one:
        # a repository that replaces none never reads its policy for this.
        self._sanctioned = sanctioned
        self._shipped = shipped_dir("frameworks").resolve()

    @classmethod
    def for_repo(cls, root: Path, extra: list[Path] | None = None) -> FrameworkStore:
        return cls(framework_folders(root, extra), lambda: sanctioned_overrides(root))

    def _sanctioned_now(self) -> set[tuple[str, str]]:
        return self._loaded.get(("sanctioned",), self._sanctioned)

    def _load(self, path: Path) -> tuple[LoadedFramework | None, list[Problem]]:
        return self._loaded.get(("file", path), lambda: self._read(path))

    def candidates(self, framework_id: str) -> list[Path]:
        """Files that may hold this id: later folders win, so they come first.

        The folders are listed once per store (a store lives for one command), not once per
        portfolio: validating a cohort asks for the same framework thousands of times.
        """
        files = self._loaded.get(("files",), lambda: [path for folder in reversed(self.folders)
                                                      for path in yaml_files(folder)])
        return [path for path in files
                if path.stem == framework_id or path.stem.startswith(framework_id + "@")]

    def _usable(self, path: Path) -> LoadedFramework | None:
        loaded, _ = self._load(path)
        if loaded is None or self._sanctioned is None or path.parent.resolve() == self._shipped:
            return loaded
        key = (loaded.framework.id, loaded.framework.version)
        shipped_files = [other for other in self.candidates(key[0]) if other.parent.resolve() == self._shipped]
        if not shipped_files or key in self._sanctioned_now():
            return loaded
        for other in shipped_files:
            shipped, _ = self._load(other)
            if shipped is not None and shipped.framework.version == key[1]:
                return None  # an unsanctioned override: the shipped framework stands
        return loaded

    def get(self, framework_id: str, version: str) -> LoadedFramework | None:
        return self._loaded.get(("framework", framework_id, version), lambda: next(
            (loaded for loaded in map(self._usable, self.candidates(framework_id))
             if loaded and loaded.framework.id == framework_id and loaded.framework.version == version), None))

    def unreadable(self, framework_id: str) -> list[Problem]:
        """The problems of the files that may hold this framework id but cannot be loaded."""
        return [problem for path in self.candidates(framework_id) for problem in self._load(path)[1]]

    def versions(self, framework_id: str) -> list[str]:
        out = []
        for path in self.candidates(framework_id):
            loaded = self._usable(path)
            if loaded and loaded.framework.id == framework_id and loaded.framework.version not in out:
                out.append(loaded.framework.version)
        return out

    def all(self) -> list[LoadedFramework]:
        """Every framework, one per (id, version), the repo's overriding the shipped."""
        chosen: dict[tuple[str, str], LoadedFramework] = {}
        for folder in self.folders:
            for path in yaml_files(folder):
                loaded = self._usable(path)
                if loaded:
                    chosen[(loaded.framework.id, loaded.framework.version)] = loaded
        return sorted(chosen.values(), key=lambda lf: (lf.framework.id, lf.framework.version))


def sanctioned_overrides(root: Path) -> set[tuple[str, str]]:
    """The (id, version) of shipped frameworks the repository's trust policy lets it replace.

    A policy that lists no framework_overrides sanctions none whether or not the rest of it is
    valid (an invalid policy sanctions nothing), so only one that lists some is validated here:
    the policy's models cost more to build than `status` spends on a whole portfolio.
    """
    if not policy_present(root):
        return set()
    doc, problem = load_yaml(root / POLICY_FILE)
    if problem is not None or not isinstance(doc.data, dict) or not doc.data.get("framework_overrides"):
        return set()
    from compfw.model.policy import parse_policy

    policy = parse_policy(doc)[0]
    return {(o.id, o.version) for o in policy.framework_overrides} if policy is not None else set()


def resolve(store, framework_id: str, version: str | None):
    versions = store.versions(framework_id)
    if not versions:
        known = ", ".join(sorted({lf.framework.id for lf in store.all()}))
        raise UserError(f"unknown framework {framework_id!r}", f"known frameworks: {known}")
    chosen = version or sorted(versions, key=_version_key)[-1]
    lf = store.get(framework_id, chosen)
    if lf is None:
        raise UserError(f"framework {framework_id} has no version {chosen!r}", f"available: {', '.join(versions)}")
    return lf


def _version_key(version: str) -> tuple:
    return tuple(int(part) if part.isdigit() else 0 for part in version.replace("-", ".").split("."))


# --- portfolios -------------------------------------------------------------------------------


class Record:
    """An evidence entry or sign-off with the file and data it came from, for located messages.

    recorded: a sign-off's date as git recorded it (model.provenance), if committed.
    evidence_edited: a sign-off's cited evidence changed since it was recorded.
    """

    __slots__ = ("model", "doc", "loc", "recorded", "evidence_edited")

    def __init__(self, model: Any, doc: YamlDocument, loc: tuple = (), recorded: str | None = None,
                 evidence_edited: tuple[str, ...] = ()):
        self.model = model
        self.doc = doc
        self.loc = loc
        self.recorded = recorded
        self.evidence_edited = evidence_edited

    def pos(self, *more: Any) -> tuple[int, int]:
        return position_of(self.doc.data, self.loc + tuple(more))

    @property
    def shown(self) -> str:
        return self.doc.shown


class LoadedPortfolio:
    __slots__ = ("folder", "portfolio", "doc", "evidence", "signoffs", "reflective_words", "requests")

    def __init__(self, folder: Path, portfolio: Portfolio, doc: YamlDocument, evidence: list[Record] | None = None,
                 signoffs: list[Record] | None = None, reflective_words: int | None = None,
                 requests: list[Record] | None = None):
        self.folder = folder
        self.portfolio = portfolio
        self.doc = doc
        self.evidence: list[Record] = [] if evidence is None else evidence
        self.signoffs: list[Record] = [] if signoffs is None else signoffs
        self.reflective_words = reflective_words
        self.requests: list[Record] = [] if requests is None else requests

    def with_records(self, *, evidence: list[Record] | None = None, signoffs: list[Record] | None = None,
                     requests: list[Record] | None = None) -> LoadedPortfolio:
        """A copy with some record lists replaced (a trial of records not yet written); self is unchanged."""
        return LoadedPortfolio(self.folder, self.portfolio, self.doc,
                               self.evidence if evidence is None else evidence,
                               self.signoffs if signoffs is None else signoffs,
                               self.reflective_words,
                               self.requests if requests is None else requests)

    @property
    def id(self) -> str:
        return self.portfolio.trainee.id


def count_words(text: str) -> int:
    """Words in a Markdown text, YAML front matter left out."""
    if text.startswith("---"):
        end = text.find("\n---", 3)
        if end != -1:
            text = text[end + 4:]
    return len(_WORD.findall(text))


def _records(folder: Path, model: type, many: bool) -> tuple[list[Record], list[Problem]]:
    records: list[Record] = []
    problems: list[Problem] = []
    if os.path.islink(folder):
        return [], [linked(folder, "folder")]
    if folder.exists() and not folder.is_dir():
        return [], [Problem(shown_path(folder), 0, 0, "expected a folder but found a file",
                            "move the file away; this name is reserved for records", code="not-a-folder")]
    if outside_repository(folder):
        return [], [_outside(folder)]
    base = os.fspath(folder)
    for name, is_link in yaml_entries(base):
        path = os.path.join(base, name)  # text, not a Path: see YamlDocument
        if is_link:
            problems.append(linked(path, "file"))
            continue
        doc, problem = load_yaml(path)
        if problem:
            problems.append(problem)
            continue
        if many and isinstance(doc.data, LocatedList):
            for index, item in enumerate(doc.data):
                parsed, found = validate_as(doc, model, data=item, prefix=(index,))
                problems.extend(found)
                if parsed:
                    records.append(Record(parsed, doc, (index,)))
            continue
        parsed, found = validate_as(doc, model)
        problems.extend(found)
        if parsed:
            records.append(Record(parsed, doc))
    return records, problems


def linked(path: Path | str, kind: str) -> Problem:
    """A symbolic link inside a portfolio: never followed, whatever it points at (a link to
    another trainee's signoffs/ would count their sign-offs here, unseen by the audit)."""
    return Problem(shown_path(path), 0, 0, f"{kind} is a symbolic link; compfw never follows a link inside a "
                   "portfolio, so nothing in it was read", f"replace the link with the {kind} itself",
                   code="trust-symlink")


def _outside(folder: Path) -> Problem:
    return Problem(shown_path(folder), 0, 0, "folder is a symbolic link to a place outside the repository; "
                   "nothing in it was read", "replace the link with the folder itself; compfw reads only files "
                   "inside the repository", code="outside-repository")


def read_portfolio(folder: Path) -> tuple[LoadedPortfolio | None, list[Problem]]:
    """Read a portfolio folder's own files (portfolio.yaml, evidence, sign-offs) as they are written.

    Recorded migrations are not applied here: `model.portfolios.load_portfolio` applies them on
    top, so that reading files never depends on the migration rules.
    """
    path = folder / PORTFOLIO_FILE
    if os.path.islink(folder):
        return None, [linked(folder, "folder")]
    if outside_repository(folder):
        return None, [_outside(folder)]
    if os.path.islink(path):
        return None, [linked(path, "file")]
    if not path.exists():
        nested = portfolio_folders_below(folder)
        if nested:
            # A cohort folder (portfolios/cohort-2026/x): no command looks two levels down.
            return None, [Problem(shown_path(folder), 0, 0,
                                  f"portfolios nested in a folder are not read ({shown_path(nested[0] / PORTFOLIO_FILE)}"
                                  + (f" and {len(nested) - 1} more" if len(nested) > 1 else "") + ")",
                                  "move each portfolio to portfolios/<name>/: compfw reads portfolios only there",
                                  code="nested-portfolio")]
        return None, [Problem(shown_path(folder), 0, 0, f"no {PORTFOLIO_FILE} in this folder",
                              "a portfolio is a folder with a portfolio.yaml; see `compfw init`", code="missing")]
    doc, problem = load_yaml(path)
    if problem:
        return None, [problem]
    portfolio, problems = validate_as(doc, Portfolio)
    if portfolio is None:
        return None, problems
    loaded = LoadedPortfolio(folder, portfolio, doc)
    loaded.evidence, loaded.signoffs, loaded.requests, found = read_records(folder)
    return loaded, problems + found


def read_records(folder: Path) -> tuple[list[Record], list[Record], list[Record], list[Problem]]:
    """A portfolio's evidence, sign-offs and requests, each file read and schema-checked on its own."""
    evidence, problems = _records(folder / "evidence", Evidence, many=True)
    signoffs, found = _records(folder / "signoffs", Signoff, many=False)
    problems.extend(found)
    requests, found = _records(folder / "requests", ReviewRequest, many=False)
    return evidence, signoffs, requests, problems + found


def reflective_piece_problems(loaded: LoadedPortfolio) -> list[Problem]:
    """Count the words of the portfolio's reflective piece, if it names one; why it cannot be counted."""
    portfolio, doc = loaded.portfolio, loaded.doc
    if portfolio.reflective_piece is None:
        return []
    words, why = _reflective_words(loaded.folder, portfolio.reflective_piece.file)
    loaded.reflective_words = words
    if not why:
        return []
    line, col = position_of(doc.data, ("reflective_piece", "file"))
    return [Problem(doc.shown, line, col, f"reflective piece {portfolio.reflective_piece.file!r} {why}",
                    "write the piece as a UTF-8 Markdown file beside portfolio.yaml", code="reflective-piece")]


def _reflective_words(folder: Path, name: str) -> tuple[int | None, str]:
    """Words in the reflective piece, or None and why it cannot be counted.

    The piece must be a file inside the portfolio folder: an absolute path or one that climbs out
    with '..' is refused unread, as is a link out of the repository, a FIFO or a huge file.
    """
    relative = Path(name)
    if relative.is_absolute() or ".." in relative.parts or not relative.parts:
        return None, "must be a file inside the portfolio folder"
    if any(os.path.islink(folder.joinpath(*relative.parts[:n])) for n in range(1, len(relative.parts) + 1)):
        return None, "is a symbolic link (compfw never follows a link inside a portfolio)"
    try:
        raw = read_bytes(folder / relative, MAX_PIECE_BYTES)
    except FileRefused as exc:
        reason = {"outside-repository": "is a link to a place outside the repository",
                  "not-a-file": "is not a regular file",
                  "too-large": f"is larger than {MAX_PIECE_BYTES:,} bytes"}.get(exc.code, "cannot be read")
        return None, reason
    try:
        return count_words(raw.decode("utf-8-sig")), ""
    except UnicodeDecodeError:
        return None, "is not valid UTF-8"
