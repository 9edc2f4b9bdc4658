#!/usr/bin/env python3
"""Write a realistic synthetic cohort repository for benchmarking compfw.

    python benchmarks/generate.py N OUTDIR [--seed S] [--framework ID]

OUTDIR gets ``frameworks/`` (copied from this repository's ``frameworks/``, sanctioned in
``.compfw/policy.yaml``) and ``portfolios/``
with N portfolios pinned to the informatics framework, shaped like the examples in
``portfolios/``: two placements, a plan, 30-40 evidence entries with 150-400 word narratives (one
file each), ~100 sign-off records with 40-80 word feedback (one file each), and, for trainees in
the last year of the scheme, a 2,000-word reflective piece with the Personal Qualities sign-offs
that follow it. Every portfolio is valid as at COMPFW_TODAY=2026-11-22, so the benchmark measures
checking, not error reporting. The output is deterministic for a given N and seed.

Only the standard library and PyYAML are used, so the generator does not depend on compfw.
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import shutil
import sys
from pathlib import Path

import yaml

REPO = Path(__file__).resolve().parents[1]
TODAY = dt.date(2026, 11, 22)

FIRST = ("Asha Ben Chloe Daniel Efua Farah George Hannah Imran Jade Kwame Laura Mohammed Niamh Oliver "
         "Priya Quentin Rosa Samuel Tara Usman Vera William Xin Yusuf Zara Aidan Bethan Callum Deepa "
         "Eleanor Femi Grace Harry Isla Jamal Kirsty Liam Maya Nathan").split()
LAST = ("Patel Okafor Evans Smith Jones Khan Williams Brown Taylor Davies Wilson Ahmed Murphy Walsh "
        "Nwosu Clarke Hughes Edwards Green Hall Wood Harris Lewis Martin Jackson Thompson White Begum "
        "Ali Roberts Campbell Kelly Reid Shah Morris Price Bennett Chen Singh Adeyemi").split()
ORGS = ("Northfield Hospitals NHS Trust", "Riverside Integrated Care Board", "Eastgate Community Health",
        "Westbrook University Hospitals", "Moorside Mental Health NHS Foundation Trust",
        "Harbour Ambulance Service", "Central Commissioning Support Unit")

# A vocabulary for narratives and feedback: plain English of the kind trainees and managers write.
WORDS = """the a to and of in for with on my our we I this that was were have has had it as by from at
team project data service patient patients staff clinical information record records system systems
report reports meeting meetings workshop stakeholders manager managers board governance quality safety
risk risks plan planning review reviewed agreed delivered analysed presented prepared supported led
coordinated improved developed tested implemented documented migrated designed audit audited dashboard
dashboards performance waiting times demand capacity pathway pathways referral referrals discharge
outpatient inpatient theatre pharmacy laboratory radiology community primary care trust board
directorate finance budget business case options appraisal benefits realisation requirements user
users training guidance policy standard standards interoperability shared care electronic health
feedback learning reflection development objectives priorities weekly monthly quarterly timeline
scope deadline handover colleagues clinicians nurses consultants administrators analysts developers
evidence outcome outcomes result results because so when while after before during through across
between within without about again then also only more most less first next last new better clear
careful small large early late short long good useful practical honest open difficult important
""".split()
NARRATIVE_OPENERS = (
    "I led this piece of work over {weeks} weeks during my placement at {org}.",
    "I supported this work over {weeks} weeks during my placement at {org}.",
    "Over {weeks} weeks at {org} I took responsibility for this work from scoping to handover.",
)
FEEDBACK_OPENERS = (
    "Good progress on {topic}.",
    "A clear and well organised piece of work on {topic}.",
    "You showed real ownership of {topic}.",
)
TITLES = ("Stakeholder workshop on shared care records", "Data quality audit of outpatient referrals",
          "Dashboard for theatre utilisation", "Business case for an electronic prescribing pilot",
          "Information governance training for ward clerks", "Demand and capacity model for radiology",
          "Benefits realisation review of the discharge system", "User research for the referral portal",
          "Options appraisal for a community records system", "Clinical safety case for a new interface")


def words(rng: random.Random, n: int) -> str:
    out = [rng.choice(WORDS) for _ in range(n)]
    sentences, i = [], 0
    while i < len(out):
        k = rng.randint(9, 18)
        chunk = out[i:i + k]
        chunk[0] = chunk[0].capitalize()
        sentences.append(" ".join(chunk) + ".")
        i += k
    return " ".join(sentences)


def person(rng: random.Random, taken: set[str]) -> dict:
    while True:
        first, last = rng.choice(FIRST), rng.choice(LAST)
        email = f"{first.lower()}.{last.lower()}{rng.randint(1, 999)}@example.org"
        if email not in taken:
            taken.add(email)
            return {"name": f"{first} {last}", "email": email, "handle": f"@{first[0].lower()}{last.lower()}"}


def flat_competencies(framework: dict) -> list[dict]:
    out = []
    for section in framework["sections"]:
        assessment = section.get("assessment", "rated")
        comps = list(section.get("competencies", []))
        for element in section.get("elements", []):
            comps.extend(element.get("competencies", []))
        for c in comps:
            out.append({"id": str(c["id"]), "section": str(section["id"]),
                        "assessment": c.get("assessment", assessment),
                        "target": c.get("target", framework.get("default_target"))})
    return out


def day_between(rng: random.Random, start: dt.date, end: dt.date) -> dt.date:
    return start + dt.timedelta(days=rng.randint(0, max(0, (end - start).days)))


class _Dumper(getattr(yaml, "CSafeDumper", yaml.SafeDumper)):
    def ignore_aliases(self, data):  # no anchors: people write every value out
        return True


def dump(data: dict, header: str) -> str:
    return header + yaml.dump(data, Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=100)


def portfolio(rng: random.Random, index: int, framework: dict, comps: list[dict], out: Path) -> int:
    """Write one portfolio; returns its size in bytes."""
    taken: set[str] = set()
    trainee = person(rng, taken)
    trainee_id = f"trainee-{index:05d}"
    # Start dates spread over two intakes: some trainees are in year one, some in year two.
    start = rng.choice((dt.date(2025, 9, 1), dt.date(2025, 9, 1), dt.date(2026, 3, 1)))
    end = dt.date(start.year + 2, start.month, 1) - dt.timedelta(days=1)
    p1_end = dt.date(start.year + 1, start.month, 1) - dt.timedelta(days=1)
    p2_start = p1_end + dt.timedelta(days=1)
    managers = [person(rng, taken), person(rng, taken)]
    programme = person(rng, taken)
    placements = [
        {"name": "Placement 1", "organisation": rng.choice(ORGS), "start": start, "end": p1_end, "manager": managers[0]},
        {"name": "Placement 2", "organisation": rng.choice(ORGS), "start": p2_start, "end": end, "manager": managers[1]},
    ]
    rated = [c for c in comps if c["assessment"] == "rated"]
    binary = [c for c in comps if c["assessment"] == "binary"]
    doc: dict = {
        "trainee": {"id": trainee_id, **trainee},
        "framework": {"id": framework["id"], "version": str(framework["version"])},
        "specialism": framework.get("specialism"),
        "scheme": {"start": start, "end": end},
        "programme_manager": programme,
        "placements": placements,
        "plan": {"Placement 2": [c["id"] for c in rng.sample(rated, 6)]},
    }
    folder = out / trainee_id
    (folder / "evidence").mkdir(parents=True)
    (folder / "signoffs").mkdir()
    last_day = min(TODAY, end)

    def signer_on(day: dt.date) -> dict:
        if rng.random() < 0.1:
            return {"name": programme["name"], "email": programme["email"], "role": "programme_manager"}
        m = managers[0] if day <= p1_end else managers[1]
        return {"name": m["name"], "email": m["email"], "role": "placement_manager"}

    size = 0
    evidence_ids = []
    for n in range(rng.randint(30, 40)):
        eid = f"ev-{n + 1:03d}"
        day = day_between(rng, start, last_day)
        opener = rng.choice(NARRATIVE_OPENERS).format(weeks=rng.randint(2, 12), org=placements[0]["organisation"])
        entry = {"id": eid, "date": day, "title": rng.choice(TITLES),
                 "narrative": opener + " " + words(rng, rng.randint(150, 400)),
                 "documents": [f"docs/{trainee_id}/{eid}.pdf"],
                 "competencies": [c["id"] for c in rng.sample(rated, rng.randint(1, 4))]}
        evidence_ids.append((eid, day))
        text = dump(entry, "# An evidence entry, written by the trainee.\n")
        (folder / "evidence" / f"{day.isoformat()}-{eid}.yaml").write_text(text, encoding="utf-8")
        size += len(text.encode())

    def signoff(c: dict, day: dt.date, body: dict, tag: str, signer: dict | None = None) -> None:
        nonlocal size
        before = [e for e, d in evidence_ids if d <= day] or [evidence_ids[0][0]]
        record = {"competency": c["id"], **body, "signer": signer or signer_on(day), "date": day,
                  "feedback": rng.choice(FEEDBACK_OPENERS).format(topic=rng.choice(TITLES).lower()) + " "
                  + words(rng, rng.randint(40, 80)),
                  "evidence": rng.sample(before, min(len(before), rng.randint(1, 2)))}
        text = dump(record, "# A sign-off record: never edited. To change a level, add a new sign-off.\n")
        (folder / "signoffs" / f"{day.isoformat()}-{c['id']}-{tag}.yaml").write_text(text, encoding="utf-8")
        size += len(text.encode())

    # ~100 sign-offs: most rated competencies once, some twice on the way up to (or past) target.
    count = 0
    for c in rng.sample(rated, min(len(rated), rng.randint(55, 70))):
        target = c["target"] or 3
        final = min(5, target + rng.choice((0, 0, 0, 1)))
        # Half are signed off once; the others first at a lower level, later at the final one.
        steps = [final] if final == 1 or rng.random() < 0.5 else [rng.randint(1, final - 1), final]
        day = day_between(rng, start + dt.timedelta(days=30), last_day - dt.timedelta(days=60))
        for level in steps:
            count += 1
            signoff(c, day, {"level": level}, f"{count:03d}")
            day = min(last_day, day + dt.timedelta(days=rng.randint(7, 60)))
    if end - dt.timedelta(days=365) < TODAY - dt.timedelta(days=50):
        # A trainee in the last twelve months of the scheme (the 2025 intake): a reflective piece
        # written in that window, then the Personal Qualities sign-offs that follow it.
        completed = TODAY - dt.timedelta(days=rng.randint(20, 50))
        piece = "# Reflective piece: Personal Qualities\n\n" + "\n\n".join(words(rng, 200) for _ in range(10)) + "\n"
        (folder / "reflective-piece.md").write_text(piece, encoding="utf-8")
        size += len(piece.encode())
        doc["reflective_piece"] = {"file": "reflective-piece.md", "completed": completed}
        # The placement manager signs them once the piece has been discussed (the programme
        # manager would need the placement manager's absence recorded).
        day = completed + dt.timedelta(days=7)
        manager = managers[0] if day <= p1_end else managers[1]
        for c in binary:
            count += 1
            signoff(c, day, {"achieved": True, "discussed": day}, f"pq{count:03d}",
                    {"name": manager["name"], "email": manager["email"], "role": "placement_manager"})
    text = dump(doc, "# A trainee's portfolio: written by the trainee. Sign-offs live in signoffs/.\n")
    (folder / "portfolio.yaml").write_text(text, encoding="utf-8")
    return size + len(text.encode())


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("n", type=int, help="number of portfolios")
    parser.add_argument("outdir", type=Path, help="folder to create (must not exist or be empty)")
    parser.add_argument("--seed", type=int, default=6)
    parser.add_argument("--framework", default="nhs-gmts-informatics")
    args = parser.parse_args(argv)
    out: Path = args.outdir
    if out.exists() and any(out.iterdir()):
        print(f"error: {out} exists and is not empty", file=sys.stderr)
        return 1
    shutil.copytree(REPO / "frameworks", out / "frameworks")
    # A programme that keeps its frameworks in its repository sanctions them in its trust policy
    # (without that, a copy of a shipped framework is refused as an override).
    kept = [yaml.safe_load(p.read_text(encoding="utf-8")) for p in sorted((out / "frameworks").glob("*.yaml"))]
    (out / ".compfw").mkdir()
    (out / ".compfw" / "policy.yaml").write_text(
        "admins:\n  - {name: Programme Admin, email: programme.admin@example.org}\nframework_overrides:\n"
        + "".join(f'  - {{id: {f["id"]}, version: "{f["version"]}"}}\n' for f in kept), encoding="utf-8")
    framework = yaml.safe_load((REPO / "frameworks" / f"{args.framework}.yaml").read_text(encoding="utf-8"))
    comps = flat_competencies(framework)
    rng = random.Random(args.seed)
    total = 0
    for index in range(1, args.n + 1):
        total += portfolio(rng, index, framework, comps, out / "portfolios")
    print(f"wrote {args.n} portfolios to {out} ({total / max(1, args.n) / 1024:.0f} kB each on average)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
