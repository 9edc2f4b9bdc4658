"""What git knows about a portfolio's sign-offs: the date each was recorded (the committer date of
the commit that added its file), and which evidence it cites has been edited since.

`compfw status --json` and the reports show the recorded date next to the date a sign-off
claims; `compfw audit` holds the two against the policy's backdating window. Outside git, or for
a file not committed yet, the recorded date is None: there is nothing to prove it by.
"""

from __future__ import annotations

from pathlib import Path

from compfw.files import git_history, gitutil, inputs
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


def evidence_at_each(top: Path, revs: list[str], folder: str) -> dict[str, dict[str, tuple[str, object]]]:
    """evidence_at for each of several commits, in two git processes however many commits there
    are (a trainee's sign-offs come from as many commits as sign-off sessions), each file parsed
    once however many of the commits hold it. An evidence folder with folders in it is read the
    way evidence_at reads it."""
    root = f"{folder}/evidence"
    trees = gitutil.read_objects(top, [f"{rev}:{root}" for rev in revs])
    files: dict[str, list[tuple[str, str]]] = {}
    nested: list[str] = []
    for rev in revs:
        tree = trees[f"{rev}:{root}"]
        items = gitutil.tree_items(tree) if tree.kind == "tree" else []
        if any(mode == "40000" for mode, _, _ in items):
            nested.append(rev)
            continue
        files[rev] = [(f"{root}/{name}", oid) for mode, name, oid in items
                      if mode not in LINK_MODES and is_record_name(name)]
    blobs = gitutil.read_objects(top, sorted({oid for listed in files.values() for _, oid in listed}))
    parsed: dict[str, dict[str, object]] = {}
    found = {rev: evidence_at(top, rev, folder) for rev in nested}
    for rev, listed in files.items():
        entries: dict[str, tuple[str, object]] = {}
        for path, oid in sorted(listed):
            if oid not in parsed:
                blob = blobs[oid]
                parsed[oid] = evidence_entries(blob.body if blob.kind == "blob" else None)
            entries.update((eid, (path, entry)) for eid, entry in parsed[oid].items())
        found[rev] = entries
    return found


def attach_history(lp: LoadedPortfolio) -> None:
    """Set each sign-off record's `recorded` date and `evidence_edited` ids from git, if any."""
    if not lp.signoffs:
        return
    try:
        state = git_history.folder_history(lp.folder, "signoffs")
    except git_history.GitError:
        inputs.note(inputs.SIGNOFF_HISTORY, str(lp.folder), "!git")
        return
    # The answer depends on git's history and index, not only on the files read: the result
    # cache must see them (a commit, or a sign-off staged, changes the recorded dates).
    inputs.note(inputs.SIGNOFF_HISTORY, str(lp.folder), state.value)
    if state.top is None or state.head is None:
        return
    top, folder = state.top, state.relative
    try:
        added = git_history.added_in(top, "HEAD", f"{folder}/signoffs")
        now = {}
        for record in lp.evidence:
            item = record.doc.data[record.loc[0]] if record.loc else record.doc.data
            now[record.model.id] = item
        dated = []
        for record in lp.signoffs:
            path = f"{folder}/signoffs/{record.doc.name}"
            if path not in added or path in state.uncommitted:
                continue
            sha, date = added[path]
            record.recorded = date[:10]
            if record.model.evidence:
                dated.append((record, sha))
        then_by_commit = evidence_at_each(top, sorted({sha for _, sha in dated}), folder) if dated else {}
        for record, sha in dated:
            then = then_by_commit[sha]
            record.evidence_edited = tuple(eid for eid in record.model.evidence
                                           if then.get(eid, (None, None))[1] != now.get(eid))
    except (git_history.GitError, ValueError):
        return

