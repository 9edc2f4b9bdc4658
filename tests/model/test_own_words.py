"""Golden files hold compfw's words, never a dependency's: pydantic's messages change between
releases and speak of Python types, so none of its phrases may reach a user (checked on every
expected output of the case folders and the committed example reports)."""

from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PYDANTIC_PHRASES = ("input should be", "should match pattern", "should have at least", "after validation",
                    "value is outside expected range", "valid date or datetime", "field required",
                    "extra inputs are not permitted", "unable to parse", "value error,")
GOLDENS = sorted(p for folder in (ROOT / "tests" / "cases", ROOT / "docs" / "reports") for p in folder.rglob("*")
                 if p.is_file() and (p.name.startswith("expected") or folder.name == "reports"
                                     or p.parent.name == "expected"))


def test_there_are_goldens_to_check():
    assert len(GOLDENS) > 50


@pytest.mark.parametrize("phrase", PYDANTIC_PHRASES)
def test_no_golden_quotes_pydantic(phrase):
    quoting = [str(p.relative_to(ROOT)) for p in GOLDENS if phrase in p.read_text(encoding="utf-8", errors="replace").lower()]
    assert quoting == []
