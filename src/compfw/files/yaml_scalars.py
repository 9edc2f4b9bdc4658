"""What a YAML scalar means, decided here and never by PyYAML's constructors.

PyYAML's constructors trust that a scalar's text fits its tag. That holds for the tags its
resolver infers from plain text, but not for a tag written out: `!!bool "maybe"` raises
KeyError, `!!timestamp "soon"` AttributeError, `!!int ""` IndexError; and an integer of
thousands of digits (`0x` and 4,000 hex digits, or `1:2:3:...`) is built at quadratic cost and
cannot even be printed in a message. So every scalar is decided here:

- text (`!!str`, and the non-specific `!`) is the text;
- a boolean, null, number or date is read only when its text has the form YAML 1.1 gives that
  type (the very patterns the resolver uses); an explicit tag on text of another form is a
  problem, not a guess;
- a whole number is read only up to MAX_NUMBER_CHARS characters and MAX_INT in size, a
  fractional one up to MAX_NUMBER_CHARS characters;
- a date that has the form but is not on the calendar (2026-02-30) stays text, so that the
  model reports it where a date was expected and the rest of the file is still checked;
- any other tag (`!!binary`, `!!set`, `!!python/...`, `!custom`) is a problem.

`ScalarProblem` carries compfw's message and hint; the builder adds the position.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import yaml

STR = "tag:yaml.org,2002:str"
INT = "tag:yaml.org,2002:int"
FLOAT = "tag:yaml.org,2002:float"
BOOL = "tag:yaml.org,2002:bool"
NULL = "tag:yaml.org,2002:null"
TIMESTAMP = "tag:yaml.org,2002:timestamp"
MERGE = "tag:yaml.org,2002:merge"
VALUE = "tag:yaml.org,2002:value"

MAX_NUMBER_CHARS = 100
MAX_INT = 2**63 - 1

KIND_OF_TAG = {FLOAT: "a number", INT: "a number", BOOL: "a boolean", NULL: "null (empty)", TIMESTAMP: "a date"}
_TRUE = frozenset({"yes", "true", "on"})
_FALSE = frozenset({"no", "false", "off"})
_NULLS = frozenset({"", "~", "null", "Null", "NULL"})
# YAML 1.2's 0o octal is read too when the tag is written out (YAML 1.1 has no 0o, so a plain
# 0o17 is text).
_OCTAL_12 = re.compile(r"^[-+]?0o[0-7_]+$")
_EXPLICIT_FLOAT = re.compile(r"^[-+]?(?:[0-9][0-9_]*(?:\.[0-9_]*)?|\.[0-9][0-9_]*)(?:[eE][-+]?[0-9]+)?$")


def _pattern(tag: str) -> re.Pattern:
    for resolvers in yaml.resolver.Resolver.yaml_implicit_resolvers.values():
        for known, regexp in resolvers:
            if known == tag:
                return regexp
    raise LookupError(tag)  # pragma: no cover - PyYAML always defines the YAML 1.1 types


_INT_FORM = _pattern(INT)
_FLOAT_FORM = _pattern(FLOAT)
_TIMESTAMP_FORM = yaml.constructor.SafeConstructor.timestamp_regexp


class ScalarProblem(Exception):
    def __init__(self, message: str, hint: str):
        super().__init__(message)
        self.message, self.hint = message, hint


def short(text: str, limit: int = 40) -> str:
    """A text for a message: quoted, escaped, and cut to its start when long."""
    shown = repr(text[: limit + 1])
    return shown if len(text) <= limit else repr(text[:limit])[:-1] + "...'"


def tag_name(tag: str) -> str:
    return "!!" + tag[len("tag:yaml.org,2002:"):] if tag.startswith("tag:yaml.org,2002:") else tag


_MISMATCH = {BOOL: "a boolean (true or false)", INT: "a whole number", FLOAT: "a number", NULL: "empty (null)",
             TIMESTAMP: "a date"}


def _mismatch(tag: str, text: str) -> ScalarProblem:
    return ScalarProblem(f"{short(text)} is tagged {tag_name(tag)} but is not {_MISMATCH[tag]}",
                         "remove the tag (compfw files use plain values), or quote the value if it is meant as text")


def _too_long_number(text: str) -> ScalarProblem:
    return ScalarProblem(f"the number {short(text, 24)} has {len(text):,} characters; compfw reads numbers of up to "
                         f"{MAX_NUMBER_CHARS}", "write a smaller number, or quote it if it is meant as text")


# Values already decided for short scalars (dates, levels, booleans repeat across the records of a
# cohort). Every value kept is immutable (a number, a boolean, None, a date or a text), so sharing
# one between documents changes nothing; a scalar that raises is decided again every time.
_DECIDED: dict[tuple[str, str, bool], Any] = {}
_DECIDED_MAX_CHARS = 40
_DECIDED_MAX_ENTRIES = 4096


def decide(tag: str, text: str, plain: bool) -> Any:
    """The value of a scalar with this tag and text; raises ScalarProblem. plain: written unquoted."""
    if len(text) > _DECIDED_MAX_CHARS:
        return _decide(tag, text, plain)
    key = (tag, text, plain)
    try:
        return _DECIDED[key]
    except KeyError:
        pass
    value = _decide(tag, text, plain)
    if len(_DECIDED) < _DECIDED_MAX_ENTRIES:
        _DECIDED[key] = value
    return value


def _decide(tag: str, text: str, plain: bool) -> Any:
    if tag == STR:
        return text
    if tag in (MERGE, VALUE) and plain:
        return text  # a plain '<<' or '=' as a value is text here, not YAML 1.1 magic
    if tag == BOOL:
        lowered = text.lower()
        if lowered in _TRUE or lowered in _FALSE:
            return lowered in _TRUE
        raise _mismatch(tag, text)
    if tag == NULL:
        if text in _NULLS:
            return None
        raise _mismatch(tag, text)
    if tag == INT:
        return _integer(text)
    if tag == FLOAT:
        return _fraction(text)
    if tag == TIMESTAMP:
        return _timestamp(text)
    raise ScalarProblem(f"unsupported YAML tag {short(tag)}", "remove the tag; compfw files use plain YAML values")


def _integer(text: str) -> int:
    if not (_INT_FORM.match(text) or _OCTAL_12.match(text)):
        raise _mismatch(INT, text)
    if len(text) > MAX_NUMBER_CHARS:
        raise _too_long_number(text)
    digits = text.replace("_", "")
    sign = -1 if digits.startswith("-") else 1
    digits = digits.lstrip("+-")
    if ":" in digits:
        value = 0
        for part in digits.split(":"):
            value = value * 60 + int(part)
    elif digits.startswith(("0b", "0x", "0o")):
        if len(digits) == 2:  # YAML 1.1's patterns let underscores stand for every digit ("0b_")
            raise ScalarProblem(f"{short(text)} has the form of a whole number but no digits",
                                "write the digits, or quote it if it is meant as text")
        value = int(digits[2:], {"b": 2, "x": 16, "o": 8}[digits[1]])
    elif len(digits) > 1 and digits.startswith("0"):
        value = int(digits, 8)
    else:
        value = int(digits)
    if value > MAX_INT:
        raise ScalarProblem(f"the number {short(text, 24)} is too large (compfw reads whole numbers up to "
                            f"{MAX_INT:,})", "write a smaller number, or quote it if it is meant as text")
    return sign * value


def _fraction(text: str) -> float:
    if not (_FLOAT_FORM.match(text) or _EXPLICIT_FLOAT.match(text)):
        raise _mismatch(FLOAT, text)
    if len(text) > MAX_NUMBER_CHARS:
        raise _too_long_number(text)
    digits = text.replace("_", "").lower()
    sign = -1.0 if digits.startswith("-") else 1.0
    digits = digits.lstrip("+-")
    if digits == ".inf":
        return sign * float("inf")
    if digits == ".nan":
        return float("nan")
    if ":" in digits:
        value = 0.0
        for part in digits.split(":"):
            value = value * 60 + float(part)
        return sign * value
    return sign * float(digits)


def _timestamp(text: str) -> Any:
    match = _TIMESTAMP_FORM.match(text)
    if match is None:
        raise _mismatch(TIMESTAMP, text)
    parts = match.groupdict()
    try:
        if not parts["hour"]:
            return dt.date(int(parts["year"]), int(parts["month"]), int(parts["day"]))
        fraction = int((parts["fraction"] or "")[:6].ljust(6, "0"))
        zone = None
        if parts["tz_sign"]:
            offset = dt.timedelta(hours=int(parts["tz_hour"]), minutes=int(parts["tz_minute"] or 0))
            zone = dt.timezone(-offset if parts["tz_sign"] == "-" else offset)
        elif parts["tz"]:
            zone = dt.timezone.utc
        return dt.datetime(int(parts["year"]), int(parts["month"]), int(parts["day"]), int(parts["hour"]),
                           int(parts["minute"]), int(parts["second"]), fraction, tzinfo=zone)
    except ValueError:
        # The form of a date but not a day of the calendar (2026-02-30): the text, for the model
        # to report where a date is expected.
        return text
