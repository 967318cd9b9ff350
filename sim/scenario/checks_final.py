"""The scenario's top-level `expect`, checked after the last step."""

from __future__ import annotations

from sim.scenario.context import ScenarioRun
from sim.scenario.expect import Mismatch, evaluate
from sim.scenario.observe import snapshot


def final_expectations(run: ScenarioRun, spec: dict) -> list[Mismatch]:
    if not spec:
        return []
    run.settle()
    return evaluate(spec, snapshot(run.world, run), run)
