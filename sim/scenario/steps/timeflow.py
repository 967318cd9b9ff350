"""Virtual time: `advance: 26h`, `advance: {by|until|to: …}`, `until: "02:00"` (the next 02:00 UTC).
Everything due on the way runs (deliveries, retries, waits, the 02:00 reconciliation)."""

from __future__ import annotations

from sim.clock import parse_instant
from sim.durations import next_time_of_day, parse_duration
from sim.scenario.context import ScenarioRun, StepFailed
from sim.scenario.steps import step


def target(run: ScenarioRun, spec):
    now = run.world.now()
    if not isinstance(spec, dict):
        return now + parse_duration(spec)
    if "by" in spec:
        return now + parse_duration(spec["by"])
    if "until" in spec:
        return next_time_of_day(now, spec["until"])
    when = parse_instant(spec["to"])
    if when < now:
        raise StepFailed(f"cannot go back in time to {spec['to']} (now {now.isoformat()})")
    return when


@step("advance")
def advance(run: ScenarioRun, spec) -> None:
    run.world.advance_to(target(run, spec))


@step("until")
def until(run: ScenarioRun, spec: str) -> None:
    run.world.advance_to(next_time_of_day(run.world.now(), spec))
