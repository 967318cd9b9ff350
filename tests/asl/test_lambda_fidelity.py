"""Lambda tasks exactly as AWS records them (LocalStack's AWS-recorded snapshots; see docs/asl.md)."""

from __future__ import annotations

import json
import re

from sim.asl import execute
from sim.asl.integrations import FunctionNotFound, Integrations
from tests.asl.helpers import machine, types

INVOKE = "arn:aws:states:::lambda:invoke"
ARN = "arn:aws:lambda:us-east-1:123456789012:function:f"
RUNTIME_ERROR = ('{"errorMessage": "Some exception was raised.", "errorType": "Exception", "requestId": "r-1", '
                 '"stackTrace": ["  File \\"/var/task/handler.py\\", line 2, in handler\\n"]}')


def echo_lambda(calls=None, error=None):
    def invoke(function, payload, invocation_type):
        if calls is not None:
            calls.append(payload)
        if error is not None:
            return 200, error, "Unhandled", "$LATEST"
        return 200, json.dumps(payload), None, "$LATEST"
    return invoke


def test_invoke_envelope_headers_as_recorded():
    ex = execute(machine({"T": {"Type": "Task", "Resource": INVOKE, "Parameters": {"FunctionName": "f"},
                                "End": True}}), {}, integrations=Integrations(invoke_lambda=echo_lambda()))
    meta = ex.output["SdkHttpMetadata"]
    assert list(meta["AllHttpHeaders"]) == ["X-Amz-Executed-Version", "x-amzn-Remapped-Content-Length", "Connection",
                                            "x-amzn-RequestId", "Content-Length", "Date", "X-Amzn-Trace-Id",
                                            "Content-Type"]
    assert list(meta["HttpHeaders"]) == ["Connection", "Content-Length", "Content-Type", "Date",
                                         "X-Amz-Executed-Version", "x-amzn-Remapped-Content-Length",
                                         "x-amzn-RequestId", "X-Amzn-Trace-Id"]
    assert all(isinstance(v, list) and len(v) == 1 for v in meta["AllHttpHeaders"].values())
    headers = meta["HttpHeaders"]
    assert headers["X-Amz-Executed-Version"] == "$LATEST" and headers["x-amzn-Remapped-Content-Length"] == "0"
    assert headers["Content-Length"] == "2" and headers["Content-Type"] == "application/json"
    assert re.fullmatch(r"Root=1-[0-9a-f]{8}-[0-9a-f]{24};Parent=[0-9a-f]{16};Sampled=0;Lineage=1:[0-9a-f]{8}:0",
                        headers["X-Amzn-Trace-Id"])
    assert headers["x-amzn-RequestId"] == ex.output["SdkResponseMetadata"]["RequestId"]
    assert list(ex.output) == ["ExecutedVersion", "Payload", "SdkHttpMetadata", "SdkResponseMetadata", "StatusCode"]


def test_invoke_without_payload_sends_an_empty_object_but_a_plain_arn_sends_null():
    calls: list = []
    integ = Integrations(invoke_lambda=echo_lambda(calls))
    execute(machine({"T": {"Type": "Task", "Resource": INVOKE, "Parameters": {"FunctionName": "f"}, "End": True}}),
            {}, integrations=integ)
    execute(machine({"T": {"Type": "Task", "Resource": INVOKE, "Parameters": {"FunctionName": "f", "Payload": None},
                           "End": True}}), {}, integrations=integ)
    ex = execute(machine({"T": {"Type": "Task", "Resource": INVOKE,
                                "Parameters": {"FunctionName": "f", "Payload": "null"}, "End": True}}),
                 {}, integrations=integ)
    assert ex.output["Payload"] is None and ex.output["SdkHttpMetadata"]["HttpHeaders"]["Content-Length"] == "4"
    execute(machine({"T": {"Type": "Task", "Resource": ARN, "End": True}}), "null", integrations=integ)
    assert calls == [{}, {}, None, None]


def _caught(resource: str, params: dict | None):
    state = {"Type": "Task", "Resource": resource, "Catch": [{"ErrorEquals": ["States.ALL"], "Next": "H"}],
             "Next": "H"}
    if params is not None:
        state["Parameters"] = params
    d = machine({"T": state, "H": {"Type": "Pass", "End": True}})
    return execute(d, {}, integrations=Integrations(invoke_lambda=echo_lambda(error=RUNTIME_ERROR)))


def test_caught_function_error_cause_compact_for_invoke_runtime_text_for_a_function_arn():
    invoke = _caught(INVOKE, {"FunctionName": "f"})
    assert invoke.output == {"Error": "Exception", "Cause": json.dumps(json.loads(RUNTIME_ERROR),
                                                                       separators=(",", ":"))}
    plain = _caught(ARN, None)
    assert plain.output == {"Error": "Exception", "Cause": RUNTIME_ERROR}


def test_missing_function_cause_as_recorded():
    def missing(function, payload, invocation_type):
        raise FunctionNotFound(function)

    for fn, arn in (("nope", "arn:aws:lambda:us-east-1:123456789012:function:nope:$LATEST"),
                    ("nope:live", "arn:aws:lambda:us-east-1:123456789012:function:nope:live")):
        ex = execute(machine({"T": {"Type": "Task", "Resource": INVOKE, "Parameters": {"FunctionName": fn},
                                    "End": True}}), {}, integrations=Integrations(invoke_lambda=missing))
        assert ex.error == "Lambda.ResourceNotFoundException"
        assert re.fullmatch(re.escape(f"Function not found: {arn} (Service: AWSLambda; Status Code: 404; Error Code: "
                                      "ResourceNotFoundException; Request ID: ") + r"[0-9a-f-]{36}; Proxy: null\)",
                            ex.cause), ex.cause
    ex = execute(machine({"T": {"Type": "Task", "Resource": ARN, "End": True}}), {})
    assert ex.cause.startswith(f"Function not found: {ARN}:$LATEST (Service: AWSLambda; Status Code: 404;")


def test_output_path_selecting_nothing_is_runtime_with_jayways_detail():
    d = machine({"T": {"Type": "Task", "Resource": ARN, "OutputPath": "$.no.such.result.path",
                       "Catch": [{"ErrorEquals": ["States.Runtime"], "Next": "C"}], "Next": "C"},
                 "C": {"Type": "Pass", "End": True}})
    ex = execute(d, {}, integrations=Integrations(invoke_lambda=echo_lambda()))
    assert (ex.status, ex.error) == ("FAILED", "States.Runtime")
    assert ex.cause == ("An error occurred while executing the state 'T' (entered at the event id #2). "
                        "Invalid path '$.no.such.result.path' : Missing property in path $['no']")
    assert types(ex)[-2:] == ["LambdaFunctionSucceeded", "ExecutionFailed"]
    d = machine({"T": {"Type": "Pass", "OutputPath": "$.NoSuchOutputPath", "End": True}})
    assert execute(d, {}).cause.endswith("Invalid path '$.NoSuchOutputPath' : No results for path: "
                                         "$['NoSuchOutputPath']")


def test_timeout_seconds_path_missing_names_the_bracketed_path():
    d = machine({"T": {"Type": "Task", "Resource": ARN, "TimeoutSecondsPath": "$.NoSuchTimeoutSecondsPath",
                       "End": True}})
    ex = execute(d, {}, integrations=Integrations(invoke_lambda=echo_lambda()))
    assert ex.cause.endswith("Invalid path '$.NoSuchTimeoutSecondsPath' : No results for path: "
                             "$['NoSuchTimeoutSecondsPath']")
