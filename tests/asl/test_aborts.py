"""AWS's *Aborted events when a Parallel branch or Map iteration fails, and StopExecution/timeout ends."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from sim.asl import execute
from sim.asl.integrations import Integrations
from tests.asl.helpers import machine, prevs, types

SLOW = "arn:aws:states:::sqs:sendMessage"


def _slow_integrations(seconds: float = 60) -> Integrations:
    def slow(call):
        call.scheduler.sleep(seconds)
        return {"done": True}

    integ = Integrations()
    integ.register(SLOW, slow)
    return integ


def _task(**extra) -> dict:
    return {"Type": "Task", "Resource": SLOW, "Parameters": {"QueueUrl": "q", "MessageBody": "m"}, **extra}


def test_map_timeout_aborts_like_the_aws_recording():
    # the recorded AWS history: 4 concurrent iterations, each Task times out after 5 s
    d = machine({"MapWait": {"Type": "Map", "ItemsPath": "$.Inputs", "End": True, "ItemProcessor": {
        "ProcessorConfig": {"Mode": "INLINE"}, "StartAt": "LambdaInvoke",
        "States": {"LambdaInvoke": _task(TimeoutSeconds=5, End=True)}}}})
    ex = execute(d, {"Inputs": [{}, {}, {}, {}]}, integrations=_slow_integrations())
    assert (ex.status, ex.error, ex.cause) == ("FAILED", "States.Timeout", None)
    t = types(ex)
    assert t.count("TaskTimedOut") == 4  # every timer fired before the Map processed the failure
    first = next(e for e in ex.history if e["type"] == "TaskTimedOut")
    tail = ex.history[t.index("MapIterationFailed"):]
    assert [e["type"] for e in tail] == [
        "MapIterationFailed", "TaskStateAborted",
        "MapIterationAborted", "TaskStateAborted", "MapIterationAborted", "TaskStateAborted",
        "MapIterationAborted", "TaskStateAborted", "MapStateFailed", "ExecutionFailed"]
    assert [e["previousEventId"] for e in tail[:-1]] == [first["id"]] * 9
    assert tail[-1]["previousEventId"] == tail[-2]["id"]
    assert tail[0]["mapIterationFailedEventDetails"] == {"name": "MapWait", "index": 0}
    assert [e["mapIterationAbortedEventDetails"]["index"] for e in tail if e["type"] == "MapIterationAborted"] \
        == [1, 2, 3]


def test_parallel_failure_aborts_waiting_branches():
    d = machine({"P": {"Type": "Parallel", "End": True, "Branches": [
        {"StartAt": "Boom", "States": {"Boom": {"Type": "Fail", "Error": "E", "Cause": "c"}}},
        {"StartAt": "W", "States": {"W": {"Type": "Wait", "Seconds": 100, "End": True}}},
        {"StartAt": "T", "States": {"T": _task(End=True)}},
        {"StartAt": "Q", "States": {"Q": {"Type": "Pass", "End": True}}},
    ]}})
    ex = execute(d, {}, integrations=_slow_integrations())
    assert (ex.status, ex.error, ex.cause) == ("FAILED", "E", "c")
    fail = next(e for e in ex.history if e["type"] == "FailStateEntered")
    tail = ex.history[-4:]
    assert [e["type"] for e in tail] == ["WaitStateAborted", "TaskStateAborted", "ParallelStateFailed",
                                         "ExecutionFailed"]
    assert [e["previousEventId"] for e in tail[:3]] == [fail["id"]] * 3
    assert (ex.stop_date - ex.start_date).total_seconds() == 0  # nothing ran on after the failure
    assert "WaitStateExited" not in types(ex) and "TaskSucceeded" not in types(ex)


def test_failed_task_in_branch_is_aborted_first_and_nested_containers_abort_inside_out():
    inner_map = {"Type": "Map", "End": True, "ItemProcessor": {
        "StartAt": "IW", "States": {"IW": {"Type": "Wait", "Seconds": 50, "End": True}}}}
    d = machine({"P": {"Type": "Parallel", "End": True, "Branches": [
        {"StartAt": "Late", "States": {"Late": {"Type": "Wait", "Seconds": 5, "Next": "T"},
                                       "T": _task(TimeoutSeconds=1, End=True)}},
        {"StartAt": "M", "States": {"M": inner_map}},
    ]}})
    ex = execute(d, [1, 2], integrations=_slow_integrations())
    assert ex.error == "States.Timeout"
    timed_out = next(e for e in ex.history if e["type"] == "TaskTimedOut")
    tail = ex.history[types(ex).index("TaskTimedOut") + 1:]
    assert [e["type"] for e in tail] == [
        "TaskStateAborted",
        "MapIterationAborted", "WaitStateAborted", "MapIterationAborted", "WaitStateAborted", "MapStateAborted",
        "ParallelStateFailed", "ExecutionFailed"]
    assert {e["previousEventId"] for e in tail[:-1]} == {timed_out["id"]}


def test_caught_parallel_failure_still_records_aborts_then_exits():
    d = machine({"P": {"Type": "Parallel", "Next": "H", "Catch": [{"ErrorEquals": ["States.ALL"], "Next": "H"}],
                       "Branches": [
                           {"StartAt": "Boom", "States": {"Boom": {"Type": "Fail", "Error": "E"}}},
                           {"StartAt": "W", "States": {"W": {"Type": "Wait", "Seconds": 9, "End": True}}}]},
                 "H": {"Type": "Pass", "End": True}})
    ex = execute(d, {})
    assert ex.status == "SUCCEEDED" and ex.output == {"Error": "E", "Cause": ""}
    assert types(ex)[-6:] == ["WaitStateAborted", "ParallelStateFailed", "ParallelStateExited",
                              "PassStateEntered", "PassStateExited", "ExecutionSucceeded"]


def test_map_fail_state_has_no_abort_for_itself():
    # recorded on AWS (map_state_break_condition): FailStateEntered → MapIterationFailed → MapStateFailed
    d = machine({"M": {"Type": "Map", "MaxConcurrency": 1, "End": True, "ItemProcessor": {
        "StartAt": "C", "States": {
            "C": {"Type": "Choice", "Choices": [{"Variable": "$", "NumericEquals": 3, "Next": "Break"}],
                  "Default": "P"},
            "P": {"Type": "Pass", "End": True},
            "Break": {"Type": "Fail", "Error": "SomeFailure", "Cause": "why"}}}}})
    ex = execute(d, [1, 3, 5])
    assert types(ex)[-4:] == ["FailStateEntered", "MapIterationFailed", "MapStateFailed", "ExecutionFailed"]
    assert prevs(ex)[-3:] == [ex.history[-4]["id"]] * 2 + [ex.history[-2]["id"]]
    assert "MapIterationStarted" not in types(ex)[types(ex).index("FailStateEntered"):]


@settings(max_examples=25, deadline=None)
@given(n=st.integers(1, 6), conc=st.integers(0, 3), fail_at=st.integers(0, 5), waits=st.lists(
    st.integers(0, 5), min_size=6, max_size=6))
def test_map_abort_events_are_well_formed(n, conc, fail_at, waits):
    fail_at %= n
    d = machine({"M": {"Type": "Map", "MaxConcurrency": conc, "End": True, "ItemProcessor": {
        "StartAt": "W", "States": {
            "W": {"Type": "Wait", "SecondsPath": "$.w", "Next": "C"},
            "C": {"Type": "Choice", "Choices": [{"Variable": "$.fail", "BooleanEquals": True, "Next": "F"}],
                  "Default": "Ok"},
            "Ok": {"Type": "Pass", "End": True},
            "F": {"Type": "Fail", "Error": "X"}}}}})
    items = [{"w": waits[i], "fail": i == fail_at} for i in range(n)]
    ex = execute(d, items)
    assert ex.status == "FAILED" and ex.error == "X"
    t = types(ex)
    # every iteration started ends exactly once: succeeded, failed (the one processed) or aborted
    started = [e["mapIterationStartedEventDetails"]["index"] for e in ex.history if e["type"] == "MapIterationStarted"]
    ended = [e[k]["index"] for e in ex.history for k in ("mapIterationSucceededEventDetails",
                                                         "mapIterationFailedEventDetails",
                                                         "mapIterationAbortedEventDetails") if k in e]
    assert sorted(started) == sorted(ended) and len(set(started)) == len(started)
    assert t.count("MapIterationFailed") == 1
    assert t.count("WaitStateAborted") <= t.count("MapIterationAborted")
    assert t[-2:] == ["MapStateFailed", "ExecutionFailed"]
    assert all(e["previousEventId"] < e["id"] for e in ex.history)


def test_stop_execution_records_only_execution_aborted():
    from sim.asl.service import StepFunctionsService
    from sim.clock import Clock
    from sim.scheduler import Scheduler

    sched = Scheduler(Clock(), interleave=False)
    svc = StepFunctionsService(sched)
    d = '{"StartAt":"P","States":{"P":{"Type":"Parallel","End":true,"Branches":[' \
        '{"StartAt":"W","States":{"W":{"Type":"Wait","Seconds":60,"End":true}}}]}}}'
    arn = svc.create_state_machine({"name": "s", "definition": d, "roleArn": "r"})["stateMachineArn"]
    ex = svc.start_execution({"stateMachineArn": arn})["executionArn"]
    sched.run_until_idle()
    svc.stop_execution({"executionArn": ex})
    events = svc.get_execution_history({"executionArn": ex})["events"]
    assert [e["type"] for e in events] == ["ExecutionStarted", "ParallelStateEntered", "ParallelStateStarted",
                                           "WaitStateEntered", "ExecutionAborted"]
    assert events[-1]["previousEventId"] == 0 and events[-1]["executionAbortedEventDetails"] == {}
    sched.run_all()
    assert len(svc.get_execution_history({"executionArn": ex})["events"]) == 5
    d2 = svc.describe_execution({"executionArn": ex})
    assert d2["status"] == "ABORTED" and "error" not in d2 and d2["redriveStatus"] == "REDRIVABLE"
