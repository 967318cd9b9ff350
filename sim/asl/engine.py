"""The state loop: one execution (`Run`) walking its graph on the scheduler, state by state.

Pass, Choice, Wait, Succeed and Fail live here together with the input/output pipeline shared by
every state (InputPath → Parameters → … → ResultPath → OutputPath in JSONPath mode; Arguments /
Output / Assign in JSONata mode), Retry/Catch handling and the failure events AWS records.
Task lives in task_state.py, Parallel and Map in fanout.py.
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any

from sim.asl import jsonpath
from sim.asl.context import ContextBase
from sim.asl.errors import StatesError
from sim.asl.failures import (
    Abort,
    BranchFailed,
    DataLimitFailure,
    ExecutionFatal,
    QueryFailure,
    RuntimeFailure,
    over_data_limit,
    state_prefix,
)
from sim.asl.history import History, HistoryContext
from sim.asl.jsonata_eval import Evaluator, is_expr
from sim.asl.jsonutil import dumps
from sim.asl.machine import Graph, Machine, State
from sim.asl.payload import apply_result_path, missing_path, render, select_path
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

    def __init__(self, run: Run, state: State, scope: Scope, raw_input: Any, entered_id: int):
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


class Run:
    """One execution of a machine: history, clock, randomness, integrations and status."""

    def __init__(self, machine: Machine, input_value: Any, *, scheduler, rng, integrations, mocks,
                 context_base: ContextBase, execution_arn: str, name: str, role_arn: str,
                 state_machine_arn: str, input_text: str | None = None):
        self.machine = machine
        self.input = input_value
        self.input_text = input_text if input_text is not None else dumps(input_value)
        self.scheduler = scheduler
        self.clock = scheduler.clock
        self.rng = rng
        self.integrations = integrations
        self.mocks = mocks
        self.mock_counts: dict[str, int] = {}
        self.context_base = context_base
        self.arn = execution_arn
        self.name = name
        self.role_arn = role_arn
        self.state_machine_arn = state_machine_arn
        self.history = History(self.clock)
        self.status = "RUNNING"
        self.output: Any = None
        self.output_text: str | None = None
        self.error: str | None = None
        self.cause: str | None = None
        self.start_date: datetime = self.clock.now()
        self.stop_date: datetime | None = None
        self.states_visited = 0
        self.children: set = set()
        self.task = None
        self.watchdog = None
        self.listeners: list = []
        self.last_value: Any = None
        self.last_text = "null"
        self.root_ctx = HistoryContext()
        self.redrive_count = 0
        self.redrive_date: datetime | None = None
        self.resume: tuple[str, Any] | None = None  # the top-level state under way and its input
        self.top_scope: Scope | None = None
        self._timeout_seconds: float | None = None

    # -- lifecycle ---------------------------------------------------------------------------
    def start(self, timeout_seconds: float | None = None) -> None:
        self.task = self.scheduler.spawn(self.main, name=f"sfn:{self.name}")
        self._timeout_seconds = timeout_seconds
        self._arm_watchdog()

    def _arm_watchdog(self) -> None:
        timeout = self._timeout_seconds if self._timeout_seconds is not None else self.machine.timeout_seconds
        if timeout:
            self.watchdog = self.scheduler.call_later(timeout, self._timed_out)

    def restart_from_resume(self) -> None:
        """Redrive (redrive.py): RUNNING again, ExecutionRedriven recorded, the unsuccessful state re-entered."""
        name, value = self.resume
        self.status = "RUNNING"
        self.stop_date = None
        self.output = self.output_text = self.error = self.cause = None
        self.root_ctx = HistoryContext(len(self.history.events))
        self.history.add(self.root_ctx, "ExecutionRedriven", {"redriveCount": self.redrive_count})
        scope = self.top_scope
        scope.ctx, scope.state, scope.open_abort, scope.kids = self.root_ctx, None, None, None
        self.task = self.scheduler.spawn(self._drive, scope, value, name, name=f"sfn:{self.name}:redrive")
        self._arm_watchdog()

    def _timed_out(self) -> None:
        if self.status == "RUNNING" and self.task is not None:
            self.abort("TIMED_OUT")

    def abort(self, kind: str, error: str | None = None, cause: str | None = None) -> None:
        """Stop the execution now (StopExecution → ABORTED, the execution timeout → TIMED_OUT).

        AWS records no *StateAborted events for the states under way, only ExecutionAborted /
        ExecutionTimedOut with previousEventId 0 (a recorded StopExecution during a Wait:
        WaitStateEntered, then ExecutionAborted {} chained to 0). Every line of execution is marked
        dead first, so nothing it still had queued can add events afterwards.
        """
        if self.status != "RUNNING" or self.task is None:
            return
        self.root_ctx.dead = True
        if not self.task._started and not self.history.events:
            self.history.add(HistoryContext(), "ExecutionStarted", {"input": self.input_text,
                                                                    "roleArn": self.role_arn},
                             update_source=False)
        self._finish_abort(Abort(kind, error, cause))
        self.task.cancel(Abort(kind, error, cause))

    def main(self) -> Any:
        ctx = self.root_ctx
        self.history.add(HistoryContext(), "ExecutionStarted", {"input": self.input_text,
                                                                "roleArn": self.role_arn}, update_source=False)
        self.top_scope = Scope(ctx, {}, nested=False)
        return self._drive(self.top_scope, self.input, None)

    def _drive(self, scope: Scope, value: Any, start_at: str | None) -> Any:
        ctx = self.root_ctx
        try:
            output = run_graph(self, self.machine.graph, value, scope, start_at)
        except ExecutionFatal as f:
            self._finish_failed(HistoryContext(f.source), f.error, f.cause)
        except BranchFailed as b:
            self._finish_failed(HistoryContext(b.ctx.source), b.error, b.cause)
        except Abort:
            if self.status != "RUNNING":
                return self.status  # abort() already recorded the end of the execution
            # the task running this execution was killed (a Map Run child whose run failed)
            self._finish_abort(Abort("ABORTED"))
            raise
        else:
            if self.status == "RUNNING":
                self.output = output
                self.output_text = dumps(output)
                self.history.add(HistoryContext(ctx.source), "ExecutionSucceeded", {"output": self.output_text})
                self._done("SUCCEEDED")
        return self.status

    def _finish_failed(self, ctx: HistoryContext, error: str | None, cause: str | None) -> None:
        if self.status != "RUNNING":
            return
        details = {}
        if error is not None:
            details["error"] = error
        if cause is not None:
            details["cause"] = cause
        self.error, self.cause = error, cause
        self.history.add(ctx, "ExecutionFailed", details)
        self._done("FAILED")

    def _finish_abort(self, a: Abort) -> None:
        if self.status != "RUNNING":
            return
        ctx = HistoryContext(0)
        details: dict = {}
        if a.kind == "TIMED_OUT":
            # DescribeExecution of a timed-out execution shows neither error nor cause
            self.history.add(ctx, "ExecutionTimedOut", details)
            self._done("TIMED_OUT")
        else:
            if a.error is not None:
                details["error"] = a.error
            if a.cause is not None:
                details["cause"] = a.cause
            self.error, self.cause = a.error, a.cause
            self.history.add(ctx, "ExecutionAborted", details)
            self._done("ABORTED")

    def _done(self, status: str) -> None:
        self.root_ctx.dead = True
        self.status = status
        self.stop_date = self.clock.now()
        if self.watchdog is not None:
            self.watchdog.cancel()
        for child in list(self.children):
            child.cancel(Abort("CANCELLED"))
        self.children.clear()
        for fn in self.listeners:
            fn(self)

    # -- helpers for states --------------------------------------------------------------------
    def spawn_child(self, fn, *args, name: str | None = None):
        task = self.scheduler.spawn(fn, *args, name=name)
        self.children.add(task)
        task.add_done_callback(self.children.discard)
        return task


# ---------------------------------------------------------------------------------------------
# the loop


def run_graph(run: Run, graph: Graph, value: Any, scope: Scope, start_at: str | None = None) -> Any:
    """Run states from StartAt (or `start_at`) until an End/Succeed; raise BranchFailed / ExecutionFatal."""
    name = start_at or graph.start_at
    history = run.history
    top = not scope.nested
    while True:
        state = graph.states.get(name)
        if state is None:
            raise ExecutionFatal("States.Runtime", f"The state '{name}' does not exist.", scope.ctx.source)
        if top:
            run.resume = (name, value)
        run.states_visited += 1
        text = run.last_text if run.last_value is value and value is not None else dumps(value)
        entered_id = history.add(scope.ctx, f"{state.type}StateEntered", {"name": state.name, "input": text})
        sr = StateRun(run, state, scope, value, entered_id)
        scope.state = state
        handler = HANDLERS[state.type]
        try:
            value, name = handler(sr)
        except RuntimeFailure as exc:
            raise sr.fatal(exc) from None
        except QueryFailure as exc:  # from states without Retry/Catch
            sr.query_failed(exc)
            scope.state = None
            raise BranchFailed(exc.error, exc.cause, scope.ctx, scope) from None
        except StateFailed as exc:
            # the state never exited: a container aborting this line records exc.aborted_event
            scope.state = None
            scope.open_abort = exc.aborted_event
            raise BranchFailed(exc.error, exc.cause, scope.ctx, scope) from None
        except StatesError as exc:  # an uncaught failure of a state without Retry/Catch
            sr.with_prefix(exc)
            scope.state = None
            raise BranchFailed(exc.error, exc.cause, scope.ctx, scope) from None
        if name is None:
            scope.state = None
            return value


class StateFailed(Exception):
    """A state failed and no catcher took it (its failure events are already recorded)."""

    def __init__(self, error: str | None, cause: str | None, aborted_event: str | None = None):
        super().__init__(error or "")
        self.error = error
        self.cause = cause
        self.aborted_event = aborted_event


def next_of(state: State) -> str | None:
    return None if state.end else state.next


# ---------------------------------------------------------------------------------------------
# Retry / Catch shared by Task, Parallel and Map


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


# ---------------------------------------------------------------------------------------------
# simple states


def do_pass(sr: StateRun):
    spec = sr.state.spec
    if sr.state.jsonata:
        ev = sr.evaluator()
        assigned = sr.assign_jsonata(spec.get("Assign"), ev)
        output = ev.value(spec["Output"], "Output") if "Output" in spec else sr.raw_input
        _check_data_limit(sr, output)
        return sr.exit(output, assigned, next_of(sr.state))
    effective = sr.input_path()
    if "Result" in spec:
        result = spec["Result"]
    else:
        result = sr.parameters(effective)
    assigned = sr.assign_jsonpath(spec.get("Assign"), result)
    output = sr.output_path(sr.result_path(result))
    _check_data_limit(sr, output)
    return sr.exit(output, assigned, next_of(sr.state))


def _check_data_limit(sr: StateRun, output: Any) -> None:
    # recorded (LocalStack test_states_errors::test_start_large_input): a Pass whose Result exceeds
    # 256 KiB ends the execution: PassStateEntered then ExecutionFailed, no state prefix in the cause
    if over_data_limit(dumps(output)):
        raise DataLimitFailure(sr.state.name)


def do_succeed(sr: StateRun):
    spec = sr.state.spec
    if sr.state.jsonata:
        output = sr.evaluator().value(spec["Output"], "Output") if "Output" in spec else sr.raw_input
        return sr.exit(output, None, None)
    return sr.exit(sr.output_path(sr.input_path()), None, None)


def do_fail(sr: StateRun):
    spec = sr.state.spec
    if sr.state.jsonata:
        ev = sr.evaluator()
        error = ev.value(spec["Error"], "Error") if "Error" in spec else None
        cause = ev.value(spec["Cause"], "Cause") if "Cause" in spec else None
    else:
        error = _fail_field(sr, spec, "Error")
        cause = _fail_field(sr, spec, "Cause")
    if error is not None and not isinstance(error, str):
        error = dumps(error)
    if cause is not None and not isinstance(cause, str):
        cause = dumps(cause)
    raise StateFailed(error, cause)


def _fail_field(sr: StateRun, spec: dict, field: str) -> Any:
    if field in spec:
        return spec[field]
    path = spec.get(field + "Path")
    if path is None:
        return None
    from sim.asl import intrinsics
    from sim.asl.payload import evaluate_intrinsic

    if intrinsics.is_intrinsic(path):
        return evaluate_intrinsic(path, sr.raw_input, sr.context(), sr.scope.variables, sr.run.rng, sr.raw_input)
    try:
        value = jsonpath.resolve(path, sr.raw_input, sr.context(), sr.scope.variables)
    except jsonpath.PathNotFound as exc:
        raise missing_path(path, exc) from None
    if not isinstance(value, str):
        raise RuntimeFailure(f"The {field}Path '{path}' must point to a string, but was '{dumps(value)}'")
    return value


def do_choice(sr: StateRun):
    from sim.asl import choice

    spec = sr.state.spec
    rules = spec.get("Choices") or []
    if sr.state.jsonata:
        ev = sr.evaluator()
        for i, rule in enumerate(rules):
            cond = rule.get("Condition")
            ok = ev.value(cond, f"Choices[{i}]/Condition") if is_expr(cond) else cond
            if not isinstance(ok, bool):
                raise QueryFailure(f"{sr.prefix()}The Condition field at Choices[{i}] must evaluate to a boolean, "
                                   f"but was '{dumps(ok)}'", f"Choices[{i}]/Condition")
            if ok:
                assigned = sr.assign_jsonata(rule.get("Assign", spec.get("Assign")), ev,
                                             f"Choices[{i}]/Assign" if "Assign" in rule else "Assign")
                out_tpl = rule["Output"] if "Output" in rule else spec.get("Output")
                output = ev.value(out_tpl, "Output") if out_tpl is not None else sr.raw_input
                return sr.exit(output, assigned, rule.get("Next"))
        return _choice_default(sr, spec, ev)
    effective = sr.input_path()
    ctx = sr.context()
    for rule in rules:
        try:
            ok = choice.evaluate_rule(rule, effective, ctx, sr.scope.variables)
        except jsonpath.PathNotFound as exc:
            path = rule.get("Variable") or (exc.args[0] if exc.args else "?")
            raise RuntimeFailure(f"Invalid path '{path}': The choice state's condition path references an "
                                 f"invalid value.") from None
        except StatesError as exc:
            if exc.error == "States.Runtime":
                raise RuntimeFailure(exc.cause or "") from None
            raise
        if ok:
            assigned = sr.assign_jsonpath(rule.get("Assign"), effective)
            return sr.exit(sr.output_path(effective), assigned, rule.get("Next"))
    return _choice_default(sr, spec, None, effective)


def _choice_default(sr: StateRun, spec: dict, ev: Evaluator | None, effective: Any = None):
    default = spec.get("Default")
    if default is None:
        raise RuntimeFailure("Failed to transition out of the state. The state does not point to a next state.")
    if ev is not None:
        assigned = sr.assign_jsonata(spec.get("Assign"), ev)
        output = ev.value(spec["Output"], "Output") if "Output" in spec else sr.raw_input
        return sr.exit(output, assigned, default)
    assigned = sr.assign_jsonpath(spec.get("Assign"), effective)
    return sr.exit(sr.output_path(effective), assigned, default)


def do_wait(sr: StateRun):
    from sim.clock import parse_instant

    spec = sr.state.spec
    now = sr.run.clock.now()
    until = now
    if sr.state.jsonata:
        ev = sr.evaluator()
        if "Seconds" in spec:
            secs = ev.value(spec["Seconds"], "Seconds")
            until = now + _seconds(secs, "Seconds", sr)
        elif "Timestamp" in spec:
            until = _timestamp(ev.value(spec["Timestamp"], "Timestamp"), sr, parse_instant, "Timestamp")
        _sleep_until(sr, until)
        assigned = sr.assign_jsonata(spec.get("Assign"), ev)
        output = ev.value(spec["Output"], "Output") if "Output" in spec else sr.raw_input
        _check_data_limit(sr, output)
        return sr.exit(output, assigned, next_of(sr.state))
    effective = sr.input_path()
    if "Seconds" in spec:
        until = now + _seconds(spec["Seconds"], "Seconds", sr)
    elif "SecondsPath" in spec:
        secs = _path_value(sr, spec["SecondsPath"], effective)
        until = now + _seconds(secs, "SecondsPath", sr, spec["SecondsPath"])
    elif "Timestamp" in spec:
        until = _timestamp(spec["Timestamp"], sr, parse_instant, "Timestamp")
    elif "TimestampPath" in spec:
        until = _timestamp(_path_value(sr, spec["TimestampPath"], effective), sr, parse_instant, "TimestampPath",
                           spec["TimestampPath"])
    _sleep_until(sr, until)
    assigned = sr.assign_jsonpath(spec.get("Assign"), effective)
    return sr.exit(sr.output_path(effective), assigned, next_of(sr.state))


def _sleep_until(sr: StateRun, until: datetime) -> None:
    if until > sr.run.clock.now():
        sr.run.scheduler.sleep_until(until)


def _path_value(sr: StateRun, path: str, effective: Any) -> Any:
    try:
        return jsonpath.resolve(path, effective, sr.context(), sr.scope.variables)
    except jsonpath.PathNotFound as exc:
        raise missing_path(path, exc) from None


def _raw(value: Any) -> str:
    return value if isinstance(value, str) else dumps(value)


# ISO-8601 extended offset date-time (Java's ISO_OFFSET_DATE_TIME): the offset is required
_OFFSET_DATE_TIME = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|z|[+-]\d{2}:\d{2})")


def _seconds(value: Any, field: str, sr: StateRun, path: str | None = None):
    from datetime import timedelta

    if isinstance(value, bool) or not isinstance(value, int | float) or value < 0 or value != int(value):
        if sr.state.jsonata:
            raise QueryFailure(f"{sr.prefix()}The {field} field must evaluate to a non-negative integer, but was "
                               f"'{dumps(value)}'", field)
        if path is not None:
            # LocalStack's wording (its implementation; the TimestampPath sibling below is recorded)
            what = ("references a negative value" if isinstance(value, int | float) and not isinstance(value, bool)
                    and value < 0 and value == int(value) else "cannot be parsed as a long value")
            raise RuntimeFailure(f"The {field} parameter {what}: {path} == {_raw(value)}")
        raise RuntimeFailure(f"The {field} field must be a non-negative integer, but was '{dumps(value)}'")
    return timedelta(seconds=int(value))


def _timestamp(value: Any, sr: StateRun, parse, field: str, path: str | None = None) -> datetime:
    try:
        if not isinstance(value, str) or "T" not in value:
            raise ValueError(value)
        if path is not None and not _OFFSET_DATE_TIME.fullmatch(value):
            # recorded (LocalStack base/test_wait::test_wait_timestamppath): no offset → States.Runtime
            raise RuntimeFailure(f"The {field} parameter does not reference a valid ISO-8601 extended offset "
                                 f"date-time format string: {path} == {_raw(value)}")
        return parse(value)
    except (ValueError, TypeError):
        if sr.state.jsonata:
            raise QueryFailure(f"{sr.prefix()}The {field} field must evaluate to an ISO-8601 timestamp, but was "
                               f"'{dumps(value)}'", field) from None
        raise RuntimeFailure(f"The {field} field '{dumps(value)}' is not a valid ISO-8601 timestamp") from None


def _task(sr):
    from sim.asl.task_state import do_task

    return do_task(sr)


def _parallel(sr):
    from sim.asl.fanout import do_parallel

    return do_parallel(sr)


def _map(sr):
    from sim.asl.fanout import do_map

    return do_map(sr)


HANDLERS = {
    "Pass": do_pass,
    "Succeed": do_succeed,
    "Fail": do_fail,
    "Choice": do_choice,
    "Wait": do_wait,
    "Task": _task,
    "Parallel": _parallel,
    "Map": _map,
}


def run_sub(run: Run, graph: Graph, value: Any, scope: Scope) -> Any:
    """Entry point for child tasks (branches, iterations)."""
    return run_graph(run, graph, value, scope)


__all__ = ["Run", "Scope", "StateRun", "StateFailed", "run_graph", "run_sub", "with_retry_catch", "Abort"]
