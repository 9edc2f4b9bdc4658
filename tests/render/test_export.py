"""`compfw export case|csv`, and terminal manners (progress bars, no colour off a terminal)."""

from __future__ import annotations

import csv
import io
import json
import uuid

import jsonschema
import pytest
from conftest import REPO

from compfw.model.loading import FrameworkStore
from compfw.model.identifiers import NAMESPACE, identifier
from compfw.render.case_export import change_datetime

VENDOR = REPO.parent / "shared" / "vendor" / "case-v1p1-cfpackage.schema.json"
SHIPPED = sorted(p.stem for p in (REPO / "frameworks").glob("*.yaml"))


@pytest.fixture(scope="module")
def case_validator():
    assert VENDOR.exists(), f"the official CASE v1.1 package schema is missing: {VENDOR}"
    schema = json.loads(VENDOR.read_text(encoding="utf-8"))
    assert schema["$schema"].startswith("https://json-schema.org/draft/2019-09/")
    jsonschema.Draft201909Validator.check_schema(schema)
    return jsonschema.Draft201909Validator(schema, format_checker=jsonschema.Draft201909Validator.FORMAT_CHECKER)


def export(cli, root, *args):
    result = cli(["export", *args], cwd=root)
    assert result.exit_code == 0, result.stderr
    return result.stdout


@pytest.mark.parametrize("framework_id", SHIPPED + ["mini"])
def test_case_export_is_a_valid_case_1_1_package(framework_id, case_validator, make_repo, cli):
    root = make_repo()
    package = json.loads(export(cli, root, "case", framework_id))
    errors = sorted(case_validator.iter_errors(package), key=lambda e: list(e.path))
    assert errors == [], [f"{list(e.path)}: {e.message}" for e in errors[:5]]

    lf = FrameworkStore.for_repo(root).get(framework_id, package["CFDocument"]["version"])
    fw = lf.framework
    doc = package["CFDocument"]
    assert doc["identifier"] == identifier(f"{fw.id}@{fw.version}")
    assert (doc["title"], doc["caseVersion"], doc["adoptionStatus"], doc["language"]) == (fw.title, "1.1", "Adopted", "en")
    items = package["CFItems"]
    competencies = [i for i in items if i["CFItemType"] == "Competency"]
    assert [i["humanCodingScheme"] for i in competencies] == [p.id for p in lf.catalog.placed]
    assert len([i for i in items if i["CFItemType"] == "Section"]) == len(fw.sections)
    assert len([i for i in items if i["CFItemType"] == "Element"]) == sum(len(s.elements) for s in fw.sections)
    # every item is the child of exactly one node: the document, or an item of the package
    nodes = {doc["identifier"]} | {i["identifier"] for i in items}
    assert len(nodes) == len(items) + 1, "identifiers are unique"
    children = [a["originNodeURI"]["identifier"] for a in package["CFAssociations"]]
    assert sorted(children) == sorted(i["identifier"] for i in items)
    for a in package["CFAssociations"]:
        assert a["associationType"] == "isChildOf"
        assert a["destinationNodeURI"]["identifier"] in nodes
        assert a["uri"] == f"urn:uuid:{a['identifier']}"
    sections = {i["identifier"] for i in items if i["CFItemType"] == "Section"}
    to_document = {a["originNodeURI"]["identifier"] for a in package["CFAssociations"]
                   if a["destinationNodeURI"]["identifier"] == doc["identifier"]}
    assert to_document == sections


def test_case_export_of_the_informatics_framework(make_repo, cli):
    package = json.loads(export(cli, make_repo(), "case", "nhs-gmts-informatics"))
    doc = package["CFDocument"]
    # pinned: a change of namespace or naming scheme would break every consumer's links
    assert doc["identifier"] == "0cadb00b-f048-51d0-a1ba-646ec840c9da"
    assert doc["lastChangeDateTime"] == "2017-11-01T00:00:00Z"
    assert doc["version"] == "2.1"
    item = next(i for i in package["CFItems"] if i.get("humanCodingScheme") == "4.1.3")
    assert item["identifier"] == "5f5cbb33-35b6-5062-9121-56e2b5e6ad53"
    assert uuid.UUID(item["identifier"]) == uuid.uuid5(NAMESPACE, "nhs-gmts-informatics@2.1/competency/4.1.3")
    assert uuid.UUID(item["identifier"]).version == 5
    assert item["CFItemType"] == "Competency"
    duplicate = next(i for i in package["CFItems"] if i.get("humanCodingScheme") == "4.4.5")
    assert duplicate["extensions"]["compfwPrintedId"] == "4.4.3"
    parent = next(a for a in package["CFAssociations"] if a["originNodeURI"]["identifier"] == item["identifier"])
    assert parent["destinationNodeURI"]["title"] == "4.1"


def test_case_export_is_byte_for_byte_stable(make_repo, cli, monkeypatch):
    root = make_repo()
    first = export(cli, root, "case", "nhs-gmts-informatics")
    monkeypatch.setenv("COMPFW_TODAY", "2031-01-01")   # "now" plays no part
    assert export(cli, root, "case", "nhs-gmts-informatics") == first
    other = json.loads(export(cli, root, "case", "nhs-gmts-informatics", "--base-uri", "https://case.example.org/uri/"))
    assert other["CFDocument"]["identifier"] == json.loads(first)["CFDocument"]["identifier"]
    assert other["CFDocument"]["uri"] == "https://case.example.org/uri/0cadb00b-f048-51d0-a1ba-646ec840c9da"


@pytest.mark.parametrize("published, stamp", [
    ("2017-11", "2017-11-01T00:00:00Z"), ("2011", "2011-01-01T00:00:00Z"), ("2024-02-06", "2024-02-06T00:00:00Z"),
    ("", "1970-01-01T00:00:00Z"), ("November 2017", "1970-01-01T00:00:00Z"), ("2017-13", "1970-01-01T00:00:00Z"),
])
def test_change_datetime_is_derived_from_the_published_date(published, stamp):
    assert change_datetime(published) == stamp


def test_export_to_a_file_never_overwrites(make_repo, cli):
    root = make_repo()
    result = cli(["export", "case", "mini", "--output", "mini.case.json"], cwd=root)
    assert (result.exit_code, result.stdout, result.stderr) == (0, "", "wrote mini.case.json\n")
    assert (root / "mini.case.json").read_text() == export(cli, root, "case", "mini")
    result = cli(["export", "csv", "mini", "-o", "mini.case.json"], cwd=root)
    assert (result.exit_code, result.stdout, result.stderr) == (1, "", (
        "error: mini.case.json already exists\n"
        "hint: compfw never overwrites a file; remove it first, or print to stdout and redirect\n"))
    assert (root / "mini.case.json").read_text().startswith("{")


def test_export_refuses_an_unknown_framework_or_version(make_repo, cli):
    root = make_repo()
    result = cli(["export", "case", "nope"], cwd=root)
    assert result.exit_code == 1
    assert result.stderr.startswith("error: unknown framework 'nope'\nhint: known frameworks: ")
    result = cli(["export", "csv", "mini", "--version", "9"], cwd=root)
    assert (result.exit_code, result.stderr) == (1, "error: framework mini has no version '9'\nhint: available: 1.0\n")


def test_export_refuses_a_framework_with_errors(make_repo, cli):
    root = make_repo()
    broken = (root / "frameworks/mini.yaml").read_text().replace('id: "3.1.4"', 'id: "3.1.3"')
    (root / "frameworks/mini.yaml").write_text(broken)
    result = cli(["export", "case", "mini"], cwd=root)
    assert result.exit_code == 1
    assert result.stdout == ""
    assert result.stderr.splitlines()[:2] == ["error: framework mini 1.0 has errors; nothing was exported",
                                              "hint: fix them first (`compfw validate` lists them)"]
    assert "competency id '3.1.3' is used more than once" in result.stderr


MINI_CSV = """\
framework,version,section,element,id,printed_id,kind,assessment,target,target_source,text
mini,1.0,1,1.1,1.1.1,,core,binary,,binary,Understands their impact on others
mini,1.0,1,1.1,1.1.2,,core,binary,,binary,Acts with integrity
mini,1.0,2,2.1,2.1.1,,core,rated,3,highlighted,Develops collaborations
mini,1.0,2,2.1,2.1.2,,core,rated,2,highlighted,Trusted team member
mini,1.0,2,2.1,2.1.3,,specialist,rated,3,framework_default,Shares information with partners
mini,1.0,2,2.1,2.1.4,,specialist,rated,4,highlighted,Negotiates
mini,1.0,3,3.1,3.1.1,,core,rated,3,highlighted,Business plans
mini,1.0,3,3.1,3.1.2,,core,rated,1,highlighted,Project planning
mini,1.0,3,3.1,3.1.3,,core,rated,5,highlighted,Communicates progress
mini,1.0,3,3.1,3.1.4,,specialist,rated,3,highlighted,Translates strategy
"""


def test_csv_export_has_one_row_per_competency(make_repo, cli):
    root = make_repo()
    assert export(cli, root, "csv", "mini") == MINI_CSV
    rows = list(csv.DictReader(io.StringIO(export(cli, root, "csv", "nhs-gmts-informatics"))))
    lf = FrameworkStore.for_repo(root).get("nhs-gmts-informatics", "2.1")
    assert [r["id"] for r in rows] == [p.id for p in lf.catalog.placed]
    row = next(r for r in rows if r["id"] == "4.4.5")
    assert (row["printed_id"], row["kind"], row["element"], row["section"]) == ("4.4.3", "specialist", "4.4", "4")
    assert all("\n" not in r["text"] for r in rows)


# --- terminal manners -------------------------------------------------------------------------


def test_progress_iter_is_a_plain_pass_through_off_a_terminal(capsys):
    from compfw.files.progress import progress_iter

    items = list(range(100))
    assert list(progress_iter(items, "Validating")) == items           # stderr is not a terminal here
    assert list(progress_iter(iter(items), "Validating")) == items     # unsized: no bar either
    assert capsys.readouterr() == ("", "")


def test_progress_bar_only_for_a_person_at_a_terminal(monkeypatch):
    from compfw.files.progress import bar_wanted

    class Tty:
        def isatty(self):
            return True

    for name in ("NO_COLOR", "CI", "TERM"):
        monkeypatch.delenv(name, raising=False)
    assert bar_wanted(100, stream=Tty()) is True
    assert bar_wanted(20, stream=Tty()) is False        # short runs: no bar
    assert bar_wanted(None, stream=Tty()) is False
    assert bar_wanted(100, stream=io.StringIO()) is False
    for name, value in (("NO_COLOR", "1"), ("CI", "true"), ("TERM", "dumb")):
        monkeypatch.setenv(name, value)
        assert bar_wanted(100, stream=Tty()) is False, name
        monkeypatch.delenv(name)


def test_progress_bar_draws_on_a_terminal_and_yields_everything(monkeypatch):
    import sys

    from compfw.files.progress import progress_iter

    class TtyBuffer(io.StringIO):
        def isatty(self):
            return True

    for name in ("NO_COLOR", "CI", "TERM"):
        monkeypatch.delenv(name, raising=False)
    err = TtyBuffer()
    monkeypatch.setattr(sys, "stderr", err)
    assert list(progress_iter(range(50), "Reports")) == list(range(50))
    assert "Reports" in err.getvalue()


@pytest.mark.parametrize("args", [["--no-color", "export", "csv", "mini"], ["schema", "signoff"],
                                  ["--no-color", "framework", "show", "mini"]])
def test_no_escape_codes_when_not_a_terminal(make_repo, cli, monkeypatch, args):
    monkeypatch.delenv("NO_COLOR", raising=False)
    result = cli(args, cwd=make_repo())
    assert result.exit_code == 0, result.stderr
    assert "\x1b[" not in result.stdout + result.stderr


def test_shell_completion_is_offered(make_repo, cli):
    result = cli(["--help"], cwd=make_repo())
    assert "--install-completion" in result.stdout and "--show-completion" in result.stdout
