"""Behaviours copied from executions recorded on AWS (LocalStack snapshot files): States.DataLimitExceeded
(error_handling/test_states_errors) and the Wait causes (base/test_wait)."""

from __future__ import annotations

import json

from sim.asl import execute
from sim.asl.integrations import Integrations
from tests.asl.helpers import machine, prevs, types

INVOKE = "arn:aws:states:::lambda:invoke"
FN_ARN = "arn:aws:lambda:us-east-1:123456789012:function:big"
BIG = "a" * (257 * 1024)


def big_lambda(function, payload, invocation_type):
    return 200, json.dumps(BIG), None, "$LATEST"


def _catching(resource, errors):
    task = {"Type": "Task", "Resource": resource, "Next": "Ok",
            "Catch": [{"ErrorEquals": errors, "Next": "Handle"}]}
    if resource == INVOKE:
        task["Parameters"] = {"FunctionName": "big", "Payload": None}
    return machine({"Call": task, "Ok": {"Type": "Pass", "End": True}, "Handle": {"Type": "Pass", "End": True}},
                   start="Call")


def test_pass_result_over_quota_fails_execution_without_prefix():
    d = machine({"State_1": {"Type": "Pass", "Result": {"Arg1": BIG}, "End": True}})
    ex = execute(d, {})
    assert ex.status == "FAILED"
    assert ex.error == "States.DataLimitExceeded"
    assert ex.cause == ("The state/task 'State_1' returned a result with a size exceeding the maximum number "
                        "of bytes service limit.")
    assert types(ex) == ["ExecutionStarted", "PassStateEntered", "ExecutionFailed"]
    assert prevs(ex) == [0, 0, 2]


def test_lambda_invoke_result_over_quota_caught_by_states_all():
    for errors in (["States.ALL"], ["States.DataLimitExceeded"]):
        ex = execute(_catching(INVOKE, errors), {}, integrations=Integrations(invoke_lambda=big_lambda))
        assert ex.status == "SUCCEEDED"
        cause = "The state/task 'lambda' returned a result with a size exceeding the maximum number of bytes service limit."
        assert ex.output == {"Error": "States.DataLimitExceeded", "Cause": cause}
        assert types(ex) == ["ExecutionStarted", "TaskStateEntered", "TaskScheduled", "TaskStarted", "TaskFailed",
                             "TaskStateExited", "PassStateEntered", "PassStateExited", "ExecutionSucceeded"]
        failed = ex.history[4]["taskFailedEventDetails"]
        assert failed["error"] == "States.DataLimitExceeded" and failed["cause"] == cause
        assert failed["resourceType"] == "lambda" and failed["resource"] == "invoke"


def test_plain_lambda_result_over_quota_names_the_function_arn():
    ex = execute(_catching(FN_ARN, ["States.ALL"]), {}, integrations=Integrations(invoke_lambda=big_lambda))
    assert ex.status == "SUCCEEDED"
    assert ex.output["Cause"] == (f"The state/task '{FN_ARN}' returned a result with a size exceeding the "
                                  "maximum number of bytes service limit.")
    assert "LambdaFunctionFailed" in types(ex)


# --- Wait: TimestampPath / SecondsPath causes (recorded: LocalStack base/test_wait.snapshot.json) ---

WAIT_TS = machine({"State_1": {"Type": "Wait", "TimestampPath": "$.start_at", "End": True}})
WAIT_SECS = machine({"P": {"Type": "Wait", "SecondsPath": "$.a", "End": True}})


def test_timestamppath_without_offset_is_a_runtime_error():
    for suffix in ("", ".000", ".000000"):
        value = "2026-01-01T00:00:05" + suffix
        ex = execute(WAIT_TS, {"start_at": value})
        assert ex.status == "FAILED" and ex.error == "States.Runtime"
        assert ex.cause == ("An error occurred while executing the state 'State_1' (entered at the event id #2). "
                            "The TimestampPath parameter does not reference a valid ISO-8601 extended offset "
                            f"date-time format string: $.start_at == {value}")
        assert types(ex) == ["ExecutionStarted", "WaitStateEntered", "ExecutionFailed"]


def test_timestamppath_with_offset_and_any_fraction_waits():
    for suffix, seconds in (("Z", 5), (".00Z", 5), (".0000000Z", 5), (".5+01:00", None)):
        ex = execute(WAIT_TS, {"start_at": "2026-01-01T00:00:05" + suffix})
        assert ex.status == "SUCCEEDED", suffix
        if seconds is not None:
            assert ex.history[-1]["timestamp"].second == seconds


def test_secondspath_bad_values_name_the_path_and_value():
    prefix = "An error occurred while executing the state 'P' (entered at the event id #2). "
    for value, text in ((1.5, "cannot be parsed as a long value: $.a == 1.5"),
                        ("x", "cannot be parsed as a long value: $.a == x"),
                        (-1, "references a negative value: $.a == -1")):
        ex = execute(WAIT_SECS, {"a": value})
        assert ex.error == "States.Runtime"
        assert ex.cause == prefix + "The SecondsPath parameter " + text
