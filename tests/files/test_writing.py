"""Atomic writes: a new file appears whole or not at all, an existing one is never replaced, and a
refused or interrupted write leaves nothing behind (no temporary file, no partial file, no folder).

Faults are injected by making an OS call fail (os.fsync, os.link) on a real file system; nothing
about the file system itself is mocked.
"""

from __future__ import annotations

import errno
import os
import stat

import pytest

from compfw.files.problems import UserError
from compfw.files.writing import AlreadyExists, WriteFailed, replace_file, write_all_new, write_new


def tree(root) -> dict[str, bytes | None]:
    """Every path under root (hidden ones too) with its content; folders map to None."""
    out: dict[str, bytes | None] = {}
    for folder, dirs, files in os.walk(root):
        for name in dirs:
            out[os.path.relpath(os.path.join(folder, name), root)] = None
        for name in files:
            path = os.path.join(folder, name)
            out[os.path.relpath(path, root)] = b"<link>" if os.path.islink(path) else open(path, "rb").read()
    return out


@pytest.fixture
def repo(tmp_path):
    root = tmp_path / "repo"
    (root / "portfolios" / "asha" / "signoffs").mkdir(parents=True)
    (root / "portfolios" / "asha" / "portfolio.yaml").write_text("trainee: {id: asha}\n")
    return root


@pytest.fixture
def signoffs(repo):
    return repo / "portfolios" / "asha" / "signoffs"


class Boom(BaseException):
    """Stands for an interruption (Ctrl-C, a signal) in the middle of a write."""


# --- write_new --------------------------------------------------------------------------------


def test_write_new_creates_the_file_whole_with_ordinary_permissions(signoffs):
    path = write_new(signoffs / "a.yaml", "competency: '2.1.1'\nfeedback: é\n")
    assert path.read_text(encoding="utf-8") == "competency: '2.1.1'\nfeedback: é\n"
    assert sorted(os.listdir(signoffs)) == ["a.yaml"]  # no temporary file left
    mask = os.umask(0)
    os.umask(mask)
    assert stat.S_IMODE(path.stat().st_mode) == 0o666 & ~mask  # not mkstemp's 0600


def test_write_new_refuses_an_existing_file_and_leaves_it_alone(repo, signoffs):
    (signoffs / "a.yaml").write_text("original\n")
    before = tree(repo)
    with pytest.raises(AlreadyExists) as caught:
        write_new(signoffs / "a.yaml", "new\n")
    assert "already exists" in caught.value.message and "never overwrites" in caught.value.hint
    assert tree(repo) == before


def test_write_new_refuses_a_symlink_even_a_dangling_one(repo, signoffs, tmp_path):
    (signoffs / "a.yaml").symlink_to(tmp_path / "nowhere.yaml")
    before = tree(repo)
    with pytest.raises(AlreadyExists):
        write_new(signoffs / "a.yaml", "new\n")
    assert tree(repo) == before and not (tmp_path / "nowhere.yaml").exists()


def test_write_new_creates_missing_folders(repo):
    path = write_new(repo / "portfolios" / "ben" / "evidence" / "e1.yaml", "id: e1\n")
    assert path.read_text() == "id: e1\n"


@pytest.mark.parametrize("fault", [OSError(errno.ENOSPC, "No space left on device"), Boom()],
                         ids=["disk-full", "interrupted"])
def test_a_write_that_fails_at_fsync_leaves_nothing_behind(repo, monkeypatch, fault):
    before = tree(repo)

    def failing_fsync(fd):
        raise fault

    monkeypatch.setattr(os, "fsync", failing_fsync)
    expected = WriteFailed if isinstance(fault, OSError) else Boom
    with pytest.raises(expected):
        write_new(repo / "portfolios" / "ben" / "evidence" / "e1.yaml", "id: e1\n")
    assert tree(repo) == before  # no temporary file, no e1.yaml, no ben/ or ben/evidence/


def test_an_interruption_between_writing_and_linking_leaves_nothing_behind(repo, signoffs, monkeypatch):
    before = tree(repo)

    def interrupted_link(source, dest):
        assert open(source).read() == "level: 3\n"  # the content was written and synced first
        raise Boom()

    monkeypatch.setattr(os, "link", interrupted_link)
    with pytest.raises(Boom):
        write_new(signoffs / "a.yaml", "level: 3\n")
    assert tree(repo) == before


def test_a_name_taken_while_writing_is_refused_and_the_other_file_kept(repo, signoffs, monkeypatch):
    real_link = os.link

    def racing_link(source, dest):
        with open(dest, "x") as other:  # another writer gets there first
            other.write("theirs\n")
        return real_link(source, dest)

    monkeypatch.setattr(os, "link", racing_link)
    with pytest.raises(AlreadyExists):
        write_new(signoffs / "a.yaml", "ours\n")
    assert (signoffs / "a.yaml").read_text() == "theirs\n"
    assert sorted(os.listdir(signoffs)) == ["a.yaml"]


def test_without_hard_links_a_checked_rename_is_used(signoffs, monkeypatch):
    def no_links(source, dest):
        raise OSError(errno.EPERM, "Operation not permitted")

    monkeypatch.setattr(os, "link", no_links)
    write_new(signoffs / "a.yaml", "level: 3\n")
    assert (signoffs / "a.yaml").read_text() == "level: 3\n"
    assert sorted(os.listdir(signoffs)) == ["a.yaml"]


def test_a_folder_that_is_a_file_is_a_clear_error_not_a_traceback(repo):
    (repo / "portfolios" / "asha" / "evidence").write_text("not a folder\n")
    before = tree(repo)
    with pytest.raises(WriteFailed) as caught:
        write_new(repo / "portfolios" / "asha" / "evidence" / "e1.yaml", "id: e1\n")
    assert caught.value.message.startswith("cannot write ") and caught.value.message.endswith(": Not a directory")
    assert isinstance(caught.value, UserError) and isinstance(caught.value, OSError)  # old callers catch OSError
    assert caught.value.errno == errno.ENOTDIR
    assert tree(repo) == before


def test_writing_through_a_folder_link_that_leaves_the_repository_is_refused(repo, tmp_path):
    outside = tmp_path / "outside"
    outside.mkdir()
    (repo / "portfolios" / "evil").symlink_to(outside, target_is_directory=True)
    with pytest.raises(WriteFailed) as caught:
        write_new(repo / "portfolios" / "evil" / "portfolio.yaml", "x: 1\n")
    assert "symbolic link that leads outside the repository" in caught.value.message
    assert list(outside.iterdir()) == []


def test_a_folder_link_inside_the_repository_is_followed(repo):
    (repo / "shared").mkdir()
    (repo / "portfolios" / "asha" / "evidence").symlink_to(repo / "shared", target_is_directory=True)
    write_new(repo / "portfolios" / "asha" / "evidence" / "e1.yaml", "id: e1\n")
    assert (repo / "shared" / "e1.yaml").read_text() == "id: e1\n"


# --- write_all_new ----------------------------------------------------------------------------


def test_write_all_new_writes_every_file(repo, signoffs):
    files = {signoffs / "a.yaml": "a\n", signoffs / "b.yaml": "b\n", repo / "portfolios" / "ben" / "portfolio.yaml": "c\n"}
    assert write_all_new(files) == list(files)
    assert [p.read_text() for p in files] == ["a\n", "b\n", "c\n"]


def test_write_all_new_refuses_up_front_when_any_file_exists(repo, signoffs):
    (signoffs / "b.yaml").write_text("original\n")
    before = tree(repo)
    with pytest.raises(AlreadyExists) as caught:
        write_all_new({signoffs / "a.yaml": "a\n", signoffs / "b.yaml": "b\n"})
    assert "nothing was written" in caught.value.hint
    assert tree(repo) == before


def test_write_all_new_removes_what_it_wrote_when_a_later_file_fails(repo, signoffs):
    (repo / "portfolios" / "asha" / "evidence").write_text("not a folder\n")
    before = tree(repo)
    files = {signoffs / "a.yaml": "a\n", repo / "portfolios" / "ben" / "portfolio.yaml": "b\n",
             repo / "portfolios" / "asha" / "evidence" / "e1.yaml": "c\n"}
    with pytest.raises(WriteFailed):
        write_all_new(files)
    assert tree(repo) == before  # a.yaml removed, ben/ removed


def test_write_all_new_interrupted_on_the_second_file_leaves_nothing(repo, signoffs, monkeypatch):
    before = tree(repo)
    real_fsync, calls = os.fsync, []

    def fsync(fd):
        calls.append(fd)
        if len(calls) == 3:  # file 1, folder 1, then file 2
            raise Boom()
        return real_fsync(fd)

    monkeypatch.setattr(os, "fsync", fsync)
    with pytest.raises(Boom):
        write_all_new({signoffs / "a.yaml": "a\n", repo / "portfolios" / "ben" / "evidence" / "e.yaml": "b\n"})
    assert tree(repo) == before


# --- replace_file -----------------------------------------------------------------------------


def test_replace_file_replaces_whole_and_keeps_permissions(repo):
    path = repo / "portfolios" / "asha" / "portfolio.yaml"
    path.chmod(0o640)
    replace_file(path, "trainee: {id: asha}\nspecialism: informatics\n")
    assert path.read_text() == "trainee: {id: asha}\nspecialism: informatics\n"
    assert stat.S_IMODE(path.stat().st_mode) == 0o640
    assert sorted(os.listdir(path.parent)) == ["portfolio.yaml", "signoffs"]


def test_replace_file_creates_a_new_file(tmp_path):
    replace_file(tmp_path / "report.md", "# Report\n")
    assert (tmp_path / "report.md").read_text() == "# Report\n"


def test_replace_file_interrupted_keeps_the_old_content_and_no_temp(repo, monkeypatch):
    path = repo / "portfolios" / "asha" / "portfolio.yaml"
    before = tree(repo)

    def failing_fsync(fd):
        raise Boom()

    monkeypatch.setattr(os, "fsync", failing_fsync)
    with pytest.raises(Boom):
        replace_file(path, "half a new portfolio")
    assert tree(repo) == before


def test_replace_file_into_a_missing_folder_is_a_clear_error(tmp_path):
    with pytest.raises(WriteFailed) as caught:
        replace_file(tmp_path / "no" / "report.md", "x")
    assert "does not exist" in caught.value.message
    assert not (tmp_path / "no").exists()


def test_leftover_temporary_files_are_never_read_as_records(signoffs):
    from compfw.files.reading import yaml_files

    (signoffs / ".a.yaml.x1y2.tmp").write_text("half")
    (signoffs / "a.yaml").write_text("whole")
    assert [p.name for p in yaml_files(signoffs)] == ["a.yaml"]



def test_write_disposable_makes_folders_replaces_whole_and_leaves_no_temporary_file(tmp_path):
    from compfw.files.writing import write_disposable

    entry = tmp_path / "cache" / "results" / "ab" / "abcd.json"
    assert write_disposable(entry, b"first") == entry
    write_disposable(entry, b"second, longer")
    assert tree(tmp_path / "cache") == {"results": None, os.path.join("results", "ab"): None,
                                        os.path.join("results", "ab", "abcd.json"): b"second, longer"}
    assert stat.S_IMODE(entry.stat().st_mode) == 0o600  # a cache entry is the user's own


def test_write_disposable_steps_around_a_leftover_temporary_file(tmp_path):
    from compfw.files import writing

    entry = tmp_path / "abcd.json"
    serial = next(writing._disposable_serial) + 1  # the number the next write takes
    leftover = tmp_path / f".abcd.json.{os.getpid()}.{serial}.tmp"
    leftover.write_bytes(b"from a killed process")
    writing.write_disposable(entry, b"entry")
    assert entry.read_bytes() == b"entry" and leftover.read_bytes() == b"from a killed process"
    assert sorted(p.name for p in tmp_path.iterdir()) == [leftover.name, "abcd.json"]


def test_write_disposable_that_fails_leaves_no_temporary_file(tmp_path):
    from compfw.files.writing import write_disposable

    (tmp_path / "abcd.json").mkdir()  # the entry's name is taken by a folder: the rename fails
    with pytest.raises(OSError):
        write_disposable(tmp_path / "abcd.json", b"entry")
    assert tree(tmp_path) == {"abcd.json": None}
