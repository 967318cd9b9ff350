"""Benchmarks of the ASL interpreter: throughput vs moto's executor, a day-long Wait, memory of
10,000 finished executions in the Step Functions service. `run()` returns the result rows."""

from __future__ import annotations

import json
import time
import tracemalloc

WORKFLOW = {
    "StartAt": "Start",
    "States": {
        "Start": {"Type": "Pass", "Result": {"items": [1, 2, 3, 4, 5], "kind": "a"}, "Next": "Route"},
        "Route": {"Type": "Choice", "Choices": [{"Variable": "$.kind", "StringEquals": "a", "Next": "Fan"}],
                  "Default": "Done"},
        "Fan": {"Type": "Parallel", "ResultPath": "$.branches", "Next": "Each",
                "Branches": [{"StartAt": "B1", "States": {"B1": {"Type": "Pass", "End": True}}},
                             {"StartAt": "B2", "States": {"B2": {"Type": "Pass", "End": True}}}]},
        "Each": {"Type": "Map", "ItemsPath": "$.items", "ResultPath": "$.mapped", "Next": "Check",
                 "ItemProcessor": {"StartAt": "I", "States": {"I": {"Type": "Pass", "End": True}}}},
        "Check": {"Type": "Choice", "Choices": [{"Variable": "$.kind", "StringEquals": "a", "Next": "Done"}],
                  "Default": "Done"},
        "Done": {"Type": "Succeed"},
    },
}


def _ours(n: int) -> float:
    from sim.asl import execute

    execute(WORKFLOW, {})  # warm the definition cache
    t0 = time.perf_counter()
    for _ in range(n):
        ex = execute(WORKFLOW, {})
        assert ex.status == "SUCCEEDED", ex.error
    return n / (time.perf_counter() - t0)


def _moto(n: int) -> float:
    import boto3
    from moto import mock_aws

    with mock_aws(config={"stepfunctions": {"execute_state_machine": True}}):
        sfn = boto3.client("stepfunctions", region_name="us-east-1", aws_access_key_id="x",
                           aws_secret_access_key="x")
        t0 = time.perf_counter()
        for i in range(n):
            arn = sfn.create_state_machine(name=f"bench{i}", definition=json.dumps(WORKFLOW),
                                           roleArn="arn:aws:iam::123456789012:role/r")["stateMachineArn"]
            ex = sfn.start_execution(stateMachineArn=arn, input="{}")["executionArn"]
            for _ in range(10_000):
                if sfn.describe_execution(executionArn=ex)["status"] != "RUNNING":
                    break
        return n / (time.perf_counter() - t0)


def _long_wait() -> float:
    from sim.asl import execute

    definition = {"TimeoutSeconds": 604_800, "StartAt": "W",
                  "States": {"W": {"Type": "Wait", "Seconds": 86_400, "Next": "D"}, "D": {"Type": "Succeed"}}}
    t0 = time.perf_counter()
    ex = execute(definition, {})
    elapsed = (time.perf_counter() - t0) * 1000
    assert ex.status == "SUCCEEDED"
    return elapsed


def _memory(n: int = 10_000) -> float:
    from sim.asl.service import StepFunctionsService
    from sim.clock import Clock
    from sim.scheduler import Scheduler

    tracemalloc.start()
    base = tracemalloc.get_traced_memory()[0]
    sched = Scheduler(Clock(), interleave=False)
    svc = StepFunctionsService(sched)
    arn = svc.create_state_machine({"name": "mem", "definition": json.dumps(WORKFLOW),
                                    "roleArn": "arn:aws:iam::123456789012:role/r"})["stateMachineArn"]
    for i in range(n):
        svc.start_execution({"stateMachineArn": arn, "input": json.dumps({"orderId": f"o-{i}"})})
        sched.run_until_idle()
    assert all(svc.describe_execution({"executionArn": a})["status"] == "SUCCEEDED"
               for a in list(svc.executions)[:10])
    used = tracemalloc.get_traced_memory()[0] - base
    tracemalloc.stop()
    return used / 1e6


def run(quick: bool = False) -> list[dict]:
    ours = _ours(200 if quick else 1000)
    moto = _moto(5 if quick else 20)
    wait_ms = _long_wait()
    mem = _memory(1000 if quick else 10_000)
    return [
        {"name": "asl.executions_per_s", "value": round(ours, 1), "unit": "exec/s", "baseline": round(moto, 1),
         "ratio": round(ours / moto, 1) if moto else None},
        {"name": "asl.wait_86400s_wall", "value": round(wait_ms, 2), "unit": "ms", "baseline": 50.0,
         "ratio": round(wait_ms / 50.0, 3)},
        {"name": "asl.memory_10k_executions", "value": round(mem, 1), "unit": "MB", "baseline": 50.0,
         "ratio": round(mem / 50.0, 3)},
    ]


if __name__ == "__main__":
    for row in run():
        print(row)
