"""The data model: frameworks, portfolios, evidence and sign-offs (pydantic v2, unknown keys refused).

One model holds every framework in the seeds: a framework has an optional ordered scale (levels
or stages); each section says how its competencies are assessed ("rated" against a target on the
scale, or "binary" achieved/not-achieved); a competency's target may come from the source, from a
documented framework default, or from the level/stage a portfolio is tracked at.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StrictBool, StrictInt, field_validator, model_validator

from compfw.files.problems import EARLIEST, LATEST

Assessment = Literal["rated", "binary"]
Kind = Literal["core", "specialist"]
TargetSource = Literal["highlighted", "stated", "not_in_source"]
Role = Literal["placement_manager", "programme_manager"]

Id = Annotated[str, Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9][A-Za-z0-9._\-]*$")]
Slug = Annotated[str, Field(min_length=1, max_length=80, pattern=r"^[a-z0-9][a-z0-9\-]*$")]
Email = Annotated[str, Field(min_length=3, max_length=254, pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$")]
Text = Annotated[str, Field(min_length=1)]
Statement = str | list[str]
# The scale values (stages) at which a section, element or competency is required; left out, it is
# required at every stage. Innermost wins: a competency's list over its element's over its section's.
Stages = Annotated[list[Annotated[StrictInt, Field(ge=0, le=20)]], Field(min_length=1)] | None

# Bounds on every number and date a file gives, so that no later arithmetic (a window of months
# before the scheme's end, a milestone's due date) can leave the calendar or grow without limit.
# Each is far beyond any real scheme: levels and stages are single figures, schemes last years.
MAX_LEVEL = 20
MAX_MONTHS = 600
MAX_PLACEMENTS = 100
MAX_WORDS = 100_000
LevelValue = Annotated[StrictInt, Field(ge=0, le=MAX_LEVEL)]
Months = Annotated[StrictInt, Field(ge=1, le=MAX_MONTHS)]
Day = Annotated[dt.date, Field(ge=EARLIEST, le=LATEST)]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


# --- frameworks -------------------------------------------------------------------------------


class Level(Strict):
    value: LevelValue
    name: Text
    description: str = ""


class Scale(Strict):
    name: Text = "Rating"
    levels: Annotated[list[Level], Field(min_length=1)]

    @field_validator("levels")
    @classmethod
    def _ascending(cls, levels: list[Level]) -> list[Level]:
        values = [level.value for level in levels]
        if values != sorted(set(values)):
            raise ValueError("level values must be unique and in ascending order")
        return levels

    def has(self, value: int) -> bool:
        return any(level.value == value for level in self.levels)

    def name_of(self, value: int | None) -> str:
        for level in self.levels:
            if level.value == value:
                return level.name
        return ""


class Milestone(Strict):
    """A share of competencies to have achieved by a point in the scheme."""

    id: Slug
    name: Text
    percent: Annotated[float, Field(ge=0, le=100)]
    due: Literal["placement_end", "scheme_end", "months_after_start"]
    placement: Annotated[StrictInt, Field(ge=1, le=MAX_PLACEMENTS)] | None = None
    months: Months | None = None
    graduation: StrictBool = False
    source: str = ""

    @model_validator(mode="after")
    def _due_is_complete(self) -> Milestone:
        if self.due == "placement_end" and self.placement is None:
            raise ValueError("due: placement_end needs 'placement' (which placement, 1-based)")
        if self.due == "months_after_start" and self.months is None:
            raise ValueError("due: months_after_start needs 'months'")
        return self


class Pace(Strict):
    """How far ahead of the expected pace is 'far ahead' (something a manager will question)."""

    far_ahead_margin: Annotated[float, Field(gt=0, le=100)]
    source: str = ""


class CriteriaGroup(Strict):
    """One column of criteria a trainee is advised to consider when writing the reflective piece."""

    heading: Text
    items: Annotated[list[Text], Field(min_length=1)]


class ReflectivePiece(Strict):
    sections: Annotated[list[Id], Field(min_length=1)]
    words: Annotated[StrictInt, Field(ge=1, le=MAX_WORDS)]
    tolerance_percent: Annotated[float, Field(ge=0, le=100)] = 0
    final_months: Months
    criteria: list[CriteriaGroup] = []
    criteria_intro: str = ""
    source: str = ""

    @property
    def min_words(self) -> int:
        return round(self.words * (1 - self.tolerance_percent / 100))

    @property
    def max_words(self) -> int:
        return round(self.words * (1 + self.tolerance_percent / 100))


class SectionSignoff(Strict):
    """Who signs off the competencies of some sections, and what their sign-off must state.

    ``signers`` may sign; ``absence_signers`` may sign only in the placement manager's absence, and
    their sign-off says so (``placement_manager_absent: true`` with an ``absence_reason``). With
    ``discussion_required`` every sign-off states when the reflective piece was discussed
    (``discussed: DATE``).
    """

    sections: Annotated[list[Id], Field(min_length=1)]
    signers: Annotated[list[Role], Field(min_length=1)]
    absence_signers: list[Role] = []
    discussion_required: StrictBool = False
    source: str = ""


class SignoffRules(Strict):
    feedback_min_words: Annotated[StrictInt, Field(ge=0, le=MAX_WORDS)] = 15
    source: str = ""
    sections: list[SectionSignoff] = []

    def for_section(self, section_id: str) -> SectionSignoff | None:
        return next((rule for rule in self.sections if section_id in rule.sections), None)


class Competency(Strict):
    id: Id
    text: Text
    kind: Kind = "core"
    hlm: list[Text] = []
    examples: list[Text] = []
    target: LevelValue | None = None
    target_source: TargetSource | None = None
    assessment: Assessment | None = None
    statements: dict[LevelValue, Statement] = {}
    stages: Stages = None
    printed_id: str | None = None
    notes: str = ""

    @model_validator(mode="after")
    def _target_is_explained(self) -> Competency:
        if self.target is not None and self.target_source == "not_in_source":
            raise ValueError("target_source: not_in_source cannot go with a target; remove one")
        return self


class Element(Strict):
    id: Id
    title: Text
    description: str = ""
    statements: dict[LevelValue, Statement] = {}
    stages: Stages = None
    competencies: list[Competency] = []
    notes: str = ""


class Section(Strict):
    id: Id
    title: Text
    description: str = ""
    assessment: Assessment = "rated"
    stages: Stages = None
    elements: list[Element] = []
    competencies: list[Competency] = []
    notes: str = ""


class Source(Strict):
    document: Text
    title: Text
    publisher: str = ""
    version: str = ""
    published: str = ""
    url: str = ""


class Replaces(Strict):
    """The version this one supersedes and how competency ids moved between them."""

    version: Text
    renames: dict[Id, Id] = {}


class Framework(Strict):
    id: Slug
    title: Text
    version: Text
    published: str = ""
    source: Source
    specialism: str | None = None
    scale: Scale | None = None
    default_target: LevelValue | None = None
    default_target_note: str = ""
    milestones: list[Milestone] = []
    pace: Pace | None = None
    reflective_piece: ReflectivePiece | None = None
    signoff: SignoffRules = SignoffRules()
    replaces: Replaces | None = None
    notes: list[str] = []
    sections: Annotated[list[Section], Field(min_length=1)]


# --- portfolios -------------------------------------------------------------------------------


class Person(Strict):
    name: Text
    email: Email
    handle: Annotated[str, Field(pattern=r"^@?[A-Za-z0-9][A-Za-z0-9_.\-/]*$")] | None = None


class Trainee(Person):
    id: Slug


class Pin(Strict):
    id: Slug
    version: Text


class Scheme(Strict):
    start: Day
    end: Day

    @model_validator(mode="after")
    def _ordered(self) -> Scheme:
        if self.end <= self.start:
            raise ValueError("the scheme must end after it starts")
        return self


class Placement(Strict):
    name: Text
    organisation: str = ""
    start: Day
    end: Day
    manager: Person

    @model_validator(mode="after")
    def _ordered(self) -> Placement:
        if self.end <= self.start:
            raise ValueError("a placement must end after it starts")
        return self


class ReflectivePieceRef(Strict):
    file: Text = "reflective-piece.md"
    completed: Day


class Portfolio(Strict):
    trainee: Trainee
    framework: Pin
    specialism: str | None = None
    target_level: LevelValue | None = None
    scheme: Scheme
    programme_manager: Person
    placements: list[Placement] = []
    plan: dict[Text, list[Id]] = {}
    reflective_piece: ReflectivePieceRef | None = None


class Evidence(Strict):
    id: Id
    date: Day
    title: Text
    narrative: str = ""
    documents: list[Text] = []
    competencies: Annotated[list[Id], Field(min_length=1)]


class Signer(Strict):
    name: Text
    email: Email
    role: Role


class Signoff(Strict):
    competency: Id
    level: LevelValue | None = None
    achieved: Literal[True] | None = None
    signer: Signer
    date: Day
    feedback: str
    evidence: list[Id] = []
    discussed: dt.date | None = None
    placement_manager_absent: Literal[True] | None = None
    absence_reason: Text | None = None

    @model_validator(mode="after")
    def _absence_is_explained(self) -> Signoff:
        if self.placement_manager_absent and not (self.absence_reason or "").strip():
            raise ValueError("placement_manager_absent: true needs an 'absence_reason'")
        if self.absence_reason is not None and not self.placement_manager_absent:
            raise ValueError("absence_reason goes with 'placement_manager_absent: true'")
        return self

    @model_validator(mode="after")
    def _level_or_achieved(self) -> Signoff:
        if self.level is not None and self.achieved is not None:
            raise ValueError("give either 'level' (rated competencies) or 'achieved: true' (achieved/not-achieved ones), not both")
        if self.level is None and self.achieved is None:
            raise ValueError("give 'level' (rated competencies) or 'achieved: true' (achieved/not-achieved ones)")
        return self


class ReviewRequest(Strict):
    """A trainee's request that a named manager review some competencies (one file, never edited)."""

    # Whether a request is still open is derived, never stored: a later sign-off of a competency
    # by the manager asked (or the competency being achieved) answers it.

    to: Email
    date: dt.date
    competencies: Annotated[list[Id], Field(min_length=1)]
    note: str = ""
