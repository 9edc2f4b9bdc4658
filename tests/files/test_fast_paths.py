"""The short cuts taken for speed give exactly what the plain way gives, for any input.

* A feedback's minimum length is checked by reading only as far as the minimum (has_words):
  always the same answer as counting every word.
* Short plain scalars are resolved, and short scalars decided, once per process: the tag and the
  value are those of the first time, on the first call and on every later one, and a scalar
  that is refused is refused every time.
* The loader learns whether a record file is a link from the folder listing (yaml_entries):
  the same as asking the file system about each file.
"""

from __future__ import annotations

import datetime as dt
import os

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from compfw.checks.record_rules import has_words, word_count
from compfw.files import yaml_scalars
from compfw.files.reading import yaml_entries, yaml_files
from compfw.files.yaml_located import YamlProblem
from compfw.files.yaml_parse import _Loader, parse_text
from compfw.files.yaml_scalars import ScalarProblem, decide

SETTINGS = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])

# Text made of the pieces that decide what a word is: letters and digits of several scripts,
# punctuation, underscores and every kind of space, including the Unicode ones.
pieces = st.sampled_from(["a", "Z", "é", "ß", "日", "٣", "7", "_", "-", "...", "!", "'", "’", ".",
                          " ", "  ", "\t", "\n", "\u00a0", "\u2003", "\u3000", "\x0b", "\x1c"])
texts = st.one_of(
    st.lists(pieces, max_size=60).map("".join),
    # Sentences around a typical minimum (15), so that counts near any wanted number are common.
    st.lists(st.sampled_from(["word", "x", "...", "-", "é", "7", "a_b", "__", "it's"]), max_size=40).map(" ".join),
)


@SETTINGS
@given(texts, st.integers(min_value=0, max_value=40))
def test_has_words_is_counting_every_word(text, wanted):
    assert has_words(text, wanted) == (word_count(text) >= wanted)


def test_has_words_on_the_edges():
    assert has_words("", 0) and not has_words("", 1)
    assert has_words("one two three", 3) and not has_words("one two three", 4)
    assert not has_words("... - !! ___", 1)  # punctuation and underscores alone are no words
    for count in range(45):
        text = " ... ".join(["word"] * count)
        assert has_words(text, count) and not has_words(text, count + 1), count


# Plain scalars of the forms YAML 1.1 resolves to a type, their near misses, and keys.
SCALAR_TEXTS = ["yes", "Yes", "YES", "no", "on", "Off", "true", "FALSE", "y", "n", "~", "null", "Null", "",
                "0", "7", "-3", "+12", "0x1F", "0o17", "017", "1_000", "1:30", "190:20:30", "0b101",
                "1.5", ".5", "-.inf", ".NaN", "1e3", "6.8523015e+5", "2026-11-22", "2026-02-30",
                "2026-1-5 10:00:00", "2026-11-22T10:30:00Z", "2026-11-22 10:30:00.5 +01:00",
                "competency", "level", "date", "signer", "<<", "=", "level: 3", "12abc", "2026-11-22x"]
scalar_texts = st.one_of(st.sampled_from(SCALAR_TEXTS),
                         st.text(alphabet="0123456789-:.+eE_xob TZ", max_size=22))


def _pyyaml_tag(text: str) -> str:
    return yaml.resolver.Resolver().resolve(yaml.ScalarNode, text, (True, False))


@SETTINGS
@given(scalar_texts)
def test_a_resolved_tag_is_pyyamls_the_first_time_and_every_time(text):
    loader = _Loader("")
    try:
        assert loader.resolve(yaml.ScalarNode, text, (True, False)) == _pyyaml_tag(text)
        assert loader.resolve(yaml.ScalarNode, text, (True, False)) == _pyyaml_tag(text)
        assert loader.resolve(yaml.ScalarNode, text, (False, True)) == "tag:yaml.org,2002:str"
    finally:
        loader.dispose()


TAGS = [yaml_scalars.INT, yaml_scalars.FLOAT, yaml_scalars.BOOL, yaml_scalars.NULL, yaml_scalars.TIMESTAMP,
        yaml_scalars.STR, yaml_scalars.MERGE, yaml_scalars.VALUE, "tag:yaml.org,2002:binary"]


def _outcome(tag: str, text: str, plain: bool):
    try:
        value = decide(tag, text, plain)
    except ScalarProblem as exc:
        return ("refused", exc.message, exc.hint)
    return ("value", type(value), value if value == value else "nan")  # nan is not equal to itself


@SETTINGS
@given(st.sampled_from(TAGS), scalar_texts, st.booleans())
def test_a_decided_scalar_is_the_same_the_first_time_and_every_time(tag, text, plain):
    yaml_scalars._DECIDED.pop((tag, text, plain), None)
    first = _outcome(tag, text, plain)
    try:
        plainly = yaml_scalars._decide(tag, text, plain)
    except ScalarProblem as exc:
        assert first == ("refused", exc.message, exc.hint)
    else:
        assert first[:2] == ("value", type(plainly))
    assert _outcome(tag, text, plain) == first == _outcome(tag, text, plain)


@pytest.mark.parametrize("text", ["0b_", "0x__", "-0b_", "+0x_"])
def test_a_number_form_without_digits_is_a_located_problem(text):
    """Found by the property above: YAML 1.1 reads a plain 0b_ as a whole number, and reading its
    (missing) digits raised, so the file was reported as unreadable at 0:0."""
    problem_text = f"id: ev-1\nlevel: {text}\n"
    with pytest.raises(YamlProblem) as caught:
        parse_text(problem_text)
    assert (caught.value.line, caught.value.col) == (2, 8)
    assert caught.value.message == f"{text!r} has the form of a whole number but no digits"
    assert caught.value.hint == "write the digits, or quote it if it is meant as text"
    assert parse_text(f"id: ev-1\nlevel: '{text}'\n")["level"] == text


def test_a_document_parsed_again_is_located_and_valued_as_the_first_time():
    text = ("date: 2026-11-22\nlevel: 3\nyes: on\nwhen: 2026-02-30\nnote: '2026-11-22'\n"
            "list: [1, 2026-11-22, null, ~, 0x10]\n")
    first, second = parse_text(text), parse_text("\n" + text)
    assert dict(first) == dict(second)
    assert first["date"] == dt.date(2026, 11, 22) and first["note"] == "2026-11-22"
    assert first[True] is True and first["when"] == "2026-02-30" and first["list"] == [1, dt.date(2026, 11, 22), None, None, 16]
    assert first.raw == {"date": ("2026-11-22", "a date"), "level": ("3", "a number"),
                         True: ("on", "a boolean"), "when": ("2026-02-30", "a date")}
    assert second.value_pos["date"] == (2, 7) and first.value_pos["date"] == (1, 7)
    assert second["list"].raw == first["list"].raw == {0: ("1", "a number"), 1: ("2026-11-22", "a date"),
                                                       2: ("null", "null (empty)"), 3: ("~", "null (empty)"),
                                                       4: ("0x10", "a number")}


@pytest.mark.skipif(not hasattr(os, "symlink"), reason="needs symbolic links")
def test_the_listing_knows_which_entries_are_links(tmp_path):
    folder = tmp_path / "signoffs"
    folder.mkdir()
    (tmp_path / "elsewhere.yaml").write_text("a: 1\n")
    (folder / "b.yaml").write_text("a: 1\n")
    (folder / "a.yml").symlink_to("../elsewhere.yaml")
    (folder / "c.yaml").symlink_to("missing.yaml")  # a dangling link is still a link
    (folder / "d.yaml").mkdir()  # a folder named like a record is listed, so loading it reports it
    (folder / ".hidden.yaml").write_text("a: 1\n")
    (folder / "notes.txt").write_text("x\n")
    entries = yaml_entries(folder)
    assert entries == [("a.yml", True), ("b.yaml", False), ("c.yaml", True), ("d.yaml", False)]
    assert entries == [(p.name, os.path.islink(p)) for p in yaml_files(folder)]
    assert yaml_entries(tmp_path / "no-such-folder") == []


def test_a_document_given_its_path_as_text_gives_a_path_and_the_name(tmp_path):
    from pathlib import Path

    from compfw.files.yaml_parse import load_yaml

    record = tmp_path / "signoffs" / "2026-11-20-a.yaml"
    record.parent.mkdir()
    record.write_text("level: 3\n")
    doc, problem = load_yaml(str(record))
    assert problem is None
    assert doc.name == "2026-11-20-a.yaml" and doc.path == record and isinstance(doc.path, Path)
    assert doc.path is doc.path  # made once
    assert doc.shown == load_yaml(record)[0].shown
