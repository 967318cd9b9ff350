"""`concurrently: [steps]` — play several steps at the same instant, interleaved: each runs as its
own task on the world's scheduler, so their AWS calls interleave at every boto3 call in the order
the seeded scheduler picks (a double-click refund, a cancel racing a payment webhook). The step
ends when every one has; the first failure (in the order written) fails the step. Steps that
move or watch time (advance, until, eventually, expect, concurrently) are refused at load."""

from __future__ import annotations

from sim.scenario.context import ScenarioRun
from sim.scenario.model import Item
from sim.scenario.steps import STEPS, step

NOT_CONCURRENT = ("advance", "until", "eventually", "expect", "concurrently", "note", "clear_faults", "fault")


def _play(run: ScenarioRun, item: Item) -> None:
    STEPS[item.kind](run, item.spec)


@step("concurrently")
def concurrently(run: ScenarioRun, spec: list) -> None:
    parent = run.item
    items = [Item(next(iter(raw)), raw[next(iter(raw))], j, parent.line if parent else None,
                  f"{parent.where if parent else 'concurrently'}[{j}]") for j, raw in enumerate(spec)]
    sched = run.world.scheduler
    run.concurrent = True  # sub-steps must not run the scheduler themselves
    try:
        tasks = [sched.spawn(_play, run, it, name=f"concurrently[{it.index}] {it.kind}") for it in items]
        run.wait_all(tasks)
    finally:
        run.concurrent = False
        run.item = parent
    run.settle()
