"""What went wrong in a YAML text, in compfw's words: encoding, control characters, syntax."""

from __future__ import annotations

import yaml

from compfw.files.yaml_limits import MAX_DEPTH, TOO_DEEP_HINT
from compfw.files.yaml_located import Pos, YamlProblem

def decode(raw: bytes) -> str:
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
            raise YamlProblem(1, 1, "file is UTF-16, not UTF-8", "save the file as UTF-8") from None
        start = 3 if raw.startswith(b"\xef\xbb\xbf") else 0
        head = raw[start: exc.start]
        line = head.count(b"\n") + 1
        col = len(head[head.rfind(b"\n") + 1:].decode("utf-8", "replace")) + 1
        raise YamlProblem(line, col, f"file is not valid UTF-8 (byte 0x{raw[exc.start]:02x})",
                          "save the file as UTF-8") from None


def _line_col(text: str, index: int) -> Pos:
    index = max(0, min(index, len(text)))
    line = text.count("\n", 0, index) + 1
    return line, index - (text.rfind("\n", 0, index) + 1) + 1


def yaml_error(exc: yaml.YAMLError, text: str) -> YamlProblem:
    if isinstance(exc, yaml.reader.ReaderError) or getattr(exc, "character", None) is not None:
        code = getattr(exc, "character", 0) or 0
        char = chr(code) if isinstance(code, int) else str(code)
        found = text.find(char) if char else -1
        line, col = _line_col(text, found) if found >= 0 else (0, 0)
        return YamlProblem(line, col, f"file contains the control character U+{ord(char[:1] or chr(0)):04X}, "
                                      "which YAML does not allow",
                           "remove it; a YAML file holds text only")
    mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
    line, col = (mark.line + 1, mark.column + 1) if mark is not None else (0, 0)
    problem = str(getattr(exc, "problem", None) or exc)
    context = str(getattr(exc, "context", None) or "")
    at = getattr(mark, "index", None) if mark is not None else None
    if "tab character" in problem or (isinstance(at, int) and 0 <= at < len(text) and text[at] == "\t"):
        return YamlProblem(line, col, "invalid YAML: a tab character is used for indentation",
                           "YAML does not allow tabs for indentation; indent with spaces")
    message, hint = _syntax_message(problem, context)
    return YamlProblem(line, col, f"invalid YAML: {message}", hint)


_CHECK_LINE = "check indentation and quoting on this line"
# The parser's own wording changes between releases, so it is never shown: each known problem is
# matched by a stable fragment and said in compfw's words; anything else gets the general message.
_SYNTAX_MESSAGES: tuple[tuple[str, str, str, str], ...] = (
    # (fragment of the problem, fragment of the context or "", message, hint)
    ("nesting depth", "", f"data is nested more than {MAX_DEPTH} levels deep", TOO_DEEP_HINT),
    ("another document", "", "the file holds more than one YAML document",
     "keep one YAML document per file (remove the extra '---')"),
    ("expected ',' or '}'", "", "a '{' mapping is not closed where it should be",
     "add the missing ',' or '}', or quote a value that contains one of ,[]{}"),
    ("expected ',' or ']'", "", "a '[' list is not closed where it should be",
     "add the missing ',' or ']', or quote a value that contains one of ,[]{}"),
    ("end of stream", "quoted scalar", "a quoted text is not closed before the end of the file",
     "add the closing quote"),
    ("mapping values are not allowed", "", "a ': ' appears where no key can start",
     "quote a text that contains ': ', or fix the indentation of this key"),
    ("expected node content", "", "a value is missing, or starts with a character that cannot begin one",
     _CHECK_LINE),
    ("expected key", "", "this line's indentation does not fit the mapping around it", _CHECK_LINE),
    ("expected '-' indicator", "", "this line's indentation does not fit the list around it", _CHECK_LINE),
    ("expected <block end>", "", "this line's indentation does not fit the block around it", _CHECK_LINE),
    ("could not find expected ':'", "", "a key is not followed by ':'", _CHECK_LINE),
    ("cannot start any token", "", "a value starts with a character that YAML reserves (such as @ or `)",
     "quote the value"),
    ("undefined alias", "", "an alias (*name) refers to no anchor (&name) above it",
     "define the anchor first, or write the value out"),
    ("unknown escape", "", "a double-quoted text has an unknown escape (\\)",
     "use single quotes, or double the backslash"),
    ("alphabetic or numeric", "", "an anchor, alias or tag name is empty or has a character it cannot have",
     _CHECK_LINE),
    ("comment or a line break", "", "there is more text after a value on the same line", _CHECK_LINE),
    ("directive", "", "a YAML directive (%...) that compfw does not read", "remove the directive line"),
    ("end of stream", "", "the file ends in the middle of a value", _CHECK_LINE),
)


def _syntax_message(problem: str, context: str) -> tuple[str, str]:
    for fragment, in_context, message, hint in _SYNTAX_MESSAGES:
        if fragment in problem and in_context in context:
            return message, hint
    return "the YAML syntax is broken here", _CHECK_LINE
