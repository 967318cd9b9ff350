"""Nested executions (`arn:aws:states:::states:startExecution`, `.sync`, `.sync:2`,
`.waitForTaskToken`): the StepFunctionsService sets `integrations.start_execution`; the child runs
on the same scheduler. `.sync` answers DescribeExecution's fields with Output as JSON text,
`.sync:2` with Input/Output parsed; a child that did not succeed fails the task."""

from __future__ import annotations

from typing import Any

from sim.asl.errors import StatesError
from sim.asl.integrations.calls import TaskCall
from sim.asl.integrations.sdk import sdk_metadata
from sim.asl.jsonutil import dumps

START_EXECUTION = "arn:aws:states:::states:startExecution"


def invoke(call: TaskCall) -> Any:
    integrations = call.run.integrations
    if integrations.start_execution is None:
        raise StatesError("StepFunctions.StateMachineDoesNotExistException",
                          "No Step Functions service is attached to this simulation")
    params = call.params if isinstance(call.params, dict) else {}
    child = integrations.start_execution(call, params)
    pattern = call.parsed.pattern
    started = {"ExecutionArn": child.arn, "StartDate": _millis(child.start_date)}
    if pattern not in ("sync", "sync:2"):
        return integrations.finish_pattern(call, started) if pattern else started
    call.submitted({**started, **sdk_metadata(call.run, 100)})
    sched = call.run.scheduler
    sched.wait(child.task)
    as_json = pattern == "sync:2"
    desc = {
        "ExecutionArn": child.arn,
        "Input": child.input if as_json else child.input_text,
        "InputDetails": {"Included": True},
        "Name": child.name,
        "Output": child.output if as_json else child.output_text,
        "OutputDetails": {"Included": True},
        "RedriveCount": 0, "RedriveStatus": "NOT_REDRIVABLE",
        "StartDate": _millis(child.start_date),
        "StateMachineArn": child.state_machine_arn,
        "Status": child.status,
        "StopDate": _millis(child.stop_date),
    }
    if child.status == "SUCCEEDED":
        return desc
    desc.pop("Output")
    desc.pop("OutputDetails")
    if child.error is not None:
        desc["Error"] = child.error
    if child.cause is not None:
        desc["Cause"] = child.cause
    error = {"FAILED": "States.TaskFailed", "TIMED_OUT": "States.Timeout"}.get(child.status, "States.TaskFailed")
    raise StatesError(error, dumps(desc))


def _millis(dt) -> int | None:
    return None if dt is None else int(dt.timestamp() * 1000)


def register(integrations) -> None:
    integrations.register(START_EXECUTION, invoke, owns_pattern=True)
