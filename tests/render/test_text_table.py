"""Cell widths: compfw measures text as rich does, without importing rich for plain ASCII."""

import string
import subprocess
import sys

import pytest
from rich.cells import cell_len

from compfw.render.text_table import cell_width

ASCII = [chr(code) for code in range(128)]


@pytest.mark.parametrize("text", [
    "", string.printable, "".join(ASCII), "Asha Patel", "tab\there", "bell\a", "escape\x1b[31m", "delete\x7f",
    "Chloé Évans", "漢字の名前", "zero\u200bwidth", "combining e\u0301", "emoji 👩‍⚕️", "ＦＵＬＬ", "\u00a0nbsp",
])
def test_a_width_is_what_rich_measures(text):
    assert cell_width(text) == cell_len(text)


def test_every_ascii_character_alone_and_in_pairs_measures_as_rich_does():
    for first in ASCII:
        assert cell_width(first) == cell_len(first), repr(first)
        for second in ASCII:
            assert cell_width(first + second) == cell_len(first + second), repr(first + second)


def test_plain_ascii_is_measured_without_importing_rich():
    code = ("import sys; from compfw.render.text_table import cell_width\n"
            "widths = [cell_width('Asha Patel'), cell_width('2.1.4 Achieved (3/3)')]\n"
            "after_ascii = 'rich.cells' in sys.modules\n"
            "widths.append(cell_width('Chloé'))\n"
            "print(widths, after_ascii, 'rich.cells' in sys.modules)")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert done.stdout.strip() == "[10, 20, 5] False True", done.stderr[-500:]
