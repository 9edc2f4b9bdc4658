"""Properties of the status engine and of validation, for any framework, any records, any input.

Status engine (random small frameworks built as models in memory, random sign-off sequences):
  * the percentage achieved is within 0-100 and is the share of required competencies achieved,
    and the trajectory's lean figure (percent_by_day) is the same on any day;
  * it never goes down when a sign-off is added, nor as the as-of date moves on;
  * every competency's status is what the domain rules say for its level and target, whatever
    the framework and in whatever order the sign-offs come.
Validation (random YAML documents, random text and bytes, mutations of valid files, written to
real files): every outcome is a list of problems, never an exception.

Hypothesis settings keep the run modest (100 examples a status property, 60 a validation one, no deadline).
"""

from __future__ import annotations

import datetime as dt
import tempfile
from pathlib import Path

import yaml
from conftest import SHARED
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from compfw.checks.validate import run_validation
from compfw.engine.status import STATUSES, percent_by_day, status_of, statuses
from compfw.files.problems import Problem
from compfw.files.yaml_located import YamlProblem
from compfw.files.yaml_parse import load_yaml, parse_text
from compfw.model.catalog import Catalog
from compfw.model.models import Evidence, Framework, Portfolio, Signoff

SETTINGS = settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
FEW = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
START, END = dt.date(2025, 1, 1), dt.date(2027, 12, 31)
RANK = {status: rank for rank, status in enumerate(STATUSES)}
SIGNER = {"name": "Max Place", "email": "max@example.org", "role": "placement_manager"}

dates = st.dates(min_value=START, max_value=END)


# --- random frameworks, portfolios and records ------------------------------------------------


@st.composite
def frameworks(draw) -> Framework:
    top = draw(st.integers(1, 5))
    has_scale = draw(st.integers(0, 4)) > 0  # the engine needs no scale; validation flags its absence
    sections = []
    for s in range(1, draw(st.integers(1, 3)) + 1):
        assessment = draw(st.sampled_from(["rated", "rated", "binary"]))
        elements = []
        for e in range(1, draw(st.integers(1, 2)) + 1):
            comps = []
            for c in range(1, draw(st.integers(1, 4)) + 1):
                comp = {"id": f"{s}.{e}.{c}", "text": "a competency",
                        "kind": draw(st.sampled_from(["core", "core", "specialist"]))}
                target = draw(st.one_of(st.none(), st.integers(0, top + 1))) if assessment == "rated" else None
                if target is not None:
                    comp["target"], comp["target_source"] = target, "highlighted"
                if assessment == "rated" and draw(st.integers(0, 9)) == 0:
                    comp["assessment"] = "binary"  # a competency may differ from its section
                comps.append(comp)
            elements.append({"id": f"{s}.{e}", "title": "an element", "competencies": comps})
        sections.append({"id": str(s), "title": "a section", "assessment": assessment, "elements": elements})
    data = {"id": "fw", "title": "A framework", "version": "1", "source": {"document": "d", "title": "t"},
            "specialism": draw(st.sampled_from([None, "informatics", "finance"])),
            "default_target": draw(st.one_of(st.none(), st.integers(1, top))),
            "sections": sections}
    if has_scale:
        data["scale"] = {"levels": [{"value": v, "name": f"level {v}"} for v in range(1, top + 1)]}
    return Framework.model_validate(data)


@st.composite
def portfolios(draw) -> Portfolio:
    return Portfolio.model_validate({
        "trainee": {"id": "t", "name": "T", "email": "t@example.org"},
        "framework": {"id": "fw", "version": "1"},
        "specialism": draw(st.sampled_from([None, "informatics", "finance"])),
        "target_level": draw(st.one_of(st.none(), st.integers(1, 5))),
        "scheme": {"start": START, "end": END},
        "programme_manager": {"name": "P", "email": "p@example.org"},
    })


def signoffs_for(framework: Framework):
    ids = [p.id for p in Catalog(framework).placed] + ["9.9.9"]  # and an id the framework lacks

    @st.composite
    def one(draw) -> Signoff:
        body = ({"achieved": True} if draw(st.booleans()) else {"level": draw(st.integers(0, 6))})
        return Signoff.model_validate({"competency": draw(st.sampled_from(ids)), **body, "signer": SIGNER,
                                       "date": draw(dates), "feedback": "detailed feedback"})

    return st.lists(one(), max_size=25)


def evidence_for(framework: Framework):
    ids = [p.id for p in Catalog(framework).placed]

    @st.composite
    def one(draw) -> Evidence:
        return Evidence.model_validate({"id": f"ev-{draw(st.integers(0, 999))}", "date": draw(dates), "title": "e",
                                        "competencies": draw(st.lists(st.sampled_from(ids), min_size=1, max_size=3))})

    return st.lists(one(), max_size=6)


@st.composite
def cases(draw):
    framework = draw(frameworks())
    return (framework, draw(portfolios()), draw(evidence_for(framework)), draw(signoffs_for(framework)), draw(dates))


# --- the rules, restated from PRODUCT.md, as the oracle ---------------------------------------


def expected_status(assessment: str, target: int | None, signoffs: list[Signoff], evidenced: bool) -> str:
    if assessment == "binary":  # only achieved / not achieved
        return "achieved" if any(s.achieved for s in signoffs) else "not_achieved"
    levels = [s.level for s in signoffs if s.level is not None]
    if not levels:  # no level signed off: worked towards (evidence) or not started
        return "partially_achieved" if evidenced else "not_achieved"
    level = max(levels)  # records are never withdrawn: the highest level counts
    if target is None:  # no target known (a staged framework without a stage): never achieved
        return "partially_achieved"
    if level == target:
        return "achieved"
    return "achieved_plus" if level > target else "partially_achieved"


def expected_target(placed, framework: Framework, portfolio: Portfolio) -> int | None:
    if placed.assessment == "binary":
        return None
    for candidate in (placed.competency.target, portfolio.target_level, framework.default_target):
        if candidate is not None:
            return candidate
    return None


# --- status engine properties -----------------------------------------------------------------


@SETTINGS
@given(cases())
def test_percentage_is_within_0_100_and_is_the_share_achieved(case):
    framework, portfolio, evidence, signoffs, as_of = case
    st_ = statuses(Catalog(framework), portfolio, evidence, signoffs, as_of)
    assert 0.0 <= st_.percent_achieved <= 100.0
    assert sum(st_.counts.values()) == st_.total.required == len(st_.competencies)
    assert st_.total.achieved == st_.counts["achieved"] + st_.counts["achieved_plus"]
    if st_.total.required:
        assert st_.percent_achieved == round(100 * st_.total.achieved / st_.total.required, 1)
    for tally in [*st_.by_section.values(), *st_.by_kind.values()]:
        assert 0.0 <= tally.percent <= 100.0 and 0 <= tally.achieved <= tally.required


@SETTINGS
@given(cases(), st.data())
def test_adding_a_signoff_never_lowers_the_percentage_or_any_status(case, data):
    framework, portfolio, evidence, signoffs, as_of = case
    extra = data.draw(signoffs_for(framework).filter(bool))[0]
    catalog = Catalog(framework)
    before = statuses(catalog, portfolio, evidence, signoffs, as_of)
    after = statuses(catalog, portfolio, evidence, [*signoffs, extra], as_of)
    assert after.percent_achieved >= before.percent_achieved
    for old, new in zip(before.competencies, after.competencies, strict=True):
        assert RANK[new.status] >= RANK[old.status], (old.placed.id, old.status, new.status)


@SETTINGS
@given(cases(), st.lists(dates, min_size=1, max_size=6))
def test_the_trajectorys_lean_percentage_is_the_statuses_percentage(case, days):
    """percent_by_day (the trajectory's per-month figure) equals statuses(...).exact_percent on
    any day, whatever the evidence: achievement depends on the sign-offs alone."""
    framework, portfolio, evidence, signoffs, _ = case
    catalog = Catalog(framework)
    percent_on = percent_by_day(catalog, portfolio, signoffs)
    for day in [*days, *(s.date for s in signoffs), *(s.date - dt.timedelta(days=1) for s in signoffs)]:
        assert percent_on(day) == statuses(catalog, portfolio, evidence, signoffs, day).exact_percent


@SETTINGS
@given(cases(), dates)
def test_the_percentage_never_goes_down_as_time_passes(case, later):
    framework, portfolio, evidence, signoffs, as_of = case
    assume(later >= as_of)
    catalog = Catalog(framework)
    assert (statuses(catalog, portfolio, evidence, signoffs, later).percent_achieved
            >= statuses(catalog, portfolio, evidence, signoffs, as_of).percent_achieved)


@SETTINGS
@given(cases(), st.randoms(use_true_random=False))
def test_statuses_agree_with_levels_and_targets_in_any_order(case, random):
    framework, portfolio, evidence, signoffs, as_of = case
    catalog = Catalog(framework)
    shuffled = list(signoffs)
    random.shuffle(shuffled)
    result = statuses(catalog, portfolio, evidence, shuffled, as_of)
    in_order = statuses(catalog, portfolio, evidence, signoffs, as_of)
    assert [(r.status, r.level) for r in result.competencies] == [(r.status, r.level) for r in in_order.competencies]
    assert result.percent_achieved == in_order.percent_achieved
    required = catalog.required_for(portfolio.specialism)
    assert [r.placed.id for r in result.competencies] == [p.id for p in required]
    for row in result.competencies:
        placed = row.placed
        mine = [s for s in signoffs if s.competency == placed.id and s.date <= as_of]
        evidenced = any(placed.id in e.competencies and e.date <= as_of for e in evidence)
        target = expected_target(placed, framework, portfolio)
        assert row.target == target
        assert row.status == expected_status(placed.assessment, target, mine, evidenced), placed.id
        levels = [s.level for s in mine if s.level is not None]
        assert row.level == (max(levels) if levels and placed.assessment != "binary" else None)
        assert status_of(placed.assessment, target, mine, evidenced) == (row.status, row.level)


@SETTINGS
@given(cases())
def test_specialist_competencies_count_only_for_their_specialism(case):
    framework, portfolio, evidence, signoffs, as_of = case
    ids = {r.placed.id for r in statuses(Catalog(framework), portfolio, evidence, signoffs, as_of).competencies}
    for placed in Catalog(framework).placed:
        counts = (placed.competency.kind == "core" or framework.specialism is None
                  or portfolio.specialism is None or framework.specialism == portfolio.specialism)
        assert (placed.id in ids) == counts


# --- validation never raises ------------------------------------------------------------------

scalars = st.one_of(st.none(), st.booleans(), st.integers(-10**6, 10**6), st.floats(allow_nan=True),
                    st.text(max_size=30), dates, st.sampled_from(["2.10", "yes", "no", "2025-13-01", "~", "<<", "1.0"]))
keys = st.one_of(st.sampled_from(["trainee", "framework", "id", "version", "competency", "level", "signer", "date",
                                  "feedback", "evidence", "achieved", "email", "role", "scheme", "start", "end",
                                  "placements", "manager", "name", "sections", "competencies", "narrative"]),
                 st.text(max_size=12))
documents = st.recursive(scalars, lambda inner: st.one_of(st.lists(inner, max_size=5),
                                                          st.dictionaries(keys, inner, max_size=6)), max_leaves=30)

VALID_PORTFOLIO = (SHARED.parent / "validate" / "broken-inputs" / "repo" / "portfolios" / "clean")


def _repo_with(files: dict[str, str | bytes]) -> tempfile.TemporaryDirectory:
    holder = tempfile.TemporaryDirectory()
    root = Path(holder.name)
    (root / "frameworks").mkdir()
    (root / "frameworks" / "mini.yaml").write_bytes((SHARED / "frameworks" / "mini.yaml").read_bytes())
    for name, content in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content if isinstance(content, bytes) else content.encode("utf-8", "surrogatepass"))
    return holder


def _validate(files: dict[str, str | bytes]) -> list[Problem]:
    with _repo_with(files) as name:
        root = Path(name)
        problems = list(run_validation([root / "frameworks", root / "portfolios"], root,
                                       today=dt.date(2026, 11, 22), jobs=1))
    assert all(isinstance(p, Problem) for p in problems)
    return problems


def _dump(data) -> str:
    return yaml.safe_dump(data, allow_unicode=True, sort_keys=False)


@FEW
@given(documents, documents, documents)
def test_validation_never_raises_on_arbitrary_yaml_documents(portfolio, signoff, evidence):
    _validate({"portfolios/p/portfolio.yaml": _dump(portfolio), "portfolios/p/signoffs/s.yaml": _dump(signoff),
               "portfolios/p/evidence/e.yaml": _dump(evidence)})


@FEW
@given(documents)
def test_validation_never_raises_on_an_arbitrary_framework(framework):
    _validate({"frameworks/fw.yaml": _dump(framework)})


@FEW
@given(documents)
def test_validation_never_raises_on_arbitrary_records_in_a_valid_portfolio(record):
    files = {f"portfolios/p/{p.relative_to(VALID_PORTFOLIO)}": p.read_text()
             for p in VALID_PORTFOLIO.rglob("*.yaml")}
    files["portfolios/p/signoffs/random.yaml"] = _dump(record)
    files["portfolios/p/evidence/random.yaml"] = _dump([record, record])
    _validate(files)


@FEW
@given(st.text(max_size=300), st.binary(max_size=300))
def test_validation_never_raises_on_random_text_or_bytes(text, blob):
    _validate({"portfolios/p/portfolio.yaml": text, "portfolios/p/signoffs/s.yaml": blob,
               "frameworks/fw.yaml": text})


@FEW
@given(st.data())
def test_validation_never_raises_on_mutations_of_valid_files(data):
    files = {f"portfolios/p/{p.relative_to(VALID_PORTFOLIO)}": p.read_text()
             for p in VALID_PORTFOLIO.rglob("*.yaml")}
    name = data.draw(st.sampled_from(sorted(files)))
    text = files[name]
    for _ in range(data.draw(st.integers(1, 4))):
        at = data.draw(st.integers(0, len(text)))
        kind = data.draw(st.sampled_from(["delete", "insert", "duplicate-line"]))
        if kind == "delete":
            text = text[:at] + text[at + data.draw(st.integers(1, 5)):]
        elif kind == "insert":
            text = text[:at] + data.draw(st.sampled_from(["\t", ":", "- ", "&a ", "*a", "[", "{", "'", '"', "\n",
                                                          "\ufeff", "#", "!!binary ", "2.10", "\x00"])) + text[at:]
        else:
            lines = text.splitlines(keepends=True)
            if lines:
                line = lines[data.draw(st.integers(0, len(lines) - 1))]
                text = text + line
    files[name] = text
    _validate(files)


@SETTINGS
@given(st.one_of(st.text(max_size=500), documents.map(_dump)))
def test_parse_text_raises_only_its_own_problem(text):
    try:
        parse_text(text)
    except YamlProblem as exc:
        assert exc.line >= 0 and exc.col >= 0 and exc.message


@FEW
@given(st.binary(max_size=400))
def test_load_yaml_returns_a_problem_never_an_exception(blob):
    with tempfile.TemporaryDirectory() as name:
        path = Path(name) / "x.yaml"
        path.write_bytes(blob)
        doc, problem = load_yaml(path)
        assert (doc is None) != (problem is None)
