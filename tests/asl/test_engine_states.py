"""Pass, Choice, Wait, Succeed, Fail and the JSONPath input/output pipeline, with AWS's events."""

from __future__ import annotations

import pytest

from sim.asl import InvalidDefinition, execute
from tests.asl.helpers import machine, prevs, types


def test_pass_result_history_shape():
    ex = execute(machine({"A": {"Type": "Pass", "Result": {"Arg1": "argument1"}, "End": True}}), {})
    assert ex.status == "SUCCEEDED" and ex.output == {"Arg1": "argument1"}
    h = ex.history
    assert types(ex) == ["ExecutionStarted", "PassStateEntered", "PassStateExited", "ExecutionSucceeded"]
    assert prevs(ex) == [0, 0, 2, 3]
    assert [e["id"] for e in h] == [1, 2, 3, 4]
    assert h[0]["executionStartedEventDetails"]["input"] == "{}"
    assert h[0]["executionStartedEventDetails"]["inputDetails"] == {"truncated": False}
    assert "roleArn" in h[0]["executionStartedEventDetails"]
    assert h[1]["stateEnteredEventDetails"] == {"name": "A", "input": "{}", "inputDetails": {"truncated": False}}
    assert h[2]["stateExitedEventDetails"]["output"] == '{"Arg1":"argument1"}'
    assert h[3]["executionSucceededEventDetails"]["output"] == '{"Arg1":"argument1"}'
    assert h[0]["timestamp"].tzinfo is not None


def test_input_path_parameters_result_path_output_path():
    d = machine({"A": {"Type": "Pass", "InputPath": "$.in", "Parameters": {"v.$": "$.x", "lit": 1, "ctx.$": "$$.State.Name"},
                       "ResultPath": "$.in.res", "OutputPath": "$.in", "End": True}})
    ex = execute(d, {"in": {"x": 5}, "other": True})
    assert ex.output == {"x": 5, "res": {"v": 5, "lit": 1, "ctx": "A"}}


def test_result_path_null_keeps_raw_input_and_input_path_null_is_empty():
    d = machine({"A": {"Type": "Pass", "InputPath": None, "Parameters": {"a": 1}, "ResultPath": None, "End": True}})
    assert execute(d, {"k": 1}).output == {"k": 1}
    d = machine({"A": {"Type": "Pass", "InputPath": None, "End": True}})
    assert execute(d, {"k": 1}).output == {}
    d = machine({"A": {"Type": "Pass", "OutputPath": None, "End": True}})
    assert execute(d, {"k": 1}).output == {}


def test_parameters_path_missing_is_uncatchable_runtime_error():
    d = machine({"Pick": {"Type": "Pass", "Parameters": {"m.$": "$.nope"}, "End": True}})
    ex = execute(d, {"x": "a"})
    assert ex.status == "FAILED" and ex.error == "States.Runtime"
    assert ex.cause == ("An error occurred while executing the state 'Pick' (entered at the event id #2). "
                        "The JSONPath '$.nope' specified for the field 'm.$' could not be found in the input "
                        "'{\"x\":\"a\"}'")
    assert types(ex) == ["ExecutionStarted", "PassStateEntered", "ExecutionFailed"]
    assert prevs(ex) == [0, 0, 2]


def test_input_path_missing():
    ex = execute(machine({"A": {"Type": "Pass", "InputPath": "$.a.b", "End": True}}), {})
    assert ex.error == "States.Runtime"
    assert "Invalid path '$.a.b' : Missing property in path $['a']" in ex.cause


def test_result_path_match_failure():
    ex = execute(machine({"A": {"Type": "Pass", "Result": 1, "ResultPath": "$.a.b", "End": True}}), {"a": "s"})
    assert ex.status == "FAILED" and ex.error == "States.ResultPathMatchFailure"
    assert ex.cause.startswith("An error occurred while executing the state 'A' (entered at the event id #2).")


def test_choice_rules_default_and_no_match():
    d = machine({
        "C": {"Type": "Choice", "Choices": [
            {"Variable": "$.n", "NumericGreaterThan": 10, "Next": "Big"},
            {"And": [{"Variable": "$.s", "IsPresent": True}, {"Variable": "$.s", "StringMatches": "a*"}], "Next": "A"},
        ], "Default": "Other"},
        "Big": {"Type": "Pass", "Result": "big", "End": True},
        "A": {"Type": "Pass", "Result": "a", "End": True},
        "Other": {"Type": "Pass", "Result": "other", "End": True}})
    assert execute(d, {"n": 11}).output == "big"
    assert execute(d, {"n": 1, "s": "abc"}).output == "a"
    assert execute(d, {"n": 1}).output == "other"
    nodefault = machine({"C": {"Type": "Choice", "Choices": [{"Variable": "$.x", "StringEquals": "never", "Next": "D"}]},
                         "D": {"Type": "Pass", "End": True}})
    ex = execute(nodefault, {"x": "a"})
    assert types(ex) == ["ExecutionStarted", "ChoiceStateEntered", "ExecutionFailed"]
    assert ex.error == "States.Runtime"
    assert ex.cause.endswith("Failed to transition out of the state. The state does not point to a next state.")


def test_choice_missing_variable_is_runtime_error():
    d = machine({"C": {"Type": "Choice", "Choices": [{"Variable": "$.jobs[0].done", "BooleanEquals": True, "Next": "D"}],
                       "Default": "D"}, "D": {"Type": "Succeed"}})
    ex = execute(d, {"jobs": [{}]})
    assert ex.error == "States.Runtime"
    assert "Invalid path '$.jobs[0].done': The choice state's condition path references an invalid value." in ex.cause


def test_wait_uses_virtual_time():
    d = machine({"W": {"Type": "Wait", "Seconds": 86400, "Next": "T"},
                 "T": {"Type": "Wait", "TimestampPath": "$.until", "End": True}}, TimeoutSeconds=604800)
    ex = execute(d, {"until": "2026-01-03T00:00:00Z"})
    assert ex.status == "SUCCEEDED"
    assert (ex.stop_date - ex.start_date).total_seconds() == 2 * 86400
    assert types(ex)[1:5] == ["WaitStateEntered", "WaitStateExited", "WaitStateEntered", "WaitStateExited"]


def test_wait_seconds_path_and_past_timestamp():
    d = machine({"W": {"Type": "Wait", "SecondsPath": "$.s", "Next": "T"},
                 "T": {"Type": "Wait", "Timestamp": "2020-01-01T00:00:00Z", "End": True}})
    ex = execute(d, {"s": 30})
    assert (ex.stop_date - ex.start_date).total_seconds() == 30


def test_execution_timeout():
    d = machine({"W": {"Type": "Wait", "Seconds": 100, "End": True}}, TimeoutSeconds=10)
    ex = execute(d, {})
    # DescribeExecution of a timed-out execution (recorded on AWS) carries neither error nor cause
    assert ex.status == "TIMED_OUT" and ex.error is None and ex.cause is None
    assert types(ex) == ["ExecutionStarted", "WaitStateEntered", "ExecutionTimedOut"]
    assert prevs(ex) == [0, 0, 0] and ex.history[-1]["executionTimedOutEventDetails"] == {}
    assert (ex.stop_date - ex.start_date).total_seconds() == 10


def test_fail_state_error_cause_and_paths():
    ex = execute(machine({"F": {"Type": "Fail", "Error": "SomeFailure", "Cause": "why"}}), {})
    assert (ex.status, ex.error, ex.cause) == ("FAILED", "SomeFailure", "why")
    assert ex.history[-1]["executionFailedEventDetails"] == {"error": "SomeFailure", "cause": "why"}
    assert prevs(ex) == [0, 0, 2]
    ex = execute(machine({"F": {"Type": "Fail"}}), {})
    assert ex.history[-1]["executionFailedEventDetails"] == {}
    ex = execute(machine({"F": {"Type": "Fail", "ErrorPath": "$.Error",
                                "CausePath": "States.Format('custom {} by {}', $.Error, $.Cause)"}}),
                 {"Error": "error string", "Cause": "cause string"})
    assert ex.error == "error string" and ex.cause == "custom error string by cause string"


def test_succeed_and_context_object():
    d = machine({"A": {"Type": "Pass", "Parameters": {"id.$": "$$.Execution.Id", "name.$": "$$.Execution.Name",
                                                      "sm.$": "$$.StateMachine.Name", "t.$": "$$.State.EnteredTime",
                                                      "in.$": "$$.Execution.Input", "rc.$": "$$.State.RetryCount"},
                       "Next": "S"}, "S": {"Type": "Succeed"}})
    ex = execute(d, {"q": 1}, name="run1", state_machine_arn="arn:aws:states:us-east-1:123456789012:stateMachine:Orders")
    assert ex.output == {"id": "arn:aws:states:us-east-1:123456789012:execution:Orders:run1", "name": "run1",
                         "sm": "Orders", "t": "2026-01-01T00:00:00.000Z", "in": {"q": 1}, "rc": 0}
    assert ex.arn.endswith(":execution:Orders:run1")


def test_intrinsics_in_parameters():
    d = machine({"A": {"Type": "Pass", "Parameters": {"f.$": "States.Format('{}-{}', $.a, $.b)",
                                                      "arr.$": "States.Array($.a, 2)"}, "End": True}})
    assert execute(d, {"a": 1, "b": "x"}).output == {"f": "1-x", "arr": [1, 2]}
    ex = execute(machine({"Pick": {"Type": "Pass", "Parameters": {"v.$": "States.Format('{}', $.nope)"}, "End": True}}),
                 {"other": 1})
    assert ex.error == "States.Runtime"
    assert "The function 'States.Format('{}', $.nope)' had the following error:" in ex.cause


def test_invalid_definition_is_refused():
    with pytest.raises(InvalidDefinition):
        execute({"StartAt": "Nope", "States": {"A": {"Type": "Pass", "End": True}}})


def test_definition_as_json_text_and_input_text():
    ex = execute('{"StartAt":"A","States":{"A":{"Type":"Pass","End":true}}}', '{"a": [1, 2.5]}')
    assert ex.output == {"a": [1, 2.5]}


def test_variables_assign_jsonpath():
    d = machine({
        "A": {"Type": "Pass", "Assign": {"x": 1, "y.$": "$.v"}, "Next": "B"},
        "B": {"Type": "Pass", "Parameters": {"x.$": "$x", "y.$": "$y"}, "End": True}})
    ex = execute(d, {"v": "hello"})
    assert ex.output == {"x": 1, "y": "hello"}
    exited = ex.history[2]["stateExitedEventDetails"]
    assert exited["assignedVariables"] == {"x": "1", "y": '"hello"'}


def test_determinism_same_seed_same_history():
    d = machine({"A": {"Type": "Pass", "Parameters": {"u.$": "States.UUID()"}, "End": True}})
    a, b = execute(d, {}, seed=3), execute(d, {}, seed=3)
    assert a.history == b.history and a.output == b.output
    assert execute(d, {}, seed=4).output != a.output
