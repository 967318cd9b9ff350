"""What an adapter receives for one task attempt."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from sim.asl.integrations.resources import ParsedResource


@dataclass
class TaskCall:
    """What an adapter receives: the resolved parameters and the running execution."""

    run: Any
    state_name: str
    parsed: ParsedResource
    params: Any
    token: str | None = None
    heartbeat: float | None = None
    submitted: Callable[[Any], None] = field(default=lambda _o: None)
    started: Callable[[str | None], None] = field(default=lambda _w: None)  # an activity worker took it

    @property
    def scheduler(self):
        return self.run.scheduler
