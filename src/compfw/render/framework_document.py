"""A framework as one JSON-ready document: what `compfw framework show --json` prints.

Every field of the framework file is carried as the file has it (the section tree with elements,
competencies, statements, Healthcare Leadership Model dimensions, examples, notes, the sign-off
and reflective-piece rules...), plus what compfw works out from it: counts, and every competency
flattened in document order with its place, effective target and the stages it is required at.
"""

from __future__ import annotations

from typing import Any


def framework_counts(lf) -> dict:
    fw = lf.framework
    placed = lf.catalog.placed
    return {
        "sections": len(fw.sections),
        "elements": sum(len(s.elements) for s in fw.sections),
        "competencies": len(placed),
        "core": sum(p.competency.kind == "core" for p in placed),
        "specialist": sum(p.competency.kind == "specialist" for p in placed),
        "binary": sum(p.assessment == "binary" for p in placed),
    }


def framework_document(lf) -> dict[str, Any]:
    from compfw.render.case_export import competency_rows

    doc = lf.framework.model_dump(mode="json")
    scale = doc.pop("scale")
    out: dict[str, Any] = {}
    for key, value in doc.items():
        out[key] = value
        if key == "specialism":
            # `scale` stays the list of levels it has always been; its name travels beside it
            out["scale"] = scale["levels"] if scale else []
            out["scale_name"] = scale["name"] if scale else None
    out["counts"] = framework_counts(lf)
    out["competencies"] = competency_rows(lf)
    return out
