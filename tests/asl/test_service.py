"""StepFunctionsService: the Step Functions API over the interpreter, on a shared scheduler."""

from __future__ import annotations

import json

import pytest

from sim.asl.service import ServiceError, StepFunctionsService
from sim.clock import Clock
from sim.scheduler import Scheduler

WAIT = json.dumps({"StartAt": "W", "States": {"W": {"Type": "Wait", "Seconds": 60, "Next": "P"},
                                              "P": {"Type": "Pass", "End": True}}})
ROLE = "arn:aws:iam::123456789012:role/r"


@pytest.fixture
def svc():
    return StepFunctionsService(Scheduler(Clock(), interleave=False))


def _sm(svc, name="m", definition=WAIT, **kw):
    return svc.create_state_machine({"name": name, "definition": definition, "roleArn": ROLE, **kw})["stateMachineArn"]


def test_create_idempotent_conflict_invalid(svc):
    arn = _sm(svc)
    assert _sm(svc) == arn
    with pytest.raises(ServiceError) as e:
        _sm(svc, definition=json.dumps({"StartAt": "P", "States": {"P": {"Type": "Pass", "End": True}}}))
    assert e.value.code == "StateMachineAlreadyExists"
    with pytest.raises(ServiceError) as e:
        _sm(svc, name="bad", definition='{"StartAt":"X","States":{}}')
    assert e.value.code == "InvalidDefinition" and "bad" not in str(svc.list_state_machines({}))
    with pytest.raises(ServiceError) as e:
        _sm(svc, name="has space")
    assert e.value.code == "InvalidName"
    d = svc.describe_state_machine({"stateMachineArn": arn})
    assert d["definition"] == WAIT and d["status"] == "ACTIVE" and d["type"] == "STANDARD"


def test_start_describe_history_list(svc):
    arn = _sm(svc)
    r = svc.start_execution({"stateMachineArn": arn, "name": "e1", "input": '{"a":1}'})
    assert svc.start_execution({"stateMachineArn": arn, "name": "e1", "input": '{"a":1}'}) == r
    with pytest.raises(ServiceError) as e:
        svc.start_execution({"stateMachineArn": arn, "name": "e1", "input": '{"a":2}'})
    assert e.value.code == "ExecutionAlreadyExists"
    with pytest.raises(ServiceError) as e:
        svc.start_execution({"stateMachineArn": arn, "name": "e2", "input": "{nope"})
    assert e.value.code == "InvalidExecutionInput"
    assert len(svc.executions) == 1
    d = svc.describe_execution({"executionArn": r["executionArn"]})
    assert d["status"] == "RUNNING" and "stopDate" not in d
    svc.scheduler.run_all()
    d = svc.describe_execution({"executionArn": r["executionArn"]})
    assert d["status"] == "SUCCEEDED" and d["output"] == '{"a":1}'
    assert (d["stopDate"] - d["startDate"]).total_seconds() == 60
    with pytest.raises(ServiceError) as e:
        svc.start_execution({"stateMachineArn": arn, "name": "e1", "input": '{"a":1}'})
    assert e.value.code == "ExecutionAlreadyExists"
    h1 = svc.get_execution_history({"executionArn": r["executionArn"], "maxResults": 3})
    h2 = svc.get_execution_history({"executionArn": r["executionArn"], "maxResults": 3, "nextToken": h1["nextToken"]})
    ids = [e["id"] for e in h1["events"] + h2["events"]]
    assert ids == [1, 2, 3, 4, 5, 6]
    rev = svc.get_execution_history({"executionArn": r["executionArn"], "reverseOrder": True,
                                     "includeExecutionData": False})
    assert rev["events"][0]["type"] == "ExecutionSucceeded" and "output" not in \
        rev["events"][0]["executionSucceededEventDetails"]
    lst = svc.list_executions({"stateMachineArn": arn, "statusFilter": "SUCCEEDED"})
    assert [x["name"] for x in lst["executions"]] == ["e1"]
    assert svc.describe_state_machine_for_execution({"executionArn": r["executionArn"]})["definition"] == WAIT
    with pytest.raises(ServiceError) as e:
        svc.describe_execution({"executionArn": arn.replace("stateMachine", "execution") + ":zz"})
    assert e.value.code == "ExecutionDoesNotExist"


def test_stop_execution(svc):
    arn = _sm(svc)
    r = svc.start_execution({"stateMachineArn": arn, "input": "{}"})
    svc.scheduler.run_until(svc.scheduler.clock.now())
    svc.stop_execution({"executionArn": r["executionArn"], "error": "E", "cause": "C"})
    svc.scheduler.run_all()
    d = svc.describe_execution({"executionArn": r["executionArn"]})
    assert d["status"] == "ABORTED" and d["error"] == "E"
    h = svc.get_execution_history({"executionArn": r["executionArn"]})["events"]
    assert h[-1]["type"] == "ExecutionAborted" and h[-1]["executionAbortedEventDetails"] == {"error": "E", "cause": "C"}


def test_sync_express_and_callbacks(svc):
    std = _sm(svc)
    with pytest.raises(ServiceError) as e:
        svc.start_sync_execution({"stateMachineArn": std, "input": "{}"})
    assert e.value.code == "StateMachineTypeNotSupported"
    exp = _sm(svc, name="x", type="EXPRESS",
              definition=json.dumps({"StartAt": "P", "States": {"P": {"Type": "Pass", "Result": 1, "End": True}}}))
    out = svc.start_sync_execution({"stateMachineArn": exp, "input": "{}"})
    assert out["status"] == "SUCCEEDED" and out["output"] == "1"
    cb = _sm(svc, name="cb", definition=json.dumps({"StartAt": "T", "States": {"T": {
        "Type": "Task", "Resource": "arn:aws:states:::sqs:sendMessage.waitForTaskToken",
        "Parameters": {"QueueUrl": "q", "MessageBody.$": "$$.Task.Token"}, "End": True}}}))
    tokens = []
    svc.integrations.register("arn:aws:states:::sqs:sendMessage",
                              lambda call: tokens.append(call.params["MessageBody"]) or {"MessageId": "1"})
    r = svc.start_execution({"stateMachineArn": cb, "input": "{}"})
    svc.scheduler.run_all()
    with pytest.raises(ServiceError) as e:
        svc.send_task_success({"taskToken": "nope", "output": "{}"})
    assert e.value.code == "TaskDoesNotExist"
    with pytest.raises(ServiceError) as e:
        svc.send_task_success({"taskToken": tokens[0], "output": "{bad"})
    assert e.value.code == "InvalidOutput"
    svc.send_task_heartbeat({"taskToken": tokens[0]})
    svc.send_task_failure({"taskToken": tokens[0], "error": "Denied", "cause": "no"})
    svc.scheduler.run_all()
    d = svc.describe_execution({"executionArn": r["executionArn"]})
    assert (d["status"], d["error"], d["cause"]) == ("FAILED", "Denied", "no")


def test_start_execution_sync_child(svc):
    child = _sm(svc, name="child", definition=json.dumps(
        {"StartAt": "P", "States": {"P": {"Type": "Pass", "Parameters": {"got.$": "$.v"}, "End": True}}}))
    parent = _sm(svc, name="parent", definition=json.dumps({"StartAt": "S", "States": {
        "S": {"Type": "Task", "Resource": "arn:aws:states:::states:startExecution.sync:2",
              "Parameters": {"StateMachineArn": child, "Input": {"v.$": "$.v"}}, "OutputPath": "$.Output",
              "Next": "S1"},
        "S1": {"Type": "Task", "Resource": "arn:aws:states:::states:startExecution.sync",
               "Parameters": {"StateMachineArn": child, "Input": {"v": 2}}, "OutputPath": "$.Output", "End": True}}}))
    r = svc.start_execution({"stateMachineArn": parent, "input": '{"v": 1}'})
    svc.scheduler.run_all()
    d = svc.describe_execution({"executionArn": r["executionArn"]})
    assert d["status"] == "SUCCEEDED", d
    assert json.loads(d["output"]) == '{"got":2}'
    assert len(svc.list_executions({"stateMachineArn": child})["executions"]) == 2


def test_handle_dispatch(svc):
    out = svc.handle("ListStateMachines", {})
    assert out == {"stateMachines": []}
    with pytest.raises(ServiceError):
        svc.handle("NoSuchOperation", {})
