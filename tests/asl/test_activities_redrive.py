"""Activities (CreateActivity … GetActivityTask, SendTask* on activity tokens) and RedriveExecution,
through StepFunctionsService, with the event shapes recorded on AWS (see docs/asl.md)."""

from __future__ import annotations

import json

import pytest

from sim.asl.service import ServiceError, StepFunctionsService
from sim.clock import Clock
from sim.scheduler import Scheduler

ROLE = "arn:aws:iam::123456789012:role/r"


@pytest.fixture
def svc():
    return StepFunctionsService(Scheduler(Clock(), interleave=False))


def _types(svc, arn):
    return [e["type"] for e in svc.get_execution_history({"executionArn": arn})["events"]]


def _history(svc, arn):
    return svc.get_execution_history({"executionArn": arn})["events"]


def _machine(svc, states, name="m"):
    definition = json.dumps({"StartAt": next(iter(states)), "States": states})
    return svc.create_state_machine({"name": name, "definition": definition, "roleArn": ROLE})["stateMachineArn"]


def test_activity_api_as_recorded(svc):
    created = svc.create_activity({"name": "work"})
    assert created["activityArn"] == "arn:aws:states:us-east-1:123456789012:activity:work"
    assert svc.create_activity({"name": "work"}) == created  # idempotent
    svc.create_activity({"name": "second"})
    assert svc.describe_activity({"activityArn": created["activityArn"]}) == {
        "activityArn": created["activityArn"], "name": "work", "creationDate": created["creationDate"],
        "encryptionConfiguration": {"type": "AWS_OWNED_KEY"}}
    assert [a["name"] for a in svc.list_activities({})["activities"]] == ["work", "second"]
    for bad in ("activity name", "a:b", "\x00x", "x" * 81):
        with pytest.raises(ServiceError) as e:
            svc.create_activity({"name": bad})
        assert (e.value.code, e.value.message) == ("InvalidName", f"Invalid Name: '{bad}'")
    with pytest.raises(ServiceError) as e:
        svc.describe_activity({"activityArn": "no_an_activity_arn"})
    assert (e.value.code, e.value.message) == ("InvalidArn", "Invalid Arn: 'Invalid ARN prefix: no_an_activity_arn'")
    svc.delete_activity({"activityArn": created["activityArn"]})
    svc.delete_activity({"activityArn": created["activityArn"]})  # deleting twice succeeds
    for op in (svc.describe_activity, svc.get_activity_task):
        with pytest.raises(ServiceError) as e:
            op({"activityArn": created["activityArn"]})
        assert (e.value.code, e.value.message) == ("ActivityDoesNotExist",
                                                    f"Activity Does Not Exist: '{created['activityArn']}'")


def test_activity_task_succeeds_through_a_worker(svc):
    act = svc.create_activity({"name": "work"})["activityArn"]
    sm = _machine(svc, {"ActivityTask": {"Type": "Task", "Resource": act, "TimeoutSeconds": 60,
                                         "HeartbeatSeconds": 10, "End": True}})
    ex = svc.start_execution({"stateMachineArn": sm, "input": '{"Value1":"HelloWorld"}'})["executionArn"]
    svc.scheduler.run_until_idle()
    assert svc.get_activity_task({"activityArn": act, "workerName": "w1"}) != {}
    svc.scheduler.run_until_idle()
    assert svc.describe_execution({"executionArn": ex})["status"] == "RUNNING"
    assert svc.get_activity_task({"activityArn": act}) == {}  # nothing else queued
    events = _history(svc, ex)
    assert [e["type"] for e in events] == ["ExecutionStarted", "TaskStateEntered", "ActivityScheduled",
                                           "ActivityStarted"]
    assert events[2]["activityScheduledEventDetails"] == {
        "resource": act, "input": '{"Value1":"HelloWorld"}', "inputDetails": {"truncated": False},
        "timeoutInSeconds": 60, "heartbeatInSeconds": 10}
    assert events[3]["activityStartedEventDetails"] == {"workerName": "w1"}
    assert [e["previousEventId"] for e in events] == [0, 0, 2, 3]


def _worker_token(svc, act, worker=None):
    svc.scheduler.run_until_idle()
    task = svc.get_activity_task({"activityArn": act, **({"workerName": worker} if worker else {})})
    assert json.loads(task["input"]) == {"Value1": "HelloWorld"}
    return task["taskToken"]


def test_activity_success_failure_and_timeout(svc):
    act = svc.create_activity({"name": "work"})["activityArn"]
    sm = _machine(svc, {"ActivityTask": {"Type": "Task", "Resource": act, "TimeoutSeconds": 5, "End": True}})
    inp = '{"Value1":"HelloWorld"}'
    ok = svc.start_execution({"stateMachineArn": sm, "name": "ok", "input": inp})["executionArn"]
    svc.send_task_success({"taskToken": _worker_token(svc, act), "output": inp})
    svc.scheduler.run_until_idle()
    assert _types(svc, ok)[2:] == ["ActivityScheduled", "ActivityStarted", "ActivitySucceeded", "TaskStateExited",
                                   "ExecutionSucceeded"]
    assert _history(svc, ok)[3]["activityStartedEventDetails"] == {}  # no workerName
    bad = svc.start_execution({"stateMachineArn": sm, "name": "bad", "input": inp})["executionArn"]
    svc.send_task_failure({"taskToken": _worker_token(svc, act, "w"), "error": "Programmatic Error", "cause": inp})
    svc.scheduler.run_until_idle()
    assert _types(svc, bad)[-2:] == ["ActivityFailed", "ExecutionFailed"]
    d = svc.describe_execution({"executionArn": bad})
    assert (d["error"], d["cause"]) == ("Programmatic Error", inp)
    late = svc.start_execution({"stateMachineArn": sm, "name": "late", "input": inp})["executionArn"]
    token = _worker_token(svc, act, "w")
    svc.scheduler.run_all()
    assert _types(svc, late)[-2:] == ["ActivityTimedOut", "ExecutionFailed"]
    assert _history(svc, late)[-2]["activityTimedOutEventDetails"] == {"error": "States.Timeout"}
    with pytest.raises(ServiceError) as e:
        svc.send_task_success({"taskToken": token, "output": "{}"})
    assert e.value.code == "TaskTimedOut"


def test_task_on_a_deleted_activity_is_a_runtime_failure(svc):
    act = svc.create_activity({"name": "gone"})["activityArn"]
    sm = _machine(svc, {"ActivityTask": {"Type": "Task", "Resource": act, "End": True}})
    svc.delete_activity({"activityArn": act})
    ex = svc.start_execution({"stateMachineArn": sm, "input": "{}"})["executionArn"]
    svc.scheduler.run_all()
    assert _types(svc, ex) == ["ExecutionStarted", "TaskStateEntered", "ExecutionFailed"]
    d = svc.describe_execution({"executionArn": ex})
    assert d["error"] == "States.Runtime"
    assert d["cause"] == ("An error occurred while executing the state 'ActivityTask' (entered at the event id #2). "
                          f"The activity {act} does not exist.")


# -- redrive ---------------------------------------------------------------------------------------------------
def test_redrive_continues_from_the_failed_state_with_its_input(svc):
    act = svc.create_activity({"name": "work"})["activityArn"]
    sm = _machine(svc, {"First": {"Type": "Pass", "Result": {"step": 1}, "Next": "Work"},
                        "Work": {"Type": "Task", "Resource": act, "Next": "Last"},
                        "Last": {"Type": "Pass", "Parameters": {"count.$": "$$.Execution.RedriveCount",
                                                                "got.$": "$"}, "End": True}})
    ex = svc.start_execution({"stateMachineArn": sm, "name": "e", "input": "{}"})["executionArn"]
    svc.send_task_failure({"taskToken": _activity_token(svc, act), "error": "Boom", "cause": "first try"})
    svc.scheduler.run_all()
    d = svc.describe_execution({"executionArn": ex})
    assert (d["status"], d["redriveStatus"], d["redriveCount"]) == ("FAILED", "REDRIVABLE", 0)
    failed_id = len(_history(svc, ex))
    answer = svc.redrive_execution({"executionArn": ex})
    assert answer["redriveDate"] == svc.scheduler.clock.now()
    svc.send_task_success({"taskToken": _activity_token(svc, act), "output": '{"ok":true}'})
    svc.scheduler.run_all()
    events = _history(svc, ex)
    redriven = events[failed_id]
    assert redriven["type"] == "ExecutionRedriven" and redriven["previousEventId"] == failed_id
    assert redriven["executionRedrivenEventDetails"] == {"redriveCount": 1}
    reentered = events[failed_id + 1]
    assert reentered["type"] == "TaskStateEntered" and reentered["previousEventId"] == failed_id + 1
    assert json.loads(reentered["stateEnteredEventDetails"]["input"]) == {"step": 1}
    assert [e["type"] for e in events].count("PassStateEntered") == 2  # First is not run again
    d = svc.describe_execution({"executionArn": ex})
    assert d["status"] == "SUCCEEDED" and d["redriveCount"] == 1 and d["redriveDate"] == answer["redriveDate"]
    assert json.loads(d["output"]) == {"count": 1, "got": {"ok": True}}
    assert d["redriveStatus"] == "NOT_REDRIVABLE"


def _activity_token(svc, act):
    svc.scheduler.run_until_idle()
    return svc.get_activity_task({"activityArn": act})["taskToken"]


def test_redrive_refusals(svc):
    sm = _machine(svc, {"P": {"Type": "Pass", "End": True}})
    ex = svc.start_execution({"stateMachineArn": sm, "input": "{}"})["executionArn"]
    with pytest.raises(ServiceError) as e:
        svc.redrive_execution({"executionArn": ex})
    assert (e.value.code, e.value.message) == ("ExecutionNotRedrivable", "Execution is RUNNING and cannot be redriven")
    svc.scheduler.run_all()
    with pytest.raises(ServiceError) as e:
        svc.redrive_execution({"executionArn": ex})
    assert e.value.message == "Execution is SUCCEEDED and cannot be redriven"
    fail = _machine(svc, {"F": {"Type": "Fail", "Error": "E"}}, name="f")
    ex = svc.start_execution({"stateMachineArn": fail, "input": "{}"})["executionArn"]
    svc.scheduler.run_all()
    svc.scheduler.clock.advance(15 * 24 * 3600)
    with pytest.raises(ServiceError) as e:
        svc.redrive_execution({"executionArn": ex})
    assert e.value.message == "Execution redrivable period exceeded"
    assert svc.describe_execution({"executionArn": ex})["redriveStatus"] == "NOT_REDRIVABLE"


def test_redrive_an_aborted_execution(svc):
    sm = _machine(svc, {"W": {"Type": "Wait", "Seconds": 60, "End": True}})
    ex = svc.start_execution({"stateMachineArn": sm, "input": '{"a":1}'})["executionArn"]
    svc.scheduler.run_until_idle()
    svc.stop_execution({"executionArn": ex})
    svc.redrive_execution({"executionArn": ex})
    svc.scheduler.run_all()
    types = _types(svc, ex)
    assert types == ["ExecutionStarted", "WaitStateEntered", "ExecutionAborted", "ExecutionRedriven",
                     "WaitStateEntered", "WaitStateExited", "ExecutionSucceeded"]
    assert svc.describe_execution({"executionArn": ex})["output"] == '{"a":1}'
