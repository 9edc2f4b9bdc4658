"""A framework's competencies flattened with where they sit and how they are assessed."""

from __future__ import annotations

from functools import cached_property
from typing import NamedTuple

from compfw.model.models import Assessment, Competency, Element, Framework, Section


class Placed(NamedTuple):
    competency: Competency
    section: Section
    element: Element | None
    assessment: Assessment

    @property
    def id(self) -> str:
        return self.competency.id

    @property
    def stages(self) -> list[int] | None:
        """The stages at which this competency is required (None: every stage)."""
        for holder in (self.competency, self.element, self.section):
            if holder is not None and holder.stages is not None:
                return holder.stages
        return None

    def required_at(self, stage: int | None) -> bool:
        """Whether a person tracked at this stage must achieve it; with no stage known, yes."""
        return stage is None or self.stages is None or stage in self.stages

    def target(self, framework: Framework, target_level: int | None) -> tuple[int | None, str]:
        """The target level and where it comes from; binary competencies have none."""
        if self.assessment == "binary":
            return None, "binary"
        if self.competency.target is not None:
            return self.competency.target, self.competency.target_source or "stated"
        if target_level is not None:
            return target_level, "portfolio"
        if framework.default_target is not None:
            return framework.default_target, "framework_default"
        return None, "none"


class Catalog:
    """Lookup of a framework's competencies by id, in document order."""

    def __init__(self, framework: Framework):
        self.framework = framework
        self.placed: list[Placed] = []
        self.duplicates: list[str] = []
        seen: set[str] = set()
        for section in framework.sections:
            for competency in section.competencies:
                self._add(Placed(competency, section, None, competency.assessment or section.assessment), seen)
            for element in section.elements:
                for competency in element.competencies:
                    self._add(Placed(competency, section, element, competency.assessment or section.assessment), seen)

    def _add(self, placed: Placed, seen: set[str]) -> None:
        if placed.id in seen:
            self.duplicates.append(placed.id)
        seen.add(placed.id)
        self.placed.append(placed)

    @cached_property
    def by_id(self) -> dict[str, Placed]:
        return {p.id: p for p in self.placed}

    def get(self, competency_id: str) -> Placed | None:
        return self.by_id.get(competency_id)

    @cached_property
    def staged(self) -> bool:
        """Whether what is required depends on the stage a person is tracked at."""
        return any(p.stages is not None for p in self.placed)

    def required_for(self, specialism: str | None, stage: int | None = None) -> list[Placed]:
        """Competencies a trainee must achieve: all core, plus specialist ones of their specialism,
        of those required at their stage.

        A framework carries the specialist competencies of one specialism, so specialist
        competencies count when the trainee's specialism is the framework's (or either is unset).
        With no stage known every competency is listed (and the status engine declines to judge).
        """
        fw = self.framework.specialism
        everything = fw is None or specialism is None or specialism == fw
        return [p for p in self.placed
                if (everything or p.competency.kind == "core") and p.required_at(stage)]
