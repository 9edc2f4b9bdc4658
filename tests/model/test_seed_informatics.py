"""frameworks/nhs-gmts-informatics.yaml checked against the seed it was transcribed from.

The seed (000_9cc29e30d49a62bc.txt, NHS Graduate Management Training Scheme, Informatics
Competency Framework v2.1) is re-read here with regular expressions, independently of the YAML:
its competency ids, table kinds (core / specialist), highlighted target levels, HLM cells, texts
and examples, rating scale and progress rules. The source defects that the YAML resolves (and
documents in its notes) are asserted explicitly, value by value.

The seeds folder is ../shared/seeds next to the repository, or the folder named by COMPFW_SEEDS.
"""

from __future__ import annotations

import html
import os
import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from compfw.files.yaml_parse import load_yaml
from compfw.model.modelerrors import validate_as
from compfw.model.models import Competency, Framework

REPO = Path(__file__).resolve().parents[2]
FRAMEWORK_FILE = REPO / "frameworks" / "nhs-gmts-informatics.yaml"
SEED_NAME = "000_9cc29e30d49a62bc.txt"


def seeds_folder() -> Path:
    env = os.environ.get("COMPFW_SEEDS")
    if env:
        return Path(env)
    # <workspace>/main is the work tree; the seeds are in <workspace>/shared/seeds.
    return REPO.parent / "shared" / "seeds"


# --- reading the seed --------------------------------------------------------------------------

SECTION_RE = re.compile(r"^(?:#+\s*)?Section (\d)\.\s+(.+?)\s*$")
ID_RE = re.compile(r"^(\d+\.\d+\.\d+)(?:\s+(.*))?$", re.S)
ELEMENT_HEADING_RE = re.compile(r"^(\d+\.\d+)\s+(\S.*)$")
HIGHLIGHT_RE = re.compile(
    r"<(span|div)\b[^>]*background-color:\s*(?:orange|#f4a460)\b[^>]*>\s*(\d+)\s*</\1>", re.I)
LI_RE = re.compile(r"<li>(.*?)</li>", re.S)
LEVEL_RE = re.compile(r"^(\d) <b>(.+?)</b>\t(.+?)\s*$", re.M)


def clean(fragment: str) -> str:
    """Cell text as a reader sees it: no tags, entities decoded, whitespace collapsed."""
    return re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", " ", fragment))).strip()


def list_items(cell: str) -> list[str]:
    return [clean(item).lstrip("•").strip() for item in LI_RE.findall(cell)]


@dataclass
class SeedRow:
    id: str
    section: str
    kind: str | None
    line: int
    text: str
    hlm: list[str]
    examples: list[str]
    highlights: list[int]
    has_level_cells: bool


@dataclass
class Seed:
    text: str
    rows: list[SeedRow] = field(default_factory=list)
    section_titles: dict[str, str] = field(default_factory=dict)
    element_headings: dict[str, list[str]] = field(default_factory=dict)
    rated_header: dict[str, bool] = field(default_factory=dict)
    flat: str = ""


def parse_seed(text: str) -> Seed:
    seed = Seed(text)
    lines = text.splitlines()
    start = next(i for i, line in enumerate(lines)
                 if (m := SECTION_RE.match(line)) and m.group(1) == "1")
    section: str | None = None
    kind: str | None = None
    flat_cells: list[str] = []
    for lineno, line in enumerate(lines[start:], start + 1):
        if m := SECTION_RE.match(line):
            section, kind = m.group(1), None
            seed.section_titles[section] = m.group(2)
            continue
        cells = line.split("\t")
        stripped = [clean(c) for c in cells]
        flat_cells += [s for c, s in zip(cells, stripped) if s and "<li>" not in c]
        flat_cells += [item for c in cells for item in list_items(c)]
        flat_cells += [s for c in cells if "<li>" in c and (s := clean(re.sub(r"<ul.*?</ul>", " ", c, flags=re.S)))]
        if "Core Leadership Domain" in stripped or stripped[0] == "Specialist":
            kind = "core" if "Core Leadership Domain" in stripped else "specialist"
            seed.rated_header.setdefault(section, "Assessment Level" in stripped)
            continue
        for s in stripped:
            if (h := ELEMENT_HEADING_RE.match(s)) and not ID_RE.match(s):
                seed.element_headings.setdefault(h.group(1), []).append(h.group(2))
        at = next((i for i, s in enumerate(stripped) if ID_RE.match(s)), None)
        if at is None:
            continue
        cid, own_text = ID_RE.match(stripped[at]).groups()
        rest = cells[at + 1:]
        if not own_text:
            own_text, rest = clean(rest[0]), rest[1:]
        hlm = [s for s in stripped[:at] if s and not ELEMENT_HEADING_RE.match(s)]
        examples = [item for c in rest for item in list_items(c)]
        level_cells = any(re.fullmatch(r"1\s*2\s*3\s*4\s*5", clean(c)) for c in rest)
        seed.rows.append(SeedRow(cid, section, kind, lineno, own_text, hlm, examples,
                                 [int(m.group(2)) for m in HIGHLIGHT_RE.finditer(line)], level_cells))
    seed.flat = " | ".join(flat_cells)
    return seed


@pytest.fixture(scope="module")
def seed() -> Seed:
    path = seeds_folder() / SEED_NAME
    if not path.is_file():
        pytest.fail(f"seed not found: {path} (the seeds folder is ../shared/seeds next to the repository; "
                    f"set COMPFW_SEEDS to the folder that holds {SEED_NAME})", pytrace=False)
    return parse_seed(path.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def framework() -> Framework:
    doc, problem = load_yaml(FRAMEWORK_FILE)
    assert problem is None, problem.as_text()
    model, problems = validate_as(doc, Framework)
    assert problems == [], "\n".join(p.as_text() for p in problems)
    assert model is not None
    return model


def competencies(fw: Framework) -> list[tuple[str, str, Competency]]:
    """(section id, element id, competency) for every competency, in file order."""
    out = []
    for section in fw.sections:
        assert section.competencies == [], f"section {section.id}: competencies belong in elements"
        for element in section.elements:
            out += [(section.id, element.id, c) for c in element.competencies]
    return out


def printed(c: Competency) -> str:
    return c.printed_id or c.id


def by_printed(fw: Framework) -> dict[tuple[str, str], Competency]:
    """Competencies keyed by (id as printed in the seed, kind): unique even for the duplicate 4.4.3."""
    out = {}
    for _, _, c in competencies(fw):
        key = (printed(c), c.kind)
        assert key not in out, f"{key} transcribed twice"
        out[key] = c
    return out


def seed_by_key(seed: Seed) -> dict[tuple[str, str], SeedRow]:
    out = {}
    for row in seed.rows:
        key = (row.id, row.kind)
        assert key not in out, f"seed line {row.line}: {key} printed twice in tables of the same kind"
        out[key] = row
    return out


# --- the file itself ---------------------------------------------------------------------------


def test_file_starts_with_schema_comment_and_quotes_ids():
    text = FRAMEWORK_FILE.read_text(encoding="utf-8")
    assert text.splitlines()[0] == "# yaml-language-server: $schema=../schemas/framework.schema.json"
    unquoted = re.findall(r"^\s*-?\s*(?:id|printed_id|version):\s*[^\"'\s].*$", text, re.M)
    assert unquoted == []


def test_loads_and_validates(framework):
    assert framework.id == "nhs-gmts-informatics"
    assert framework.version == "2.1"
    assert framework.published == "2017-11"
    assert framework.specialism == "informatics"
    assert framework.source.document == SEED_NAME
    assert framework.source.version == "2.1"


def test_ids_are_unique(framework):
    ids = [c.id for _, _, c in competencies(framework)]
    ids += [e.id for s in framework.sections for e in s.elements] + [s.id for s in framework.sections]
    assert [i for i, n in Counter(ids).items() if n > 1] == []


def test_competencies_sit_in_their_section_and_element(framework):
    for section_id, element_id, c in competencies(framework):
        assert printed(c).rsplit(".", 1)[0] == element_id, c.id
        assert c.id.rsplit(".", 1)[0] == element_id, c.id
        assert element_id.split(".")[0] == section_id, c.id


# --- ids, kinds, sections -------------------------------------------------------------------


def test_seed_parse_found_every_row(seed):
    assert len(seed.rows) == 101
    assert Counter(r.section for r in seed.rows) == {
        "1": 14, "2": 15, "3": 23, "4": 19, "5": 11, "6": 10, "7": 9}
    assert all(r.kind in ("core", "specialist") for r in seed.rows), "a row outside any table"


def test_every_seed_id_is_transcribed_once(seed, framework):
    seed_ids = Counter(r.id for r in seed.rows)
    yaml_ids = Counter(printed(c) for _, _, c in competencies(framework))
    assert yaml_ids == seed_ids
    assert {i: n for i, n in seed_ids.items() if n > 1} == {"4.4.3": 2}


def test_kinds_and_sections_match_the_tables(seed, framework):
    from_seed = Counter((r.id, r.kind, r.section) for r in seed.rows)
    from_yaml = Counter((printed(c), c.kind, s) for s, _, c in competencies(framework))
    assert from_yaml == from_seed


def test_counts_per_section_and_kind(framework):
    counts = Counter((s, c.kind) for s, _, c in competencies(framework))
    assert counts == {
        ("1", "core"): 14,
        ("2", "core"): 11, ("2", "specialist"): 4,
        ("3", "core"): 10, ("3", "specialist"): 13,
        ("4", "core"): 11, ("4", "specialist"): 8,
        ("5", "core"): 5, ("5", "specialist"): 6,
        ("6", "core"): 6, ("6", "specialist"): 4,
        ("7", "core"): 6, ("7", "specialist"): 3,
    }


def test_section_titles(seed, framework):
    assert [s.id for s in framework.sections] == ["1", "2", "3", "4", "5", "6", "7"]
    assert {s.id: s.title.lower() for s in framework.sections} == {
        k: v.lower() for k, v in seed.section_titles.items()}
    assert [s.title for s in framework.sections] == [
        "Personal Qualities", "Working with Others", "Managing Services", "Improving Services",
        "Setting Direction", "Creating the Vision", "Delivering the Strategy"]


def test_element_titles_follow_the_first_printed_heading(seed, framework):
    for section in framework.sections:
        for element in section.elements:
            if element.id == "5.4":
                assert "5.4" not in seed.element_headings
                assert element.title == "Evaluating Impact" and "no heading" in element.notes
                continue
            assert element.title == seed.element_headings[element.id][0], element.id
            variants = set(seed.element_headings[element.id]) - {element.title}
            for variant in variants:
                assert variant in element.notes, (element.id, variant)


# --- assessment: binary section 1, rated sections 2-7 -------------------------------------------


def test_section_1_is_binary_with_fourteen_competencies(seed, framework):
    assert "These eleven competencies will be signed off" in seed.text
    assert seed.rated_header == {"1": False, "2": True, "3": True, "4": True, "5": True, "6": True, "7": True}
    section = framework.sections[0]
    assert section.assessment == "binary"
    comps = [c for s, _, c in competencies(framework) if s == "1"]
    assert [c.id for c in comps] == [
        "1.1.1", "1.1.2", "1.1.3", "1.2.1", "1.2.2", "1.2.3", "1.3.1", "1.3.2", "1.3.3",
        "1.4.1", "1.4.2", "1.4.3", "1.4.4", "1.4.5"]
    assert all(c.kind == "core" and c.target is None and c.target_source is None for c in comps)
    assert any("eleven" in n and "fourteen" in n for n in framework.notes)
    assert "eleven" in section.notes and "14" in section.notes


def test_sections_2_to_7_are_rated(framework):
    assert [s.assessment for s in framework.sections[1:]] == ["rated"] * 6


# --- targets ------------------------------------------------------------------------------------


def test_targets_match_the_highlights(seed, framework):
    yaml_by_key = by_printed(framework)
    highlighted = not_in_source = 0
    for key, row in seed_by_key(seed).items():
        c = yaml_by_key[key]
        assert len(row.highlights) <= 1, f"seed line {row.line}: {row.id} highlights {row.highlights}"
        if row.section == "1":
            assert row.highlights == [] and c.target is None and c.target_source is None
        elif row.highlights:
            assert (c.target, c.target_source) == (row.highlights[0], "highlighted"), key
            highlighted += 1
        else:
            assert (c.target, c.target_source) == (None, "not_in_source"), key
            not_in_source += 1
    assert (highlighted, not_in_source) == (28, 59)


def test_highlighted_targets_exactly(framework):
    got = {c.id: c.target for _, _, c in competencies(framework) if c.target_source == "highlighted"}
    assert got == {
        "2.4.4": 3, "2.4.5": 3, "3.4.2": 1, "3.4.3": 2, "3.4.4": 5, "3.4.5": 3, "3.4.6": 5,
        "4.1.5": 4, "4.1.6": 3, "5.1.1": 1, "5.1.2": 1, "5.1.3": 1, "5.1.4": 2, "5.2.1": 3,
        "5.2.2": 2, "5.2.3": 4, "5.3.1": 3, "5.3.2": 3, "5.3.3": 3, "7.1.1": 1, "7.1.2": 1,
        "7.2.1": 1, "7.2.2": 2, "7.3.1": 1, "7.3.2": 1, "7.3.3": 1, "7.3.4": 2, "7.4.1": 2}


def test_default_target_is_documented(seed, framework):
    assert framework.default_target == 3
    assert "(in the case of the example above, level 3)" in seed.text
    note = framework.default_target_note
    levels = Counter(r.highlights[0] for r in seed.rows if r.highlights)
    for level, n in levels.items():
        assert f"level {level} x{n}" in note
    assert "59" in note and "28" in note and "--strict" in note and "not_in_source" in note


def test_rows_without_level_cells_are_noted(seed, framework):
    missing = sorted(r.id for r in seed.rows if r.section != "1" and not r.has_level_cells)
    assert missing == ["2.1.5", "2.3.3", "3.2.8", "3.3.4", "4.1.7", "4.2.1", "4.2.2", "5.4.2"]
    comps = {c.id: c for _, _, c in competencies(framework)}
    for cid in missing:
        assert "no assessment-level cells" in comps[cid].notes, cid
    assert any(", ".join(missing[:-1]) + " and " + missing[-1] in n for n in framework.notes)


# --- renumbering and lone ids -------------------------------------------------------------------


def test_duplicate_4_4_3_is_renumbered_visibly(seed, framework):
    rows = [r for r in seed.rows if r.id == "4.4.3"]
    assert [r.kind for r in rows] == ["core", "specialist"]
    comps = {c.id: c for _, _, c in competencies(framework)}
    core, specialist = comps["4.4.3"], comps["4.4.5"]
    assert (core.kind, core.printed_id) == ("core", None)
    assert (specialist.kind, specialist.printed_id) == ("specialist", "4.4.3")
    assert core.text == rows[0].text and specialist.text == rows[1].text
    # the next free number in element 4.4
    assert max(int(r.id.rsplit(".", 1)[1]) for r in seed.rows if r.id.startswith("4.4.")) == 4
    assert "4.1.4 renumbered to 4.1.8 to maintain unique numbering system" in seed.text
    assert "4.4.3" in specialist.notes and "4.1.8" in specialist.notes and "4.4.5" in core.notes
    assert [c.id for _, _, c in competencies(framework) if c.printed_id] == ["4.4.5"]
    assert any("4.4.3" in n and "4.4.5" in n for n in framework.notes)


def test_lone_5_4_2_is_kept_with_a_note(seed, framework):
    assert [r.id for r in seed.rows if r.id.startswith("5.4.")] == ["5.4.2"]
    element = next(e for s in framework.sections for e in s.elements if e.id == "5.4")
    assert [c.id for c in element.competencies] == ["5.4.2"]
    assert element.competencies[0].kind == "specialist"
    assert "5.4.1" in element.competencies[0].notes and "5.4.1" in element.notes
    assert any("5.4.2" in n for n in framework.notes)


def test_amendments_are_in_the_notes(seed, framework):
    rows = re.findall(r"^(\d[\d.]+|November 2017)\t(.+?)\t(\d(?:\.\d)?)\s*$", seed.text, re.M)
    assert [(d, v) for d, _, v in rows] == [("15.10.12", "1.1"), ("15.10.12", "1.1"), ("27.09.17", "2"),
                                           ("November 2017", "2.1")]
    amendments = next(n for n in framework.notes if n.startswith("Table of amendments"))
    for date, detail, version in rows:
        assert f"{date}, v{version}: '{detail}'" in amendments


# --- text, examples, HLM --------------------------------------------------------------------------

# Rows split over page breaks (or carrying the end of the row above), joined back in the YAML.
JOINED_TEXT = {
    "2.1.4": "Achieves active participation in the negotiations and discussions between commissioners "
             "and providers and other contractors.",
    "3.1.4": "Support the translation of strategic organisational informatics objectives into operational "
             "plans and monitor these.",
    "6.2.1": "Attends and participates in joint meetings between the NHS and Local Authorities, or other "
             "health and social care organisations, or voluntary sector organisations",
    "6.3.1": "Communicates the benefits of change to key stakeholders, including clinicians, staff and patients",
    "7.3.3": "Is familiar with the organisation's annual business plan and can articulate the key messages",
}
JOINED_EXAMPLES = {
    "1.3.1": [0, "Utilising primary and secondary sources of information for research purposes and introducing "
                 "new ways of working, for example business best practice associated with project planning, change "
                 "management, benefits realisation and using these approaches in their own work. Joining and "
                 "attending the professional bodies and conferences/working sessions, or working with external "
                 "consultancies and partner organisations to adopt new approaches to work."],
    "2.1.4": [-1, "Getting involved in the contract negotiation and monitoring meetings with responsibility for "
                  "producing and/or coordinating activity analysis schedules."],
    "3.1.4": [0, "Translating a number of strategic objectives within own environment into practical action "
                 "plans and ensuring these are successfully executed."],
    "3.2.2": [-1, "Using analysis to support a range of activities, e.g. monitoring use of resources, public "
                  "health, commissioning, value for money, studies etc."],
    "3.2.7": [0, "Working with finance colleagues to support service line management to understand how systems "
                 "and information can be harnessed to support service line reporting and patient level costing."],
    "4.1.6": [-1, "Understanding of why accurate clinical coding is important for patient safety, data quality "
                  "and reimbursement."],
    "4.4.4": [-1, "Keeping awareness of new system developments and new technological developments."],
}


def in_seed(seed: Seed, s: str) -> bool:
    """Verbatim in one seed cell or list item, or two such pieces joined by a space."""
    if s in seed.flat:
        return True
    cut = [m.start() for m in re.finditer(" ", s)]
    return any(s[:i] in seed.flat and s[i + 1:] in seed.flat for i in cut)


def test_texts_are_the_seed_cells(seed, framework):
    yaml_by_key = by_printed(framework)
    for key, row in seed_by_key(seed).items():
        c = yaml_by_key[key]
        if c.id in JOINED_TEXT:
            assert c.text == JOINED_TEXT[c.id]
            assert "joined here" in c.notes or "moved there" in c.notes, c.id
            if c.id != "6.3.1":
                assert c.text.startswith(row.text + " "), c.id
        else:
            assert c.text == row.text, key
    assert seed_by_key(seed)[("6.3.1", "core")].text == "or voluntary sector organisations " + JOINED_TEXT["6.3.1"]


def test_examples_are_the_seed_list_items(seed, framework):
    yaml_by_key = by_printed(framework)
    for key, row in seed_by_key(seed).items():
        c = yaml_by_key[key]
        for example in c.examples:
            assert example and "<" not in example and not example.startswith(("•", "-")), (key, example)
            assert in_seed(seed, example), (key, example)
        if c.id in JOINED_EXAMPLES:
            index, expected = JOINED_EXAMPLES[c.id]
            assert c.examples[index] == expected, c.id
            assert "page break" in c.notes, c.id
            assert len(c.examples) >= len(row.examples), c.id
            assert all(y == s or y.startswith(s + " ") for s, y in zip(row.examples, c.examples)), c.id
            continue
        assert c.examples == row.examples, key
    # 153 <li> in the tables plus the stray bullet of 4.4.4 after its table
    assert sum(len(c.examples) for c in yaml_by_key.values()) == 154
    assert seed.text[seed.text.index("## Section 1. Personal"):].count("<li>") == 153
    assert sorted(c.id for c in yaml_by_key.values() if not c.examples) == ["1.4.3", "2.1.5", "5.4.2"]


def test_hlm_is_as_printed(seed, framework):
    yaml_by_key = by_printed(framework)
    for key, row in seed_by_key(seed).items():
        c = yaml_by_key[key]
        if c.id == "1.4.2":  # plus the HLM-only row that follows it in the seed
            assert c.hlm == row.hlm + ["Leading with care"] and "Leading with care" in c.notes
            continue
        assert " ".join(c.hlm) == " ".join(row.hlm), key
    multi = {c.id: c.hlm for c in yaml_by_key.values() if len(c.hlm) > 1}
    assert multi == {
        "1.4.2": ["Inspiring shared purpose", "Leading with care"],
        "3.2.1": ["Engaging the team", "Holding to account"],
        "3.3.2": ["Engaging the team", "Holding to account"],
        "3.4.4": ["Holding to account", "Inspiring shared purpose"],
        "6.3.4": ["Connecting our service", "Sharing the vision"],
    }
    assert "\tLeading with care\t\t\t\n" in seed.text


def test_no_html_left(framework):
    for _, _, c in competencies(framework):
        for s in [c.text, *c.hlm, *c.examples]:
            assert not re.search(r"<[a-z/]|&[a-z]+;|•", s), (c.id, s)


# --- rules: scale, milestones, pace, reflective piece, sign-off -------------------------------------


def test_scale(seed, framework):
    levels = [(int(v), name, desc) for v, name, desc in LEVEL_RE.findall(seed.text)]
    assert [v for v, _, _ in levels] == [1, 2, 3, 4, 5]
    assert framework.scale is not None and framework.scale.name == "Rating"
    assert [(lv.value, lv.name, lv.description) for lv in framework.scale.levels] == levels
    assert [lv.name for lv in framework.scale.levels] == [
        "Awareness/knowledge", "Support", "Practical application", "Experienced practitioner", "Leadership"]


def test_milestones(seed, framework):
    assert "achieve around 40% of their competencies by the end of placement 1 and 90%" in seed.text
    got = [(m.id, m.percent, m.due, m.placement, m.months, m.graduation) for m in framework.milestones]
    assert got == [("end-of-placement-1", 40, "placement_end", 1, 12, False),
                   ("end-of-scheme", 90, "scheme_end", None, None, True)]
    for m in framework.milestones:
        quoted = [q.strip() for q in m.source.split("...") if q.strip()]
        assert quoted and all(q in seed.text for q in quoted), m.id


def test_pace(seed, framework):
    assert "If you present 80% of your competencies as achieved at the end of year one" in seed.text
    assert framework.pace is not None and framework.pace.far_ahead_margin == 40
    assert "80%" in framework.pace.source


def test_reflective_piece(seed, framework):
    sentence = ("These eleven competencies will be signed off after the production of a 2,000 word (+/- 10%) "
                "reflective piece of work completed by trainees during their last twelve months on the Scheme.")
    assert sentence in seed.text
    piece = framework.reflective_piece
    assert piece is not None
    assert (piece.sections, piece.words, piece.tolerance_percent, piece.final_months) == (["1"], 2000, 10, 12)
    assert (piece.min_words, piece.max_words) == (1800, 2200)
    assert piece.source == sentence


def test_signoff(framework):
    assert framework.signoff.feedback_min_words == 15
    assert "no length" in framework.signoff.source


def _criteria_table(seed: Seed) -> list[tuple[str, list[str]]]:
    """The seed's three-column criteria table of Section 1: headings row, then one row of lists."""
    lines = seed.text.splitlines()
    at = next(i for i, line in enumerate(lines) if line.startswith("Knowledge and Understanding\t"))
    headings = [clean(h) for h in lines[at].split("\t")]
    columns = [list_items(cell) for cell in lines[at + 1].split("\t")]
    return list(zip(headings, columns))


def test_reflective_piece_criteria_are_the_seed_table(seed, framework):
    table = _criteria_table(seed)
    assert [h for h, _ in table] == ["Knowledge and Understanding",
                                     "Cognitive Skills – Behaviours, Emotional Intelligence and Values",
                                     "Practical Skills"]
    assert sum(len(items) for _, items in table) == 14
    piece = framework.reflective_piece
    assert [(g.heading, g.items) for g in piece.criteria] == table
    text = FRAMEWORK_FILE.read_text(encoding="utf-8")
    for _, items in table:
        for item in items:
            assert f'"{item}"' in text, item
    assert piece.criteria_intro in seed.text
    assert piece.criteria_intro.startswith("When providing evidence, trainees are advised to consider")


def test_personal_qualities_signoff_rule(seed, framework):
    rule = framework.signoff.for_section("1")
    assert rule is not None and framework.signoff.sections == [rule]
    assert (rule.sections, rule.signers, rule.absence_signers, rule.discussion_required) == (
        ["1"], ["placement_manager"], ["programme_manager"], True)
    assert rule.source in seed.text
    assert ("The Placement Manager (or Programme Manager in their absence) is responsible for signing off the "
            "competencies in the Personal Qualities section once both the trainee and Placement Manager have had "
            "an opportunity to discuss the reflective piece.") in rule.source
    assert all(framework.signoff.for_section(s.id) is None for s in framework.sections if s.id != "1")


TYPO_NOTE = re.compile(r'(\d\.\d\.\d) "([^"]+)" \(([^)]+)\)')


def test_typos_are_listed_in_the_notes_and_kept_verbatim(seed, framework):
    [note] = [n for n in framework.notes if n.startswith("Typos and slips kept verbatim")]
    found = TYPO_NOTE.findall(note)
    assert len(found) >= 14
    for cid, quoted, _ in found:
        c = next(c for _, _, c in competencies(framework) if c.id == cid)
        assert any(quoted in s for s in [c.text, *c.examples]), (cid, quoted)
        assert quoted in seed.text, (cid, quoted)
    assert {"1.1.1", "4.2.4"} <= {cid for cid, _, _ in found}
    assert ("1.1.1", "the impact other have on them") in {(c, q) for c, q, _ in found}
    assert ("4.2.4", "benching marking") in {(c, q) for c, q, _ in found}


def test_garbled_list_of_bodies_is_recorded(seed, framework):
    garbled = ("including the Department of Health, external auditors, Monitor NHS Improvement, Care Quality "
               "Commission, Audit Commission, NHS Litigation Authority and Health & Overview Scrutiny Committee, "
               "Healthwatch and Health, NBB.")
    assert garbled in seed.flat  # the seed writes &amp;
    c = next(c for _, _, c in competencies(framework) if c.id == "4.1.1")
    assert garbled in c.examples[0]
    [note] = [n for n in framework.notes if n.startswith("Garbled list of bodies")]
    assert garbled in note
