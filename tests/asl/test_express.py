"""Express workflows as recorded on AWS: StartSyncExecution's answer, no history/describe, refused resources."""

from __future__ import annotations

import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from sim.asl import express
from sim.asl.service import ServiceError, StepFunctionsService
from sim.clock import Clock
from sim.scheduler import Scheduler

ROLE = "arn:aws:iam::123456789012:role/r"


@pytest.fixture
def svc():
    return StepFunctionsService(Scheduler(Clock(), interleave=False))


def _express(svc, states: dict, name="x") -> str:
    d = json.dumps({"StartAt": next(iter(states)), "States": states})
    return svc.create_state_machine({"name": name, "definition": d, "roleArn": ROLE,
                                     "type": "EXPRESS"})["stateMachineArn"]


def test_sync_success_shape(svc):
    arn = _express(svc, {"P": {"Type": "Pass", "Result": {"Arg1": "argument1"}, "End": True}})
    out = svc.start_sync_execution({"stateMachineArn": arn, "input": "{}", "name": "run1"})
    assert set(out) == {"billingDetails", "executionArn", "input", "inputDetails", "name", "output",
                        "outputDetails", "startDate", "stateMachineArn", "status", "stopDate"}
    assert out["billingDetails"] == {"billedDurationInMilliseconds": 100, "billedMemoryUsedInMB": 64}
    assert out["executionArn"].startswith("arn:aws:states:us-east-1:123456789012:express:x:run1:")
    assert (out["status"], json.loads(out["output"]), out["name"]) == ("SUCCEEDED", {"Arg1": "argument1"}, "run1")
    assert out["inputDetails"] == out["outputDetails"] == {"included": True}


def test_sync_failure_shape_and_context_has_no_redrive_count(svc):
    arn = _express(svc, {"F": {"Type": "Fail", "Error": "SomeFailure",
                               "Cause": "This state machines raises a 'SomeFailure' failure."}})
    out = svc.start_sync_execution({"stateMachineArn": arn, "input": "{}"})
    assert out["status"] == "FAILED" and "output" not in out and out["outputDetails"] == {"included": True}
    assert (out["error"], out["cause"]) == ("SomeFailure", "This state machines raises a 'SomeFailure' failure.")
    ctx = _express(svc, {"Q": {"Type": "Pass", "Parameters": {"e.$": "$$.Execution"}, "End": True}}, name="ctx")
    e = json.loads(svc.start_sync_execution({"stateMachineArn": ctx, "input": "{}"})["output"])["e"]
    assert set(e) == {"Id", "Input", "Name", "RoleArn", "StartTime"}
    assert ":express:ctx:" in e["Id"]


def test_express_executions_cannot_be_described_stopped_listed_or_read(svc):
    arn = _express(svc, {"W": {"Type": "Wait", "Seconds": 1, "End": True}})
    ex = svc.start_execution({"stateMachineArn": arn, "input": "{}"})["executionArn"]
    assert ":express:x:" in ex
    for op in ("describe_execution", "stop_execution", "get_execution_history"):
        with pytest.raises(ServiceError) as e:
            getattr(svc, op)({"executionArn": ex})
        assert (e.value.code, e.value.message) == ("InvalidArn", express.EXPRESS_ARN_MESSAGE)
    with pytest.raises(ServiceError) as e:
        svc.list_executions({"stateMachineArn": arn})
    assert (e.value.code, e.value.message) == ("StateMachineTypeNotSupported", express.NOT_SUPPORTED)
    svc.scheduler.run_all()
    assert not svc.executions  # nothing kept


@pytest.mark.parametrize("resource,needle", [
    ("arn:aws:states:::sqs:sendMessage.waitForTaskToken",
     "Express state machine does not support '.waitForTaskToken' service integration  at /States/T/Resource"),
    ("arn:aws:states:::states:startExecution.sync",
     "Express state machine does not support '.sync' service integration at /States/T/Resource"),
    ("arn:aws:states:us-east-1:123456789012:activity:a",
     "Express state machine does not support Activity ARN at /States/T/Resource"),
])
def test_express_refuses_callbacks_sync_and_activities(svc, resource, needle):
    with pytest.raises(ServiceError) as e:
        _express(svc, {"T": {"Type": "Task", "Resource": resource, "End": True}})
    assert e.value.code == "InvalidDefinition"
    assert e.value.message == f"Invalid State Machine Definition: 'SCHEMA_VALIDATION_FAILED: {needle}'"
    assert svc.list_state_machines({})["stateMachines"] == []


def test_sync_billing_rounds_up_virtual_duration(svc):
    arn = _express(svc, {"W": {"Type": "Wait", "Seconds": 7, "End": True}})
    out = svc.start_sync_execution({"stateMachineArn": arn, "input": "{}"})
    assert out["billingDetails"]["billedDurationInMilliseconds"] == 7000


@given(ms=st.integers(0, 10_000_000))
def test_billing_is_next_100ms(ms):
    from datetime import UTC, datetime, timedelta

    t0 = datetime(2026, 1, 1, tzinfo=UTC)
    billed = express.billing(t0, t0 + timedelta(milliseconds=ms))["billedDurationInMilliseconds"]
    assert billed % 100 == 0 and billed >= max(ms, 100) and billed - ms < 100 or (ms == 0 and billed == 100)
