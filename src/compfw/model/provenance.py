"""What git knows about a portfolio's sign-offs: the date each was recorded (the committer date of
the commit that added its file), and which evidence it cites has been edited since.

`compfw status --json` and the reports show the recorded date next to the date a sign-off
claims; `compfw audit` holds the two against the policy's backdating window. Outside git, or for
a file not committed yet, the recorded date is None: there is nothing to prove it by.
"""

from __future__ import annotations

from pathlib import Path

from compfw.files import gitutil, inputs
from compfw.files.reading import is_record_name
from compfw.files.yaml_located import YamlProblem
from compfw.files.yaml_parse import parse_text
from compfw.model.loading import LoadedPortfolio

LINK_MODES = ("120000", "160000")


def evidence_entries(blob: bytes | None) -> dict[str, object]:
    """The entries of one evidence file by id (a file holds one entry or a list of them)."""
    if blob is None:
        return {}
    try:
        data = parse_text(blob.decode("utf-8-sig"))
    except (UnicodeDecodeError, YamlProblem):
        return {}
    items = data if isinstance(data, list) else [data]
    return {item["id"]: item for item in items if isinstance(item, dict) and isinstance(item.get("id"), str)}


def evidence_at(top: Path, rev: str, folder: str) -> dict[str, tuple[str, object]]:
    """Evidence entries by id of one portfolio folder (a git path) as rev has them, with their file."""
    files = [p for p, mode in gitutil.tree_modes(top, rev, f"{folder}/evidence").items()
             if mode not in LINK_MODES and is_record_name(p.rsplit("/", 1)[-1])]
    blobs = gitutil.read_blobs(top, [f"{rev}:{p}" for p in files])
    return {eid: (path, entry) for path in sorted(files) for eid, entry in evidence_entries(blobs[f"{rev}:{path}"]).items()}


def attach_history(lp: LoadedPortfolio) -> None:
    """Set each sign-off record's `recorded` date and `evidence_edited` ids from git, if any."""
    if not lp.signoffs:
        return
    try:
        state = gitutil.folder_history(lp.folder, "signoffs")
    except gitutil.GitError:
        inputs.note(inputs.SIGNOFF_HISTORY, str(lp.folder), "!git")
        return
    # The answer depends on git's history and index, not only on the files read: the result
    # cache must see them (a commit, or a sign-off staged, changes the recorded dates).
    inputs.note(inputs.SIGNOFF_HISTORY, str(lp.folder), state.value)
    if state.top is None or state.head is None:
        return
    top, folder = state.top, state.relative
    try:
        added = gitutil.added_in(top, "HEAD", f"{folder}/signoffs")
        now = {}
        for record in lp.evidence:
            item = record.doc.data[record.loc[0]] if record.loc else record.doc.data
            now[record.model.id] = item
        then_by_commit: dict[str, dict[str, tuple[str, object]]] = {}
        for record in lp.signoffs:
            path = f"{folder}/signoffs/{record.doc.path.name}"
            if path not in added or path in state.uncommitted:
                continue
            sha, date = added[path]
            record.recorded = date[:10]
            if record.model.evidence:
                if sha not in then_by_commit:
                    then_by_commit[sha] = evidence_at(top, sha, folder)
                then = then_by_commit[sha]
                record.evidence_edited = tuple(eid for eid in record.model.evidence
                                               if then.get(eid, (None, None))[1] != now.get(eid))
    except (gitutil.GitError, ValueError):
        return

