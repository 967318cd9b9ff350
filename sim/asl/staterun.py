"""The per-state toolkit every state type uses, below the states themselves.

`Scope` is one line of execution (the top level, a Parallel branch, a Map iteration); `StateRun`
one entry into a state (its input, the context object, the JSONPath / JSONata pipeline, events);
`with_retry_catch` applies a state's Retry and Catch around its attempts, `apply_catch` a catcher;
`StateFailed` is a state that failed with nobody to catch it.
"""

from __future__ import annotations

from typing import Any

from sim.asl.errors import StatesError
from sim.asl.failures import DataLimitFailure, ExecutionFatal, QueryFailure, RuntimeFailure, state_prefix
from sim.asl.history import HistoryContext
from sim.asl.jsonata_eval import Evaluator
from sim.asl.jsonutil import dumps
from sim.asl.machine import State
from sim.asl.payload import apply_result_path, render, select_path
from sim.asl.retry import find_catcher, find_retrier, retry_delay


class Scope:
    """One line of execution: the top level, a Parallel branch or a Map iteration.

    `state` is the state being run (None once the line has ended); `open_abort` is the event AWS
    records for a state that failed without exiting when its container later aborts the line
    (TaskStateAborted); `kids` lists the (map index or None, Scope) lines a running Parallel/Map
    state has under way — together they let a container record AWS's *Aborted events (aborts.py).
    """

    __slots__ = ("ctx", "variables", "nested", "map_item", "state", "open_abort", "kids")

    def __init__(self, ctx: HistoryContext, variables: dict, nested: bool):
        self.ctx = ctx
        self.variables = variables
        self.nested = nested
        self.state: State | None = None
        self.open_abort: str | None = None
        self.kids: list | dict | None = None


class StateRun:
    """Per state entry: names, ids and helpers for evaluating fields of this state."""

    __slots__ = ("run", "state", "scope", "raw_input", "entered_id", "entered_at", "retry_count", "token", "_ctx")

    def __init__(self, run, state: State, scope: Scope, raw_input: Any, entered_id: int):
        self.run = run
        self.state = state
        self.scope = scope
        self.raw_input = raw_input
        self.entered_id = entered_id
        self.entered_at = run.clock.now()
        self.retry_count = 0
        self.token: str | None = None
        self._ctx: dict | None = None

    # -- context and evaluation ------------------------------------------------------------
    def context(self, map_item: tuple[int, Any] | None = None) -> dict:
        if map_item is None and self._ctx is not None and self._ctx["State"]["RetryCount"] == self.retry_count \
                and self._ctx.get("Task", {}).get("Token") == self.token:
            return self._ctx
        ctx = self.run.context_base.for_state(self.state.name, self.entered_at, self.retry_count,
                                              token=self.token, map_item=map_item)
        if map_item is None:
            self._ctx = ctx
        return ctx

    def evaluator(self, **extra: Any) -> Evaluator:
        states = {"input": self.raw_input, "context": self.context()}
        states.update(extra)
        return Evaluator(states, self.scope.variables, self.run.rng, self.state.name, self.entered_id)

    def prefix(self) -> str:
        return state_prefix(self.state.name, self.entered_id)

    def fatal(self, exc: StatesError) -> ExecutionFatal:
        cause = exc.cause or ""
        if not cause.startswith("An error occurred while executing the state"):
            cause = self.prefix() + cause
        return ExecutionFatal(exc.error, cause, self.scope.ctx.source)

    def with_prefix(self, exc: StatesError) -> StatesError:
        cause = exc.cause
        if isinstance(exc, DataLimitFailure):
            return exc
        if cause is not None and not cause.startswith("An error occurred while executing the state"):
            exc.cause = self.prefix() + cause
        return exc

    def event(self, event_type: str, details: dict | None = None, update_source: bool = True) -> int:
        return self.run.history.add(self.scope.ctx, event_type, details, update_source)

    def query_failed(self, exc: QueryFailure) -> None:
        self.event("EvaluationFailed", {"error": exc.error, "cause": exc.cause, "location": exc.location,
                                        "state": self.state.name})

    # -- JSONPath pipeline -------------------------------------------------------------------
    def input_path(self) -> Any:
        spec = self.state.spec
        if "InputPath" not in spec:
            return self.raw_input
        return select_path(spec["InputPath"], self.raw_input, self.context(), self.scope.variables)

    def parameters(self, effective: Any, key: str = "Parameters") -> Any:
        tpl = self.state.spec.get(key)
        if tpl is None and key not in self.state.spec:
            return effective
        return render(tpl, effective, self.context(), self.scope.variables, self.run.rng)

    def result_selector(self, result: Any) -> Any:
        tpl = self.state.spec.get("ResultSelector")
        if tpl is None:
            return result
        return render(tpl, result, self.context(), self.scope.variables, self.run.rng)

    def result_path(self, result: Any, spec: dict | None = None) -> Any:
        spec = self.state.spec if spec is None else spec
        return apply_result_path(spec.get("ResultPath", "$"), self.raw_input, result,
                                 has_field="ResultPath" in spec)

    def output_path(self, value: Any) -> Any:
        spec = self.state.spec
        if "OutputPath" not in spec:
            return value
        return select_path(spec["OutputPath"], value, self.context(), self.scope.variables)

    def field_or_path(self, spec: dict, field: str, effective: Any) -> Any:
        """`spec[field]`, or the value its `<field>Path` selects from `effective` (None when neither)."""
        if field + "Path" in spec:
            return select_path(spec[field + "Path"], effective, self.context(), self.scope.variables)
        return spec.get(field)

    def assign_jsonpath(self, assign: dict | None, data: Any) -> dict | None:
        if not assign:
            return None
        return render(assign, data, self.context(), self.scope.variables, self.run.rng)

    def assign_jsonata(self, assign: dict | None, ev: Evaluator, location: str = "Assign") -> dict | None:
        if not assign:
            return None
        out = {}
        for k, v in assign.items():
            out[k] = ev.value(v, f"{location}/{k}")
        return out

    def exit(self, output: Any, assigned: dict | None, next_name: str | None) -> tuple[Any, str | None]:
        if assigned:
            self.scope.variables.update(assigned)
        text = dumps(output)
        self.run.last_value, self.run.last_text = output, text
        details: dict[str, Any] = {"name": self.state.name, "output": text}
        if assigned is not None:
            details["assignedVariables"] = {k: dumps(v) for k, v in assigned.items()}
        self.event(f"{self.state.type}StateExited", details)
        return output, next_name


class StateFailed(Exception):
    """A state failed and no catcher took it (its failure events are already recorded)."""

    def __init__(self, error: str | None, cause: str | None, aborted_event: str | None = None):
        super().__init__(error or "")
        self.error = error
        self.cause = cause
        self.aborted_event = aborted_event


def next_of(state: State) -> str | None:
    return None if state.end else state.next


def with_retry_catch(sr: StateRun, attempt_fn, failure_event_fn=None, aborted_event: str | None = None):
    """Run `attempt_fn()` → (output, assigned); on StatesError apply Retry then Catch.

    `failure_event_fn(exc)` records the state family's failure event for each failed attempt
    (TaskFailed is recorded by the task itself; Parallel/Map record *StateFailed here).
    Returns (output, next_name).
    """
    spec = sr.state.spec
    retriers = spec.get("Retry") or []
    catchers = spec.get("Catch") or []
    attempts = [0] * len(retriers)
    while True:
        try:
            output, assigned = attempt_fn()
            return sr.exit(output, assigned, next_of(sr.state))
        except RuntimeFailure:
            raise
        except StatesError as exc:
            if isinstance(exc, QueryFailure):
                sr.query_failed(exc)
            if failure_event_fn is not None:
                failure_event_fn(exc)
            error = exc.error
            idx = find_retrier(retriers, error)
            if idx is not None:
                delay = retry_delay(retriers[idx], attempts[idx], sr.run.rng)
                if delay is not None:
                    attempts[idx] += 1
                    sr.retry_count += 1
                    if delay > 0:
                        sr.run.scheduler.sleep(delay)
                    continue
            catcher = find_catcher(catchers, error)
            if catcher is None:
                raise StateFailed(exc.error, exc.cause, aborted_event) from None
            return apply_catch(sr, catcher, exc)


def apply_catch(sr: StateRun, catcher: dict, exc: StatesError) -> tuple[Any, str | None]:
    error_output = {"Error": exc.error if exc.error is not None else "",
                    "Cause": exc.cause if exc.cause is not None else ""}
    if sr.state.jsonata:
        index = (sr.state.spec.get("Catch") or []).index(catcher)
        ev = sr.evaluator(errorOutput=error_output)
        try:
            assigned = sr.assign_jsonata(catcher.get("Assign"), ev, f"Catch[{index}]/Assign")
            output = ev.value(catcher["Output"], f"Catch[{index}]/Output") if "Output" in catcher \
                else error_output
        except QueryFailure as qexc:
            # AWS records the catcher's evaluation failure, then fails the state again
            run = sr.run
            ctx = HistoryContext(sr.scope.ctx.source)
            ctx.source = _source_before_failure(sr)
            run.history.add(ctx, "EvaluationFailed", {"error": qexc.error, "cause": qexc.cause,
                                                      "location": qexc.location, "state": sr.state.name})
            sr.scope.ctx.source = ctx.source
            if sr.state.type in ("Parallel", "Map"):
                sr.event(f"{sr.state.type}StateFailed")
            raise StateFailed(qexc.error, qexc.cause) from None
    else:
        output = sr.result_path(error_output, catcher)
        assigned = sr.assign_jsonpath(catcher.get("Assign"), error_output)
    return sr.exit(output, assigned, catcher.get("Next"))


def _source_before_failure(sr: StateRun) -> int:
    # the event before the last *StateFailed of this state
    events = sr.run.history.events
    last = sr.scope.ctx.source
    if last and events[last - 1][0].endswith("StateFailed"):
        return events[last - 1][1]
    return last
