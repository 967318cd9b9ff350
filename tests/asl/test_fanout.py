"""Parallel and Map: results, ordering, concurrency, failures, and AWS's event chains."""

from __future__ import annotations

from sim.asl import execute
from tests.asl.helpers import machine, prevs, types

PASS = {"StartAt": "I", "States": {"I": {"Type": "Pass", "End": True}}}


def _ev(ex, typ, name=None):
    for e in ex.history:
        if e["type"] == typ and (name is None or any(isinstance(v, dict) and v.get("name") == name
                                                     for v in e.values())):
            return e
    raise AssertionError(f"no {typ} {name}")


def test_parallel_branch_chains():
    d = machine({"P": {"Type": "Parallel", "Branches": [
        {"StartAt": "A1", "States": {"A1": {"Type": "Pass", "Next": "A2"}, "A2": {"Type": "Pass", "End": True}}},
        {"StartAt": "B1", "States": {"B1": {"Type": "Pass", "Next": "B2"}, "B2": {"Type": "Pass", "End": True}}},
    ], "Next": "After"}, "After": {"Type": "Pass", "End": True}})
    ex = execute(d, {"x": "a"})
    assert ex.output == [{"x": "a"}, {"x": "a"}]
    assert len(ex.history) == 16
    assert types(ex)[:3] == ["ExecutionStarted", "ParallelStateEntered", "ParallelStateStarted"]
    assert types(ex)[11:] == ["ParallelStateSucceeded", "ParallelStateExited", "PassStateEntered",
                              "PassStateExited", "ExecutionSucceeded"]
    started = _ev(ex, "ParallelStateStarted")
    assert started["previousEventId"] == 2
    for b in "AB":
        e1, x1 = _ev(ex, "PassStateEntered", b + "1"), _ev(ex, "PassStateExited", b + "1")
        e2 = _ev(ex, "PassStateEntered", b + "2")
        assert e1["previousEventId"] == started["id"]
        assert x1["previousEventId"] == e1["id"] and e2["previousEventId"] == x1["id"]
    last_branch = ex.history[10]["id"]
    assert _ev(ex, "ParallelStateSucceeded")["previousEventId"] == last_branch
    assert _ev(ex, "ParallelStateExited")["previousEventId"] == last_branch


def test_parallel_fail_branch_and_catch():
    d = machine({"P": {"Type": "Parallel", "Branches": [
        {"StartAt": "Boom", "States": {"Boom": {"Type": "Fail", "Error": "MyError", "Cause": "my cause"}}}],
        "End": True}})
    ex = execute(d, {"x": "a"})
    assert types(ex) == ["ExecutionStarted", "ParallelStateEntered", "ParallelStateStarted", "FailStateEntered",
                         "ParallelStateFailed", "ExecutionFailed"]
    assert prevs(ex) == [0, 0, 2, 3, 4, 5]
    assert (ex.error, ex.cause) == ("MyError", "my cause")
    d["States"]["P"]["Catch"] = [{"ErrorEquals": ["States.ALL"], "ResultPath": "$.err", "Next": "H"}]
    d["States"]["P"].pop("End")
    d["States"]["P"]["Next"] = "H"
    d["States"]["H"] = {"Type": "Pass", "End": True}
    ex = execute(d, {"x": "a"})
    assert ex.output == {"x": "a", "err": {"Error": "MyError", "Cause": "my cause"}}
    assert "ParallelStateExited" in types(ex)


def test_parallel_retry_starts_again():
    d = machine({"P": {"Type": "Parallel", "Branches": [
        {"StartAt": "Boom", "States": {"Boom": {"Type": "Fail", "Error": "MyError", "Cause": "my cause"}}}],
        "Retry": [{"ErrorEquals": ["States.ALL"], "MaxAttempts": 1, "IntervalSeconds": 1}], "End": True}})
    ex = execute(d, {})
    assert types(ex) == ["ExecutionStarted", "ParallelStateEntered", "ParallelStateStarted", "FailStateEntered",
                         "ParallelStateFailed", "ParallelStateStarted", "FailStateEntered", "ParallelStateFailed",
                         "ExecutionFailed"]


def test_parallel_variables_are_copies():
    d = machine({
        "Init": {"Type": "Pass", "Assign": {"v": "outer"}, "Next": "P"},
        "P": {"Type": "Parallel", "Branches": [
            {"StartAt": "In", "States": {"In": {"Type": "Pass", "Assign": {"inner": 1},
                                                "Parameters": {"seen.$": "$v"}, "End": True}}}],
              "Next": "After"},
        "After": {"Type": "Pass", "Parameters": {"v.$": "$v", "p.$": "$"}, "End": True}})
    ex = execute(d, {})
    assert ex.output == {"v": "outer", "p": [{"seen": "outer"}]}


def test_map_chains_and_output_order():
    d = machine({"M": {"Type": "Map", "ItemsPath": "$.items", "ItemProcessor": {
        "ProcessorConfig": {"Mode": "INLINE"}, "StartAt": "I1",
        "States": {"I1": {"Type": "Pass", "Next": "I2"}, "I2": {"Type": "Pass", "End": True}}}, "Next": "After"},
        "After": {"Type": "Pass", "End": True}})
    ex = execute(d, {"items": [1, 2]})
    assert ex.output == [1, 2] and len(ex.history) == 20
    started = ex.history[2]
    assert started["mapStateStartedEventDetails"] == {"length": 2}
    its = [e for e in ex.history if e["type"] == "MapIterationStarted"]
    assert [e["previousEventId"] for e in its] == [3, 3]
    assert [e["mapIterationStartedEventDetails"] for e in its] == [{"name": "M", "index": 0},
                                                                   {"name": "M", "index": 1}]
    assert types(ex)[15:] == ["MapStateSucceeded", "MapStateExited", "PassStateEntered", "PassStateExited",
                              "ExecutionSucceeded"]
    assert ex.history[15]["previousEventId"] == ex.history[14]["id"] == ex.history[16]["previousEventId"]


def test_map_empty_and_max_concurrency_one():
    d = machine({"M": {"Type": "Map", "ItemsPath": "$.items", "ItemProcessor": PASS, "End": True}})
    ex = execute(d, {"items": []})
    assert types(ex) == ["ExecutionStarted", "MapStateEntered", "MapStateStarted", "MapStateSucceeded",
                         "MapStateExited", "ExecutionSucceeded"]
    assert prevs(ex) == [0, 0, 2, 3, 3, 5]
    d["States"]["M"]["MaxConcurrency"] = 1
    ex = execute(d, {"items": [1, "Hello", {}, None]})
    assert ex.output == [1, "Hello", {}, None]
    its = [e for e in ex.history if e["type"] == "MapIterationStarted"]
    # sequential iterations chain to the previous iteration's last state event
    assert its[1]["previousEventId"] == its[0]["id"] + 2


def test_map_with_waits_keeps_input_order():
    proc = {"StartAt": "W", "States": {"W": {"Type": "Wait", "SecondsPath": "$.s", "Next": "O"},
                                       "O": {"Type": "Pass", "OutputPath": "$.i", "End": True}}}
    d = machine({"M": {"Type": "Map", "MaxConcurrency": 2, "ItemProcessor": proc, "End": True}})
    items = [{"s": s, "i": i} for i, s in enumerate([30, 5, 20, 1, 10])]
    ex = execute(d, items)
    assert ex.output == [0, 1, 2, 3, 4]
    # two workers: 30 | 5,20,1,10 -> 36 s in total
    assert (ex.stop_date - ex.start_date).total_seconds() == 36


def test_map_item_selector_context_and_batcher():
    d = machine({"M": {"Type": "Map", "ItemsPath": "$.xs", "ItemSelector": {
        "i.$": "$$.Map.Item.Index", "v.$": "$$.Map.Item.Value", "k.$": "$.k"}, "ItemProcessor": PASS, "End": True}})
    assert execute(d, {"xs": ["a", "b"], "k": 7}).output == [{"i": 0, "v": "a", "k": 7}, {"i": 1, "v": "b", "k": 7}]
    d = machine({"M": {"Type": "Map", "ItemBatcher": {"MaxItemsPerBatch": 2, "BatchInput": {"b": 1}},
                       "ItemProcessor": PASS, "End": True}})
    assert execute(d, [1, 2, 3]).output == [{"Items": [1, 2], "BatchInput": {"b": 1}},
                                            {"Items": [3], "BatchInput": {"b": 1}}]


def test_map_failure_and_runtime_error():
    proc = {"StartAt": "F", "States": {"F": {"Type": "Fail", "Error": "E", "Cause": "c"}}}
    d = machine({"M": {"Type": "Map", "MaxConcurrency": 1, "ItemProcessor": proc, "End": True}})
    ex = execute(d, [1, 2])
    assert types(ex) == ["ExecutionStarted", "MapStateEntered", "MapStateStarted", "MapIterationStarted",
                         "FailStateEntered", "MapIterationFailed", "MapStateFailed", "ExecutionFailed"]
    assert prevs(ex) == [0, 0, 2, 3, 4, 5, 5, 7]
    proc = {"StartAt": "Fast", "States": {"Fast": {"Type": "Pass", "Parameters": {"m.$": "$.nope"}, "End": True}}}
    d = machine({"M": {"Type": "Map", "ItemsPath": "$.items", "MaxConcurrency": 1, "ItemProcessor": proc,
                       "Catch": [{"ErrorEquals": ["States.ALL"], "Next": "C"}], "End": True},
                 "C": {"Type": "Pass", "End": True}})
    ex = execute(d, {"items": [1, 2]})
    assert types(ex) == ["ExecutionStarted", "MapStateEntered", "MapStateStarted", "MapIterationStarted",
                         "PassStateEntered", "ExecutionFailed"]
    assert ex.cause == ("An error occurred while executing the state 'Fast' (entered at the event id #5). "
                        "The JSONPath '$.nope' specified for the field 'm.$' could not be found in the input '1'")


def test_map_tolerated_failures():
    proc = {"StartAt": "C", "States": {
        "C": {"Type": "Choice", "Choices": [{"Variable": "$", "NumericEquals": 0, "Next": "F"}], "Default": "P"},
        "F": {"Type": "Fail", "Error": "Zero", "Cause": "z"}, "P": {"Type": "Pass", "End": True}}}
    d = machine({"M": {"Type": "Map", "ToleratedFailureCount": 1, "ItemProcessor": proc, "End": True}})
    ex = execute(d, [1, 0, 2])
    assert ex.status == "SUCCEEDED" and ex.output == [1, {"Error": "Zero", "Cause": "z"}, 2]
    ex = execute(d, [0, 0, 2])
    assert ex.error == "States.ExceedToleratedFailureThreshold"


def test_nested_map_in_parallel():
    d = machine({"P": {"Type": "Parallel", "Branches": [
        {"StartAt": "M", "States": {"M": {"Type": "Map", "ItemsPath": "$.items", "ItemProcessor": PASS, "End": True}}},
        {"StartAt": "B1", "States": {"B1": {"Type": "Pass", "End": True}}}], "End": True}})
    ex = execute(d, {"items": [1, 2]})
    assert ex.output == [[1, 2], {"items": [1, 2]}] and len(ex.history) == 20
    assert [e["id"] for e in ex.history] == list(range(1, 21))


def test_distributed_map_events_and_s3_reader_writer():
    boto3 = __import__("boto3")
    from moto import mock_aws

    from sim.asl.integrations import Integrations

    d = machine({"D": {"Type": "Map", "ItemsPath": "$.items", "ItemProcessor": {
        "ProcessorConfig": {"Mode": "DISTRIBUTED", "ExecutionType": "STANDARD"}, **PASS}, "End": True}})
    ex = execute(d, {"items": [1, 2]})
    assert types(ex) == ["ExecutionStarted", "MapStateEntered", "MapStateStarted", "MapRunStarted",
                         "MapRunSucceeded", "MapStateSucceeded", "MapStateExited", "ExecutionSucceeded"]
    assert prevs(ex) == [0, 0, 2, 3, 4, 5, 4, 7]
    assert ex.output == [1, 2]
    with mock_aws():
        s3 = boto3.client("s3", region_name="us-east-1")
        s3.create_bucket(Bucket="sim-bucket")
        s3.put_object(Bucket="sim-bucket", Key="in.json", Body=b'[{"n": 1}, {"n": 2}, {"n": 3}]')
        d = machine({"D": {"Type": "Map", "ItemReader": {"Resource": "arn:aws:states:::s3:getObject",
                                                         "ReaderConfig": {"InputType": "JSON", "MaxItems": 2},
                                                         "Parameters": {"Bucket": "sim-bucket", "Key": "in.json"}},
                           "ResultWriter": {"Resource": "arn:aws:states:::s3:putObject",
                                            "Parameters": {"Bucket": "sim-bucket", "Prefix": "out"}},
                           "ItemProcessor": {"ProcessorConfig": {"Mode": "DISTRIBUTED", "ExecutionType": "EXPRESS"}, **PASS}, "End": True}})
        ex = execute(d, {}, integrations=Integrations(client_factory=lambda s: boto3.client(s, region_name="us-east-1")))
        assert ex.status == "SUCCEEDED", ex.cause
        key = ex.output["ResultWriterDetails"]["Key"]
        assert key.startswith("out/") and key.endswith("manifest.json")
        assert s3.get_object(Bucket="sim-bucket", Key=key)["Body"].read()
