"""What Parallel, inline Map and Distributed Map share about their child lines: waiting for them
all (`gather`, which kills the rest on the first failure), killing them (`kill`), an item's input
(ItemSelector / Parameters with the `$$.Map.Item` context), and the tolerated-failure threshold
(`tolerance`, `exceeded`)."""

from __future__ import annotations

from typing import Any

from sim.asl.failures import Abort
from sim.asl.payload import render


class _FirstFailure(Exception):
    def __init__(self, exc: BaseException):
        super().__init__(str(exc))
        self.exc = exc


def gather(run, tasks: list, ctxs: list | None = None) -> list:
    """Wait for every task; on the first failure kill the rest and raise it.

    The caller records AWS's abort events before the lines are killed: `ctxs` (their history
    contexts) are marked dead here, so nothing a killed line still had queued is recorded.
    """
    sched = run.scheduler
    if not tasks:
        return []
    done = sched.future(name="gather")
    state = {"left": len(tasks)}

    def on_done(t):
        if done.done:
            return
        exc = t.exception()
        if exc is not None and not isinstance(exc, Abort):
            done.set_exception(_FirstFailure(exc))
            return
        state["left"] -= 1
        if state["left"] == 0:
            done.set_result(None)

    for t in tasks:
        t.add_done_callback(on_done)
    try:
        sched.wait(done)
    except _FirstFailure as ff:
        raise ff.exc from None
    except BaseException:
        kill(tasks, ctxs)
        raise
    return [t.result() for t in tasks]


def kill(tasks: list, ctxs: list | None) -> None:
    for c in ctxs or ():
        c.dead = True
    for t in tasks:
        if not t.done:
            t.cancel(Abort("CANCELLED"))


def item_input(sr, index: int, item: Any, effective: Any) -> Any:
    spec = sr.state.spec
    if sr.state.jsonata:
        if "ItemSelector" not in spec:
            return item
        ctx = sr.context(map_item=(index, item))
        ev = sr.evaluator(context=ctx)
        return ev.value(spec["ItemSelector"], "ItemSelector")
    tpl = spec.get("ItemSelector", spec.get("Parameters"))
    if tpl is None:
        return item
    return render(tpl, effective, sr.context(map_item=(index, item)), sr.scope.variables, sr.run.rng)


def tolerance(sr, effective: Any, n: int) -> tuple[int | None, float | None]:
    spec = sr.state.spec
    count = sr.field_or_path(spec, "ToleratedFailureCount", effective)
    pct = sr.field_or_path(spec, "ToleratedFailurePercentage", effective)
    if sr.state.jsonata:
        ev = None
        if isinstance(count, str):
            ev = sr.evaluator()
            count = ev.value(count, "ToleratedFailureCount")
        if isinstance(pct, str):
            ev = ev or sr.evaluator()
            pct = ev.value(pct, "ToleratedFailurePercentage")
    return count, pct


def exceeded(failed: int, n: int, count: int | None, pct: float | None) -> bool:
    over = False
    if count is not None and failed > count:
        over = True
    if pct is not None and n and failed * 100.0 / n > pct:
        over = True
    if count is not None and pct is not None:
        return failed > count and failed * 100.0 / n > pct
    return over
