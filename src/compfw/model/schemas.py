"""JSON Schemas of compfw's files, generated from the pydantic models, for editors and CI.

`schema_for(kind)` gives a draft-07 document (the dialect editors' YAML language servers and
check-jsonschema understand best): pydantic's `$defs` become `definitions`, a `$ref` that has
sibling keywords is wrapped in `allOf` (draft-07 ignores siblings of `$ref`), and unknown keys are
refused (`additionalProperties: false`, from the models' extra="forbid"), so an editor underlines
a misspelt key as the trainee types it. Descriptions shown on hover come from DESCRIPTIONS below.

The files in the repository's `schemas/` folder are this output, committed; a test keeps them
equal to `compfw schema <kind>`.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

DRAFT_07 = "http://json-schema.org/draft-07/schema#"
KINDS = ("framework", "portfolio", "evidence", "signoff", "request")
SCHEMA_DIR = "schemas"

TITLES = {
    "framework": "compfw framework",
    "portfolio": "compfw portfolio (portfolios/<id>/portfolio.yaml)",
    "evidence": "compfw evidence entry (portfolios/<id>/evidence/*.yaml)",
    "signoff": "compfw sign-off record (portfolios/<id>/signoffs/*.yaml)",
    "request": "compfw request for review (portfolios/<id>/requests/*.yaml)",
}

# Hover text for the keys a person types most; a test checks every key named here exists.
DESCRIPTIONS: dict[str, dict[str, str]] = {
    "Portfolio": {
        "trainee": "The person this portfolio tracks.",
        "framework": "The framework and version the portfolio is pinned to; `compfw migrate` re-pins it.",
        "specialism": "The trainee's specialism; specialist competencies of other specialisms are not required.",
        "target_level": "The level or stage this person is tracked at, for competencies with no target of their own.",
        "scheme": "When the scheme starts and ends (YYYY-MM-DD).",
        "programme_manager": "The programme manager: may sign off any competency at any time.",
        "placements": "Placements in order; each placement manager may sign off once their placement has started.",
        "plan": "Competencies planned per placement: placement name -> list of competency ids.",
        "reflective_piece": "The Personal Qualities reflective piece: file beside portfolio.yaml and completion date.",
    },
    "Trainee": {
        "id": "The trainee's id (lower-case letters, digits and '-'); also the portfolio folder's name.",
        "email": "The trainee's email; `compfw status` finds your portfolio by your git user.email.",
    },
    "Pin": {
        "id": "Framework id, e.g. nhs-gmts-informatics (see `compfw framework list`).",
        "version": "Framework version, quoted: \"2.1\".",
    },
    "Placement": {
        "name": "The placement's name, as used in 'plan'.",
        "manager": "The placement manager, who signs competencies off.",
    },
    "Evidence": {
        "id": "A unique id for this entry, e.g. ev-2026-01-10-workshop; sign-offs refer to it.",
        "date": "When the work was done (YYYY-MM-DD).",
        "title": "A short title.",
        "narrative": "What you did, what happened, what you learnt.",
        "documents": "Paths or links to supporting documents.",
        "competencies": "Ids of the competencies this evidence supports, quoted: \"4.1.3\".",
    },
    "Signoff": {
        "competency": "The competency signed off, quoted: \"4.1.3\".",
        "level": "The level signed off (rated competencies); give either level or achieved.",
        "achieved": "achieved: true for achieved/not-achieved competencies (e.g. Personal Qualities).",
        "signer": "Who signed: the programme manager or a placement manager named in portfolio.yaml.",
        "date": "The date of the sign-off (YYYY-MM-DD).",
        "feedback": "Detailed, constructive feedback: the framework requires it with every sign-off.",
        "evidence": "Ids of the evidence entries this sign-off rests on.",
        "discussed": "When signer and trainee discussed the reflective piece (YYYY-MM-DD); required where the framework says so (Personal Qualities).",
        "placement_manager_absent": "true when a programme manager signs in the placement manager's absence, where the framework allows it only then.",
        "absence_reason": "Why the placement manager is absent (with placement_manager_absent: true).",
    },
    "ReviewRequest": {
        "to": "The email of the manager asked: the programme manager or a placement manager named in portfolio.yaml.",
        "date": "The date of the request (YYYY-MM-DD).",
        "competencies": "Ids of the competencies to review, quoted: \"4.1.3\".",
        "note": "What the trainee would like the manager to look at.",
    },
    "Framework": {
        "replaces": "The version this one supersedes and how competency ids were renamed (old: new).",
        "default_target": "Target level for rated competencies whose source shows none.",
    },
    "Section": {
        "stages": "Stages (scale levels) at which this section is required; left out: every stage.",
    },
    "Element": {
        "stages": "Stages (scale levels) at which this element is required; left out: the section's.",
    },
    "Competency": {
        "stages": "Stages (scale levels) at which this competency is required; left out: the element's.",
    },
    "Replaces": {
        "version": "The version this framework version supersedes.",
        "renames": "Competency ids renamed from that version: old id -> new id.",
    },
}


def _models() -> dict[str, type]:
    from compfw.model.models import Evidence, Framework, Portfolio, ReviewRequest, Signoff

    return {"framework": Framework, "portfolio": Portfolio, "evidence": Evidence, "signoff": Signoff,
            "request": ReviewRequest}


def _rewrite(node: Any) -> Any:
    """pydantic's (2020-12 flavoured) output to draft-07: refs to #/definitions, lone $refs."""
    if isinstance(node, list):
        return [_rewrite(item) for item in node]
    if not isinstance(node, dict):
        return node
    out = {key: _rewrite(value) for key, value in node.items() if key != "$defs"}
    if "$defs" in node:
        out["definitions"] = {name: _rewrite(value) for name, value in node["$defs"].items()}
    ref = out.get("$ref")
    if isinstance(ref, str):
        out["$ref"] = ref.replace("#/$defs/", "#/definitions/")
        if len(out) > 1:
            siblings = {key: value for key, value in out.items() if key != "$ref"}
            out = {"allOf": [{"$ref": out["$ref"]}], **siblings}
    return out


def _describe(schema: dict, definitions: dict) -> None:
    for model, fields in DESCRIPTIONS.items():
        target = schema if schema.get("title") == model else definitions.get(model)
        if target is None:
            continue
        props = target.get("properties", {})
        for name, text in fields.items():
            if name in props:
                prop = props[name]
                if "$ref" in prop:  # draft-07 ignores a $ref's siblings
                    prop = props[name] = {"allOf": [{"$ref": prop.pop("$ref")}], **prop}
                prop["description"] = text


def schema_for(kind: str) -> dict:
    """The draft-07 JSON Schema of one kind of file."""
    if kind not in KINDS:
        raise ValueError(f"unknown schema kind {kind!r}")
    model = _models()[kind]
    body = _rewrite(model.model_json_schema())
    definitions = body.pop("definitions", {})
    _describe(body, definitions)
    doc: dict[str, Any] = {
        "$schema": DRAFT_07,
        "$id": f"urn:compfw:schema:{kind}",
        "title": TITLES[kind],
        "description": f"Generated by `compfw schema {kind}` from the compfw data model; do not edit by hand.",
    }
    if kind == "evidence":
        # An evidence file holds one entry, or a list of entries.
        definitions["Evidence"] = body
        doc["anyOf"] = [{"$ref": "#/definitions/Evidence"},
                        {"type": "array", "minItems": 1, "items": {"$ref": "#/definitions/Evidence"}}]
    else:
        body.pop("title", None)
        doc.update(body)
    if definitions:
        doc["definitions"] = dict(sorted(definitions.items()))
    return doc


def schema_text(kind: str) -> str:
    """The schema as the committed file holds it: 2-space JSON, trailing newline."""
    return json.dumps(schema_for(kind), indent=2, ensure_ascii=False) + "\n"


def file_name(kind: str) -> str:
    return f"{kind}.schema.json"


def modeline(kind: str, file: Path, root: Path) -> str:
    """The `# yaml-language-server: $schema=...` line for a file, relative to the repo's schemas/."""
    import os

    target = _nearest_resolved(root / SCHEMA_DIR) / file_name(kind)
    relative = os.path.relpath(target, _nearest_resolved(file.parent))
    return f"# yaml-language-server: $schema={Path(relative).as_posix()}\n"


def _nearest_resolved(folder: Path) -> Path:
    """folder made absolute through its nearest existing ancestor (symlinks resolved there)."""
    folder = folder.absolute()
    missing: list[str] = []
    while not folder.exists():
        missing.append(folder.name)
        folder = folder.parent
    resolved = folder.resolve()
    for name in reversed(missing):
        resolved = resolved / name
    return resolved
