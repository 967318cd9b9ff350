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


DATA_LIMIT = "States.DataLimitExceeded"
DATA_LIMIT_BYTES = 256 * 1024  # the payload quota: 256 KiB of UTF-8 JSON text


class DataLimitFailure(StatesError):
    """States.DataLimitExceeded: a result over the payload quota. AWS's cause has no state prefix."""

    def __init__(self, label: str):
        super().__init__(DATA_LIMIT, f"The state/task '{label}' returned a result with a size exceeding "
                                     "the maximum number of bytes service limit.")


def over_data_limit(text: str) -> bool:
    return len(text) > DATA_LIMIT_BYTES // 4 and len(text.encode("utf-8")) > DATA_LIMIT_BYTES


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
