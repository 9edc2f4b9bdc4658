"""Checks of the Mermaid blocks in compfw's reports.

Two layers. `xychart_structure` always runs: every line of a trajectory chart must be one of the
forms compfw writes (so no text from data can be inside), with an x-axis of generated month labels,
a y-axis from 0 to 100, two lines (and at most one bar series) each as long as the labels, values
within 0-100, and one colour per series. `mermaid_parse` runs Mermaid's own parser (mermaid 11,
under node with jsdom, pinned in tests/tools/mermaid/) when `npm ci` has been run there; it
returns None otherwise, and the tests that use it say they skipped it. Mermaid's parser alone
is lax (it accepts a line series shorter than the axis), hence both.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path

TOOL = Path(__file__).resolve().parents[1] / "tools" / "mermaid"
MONTH = r"(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)"
LABEL = re.compile(rf'"((?:\d{{1,2}} )?{MONTH} \d{{4}})"')
NUMBER = r"\d{1,3}\.\d"
INIT = re.compile(r'%%\{init: \{"themeVariables": \{"xyChart": \{"plotColorPalette": '
                  r'"(#[0-9a-f]{6}(?:, #[0-9a-f]{6})*)"\}\}\}\}%%')
TITLE = re.compile(r'    title "[A-Za-z ]+"')
X_AXIS = re.compile(rf'    x-axis \[({LABEL.pattern}(?:, {LABEL.pattern})*)\]')
Y_AXIS = '    y-axis "Percent" 0 --> 100'
SERIES = re.compile(rf"    (line|bar) \[({NUMBER}(?:, {NUMBER})*)\]")


def xychart_structure(body: str) -> dict:
    """The chart as {labels, series: [(kind, values)], palette}; AssertionError on anything else."""
    lines = body.rstrip("\n").split("\n")
    init = INIT.fullmatch(lines[0])
    assert init, lines[0]
    assert lines[1] == "xychart-beta", lines[1]
    assert TITLE.fullmatch(lines[2]), lines[2]
    x_axis = X_AXIS.fullmatch(lines[3])
    assert x_axis, lines[3]
    labels = LABEL.findall(x_axis.group(1))
    assert lines[4] == Y_AXIS, lines[4]
    series = []
    for line in lines[5:]:
        found = SERIES.fullmatch(line)
        assert found, line
        values = [float(v) for v in found.group(2).split(", ")]
        assert len(values) == len(labels), (line, len(labels))
        assert all(0 <= v <= 100 for v in values), line
        series.append((found.group(1), values))
    kinds = [kind for kind, _ in series]
    assert kinds.count("line") in (1, 2) and kinds.count("bar") <= 1, kinds
    palette = init.group(1).split(", ")
    assert len(palette) == len(series), (palette, kinds)
    return {"labels": labels, "series": series, "palette": palette}


def mermaid_blocks(markdown: str) -> list[str]:
    return re.findall(r"^```mermaid\n(.*?)^```$", markdown, flags=re.S | re.M)


def mermaid_parse(diagrams: list[str]) -> list[dict] | None:
    """Mermaid's own verdict on each diagram, or None when its parser is not installed."""
    node = shutil.which("node")
    if node is None or not (TOOL / "node_modules" / "mermaid").is_dir():
        return None
    done = subprocess.run([node, str(TOOL / "parse.mjs")], input=json.dumps(diagrams), capture_output=True,
                          text=True, timeout=120, check=True)
    return json.loads(done.stdout)
