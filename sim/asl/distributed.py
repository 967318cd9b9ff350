"""Distributed Map: each item (or batch) runs as a child execution of a Map Run (maprun.py).

Children run one after another on each of min(MaxConcurrency, n) workers; they see their own
context object (their execution, the ``<state machine>/<label>`` state machine) and no outer
variables. The Map Run is announced to `run.map_run_hook(maprun, child_run_or_None)` when the
StepFunctionsService launched the execution, so DescribeMapRun / ListMapRuns / DescribeExecution of a
child answer as AWS does. Failures beyond the tolerated threshold end it with MapRunFailed
(States.ExceedToleratedFailureThreshold).
"""

from __future__ import annotations

from typing import Any

from sim.asl.child_lines import exceeded, gather, item_input, kill, tolerance
from sim.asl.context import ContextBase
from sim.asl.errors import StatesError
from sim.asl.machine import Machine
from sim.asl.maprun import MapRun

THRESHOLD = ("States.ExceedToleratedFailureThreshold", "The specified tolerated failure threshold was exceeded")


def _sub_machine(sr):
    sub = Machine.__new__(Machine)
    sub.definition = sr.state.spec.get("ItemProcessor") or sr.state.spec.get("Iterator") or {}
    sub.text = ""
    sub.graph = sr.state.processor
    sub.timeout_seconds = None
    return sub


def run_map_run(sr, items: list, effective: Any, max_conc: int) -> list:
    run = sr.run
    ctx = sr.scope.ctx
    sm_name = run.context_base.state_machine["Name"]
    label = sr.state.spec.get("Label") or sr.state.name
    n = len(items)
    tol_count, tol_pct = tolerance(sr, effective, n)
    mr = MapRun(region=run.integrations.region, account=run.integrations.account, sm_name=sm_name, label=label,
                run_id=run.rng.uuid4(), execution_arn=run.arn, start=run.clock.now(), max_concurrency=max_conc,
                tolerated_count=tol_count, tolerated_pct=tol_pct)
    hook = getattr(run, "map_run_hook", None)
    sizes = [len(it["Items"]) if isinstance(it, dict) and isinstance(it.get("Items"), list)
             and "ItemBatcher" in sr.state.spec else 1 for it in items]
    mr.planned(n, sum(sizes))
    if hook is not None:
        hook(mr, None)
    run.last_map_run_arn = mr.arn
    sr.event("MapRunStarted", {"mapRunArn": mr.arn})
    results: list[Any] = [None] * n
    failures = [0]
    queue = iter(range(n))
    sub = _sub_machine(sr)
    halted = [False]

    def worker():
        for index in queue:
            if halted[0]:
                return
            value = item_input(sr, index, items[index], effective)
            name = run.rng.uuid4()
            arn = mr.prefix + name
            base = ContextBase(execution_arn=arn, name=name, input_value=value, role_arn=run.role_arn,
                               start=run.clock.now(), state_machine_arn=mr.state_machine_arn,
                               state_machine_name=f"{sm_name}/{label}")
            child = run.child_execution(sub, value, context_base=base, execution_arn=arn, name=name,
                                        state_machine_arn=mr.state_machine_arn)
            child.map_run_arn = mr.arn
            mr.child_started(arn, sizes[index])
            if hook is not None:
                hook(mr, child)
            child.main()
            mr.child_finished(child.status, sizes[index])
            if child.status == "SUCCEEDED":
                results[index] = child.output
                continue
            failures[0] += 1
            results[index] = {"Error": child.error or "", "Cause": child.cause or ""}
            if (tol_count is None and tol_pct is None) or exceeded(failures[0], n, tol_count, tol_pct):
                halted[0] = True
                raise StatesError(*THRESHOLD)

    workers_n = max(1, n if max_conc == 0 else min(max_conc, n)) if n else 0
    tasks = [run.spawn_child(worker, name=f"maprun:{label}:{i}") for i in range(workers_n)]
    try:
        gather(run, tasks)
    except StatesError as exc:
        kill(tasks, None)
        mr.finish("FAILED", run.clock.now())
        sr.event("MapRunFailed", {"error": exc.error, "cause": exc.cause})
        sr.event("MapStateFailed")
        raise StatesError(exc.error, exc.cause) from None
    mr.finish("SUCCEEDED", run.clock.now())
    run.history.add(ctx, "MapRunSucceeded", None, update_source=False)
    return results
