"""The loaded scenario: plain data with the line of every step, fault and expectation."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

DEFAULT_START = "2026-03-02T09:00:00Z"
WORLD_DEFAULTS = {"customers": 1, "providers": 1, "services": 1, "onboarded": True, "price": 12000,
                  "currency": "usd"}


@dataclass(frozen=True)
class Item:
    """One step or fault: its kind (the single key), its spec (the value), index and line."""

    kind: str
    spec: Any
    index: int
    line: int | None
    section: str = "steps"

    @property
    def where(self) -> str:
        return f"{self.section}[{self.index}].{self.kind}"


@dataclass
class Scenario:
    """A validated scenario. `file` is the path as given; `lines` maps YAML paths to lines."""

    file: str
    name: str
    tags: list[str]
    seed: int
    start: datetime
    world: dict[str, Any]
    delivery: dict
    faults: list[Item]
    steps: list[Item]
    expect: dict[str, Any]
    description: str = ""
    iam: str = "record"                    # "record" | "enforce" (sim.iam)
    lines: dict[tuple, int] = field(default_factory=dict, repr=False)
    aliases: dict[str, str] = field(default_factory=dict)  # alias -> kind (booking, event, ...)
    broken_invariants: list[dict] = field(default_factory=list)  # [{name, reason}] expected to fail at the end

    @property
    def stem(self) -> str:
        return Path(self.file).stem

    def line(self, *path) -> int | None:
        from sim.scenario.yamllines import line_of

        return line_of(self.lines, path)
