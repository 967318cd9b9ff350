"""Execution history in AWS's shape: compact tuples while running, rendered dicts on request.

Each event is stored as ``(type, previous_event_id, epoch_seconds, details)`` where ``details`` is
a small dict of the fields AWS puts under ``<kind>EventDetails`` (JSON payloads kept as the
strings AWS shows).  ``id`` is the position + 1.  `HistoryContext` reproduces how Step Functions
chains ``previousEventId``: every branch of execution (the top level, a Parallel branch, a Map
iteration) has a *source* event that the next event points at, and some events are published
without becoming the source (ExecutionStarted, MapIterationSucceeded, ParallelStateSucceeded …).
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sim.asl.failures import Abort

# event type -> the key AWS uses for its details (None: the event carries no details)
DETAIL_KEYS: dict[str, str | None] = {
    "ActivityFailed": "activityFailedEventDetails",
    "ActivityScheduled": "activityScheduledEventDetails",
    "ActivityScheduleFailed": "activityScheduleFailedEventDetails",
    "ActivityStarted": "activityStartedEventDetails",
    "ActivitySucceeded": "activitySucceededEventDetails",
    "ActivityTimedOut": "activityTimedOutEventDetails",
    "ExecutionStarted": "executionStartedEventDetails",
    "ExecutionSucceeded": "executionSucceededEventDetails",
    "ExecutionFailed": "executionFailedEventDetails",
    "ExecutionAborted": "executionAbortedEventDetails",
    "ExecutionTimedOut": "executionTimedOutEventDetails",
    "TaskScheduled": "taskScheduledEventDetails",
    "TaskStarted": "taskStartedEventDetails",
    "TaskSubmitted": "taskSubmittedEventDetails",
    "TaskSucceeded": "taskSucceededEventDetails",
    "TaskFailed": "taskFailedEventDetails",
    "TaskTimedOut": "taskTimedOutEventDetails",
    "TaskStartFailed": "taskStartFailedEventDetails",
    "TaskSubmitFailed": "taskSubmitFailedEventDetails",
    "LambdaFunctionScheduled": "lambdaFunctionScheduledEventDetails",
    "LambdaFunctionStarted": None,
    "LambdaFunctionSucceeded": "lambdaFunctionSucceededEventDetails",
    "LambdaFunctionFailed": "lambdaFunctionFailedEventDetails",
    "LambdaFunctionTimedOut": "lambdaFunctionTimedOutEventDetails",
    "LambdaFunctionScheduleFailed": "lambdaFunctionScheduleFailedEventDetails",
    "LambdaFunctionStartFailed": "lambdaFunctionStartFailedEventDetails",
    "MapStateStarted": "mapStateStartedEventDetails",
    "MapIterationStarted": "mapIterationStartedEventDetails",
    "MapIterationSucceeded": "mapIterationSucceededEventDetails",
    "MapIterationFailed": "mapIterationFailedEventDetails",
    "MapIterationAborted": "mapIterationAbortedEventDetails",
    "MapRunStarted": "mapRunStartedEventDetails",
    "MapRunFailed": "mapRunFailedEventDetails",
    "MapRunSucceeded": None,
    "MapRunAborted": None,
    "ExecutionRedriven": "executionRedrivenEventDetails",
    "MapRunRedriven": "mapRunRedrivenEventDetails",
    "EvaluationFailed": "evaluationFailedEventDetails",
}

STATE_ENTERED = "stateEnteredEventDetails"
STATE_EXITED = "stateExitedEventDetails"
_TRUNC = {"truncated": False}


def details_key(event_type: str) -> str | None:
    key = DETAIL_KEYS.get(event_type, "")
    if key != "":
        return key
    if event_type.endswith("StateEntered"):
        return STATE_ENTERED
    if event_type.endswith("StateExited"):
        return STATE_EXITED
    return None  # ParallelStateStarted, MapStateSucceeded, TaskStateAborted, …


class HistoryContext:
    """Where the next event of one line of execution chains to (AWS's previousEventId).

    Contexts form a tree (`parent`): a branch or iteration that was cut short is marked `dead`, and
    any later attempt to record an event in it or below it raises `Abort` (so a cancelled branch
    that still had a wake-up queued can never add events after its container gave up on it).
    """

    __slots__ = ("source", "last", "parent", "dead")

    def __init__(self, source: int = 0, parent: HistoryContext | None = None):
        self.source = source
        self.last = source
        self.parent = parent
        self.dead = False

    def child(self) -> HistoryContext:
        return HistoryContext(self.source, self)

    def alive(self) -> bool:
        c: HistoryContext | None = self
        while c is not None:
            if c.dead:
                return False
            c = c.parent
        return True

    def integrate(self, other: HistoryContext) -> None:
        self.source = max(self.source, other.source)
        self.last = max(self.last, other.last)


class History:
    """The append-only event list of one execution."""

    __slots__ = ("events", "clock")

    def __init__(self, clock):
        self.events: list[tuple] = []
        self.clock = clock

    def add(self, ctx: HistoryContext, event_type: str, details: dict | None = None,
            update_source: bool = True) -> int:
        if not ctx.alive():
            raise Abort("CANCELLED")
        event_id = len(self.events) + 1
        self.events.append((event_type, ctx.source, self.clock.now().timestamp(), details))
        ctx.last = event_id
        if update_source:
            ctx.source = event_id
        return event_id

    def __len__(self) -> int:
        return len(self.events)

    def render(self, include_data: bool = True) -> list[dict[str, Any]]:
        return [render_event(i + 1, ev, include_data) for i, ev in enumerate(self.events)]


def _strip_data(details: dict) -> dict:
    return {k: v for k, v in details.items() if k not in ("input", "output", "inputDetails", "outputDetails",
                                                          "parameters")}


def render_event(event_id: int, ev: tuple, include_data: bool = True) -> dict[str, Any]:
    event_type, prev, ts, details = ev
    out: dict[str, Any] = {
        "timestamp": datetime.fromtimestamp(ts, UTC),
        "type": event_type,
        "id": event_id,
        "previousEventId": prev,
    }
    key = details_key(event_type)
    if key is not None and details is not None:
        d = dict(details)
        if "input" in d:
            d["inputDetails"] = dict(_TRUNC)
        if "output" in d:
            d["outputDetails"] = dict(_TRUNC)
        if not include_data:
            d = _strip_data(d)
        if "assignedVariables" in d:
            d["assignedVariablesDetails"] = dict(_TRUNC)
        out[key] = d
    elif key is not None and event_type in ("ExecutionFailed", "ExecutionAborted", "ExecutionTimedOut"):
        out[key] = {}
    return out
