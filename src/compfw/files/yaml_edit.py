"""Text-only edits of YAML: replace scalar values in place, keeping quoting, comments and layout.

`compfw migrate` re-pins portfolio.yaml with this, so that the diff is one line per change and
the trainee's comments stay.
"""

from __future__ import annotations

import yaml


class RepinError(Exception):
    pass


def _scalar_nodes(text: str) -> dict[tuple[int, int], object]:
    try:
        loader = yaml.CSafeLoader
    except AttributeError:  # pragma: no cover
        loader = yaml.SafeLoader
    root = yaml.compose(text, Loader=loader)
    found: dict[tuple[int, int], object] = {}
    stack = [root] if root is not None else []
    while stack:
        node = stack.pop()
        if isinstance(node, yaml.ScalarNode):
            found[(node.start_mark.line + 1, node.start_mark.column + 1)] = node
        elif isinstance(node, yaml.SequenceNode):
            stack.extend(node.value)
        elif isinstance(node, yaml.MappingNode):
            for key, value in node.value:
                stack.extend((key, value))
    return found


def _token(value: str, style: str | None) -> str:
    if style == "'":
        return "'" + value.replace("'", "''") + "'"
    if style in ('"', "", None):
        if not style:
            try:
                if yaml.safe_load(value) == value and value.strip() == value and "#" not in value and ":" not in value:
                    return value
            except yaml.YAMLError:
                pass
        return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'
    raise RepinError(f"block scalar style {style!r}")


def replace_scalars(text: str, changes: dict[tuple[int, int], str]) -> str:
    """Replace the scalars that start at the given 1-based (line, col) positions with new values.

    Each value keeps its quoting style; nothing else in the text changes.
    """
    nodes = _scalar_nodes(text)
    edits = []
    for pos, value in changes.items():
        node = nodes.get(pos)
        if node is None or node.style not in (None, "", "'", '"'):
            raise RepinError(f"no plain or quoted value at line {pos[0]}, column {pos[1]}")
        edits.append((node.start_mark.index, node.end_mark.index, _token(value, node.style)))
    for start, end, token in sorted(edits, reverse=True):
        text = text[:start] + token + text[end:]
    return text
