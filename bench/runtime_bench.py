"""Foundation benchmarks: Lambda-runtime overhead against bare moto, and World start-up."""

from __future__ import annotations

import statistics
import time

import boto3

_client = None


def five_calls(event, context):
    global _client
    if _client is None:
        _client = boto3.client("dynamodb")
    for i in range(5):
        _client.put_item(TableName="Service", Item={"id": {"S": f"s{i}"}})
    return 5


def _timed(fn, repeat: int) -> float:
    samples = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        samples.append(time.perf_counter() - t0)
    return statistics.median(samples)


def run() -> list[dict]:
    from sim.world import World

    t0 = time.perf_counter()
    with World(seed=1, stripe=False):
        pass
    cold = time.perf_counter() - t0
    t0 = time.perf_counter()
    with World(seed=1, stripe=False) as w:
        warm = time.perf_counter() - t0
        w.add_function("five", five_calls)
        w.invoke("five", {})  # client created, modules warm
        bare = boto3.client("dynamodb", region_name="us-east-1")

        def bare_calls():
            for i in range(5):
                bare.put_item(TableName="Service", Item={"id": {"S": f"s{i}"}})

        bare_calls()
        rounds = 60
        runtime_s = bare_s = 0.0
        for _ in range(3):  # interleave the two so machine noise hits both alike
            bare_s += _timed(bare_calls, rounds)
            runtime_s += _timed(lambda: w.invoke("five", {}), rounds)
    ratio = runtime_s / bare_s
    return [
        {"name": "handler with 5 DynamoDB calls via runtime+hooks", "value": runtime_s / 3 * 1000, "unit": "ms",
         "baseline": bare_s / 3 * 1000, "ratio": ratio, "target": "≤ 1.3×"},
        {"name": "World start-up, first in process (imports moto backends)", "value": cold, "unit": "s",
         "target": "< 1 s aim"},
        {"name": "World start-up, warm", "value": warm, "unit": "s", "target": "< 1 s aim"},
    ]
