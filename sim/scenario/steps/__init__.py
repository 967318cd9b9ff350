"""Step kinds: one small module per family, each registering its kinds with `@step("kind")`.

A step function takes (run, spec) and acts on `run.world`; it raises `StepFailed` when the step
cannot do what it says. `execute(run, item)` dispatches on the item's kind.
"""

from __future__ import annotations

from collections.abc import Callable

from sim.scenario.context import ScenarioRun
from sim.scenario.model import Item

STEPS: dict[str, Callable[[ScenarioRun, object], None]] = {}


def step(*kinds: str):
    def register(fn):
        for kind in kinds:
            STEPS[kind] = fn
        return fn
    return register


def execute(run: ScenarioRun, item: Item) -> None:
    _load()
    run.item = item
    STEPS[item.kind](run, item.spec)


_loaded = False


def _load() -> None:
    global _loaded
    if _loaded:
        return
    _loaded = True
    from sim.scenario.steps import (  # noqa: F401 - registration by import
        appsync,
        booking,
        checks,
        concurrent,
        deliver,
        faults,
        imported,
        payments,
        preferences,
        timeflow,
        workflow,
        world,
    )
