"""The Task state: arguments, the call through the integrations registry (or a mock), the
Task*/LambdaFunction* events AWS records, timeouts, heartbeats, Retry and Catch."""

from __future__ import annotations

from typing import Any

from sim.asl import jsonpath
from sim.asl.errors import StatesError
from sim.asl.failures import Abort, DataLimitFailure, RuntimeFailure, over_data_limit
from sim.asl.integrations import TaskCall, parse_resource
from sim.asl.jsonutil import dumps
from sim.asl.payload import missing_path
from sim.asl.staterun import with_retry_catch
from sim.scheduler import WaitTimeout


def do_task(sr):
    spec = sr.state.spec
    resource = spec.get("Resource", "")
    parsed = parse_resource(resource)

    def attempt():
        sr.token = None
        if parsed.pattern == "waitForTaskToken" or parsed.activity:
            sr.token = sr.run.integrations.tokens.new_token(sr.run.rng)
        if sr.state.jsonata:
            ev = sr.evaluator()
            params = ev.value(spec["Arguments"], "Arguments") if "Arguments" in spec else sr.raw_input
            timeout = _jsonata_number(ev, spec, "TimeoutSeconds")
            heartbeat = _jsonata_number(ev, spec, "HeartbeatSeconds")
        else:
            effective = sr.input_path()
            params = sr.parameters(effective)
            timeout = _path_number(sr, spec, "TimeoutSeconds", effective)
            heartbeat = _path_number(sr, spec, "HeartbeatSeconds", effective)
        result = invoke(sr, parsed, params, timeout, heartbeat)
        if sr.state.jsonata:
            ev = sr.evaluator(result=result)
            assigned = sr.assign_jsonata(spec.get("Assign"), ev)
            output = ev.value(spec["Output"], "Output") if "Output" in spec else result
            return output, assigned
        assigned = sr.assign_jsonpath(spec.get("Assign"), result)
        output = sr.output_path(sr.result_path(sr.result_selector(result)))
        return output, assigned

    return with_retry_catch(sr, attempt, aborted_event="TaskStateAborted")


def _jsonata_number(ev, spec: dict, field: str) -> float | None:
    if field not in spec:
        return None
    value = ev.value(spec[field], field)
    return value


def _path_number(sr, spec: dict, field: str, effective: Any) -> float | None:
    if field in spec:
        return spec[field]
    path = spec.get(field + "Path")
    if path is None:
        return None
    try:
        value = jsonpath.resolve(path, effective, sr.context(), sr.scope.variables)
    except jsonpath.PathNotFound as exc:
        raise missing_path(path, exc) from None
    if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
        raise RuntimeFailure(f"The {field}Path '{path}' must point to a positive integer, but was '{dumps(value)}'")
    return value


def invoke(sr, parsed, params: Any, timeout: float | None, heartbeat: float | None) -> Any:
    """Record the scheduling events, run the call (bounded by TimeoutSeconds), record the outcome."""
    run = sr.run
    legacy = parsed.legacy_lambda
    family = "Activity" if parsed.activity else "LambdaFunction" if legacy else None
    if parsed.activity:
        # recorded (v2/activities::test_activity_task_on_deleted): no ActivityScheduled, States.Runtime
        if not run.integrations.activities.exists(parsed.arn):
            raise RuntimeFailure(f"The activity {parsed.arn} does not exist.")
        details = {"resource": parsed.arn, "input": dumps(params)}
        if timeout is not None:
            details["timeoutInSeconds"] = int(timeout)
        if heartbeat is not None:
            details["heartbeatInSeconds"] = int(heartbeat)
        sr.event("ActivityScheduled", details)
    elif legacy:
        details = {"resource": parsed.arn, "input": dumps(params)}
        if timeout is not None:
            details["timeoutInSeconds"] = int(timeout)
        sr.event("LambdaFunctionScheduled", details)
        sr.event("LambdaFunctionStarted")
    else:
        details = {"resourceType": parsed.resource_type, "resource": parsed.resource,
                   "region": run.integrations.region, "parameters": dumps(params)}
        if timeout is not None:
            details["timeoutInSeconds"] = int(timeout)
        if heartbeat is not None:
            details["heartbeatInSeconds"] = int(heartbeat)
        sr.event("TaskScheduled", details)
        sr.event("TaskStarted", {"resourceType": parsed.resource_type, "resource": parsed.resource})

    def submitted(output: Any) -> None:
        sr.event("TaskSubmitted", {"resourceType": parsed.resource_type, "resource": parsed.resource,
                                   "output": dumps(output)})

    def started(worker: str | None) -> None:
        sr.event("ActivityStarted", {"workerName": worker} if worker else {})

    call = TaskCall(run=run, state_name=sr.state.name, parsed=parsed, params=params, token=sr.token,
                    heartbeat=heartbeat, submitted=submitted, started=started)
    try:
        result = _call(run, call, timeout)
        text = dumps(result)
        if over_data_limit(text):
            # recorded (LocalStack test_states_errors): the label is the function ARN for a plain
            # Lambda resource, the resource type ('lambda') for an optimized integration
            raise DataLimitFailure(parsed.arn if family else parsed.resource_type)
    except StatesError as exc:
        timed_out = exc.error in ("States.Timeout", "States.HeartbeatTimeout")
        fail = {"error": exc.error}
        if exc.cause is not None:
            fail["cause"] = exc.cause
        if family:
            sr.event(f"{family}TimedOut" if timed_out else f"{family}Failed", fail)
        else:
            sr.event("TaskTimedOut" if timed_out else "TaskFailed",
                     {"resourceType": parsed.resource_type, "resource": parsed.resource, **fail})
        raise
    if family:
        sr.event(f"{family}Succeeded", {"output": text})
    else:
        sr.event("TaskSucceeded", {"resourceType": parsed.resource_type, "resource": parsed.resource,
                                   "output": text})
    return result


def _call(run, call: TaskCall, timeout: float | None) -> Any:
    mocked = run.mocks.response(call.state_name, run) if run.mocks is not None else None
    if mocked is not None:
        return _mock_result(mocked)
    if timeout is None:
        return _safe(run, call)
    child = run.spawn_child(_safe, run, call, name=f"task:{call.state_name}")
    try:
        return run.scheduler.wait(child, timeout=timeout)
    except WaitTimeout:
        child.cancel(Abort("CANCELLED"))
        raise StatesError("States.Timeout", None) from None


def _safe(run, call: TaskCall) -> Any:
    try:
        return run.integrations.invoke(call)
    except StatesError:
        raise
    except Exception as exc:  # noqa: BLE001 - an adapter bug surfaces as a task failure
        raise StatesError("States.TaskFailed", f"{type(exc).__name__}: {exc}") from None


def _mock_result(mocked: dict) -> Any:
    if "Throw" in mocked:
        throw = mocked["Throw"] or {}
        raise StatesError(throw.get("Error", "States.TaskFailed"), throw.get("Cause"))
    return mocked.get("Return")
