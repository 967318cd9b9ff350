"""Distributed Map runs through the service: DescribeMapRun, ListMapRuns, child executions (shapes recorded on AWS)."""

from __future__ import annotations

import json

from sim.asl.service import StepFunctionsService
from sim.clock import Clock
from sim.scheduler import Scheduler

ROLE = "arn:aws:iam::123456789012:role/r"


def _run(definition: dict, inp) -> tuple[StepFunctionsService, str]:
    svc = StepFunctionsService(Scheduler(Clock(), interleave=False))
    sm = svc.create_state_machine({"name": "sm", "definition": json.dumps(definition), "roleArn": ROLE})
    ex = svc.start_execution({"stateMachineArn": sm["stateMachineArn"], "input": json.dumps(inp)})["executionArn"]
    svc.scheduler.run_all()
    return svc, ex


def _dmap(states: dict, **extra) -> dict:
    return {"StartAt": "M", "States": {"M": {"Type": "Map", "End": True, **extra, "ItemProcessor": {
        "ProcessorConfig": {"Mode": "DISTRIBUTED", "ExecutionType": "STANDARD"},
        "StartAt": next(iter(states)), "States": states}}}}


def test_describe_and_list_map_runs():
    svc, ex = _run(_dmap({"P": {"Type": "Pass", "End": True}}, MaxConcurrency=1, Label="Lbl"), [1, 2])
    runs = svc.list_map_runs({"executionArn": ex})["mapRuns"]
    assert len(runs) == 1
    r = runs[0]
    assert set(r) == {"executionArn", "mapRunArn", "stateMachineArn", "startDate", "stopDate"}
    assert r["mapRunArn"].startswith("arn:aws:states:us-east-1:123456789012:mapRun:sm/Lbl:")
    assert r["stateMachineArn"] == "arn:aws:states:us-east-1:123456789012:stateMachine:sm/Lbl"
    d = svc.describe_map_run({"mapRunArn": r["mapRunArn"]})
    counts = {"aborted": 0, "failed": 0, "pending": 0, "resultsWritten": 2, "running": 0, "succeeded": 2,
              "timedOut": 0, "total": 2}
    assert d["executionCounts"] == counts and d["itemCounts"] == counts
    assert (d["status"], d["maxConcurrency"], d["toleratedFailureCount"], d["toleratedFailurePercentage"]) \
        == ("SUCCEEDED", 1, 0, 0.0)
    kids = svc.list_executions({"mapRunArn": r["mapRunArn"]})["executions"]
    assert len(kids) == 2 and all(k["status"] == "SUCCEEDED" for k in kids)
    child = svc.describe_execution({"executionArn": kids[0]["executionArn"]})
    assert child["executionArn"].startswith("arn:aws:states:us-east-1:123456789012:execution:sm/Lbl:")
    assert child["mapRunArn"] == r["mapRunArn"] and child["stateMachineArn"] == r["stateMachineArn"]
    hist = svc.get_execution_history({"executionArn": kids[0]["executionArn"]})["events"]
    assert [e["type"] for e in hist] == ["ExecutionStarted", "PassStateEntered", "PassStateExited",
                                         "ExecutionSucceeded"]


def test_child_context_is_its_own_execution():
    svc, ex = _run(_dmap({"P": {"Type": "Pass", "Parameters": {"id.$": "$$.Execution.Id",
                                                                "sm.$": "$$.StateMachine.Name"}, "End": True}}),
                   [1])
    out = json.loads(svc.describe_execution({"executionArn": ex})["output"])
    assert out[0]["sm"] == "sm/M" and ":execution:sm/M:" in out[0]["id"]


def test_failed_map_run_counts_and_aborts_the_rest():
    svc, ex = _run(_dmap({"F": {"Type": "Fail", "Error": "E"}}, MaxConcurrency=1), [1, 2, 3])
    d = svc.describe_execution({"executionArn": ex})
    assert (d["status"], d["error"]) == ("FAILED", "States.ExceedToleratedFailureThreshold")
    mr = svc.describe_map_run({"mapRunArn": svc.list_map_runs({"executionArn": ex})["mapRuns"][0]["mapRunArn"]})
    assert mr["status"] == "FAILED"
    assert mr["executionCounts"]["failed"] == 1 and mr["executionCounts"]["aborted"] == 2
    assert mr["executionCounts"]["total"] == 3
