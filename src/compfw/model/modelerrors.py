"""Turn pydantic validation errors on located YAML data into problems a person can act on."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from compfw.files.problems import Problem
from compfw.files.yaml_located import YamlDocument, position_of, raw_scalar_at
from compfw.model.models import EARLIEST, LATEST

M = TypeVar("M", bound=BaseModel)
# pydantic's bound errors: the key of the bound in the error's context, and compfw's words for it.
_BOUND_WORDS = {"greater_than_equal": ("ge", "must be at least"), "less_than_equal": ("le", "must be at most"),
                "greater_than": ("gt", "must be more than"), "less_than": ("lt", "must be less than")}


def _allowed_keys(model: type[BaseModel], loc: tuple) -> list[str]:
    """The field names of the model that owns the mapping at loc (best effort)."""
    current: Any = model
    for part in loc:
        if isinstance(part, int) or current is None:
            continue
        field = getattr(current, "model_fields", {}).get(part)
        if field is None:
            return list(getattr(current, "model_fields", {}))
        current = _model_in(field.annotation)
    return list(getattr(current, "model_fields", {})) if current else []


def _model_in(annotation: Any) -> type[BaseModel] | None:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for arg in getattr(annotation, "__args__", ()) or ():
        found = _model_in(arg)
        if found:
            return found
    return None


def _dotted(loc: tuple) -> str:
    out = ""
    for part in loc:
        if part == "[key]":  # pydantic's mark for a mapping's key, not its value
            out += " (the key)"
            continue
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out or "(top level)"


def problems_from(exc: ValidationError, doc: YamlDocument, model: type[BaseModel],
                  prefix: tuple = ()) -> list[Problem]:
    problems = []
    for error in exc.errors(include_url=False):
        loc = tuple(part for part in error["loc"] if not isinstance(part, str) or not part.startswith("function-"))
        full = prefix + loc
        kind = error["type"]
        where = _dotted(full)
        hint = ""
        if kind == "missing":
            line, col = position_of(doc.data, full[:-1])
            parent = f" in {_dotted(full[:-1])}" if full[:-1] else ""
            message = f"missing required key '{full[-1]}'{parent}"
            hint = f"add '{full[-1]}:'"
        elif kind == "extra_forbidden":
            line, col = position_of(doc.data, full, key_itself=True)
            key = str(full[-1])
            parent = f" in {_dotted(full[:-1])}" if full[:-1] else ""
            message = f"unknown key '{key}'{parent}"
            import difflib  # here, not at the top: only an unknown key needs it, and status starts faster

            close = difflib.get_close_matches(key, _allowed_keys(model, loc[:-1]), n=1)
            hint = f"did you mean '{close[0]}'?" if close else "remove it; see `compfw schema` for the allowed keys"
        elif kind in ("model_type", "dict_type", "model_attributes_type"):
            line, col = position_of(doc.data, full)
            found = _kind_of(error.get("input"))
            keys = _allowed_keys(model, loc + ("?",))
            message = f"{where}: expected a mapping of keys to values, found {found}"
            hint = (f"write it as {full[-1]}: {{{', '.join(k + ': ...' for k in keys[:3])}}}" if keys and full
                    else "see `compfw schema` for the expected layout")
        elif kind == "list_type":
            line, col = position_of(doc.data, full)
            message = f"{where}: expected a list, found {_kind_of(error.get('input'))}"
            hint = "write a list, e.g. [\"a\", \"b\"] or one '- item' per line"
        else:
            line, col = position_of(doc.data, full)
            raw = raw_scalar_at(doc.data, full)
            if raw and kind in ("string_type", "literal_error", "string_pattern_mismatch"):
                text, reading = raw
                message = f"{where}: `{text}` is read by YAML as {reading}, not as text"
                hint = f"quote it: \"{text}\""
            else:
                message, hint = f"{where}: {_in_own_words(kind, error)}", ""
                if kind == "int_type" and isinstance(error.get("input"), str):
                    hint = "write the number without quotes"
                elif kind in ("int_type", "int_parsing", "int_from_float"):
                    hint = "write a whole number"
                elif kind.startswith("date"):
                    hint = "write a date as YYYY-MM-DD"
                elif kind == "string_pattern_mismatch" and "@" in str((error.get("ctx") or {}).get("pattern", "")):
                    hint = "write an address such as name@example.org"
                elif kind in _BOUND_WORDS and isinstance(error.get("input"), dt.date):
                    hint = f"compfw accepts dates from {EARLIEST} to {LATEST}; check the year"
        problems.append(Problem(doc.shown, line, col, message, hint, code=kind))
    return problems


def _kind_of(value: Any) -> str:
    if isinstance(value, str):
        return f"the text {value[:40]!r}"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, (int, float)):
        return f"the number {value}"
    if isinstance(value, list):
        return "a list"
    if value is None:
        return "nothing (null)"
    return type(value).__name__


def _in_own_words(kind: str, error: dict) -> str:
    """What is wrong with a value, said by compfw: pydantic's wording is its own and changes
    between releases, so only the messages of compfw's validators (value and assertion errors)
    are passed on."""
    found, ctx = error.get("input"), error.get("ctx") or {}
    if kind in ("value_error", "assertion_error"):
        return _clean(error["msg"])
    if kind in ("int_type", "int_parsing", "int_from_float"):
        return f"expected a whole number, found {_kind_of(found)}"
    if kind in ("float_type", "float_parsing", "finite_number"):
        return f"expected a number, found {_kind_of(found)}"
    if kind in ("bool_type", "bool_parsing"):
        return f"expected true or false, found {_kind_of(found)}"
    if kind in ("string_type", "str_type"):
        return f"expected text, found {_kind_of(found)}"
    if kind.startswith("date"):
        if isinstance(found, str) and _ISO_DAY.fullmatch(found):
            return f"{found} is not a day on the calendar (no such month or day)"
        return f"expected a date written as YYYY-MM-DD, found {_kind_of(found)}"
    if kind in _BOUND_WORDS and _BOUND_WORDS[kind][0] in ctx:
        key, words = _BOUND_WORDS[kind]
        return f"{words} {ctx[key]} (found {_shown_value(found)})"
    if kind in ("literal_error", "enum"):
        choices = re.findall(r"'([^']*)'", str(ctx.get("expected", "")))
        return f"expected one of {', '.join(choices)}; found {_kind_of(found)}" if choices else \
            f"{_kind_of(found)} is not one of the allowed values"
    if kind in ("string_too_short", "too_short", "string_too_long", "too_long"):
        count = ctx.get("min_length") if kind.endswith("short") else ctx.get("max_length")
        unit = ("character" if kind.startswith("string") else "item") + ("" if count == 1 else "s")
        return f"needs at least {count} {unit}" if kind.endswith("short") else f"takes at most {count} {unit}"
    if kind == "string_pattern_mismatch":
        if "@" in str(ctx.get("pattern", "")):
            return f"{_kind_of(found)} is not an email address"
        return f"{_kind_of(found)} does not have the form this field needs"
    return f"{_kind_of(found)} is not a valid value here"


_ISO_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")


def _shown_value(value: Any) -> str:
    text = str(value)
    return text if len(text) <= 40 else text[:37] + "..."


def _clean(message: str) -> str:
    for prefix in ("Value error, ", "Assertion failed, "):
        if message.startswith(prefix):
            message = message[len(prefix):]
    return message[:1].lower() + message[1:]


def validate_as(doc: YamlDocument, model: type[M], data: Any = None, prefix: tuple = ()) -> tuple[M | None, list[Problem]]:
    """Validate located data against a model; errors come back as located problems."""
    target = doc.data if data is None else data
    if not isinstance(target, dict):
        line, col = position_of(doc.data, prefix)
        return None, [Problem(doc.shown, line, col, f"expected a mapping of keys to values, found {_kind_of(target)}",
                              "see `compfw schema` for the expected layout", code="type")]
    try:
        return model.model_validate(target), []
    except ValidationError as exc:
        return None, problems_from(exc, doc, model, prefix)
