"""Internal failure signals of the engine (the public error types live in errors.py)."""

from __future__ import annotations

from greenlet import GreenletExit

from sim.asl.errors import StatesError

RUNTIME = "States.Runtime"


def state_prefix(state_name: str, entered_id: int) -> str:
    return f"An error occurred while executing the state '{state_name}' (entered at the event id #{entered_id}). "


class RuntimeFailure(StatesError):
    """States.Runtime: never retried nor caught; it ends the execution where it happens."""

    def __init__(self, cause: str):
        super().__init__(RUNTIME, cause)


class QueryFailure(StatesError):
    """States.QueryEvaluationError raised by a JSONata field; `location` is AWS's field path."""

    def __init__(self, cause: str, location: str):
        super().__init__("States.QueryEvaluationError", cause)
        self.location = location


class ExecutionFatal(Exception):
    """An uncatchable failure travelling up to the execution (already carries its final cause)."""

    def __init__(self, error: str, cause: str | None, source: int):
        super().__init__(error)
        self.error = error
        self.cause = cause
        self.source = source  # previousEventId for ExecutionFailed


class BranchFailed(Exception):
    """A Parallel branch or Map iteration ended in a Fail state or an uncaught error."""

    def __init__(self, error: str | None, cause: str | None, ctx, scope=None):
        super().__init__(error or "")
        self.error = error
        self.cause = cause
        self.ctx = ctx
        self.scope = scope  # the engine's Scope of the line that failed
        self.index: int | None = None  # the Map iteration, when it is one


class Abort(GreenletExit):  # noqa: N818 - a signal, not an error
    """Thrown into parked tasks when the execution is stopped or times out."""

    def __init__(self, kind: str, error: str | None = None, cause: str | None = None):
        super().__init__(kind)
        self.kind = kind  # "ABORTED" | "TIMED_OUT" | "CANCELLED"
        self.error = error
        self.cause = cause
