"""The *Aborted events AWS records when a Parallel branch or Map iteration fails.

Evidence (an inline Map of four Lambda tasks with TimeoutSeconds, recorded on AWS): all four
TaskTimedOut events are recorded, then MapIterationFailed for the first failure, TaskStateAborted
(its Task never exited), then MapIterationAborted + TaskStateAborted for each other iteration in
index order, then MapStateFailed — every one of them chained to the first failure's event.
So a container, when it processes its first failure, walks the lines still under way:

* an iteration that failed but was not processed yet counts as aborted;
* a line whose state failed without exiting (a Task) records that state's open abort event;
* a running Task / Wait records TaskStateAborted / WaitStateAborted;
* a running Parallel / Map records its own lines' events (MapIterationAborted before each
  iteration's events), then ParallelStateAborted / MapStateAborted;
* Pass / Choice / Succeed / Fail never wait, so they record nothing.

StopExecution and the execution timeout record none of these (see engine.Execution.abort).
"""

from __future__ import annotations

from sim.asl.history import History, HistoryContext

_WAITING = {"Task": "TaskStateAborted", "Wait": "WaitStateAborted"}


def record_line(history: History, parent: HistoryContext, prev: int, scope) -> None:
    """Record the abort events of one line of execution (a branch or an iteration)."""
    _walk(history, HistoryContext(prev, parent), scope)


def record_iteration_aborted(history: History, parent: HistoryContext, prev: int, map_name: str, index: int,
                             scope) -> None:
    ctx = HistoryContext(prev, parent)
    history.add(ctx, "MapIterationAborted", {"name": map_name, "index": index}, update_source=False)
    _walk(history, ctx, scope)


def _walk(history: History, ctx: HistoryContext, scope) -> None:
    if scope.open_abort:
        history.add(ctx, scope.open_abort, None, update_source=False)
        scope.open_abort = None
        return
    state = scope.state
    if state is None:
        return
    kind = state.type
    if kind in _WAITING:
        history.add(ctx, _WAITING[kind], None, update_source=False)
    elif kind in ("Parallel", "Map"):
        kids = scope.kids
        if isinstance(kids, dict):
            for index in sorted(kids):
                history.add(ctx, "MapIterationAborted", {"name": state.name, "index": index},
                            update_source=False)
                _walk(history, ctx, kids[index])
        elif kids:
            for kid in kids:
                _walk(history, ctx, kid)
        history.add(ctx, f"{kind}StateAborted", None, update_source=False)
    scope.state = None
