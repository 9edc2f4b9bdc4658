"""Frameworks out to other systems: a 1EdTech CASE v1.1 CFPackage (JSON), and CSV for spreadsheets.

CASE mapping:

- the framework is the CFDocument; each section, element and competency is a CFItem
  (CFItemType "Section", "Element", "Competency"), `humanCodingScheme` = its id,
  `fullStatement` = its title or text;
- the tree is `isChildOf` CFAssociations, child -> parent, sections -> the document, with
  `sequenceNumber` the position under the parent;
- identifiers are UUIDv5 from a fixed namespace over names like
  `nhs-gmts-informatics@2.1/competency/4.1.3`, so the same framework version always exports the
  same identifiers; `lastChangeDateTime` comes from the framework's `published` date (never "now"),
  so an export is byte-for-byte reproducible;
- `uri` is `<base-uri><identifier>`; the default base `urn:uuid:` needs no server.

What CASE has no field for (kind, assessment, target level, examples, the rating scale) goes in
`extensions` with `compfw` names, which the CASE schema allows.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re

from compfw.model.identifiers import identifier

DEFAULT_BASE_URI = "urn:uuid:"
LANGUAGE = "en"
EPOCH = "1970-01-01T00:00:00Z"


def change_datetime(published: str) -> str:
    """An RFC 3339 date-time from a framework's free-form `published` (YYYY, YYYY-MM or YYYY-MM-DD)."""
    match = re.fullmatch(r"\s*(\d{4})(?:-(\d{2}))?(?:-(\d{2}))?\s*", published or "")
    if not match:
        return EPOCH
    year, month, day = (int(part) if part else 1 for part in match.groups())
    try:
        return dt.date(year, month, day).isoformat() + "T00:00:00Z"
    except ValueError:
        return EPOCH


def case_package(lf, base_uri: str = DEFAULT_BASE_URI) -> dict:
    """The framework as a CFPackage dict (JSON-ready)."""
    fw = lf.framework
    key = f"{fw.id}@{fw.version}"
    stamp = change_datetime(fw.published)
    doc_id = identifier(key)

    def uri(ident: str) -> str:
        return f"{base_uri}{ident}"

    document = {
        "identifier": doc_id,
        "uri": uri(doc_id),
        "frameworkType": "Competency framework",
        "caseVersion": "1.1",
        "creator": fw.source.publisher or fw.title,
        "title": fw.title,
        "lastChangeDateTime": stamp,
        "publisher": fw.source.publisher or fw.title,
        "description": f"{fw.source.title} (exported by compfw from framework {fw.id} version {fw.version})",
        "language": LANGUAGE,
        "version": fw.version,
        "adoptionStatus": "Adopted",
    }
    if fw.source.url:
        document["officialSourceURL"] = fw.source.url
    if fw.notes:
        document["notes"] = "\n".join(fw.notes)
    extensions: dict = {"compfwFrameworkId": fw.id}
    if fw.scale:
        extensions["compfwScale"] = {"name": fw.scale.name,
                                     "levels": [{"value": lv.value, "name": lv.name, "description": lv.description}
                                                for lv in fw.scale.levels]}
    if fw.default_target is not None:
        extensions["compfwDefaultTarget"] = fw.default_target
    if fw.replaces is not None:
        extensions["compfwReplaces"] = {"version": fw.replaces.version, "renames": dict(fw.replaces.renames)}
    document["extensions"] = extensions

    doc_link = {"title": fw.title, "identifier": doc_id, "uri": uri(doc_id)}
    items: list[dict] = []
    associations: list[dict] = []

    def add(kind: str, code: str, statement: str, parent: dict, sequence: int, extra: dict | None = None) -> dict:
        ident = identifier(f"{key}/{kind.lower()}/{code}")
        item = {
            "identifier": ident,
            "fullStatement": " ".join(statement.split()),
            "CFItemType": kind,
            "uri": uri(ident),
            "humanCodingScheme": code,
            "listEnumeration": str(sequence),
            "language": LANGUAGE,
            "lastChangeDateTime": stamp,
        }
        item.update(extra or {})
        items.append(item)
        link = {"title": code, "identifier": ident, "uri": uri(ident)}
        assoc_id = identifier(f"{key}/isChildOf/{kind.lower()}/{code}")
        associations.append({
            "identifier": assoc_id,
            "associationType": "isChildOf",
            "sequenceNumber": sequence,
            "uri": uri(assoc_id),
            "originNodeURI": link,
            "destinationNodeURI": parent,
            "lastChangeDateTime": stamp,
        })
        return link

    rows = {p.id: p for p in lf.catalog.placed}

    def competency(c, parent: dict, sequence: int) -> None:
        placed = rows[c.id]
        target, source = placed.target(fw, None)
        ext: dict = {"compfwKind": c.kind, "compfwAssessment": placed.assessment}
        if target is not None:
            ext["compfwTarget"] = target
            ext["compfwTargetSource"] = source
        if c.printed_id:
            ext["compfwPrintedId"] = c.printed_id
        if c.statements:
            ext["compfwStatements"] = {str(k): v for k, v in c.statements.items()}
        extra: dict = {"extensions": ext}
        if c.hlm:
            extra["conceptKeywords"] = list(c.hlm)
        if c.examples:
            extra["notes"] = "Examples: " + " | ".join(" ".join(e.split()) for e in c.examples)
        add("Competency", c.id, c.text, parent, sequence, extra)

    for s_index, section in enumerate(fw.sections, start=1):
        s_link = add("Section", section.id, section.title, doc_link, s_index,
                     {"extensions": {"compfwAssessment": section.assessment}})
        sequence = 0
        for c in section.competencies:
            sequence += 1
            competency(c, s_link, sequence)
        for element in section.elements:
            sequence += 1
            e_link = add("Element", element.id, element.title, s_link, sequence)
            for c_index, c in enumerate(element.competencies, start=1):
                competency(c, e_link, c_index)

    return {"CFDocument": document, "CFItems": items, "CFAssociations": associations}


CSV_COLUMNS = ("framework", "version", "section", "element", "id", "printed_id", "kind", "assessment",
               "target", "target_source", "text")


def csv_text(lf) -> str:
    """One row per competency, in document order, with a header row."""
    from compfw.render.case_export import competency_rows

    fw = lf.framework
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    for row in competency_rows(lf):
        writer.writerow([fw.id, fw.version, row["section"], row["element"] or "", row["id"],
                         row["printed_id"] or "", row["kind"], row["assessment"],
                         "" if row["target"] is None else row["target"], row["target_source"],
                         " ".join(row["text"].split())])
    return out.getvalue()


def competency_rows(lf) -> list[dict]:
    fw = lf.framework
    rows = []
    for p in lf.catalog.placed:
        target, source = p.target(fw, None)
        rows.append({
            "id": p.id,
            "section": p.section.id,
            "element": p.element.id if p.element else None,
            "kind": p.competency.kind,
            "text": p.competency.text,
            "target": target,
            "target_source": source,
            "assessment": p.assessment,
            "printed_id": p.competency.printed_id,
            "statements": {str(k): v for k, v in p.competency.statements.items()},
            "section_title": p.section.title,
            "element_title": p.element.title if p.element else None,
            "hlm": list(p.competency.hlm),
            "examples": list(p.competency.examples),
            "notes": p.competency.notes,
            "required_stages": p.stages,
        })
    return rows
