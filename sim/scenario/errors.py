"""Scenario input errors: every problem names file, line and field; nothing runs."""

from __future__ import annotations

from dataclasses import dataclass

from sim.errors import InputError


@dataclass(frozen=True)
class Problem:
    file: str
    line: int | None
    field: str
    message: str

    def render(self) -> str:
        where = f"{self.file}:{self.line}" if self.line else self.file
        return ": ".join(p for p in (where, self.field, self.message) if p)


class ScenarioError(InputError):
    """One or more problems in a scenario file (exit status 2)."""

    def __init__(self, problems: list[Problem]):
        self.problems = sorted(problems, key=lambda p: (p.file, p.line or 0, p.field))
        first = self.problems[0]
        super().__init__(first.message, where=f"{first.file}:{first.line}" if first.line else first.file,
                         field=first.field or None)

    def render(self) -> str:  # every problem, one per line
        return "\n".join(p.render() for p in getattr(self, "problems", [])) or super().render()

    def __str__(self) -> str:
        return self.render()
