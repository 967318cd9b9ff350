"""Checks inside the story: `expect` (now), `eventually` (poll while advancing virtual time up to a
deadline), and `note` (a comment in the trace and the report)."""

from __future__ import annotations

from datetime import timedelta

from sim.durations import parse_duration
from sim.scenario.context import ScenarioRun, StepFailed
from sim.scenario.expect import Mismatch, evaluate
from sim.scenario.observe import snapshot
from sim.scenario.steps import step


def fail_with(mismatches: list[Mismatch], prefix: str = "") -> None:
    first = mismatches[0]
    more = f" (and {len(mismatches) - 1} more)" if len(mismatches) > 1 else ""
    raise StepFailed(f"{prefix}{first.key}: {first.message}{more}", expected=first.expected, actual=first.actual,
                     kind="expectation", name=first.key)


def check_now(run: ScenarioRun, spec: dict) -> list[Mismatch]:
    run.settle()
    return evaluate(spec, snapshot(run.world, run), run)


@step("expect")
def expect(run: ScenarioRun, spec: dict) -> None:
    mismatches = check_now(run, spec)
    if mismatches:
        fail_with(mismatches)


@step("eventually")
def eventually(run: ScenarioRun, spec: dict) -> None:
    w = run.world
    deadline = w.now() + parse_duration(spec["within"])
    every = parse_duration(spec.get("every", "10s"))
    if every <= timedelta(0):
        every = timedelta(seconds=1)
    while True:
        mismatches = check_now(run, spec["expect"])
        if not mismatches:
            run.trace("eventually.held", None, at=w.now().isoformat())
            return
        if w.now() >= deadline:
            fail_with(mismatches, prefix=f"still not true after {spec['within']}: ")
        w.advance_to(min(deadline, w.now() + every))


@step("note")
def note(run: ScenarioRun, spec: str) -> None:
    run.trace("note", None, text=str(spec))


@step("db_write")
def db_write(run: ScenarioRun, spec: dict) -> None:
    """An operator's direct edit: read the item, change it, write it back (not traced as a function)."""
    from sim.scenario.context import put_item

    table = spec["table"]
    key = {"id": run.booking_id(spec["booking"])} if "booking" in spec else run.substitute(spec["key"])
    item = run.world.get_item(table, key)
    if item is None:
        raise StepFailed(f"no {table} item {key}")
    item.update(run.substitute(spec.get("set") or {}))
    for attr in spec.get("remove") or []:
        item.pop(attr, None)
    put_item(run.world, table, item)
    run.trace("db_write", None, table=table, key=key, set=sorted((spec.get("set") or {}).keys()))
