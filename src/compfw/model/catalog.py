"""A framework's competencies flattened with where they sit and how they are assessed."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

from compfw.model.models import Assessment, Competency, Element, Framework, Section


@dataclass(frozen=True)
class Placed:
    competency: Competency
    section: Section
    element: Element | None
    assessment: Assessment

    @property
    def id(self) -> str:
        return self.competency.id

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

    def required_for(self, specialism: str | None) -> list[Placed]:
        """Competencies a trainee must achieve: all core, plus specialist ones of their specialism.

        A framework carries the specialist competencies of one specialism, so specialist
        competencies count when the trainee's specialism is the framework's (or either is unset).
        """
        fw = self.framework.specialism
        if fw is None or specialism is None or specialism == fw:
            return list(self.placed)
        return [p for p in self.placed if p.competency.kind == "core"]
