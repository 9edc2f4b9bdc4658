"""How the result cache codes the inputs of a result in an entry: any list of inputs comes back
exactly as it went in, and a payload that is not one (cut short, a field too many, a stat that
is not five numbers) is refused, so the result is computed afresh instead of trusted."""

from __future__ import annotations

import os
import time

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from compfw.files import inputs
from compfw.files.reading import read_bytes
from compfw.files.result_cache import RACY_NS, _decode_inputs, _encode_inputs

# Paths and values as the file system and the cache give them: any text without a NUL, which no
# path can hold; surrogate escapes stand for the bytes of a name that is not UTF-8.
fields = st.text(alphabet=st.characters(blacklist_characters="\0", blacklist_categories=("Cs",)), max_size=30)
names = st.one_of(fields, fields.map(lambda text: text + "\udcff"))
observations = st.lists(st.tuples(st.sampled_from(["file:16777216", "list", "tree", "git-signoffs"]), names, fields),
                        max_size=20)


@settings(max_examples=300, deadline=None)
@given(observations)
def test_inputs_come_back_as_they_went_in(seen):
    payload = _encode_inputs(seen, time.time_ns())
    assert _decode_inputs(payload) == [[kind, subject] for kind, subject, _ in seen]


def test_a_file_read_before_the_racy_window_is_listed_with_its_stat_and_value(tmp_path):
    path = tmp_path / "a.yaml"
    path.write_text("a: 1\n")
    with inputs.recording() as seen:
        read_bytes(path)
    started = time.time_ns() + RACY_NS + 1  # as if the result had been computed two seconds later
    [listed] = _decode_inputs(_encode_inputs(seen, started))
    info = os.stat(path)
    assert listed == [seen[0][0], str(path), list(inputs.stat_key(info)), seen[0][2]]
    # Read just now, the same file is listed without its stat: it is read again each time.
    assert _decode_inputs(_encode_inputs(seen, time.time_ns())) == [[seen[0][0], str(path)]]
    inputs.forget_stats()


def test_a_field_with_a_nul_is_not_kept():
    assert _encode_inputs([("file:1", "a\0b", "v")], time.time_ns()) is None
    assert _encode_inputs([("file:1", "a", "v\0")], time.time_ns()) is None


@pytest.mark.parametrize("payload", [
    b"file:1\0a\0\0",                      # a field short
    b"file:1\0a\0\0v",                     # not ended by a NUL
    b"file:1\0a\0\0v\0list\0",             # a field and a half too many
    b"file:1\0a\x001 2 3 4\0v\0",          # a stat of four numbers
    b"file:1\0a\x001 2 3 4 x\0v\0",        # a stat that is not numbers
    b"file:1\0a\x001 2 3 4 \xd9\xa3\0v\0",  # a digit, but not an ASCII one
])
def test_a_payload_that_is_not_a_list_of_inputs_is_refused(payload):
    assert _decode_inputs(payload) is None


def test_no_inputs_and_no_entry():
    assert _encode_inputs([], time.time_ns()) == b""
    assert _decode_inputs(b"") == []
    assert _decode_inputs(None) is None
