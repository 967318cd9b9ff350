"""Definition validation: AWS's problem codes, wording and locations; robustness on random JSON."""

from __future__ import annotations

import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sim.asl.errors import InvalidDefinition
from sim.asl.validate import problems, validate


def machine(states: dict, start: str | None = None, **top) -> dict:
    return {"StartAt": start or next(iter(states)), "States": states, **top}


def one(state: dict, **top) -> dict:
    return machine({"S": state}, **top)


def probs(definition) -> list[str]:
    return problems(definition)


VALID = {
    "Comment": "everything",
    "StartAt": "P",
    "TimeoutSeconds": 60,
    "Version": "1.0",
    "States": {
        "P": {"Type": "Pass", "Result": {"a": 1}, "ResultPath": "$.r", "Next": "T"},
        "T": {"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke",
              "Parameters": {"FunctionName": "f", "Payload.$": "$", "Id.$": "States.UUID()", "Ctx.$": "$$.Execution.Id"},
              "ResultSelector": {"body.$": "$.Payload"}, "TimeoutSeconds": 30, "HeartbeatSeconds": 10,
              "Retry": [{"ErrorEquals": ["Lambda.ServiceException"], "IntervalSeconds": 2, "MaxAttempts": 3,
                         "BackoffRate": 2.0, "MaxDelaySeconds": 10, "JitterStrategy": "FULL"},
                        {"ErrorEquals": ["States.ALL"]}],
              "Catch": [{"ErrorEquals": ["States.ALL"], "ResultPath": "$.error", "Next": "F"}],
              "Assign": {"count.$": "$.r.a", "fixed": 1}, "Next": "C"},
        "C": {"Type": "Choice", "Choices": [
            {"And": [{"Variable": "$.x", "IsPresent": True}, {"Variable": "$.x", "NumericGreaterThanPath": "$count"}],
             "Next": "W"},
            {"Not": {"Variable": "$$.Execution.Name", "StringMatches": "test-*"}, "Next": "M"},
        ], "Default": "Par"},
        "W": {"Type": "Wait", "Seconds": 5, "Next": "M"},
        "M": {"Type": "Map", "ItemsPath": "$.items", "ItemSelector": {"v.$": "$$.Map.Item.Value"},
              "MaxConcurrency": 2, "ItemProcessor": {
                  "ProcessorConfig": {"Mode": "INLINE"}, "StartAt": "I",
                  "States": {"I": {"Type": "Pass", "End": True}}}, "Next": "Par"},
        "Par": {"Type": "Parallel", "Branches": [
            {"StartAt": "B1", "States": {"B1": {"Type": "Succeed"}}},
            {"StartAt": "B2", "States": {"B2": {"Type": "Wait", "Timestamp": "2030-01-01T00:00:00Z", "End": True}}},
        ], "Next": "Done"},
        "Done": {"Type": "Succeed", "OutputPath": "$.r"},
        "F": {"Type": "Fail", "ErrorPath": "$.error.Error", "CausePath": "States.Format('oops {}', $.error.Cause)"},
    },
}


def test_a_rich_valid_definition_passes():
    assert validate(VALID) is VALID
    assert validate(json.dumps(VALID)) == VALID


def test_jsonata_definition_passes():
    d = {"QueryLanguage": "JSONata", "StartAt": "T", "States": {
        "T": {"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke",
              "Arguments": {"FunctionName": "f", "Payload": "{% $states.input %}"},
              "Output": "{% $states.result.Payload %}", "Assign": {"x": "{% $states.input.a %}"},
              "TimeoutSeconds": "{% $timeout %}", "Next": "C"},
        "C": {"Type": "Choice", "Choices": [{"Condition": "{% $x > 1 %}", "Next": "M"}], "Default": "M"},
        "M": {"Type": "Map", "Items": "{% $states.input.items %}", "ItemProcessor": {
            "StartAt": "I", "States": {"I": {"Type": "Pass", "Output": "{% $states.input %}", "End": True}}},
            "End": True},
    }}
    assert validate(d) is d


def test_invalid_json():
    with pytest.raises(InvalidDefinition) as info:
        validate('{"StartAt": "A", }')
    (problem,) = info.value.problems
    assert problem.startswith("INVALID_JSON_DESCRIPTION: Invalid JSON: ")
    assert "at line 1, column" in problem


def test_missing_transition_target_and_end_state():
    assert probs(machine({"A": {"Type": "Pass", "Next": "NOPE"}})) == [
        "MISSING_TRANSITION_TARGET: Missing 'Next' target: NOPE at /States/A/Next",
        "MISSING_END_STATE: Workflow has no terminal state at null",
    ]


def test_unreachable_state():
    d = machine({"pass1": {"Type": "Pass", "Next": "pass3"}, "pass2": {"Type": "Pass", "End": True}})
    assert probs(d) == [
        "MISSING_TRANSITION_TARGET: Missing 'Next' target: pass3 at /States/pass1/Next",
        'MISSING_TRANSITION_TARGET: State "pass2" is not reachable. at /States/pass2',
    ]


def test_no_terminal_state_suppresses_reachability():
    loop = {"A": {"Type": "Pass", "Next": "B"}, "B": {"Type": "Pass", "Next": "A"}}
    assert probs(machine({**loop, "C": {"Type": "Pass", "Next": "A"}})) == [
        "MISSING_END_STATE: Workflow has no terminal state at null"]
    assert probs(machine({**loop, "C": {"Type": "Pass", "End": True}})) == [
        'MISSING_TRANSITION_TARGET: State "C" is not reachable. at /States/C']


def test_dangling_targets_everywhere_say_next():
    d = machine({
        "C": {"Type": "Choice", "Choices": [{"Variable": "$.a", "IsNull": True, "Next": "X1"}], "Default": "X2"},
    })
    d["States"]["T"] = {"Type": "Task", "Resource": "r", "Catch": [{"ErrorEquals": ["States.ALL"], "Next": "X3"}],
                        "End": True}
    found = probs(d)
    assert "MISSING_TRANSITION_TARGET: Missing 'Next' target: X1 at /States/C/Choices[0]/Next" in found
    assert "MISSING_TRANSITION_TARGET: Missing 'Next' target: X2 at /States/C/Default" in found
    assert "MISSING_TRANSITION_TARGET: Missing 'Next' target: X3 at /States/T/Catch[0]/Next" in found
    assert probs(machine({"A": {"Type": "Succeed"}}, start="Z")) == [
        "MISSING_TRANSITION_TARGET: Missing 'Next' target: Z at /StartAt"]


def test_required_and_unsupported_fields():
    assert probs({"States": {"A": {"Type": "Succeed"}}}) == [
        "SCHEMA_VALIDATION_FAILED: These fields are required: [StartAt] at /"]
    assert probs({"StartAt": "A", "States": {"A": {"Type": "Succeed"}}, "Coment": "x"}) == [
        "SCHEMA_VALIDATION_FAILED: Field 'Coment' is not supported at /"]
    for kind in ("Pass", "Wait", "Choice", "Succeed", "Fail", "Map", "Parallel"):
        assert "SCHEMA_VALIDATION_FAILED: Field 'TimeoutSeconds' is not supported at /States/S" in probs(
            one({"Type": kind, "TimeoutSeconds": 5}))
    for kind in ("Pass", "Wait", "Choice", "Succeed", "Fail"):
        assert "SCHEMA_VALIDATION_FAILED: Field 'Catch' is not supported at /States/S" in probs(
            one({"Type": kind, "Catch": []}))
    assert "SCHEMA_VALIDATION_FAILED: These fields are required: [Type] at /States/S" in probs(one({"End": True}))
    assert "SCHEMA_VALIDATION_FAILED: These fields are required: [Resource] at /States/S" in probs(
        one({"Type": "Task", "End": True}))


def test_next_and_end():
    assert probs(one({"Type": "Pass", "Next": "S", "End": True}))
    assert probs(one({"Type": "Pass"}))[0] == "SCHEMA_VALIDATION_FAILED: These fields are required: [Next] at /States/S"
    assert "SCHEMA_VALIDATION_FAILED: Field 'End' is not supported at /States/S" in probs(
        one({"Type": "Succeed", "End": True}))
    assert "SCHEMA_VALIDATION_FAILED: The value for the field 'Next' must be a STRING at /States/S/Next" in probs(
        machine({"S": {"Type": "Pass", "Next": 3}, "E": {"Type": "Succeed"}}))


def test_query_language_fields():
    assert ("SCHEMA_VALIDATION_FAILED: The QueryLanguage is set to 'JSONPath', but field 'Output' is only "
            "supported for the 'JSONata' QueryLanguage at /States/S") in probs(one({"Type": "Pass", "Output": 1,
                                                                                   "End": True}))
    jsonata = one({"Type": "Pass", "InputPath": "$", "Parameters": {}, "End": True}, QueryLanguage="JSONata")
    found = probs(jsonata)
    assert any("field 'InputPath' is only supported for the 'JSONPath' QueryLanguage" in p for p in found)
    assert any("field 'Parameters' is only supported" in p for p in found)
    assert ("SCHEMA_VALIDATION_FAILED: 'QueryLanguage' can not be 'JSONPath' if set to 'JSONata' for whole state "
            "machine at /States/S") in probs(one({"Type": "Pass", "QueryLanguage": "JSONPath", "End": True},
                                                 QueryLanguage="JSONata"))
    assert probs(one({"Type": "Pass", "QueryLanguage": "JSONata", "Output": "{% 1 %}", "End": True})) == []
    m = one({"Type": "Map", "End": True, "ItemProcessor": {
        "QueryLanguage": "JSONata", "StartAt": "I", "States": {"I": {"Type": "Succeed"}}}})
    assert "SCHEMA_VALIDATION_FAILED: Field 'QueryLanguage' is not supported at /States/S/ItemProcessor" in probs(m)


def test_jsonata_expressions_must_parse():
    d = one({"Type": "Pass", "Output": {"v": "{% 1 + %}"}, "End": True}, QueryLanguage="JSONata")
    assert probs(d) == ["INVALID_JSONATA_EXPRESSION: Unexpected end of expression at /States/S/Output/v"]


def test_paths_and_templates():
    assert probs(one({"Type": "Pass", "OutputPath": "Test", "End": True})) == [
        "SCHEMA_VALIDATION_FAILED: Value must be a valid JSONPath. at /States/S/OutputPath"]
    assert probs(one({"Type": "Pass", "InputPath": None, "ResultPath": None, "End": True})) == []
    assert probs(one({"Type": "Pass", "ResultPath": "$.a[*]", "End": True}))[0].startswith(
        "SCHEMA_VALIDATION_FAILED: Value is not a Reference Path")
    assert probs(one({"Type": "Pass", "Assign": {"Variable.$": "Test"}, "End": True})) == [
        "SCHEMA_VALIDATION_FAILED: The value for the field 'Variable.$' must be a valid JSONPath or a valid "
        "intrinsic function call at /States/S/Assign"]
    nested = one({"Type": "Pass", "Parameters": {"a": {"b": [{"c.$": "States.Nope()"}]}}, "End": True})
    assert probs(nested) == [
        "SCHEMA_VALIDATION_FAILED: The value for the field 'c.$' must be a valid JSONPath or a valid intrinsic "
        "function call at /States/S/Parameters/a/b[0]"]
    assert probs(one({"Type": "Pass", "Parameters": {"ok.$": "States.Format('{}', $var)"}, "End": True})) == []


def test_retry_and_catch():
    def task(**extra):
        return one({"Type": "Task", "Resource": "r", "End": True, **extra})

    assert probs(task(Retry=[{"ErrorEquals": []}]))
    assert probs(task(Retry=[{"ErrorEquals": ["States.ALL", "X"]}]))
    assert probs(task(Retry=[{"ErrorEquals": ["States.ALL"]}, {"ErrorEquals": ["X"]}]))
    assert probs(task(Retry=[{"ErrorEquals": ["X"], "MaxAttempts": -1}]))
    assert probs(task(Retry=[{"ErrorEquals": ["X"], "BackoffRate": 0.5}]))
    assert probs(task(Retry=[{"ErrorEquals": ["X"], "IntervalSeconds": 0}]))
    assert probs(task(Retry=[{"ErrorEquals": ["X"], "JitterStrategy": "SOME"}]))
    assert probs(task(Retry=[{"ErrorEquals": ["X"], "MaxAttempts": 0}])) == []
    assert probs(task(Catch=[{"ErrorEquals": ["X"]}])) == [
        "SCHEMA_VALIDATION_FAILED: These fields are required: [Next] at /States/S/Catch[0]"]


def test_state_specific_rules():
    assert probs(one({"Type": "Wait", "End": True}))
    assert probs(one({"Type": "Wait", "Seconds": 1, "SecondsPath": "$.s", "End": True}))
    assert probs(one({"Type": "Wait", "Timestamp": "tomorrow", "End": True}))
    assert probs(one({"Type": "Fail", "Error": "E", "ErrorPath": "$.e"}))
    assert probs(one({"Type": "Fail", "Cause": "C", "CausePath": "$.c"}))
    assert probs(one({"Type": "Task", "Resource": "r", "TimeoutSeconds": 5, "TimeoutSecondsPath": "$.t",
                      "End": True}))
    assert probs(one({"Type": "Task", "Resource": "r", "TimeoutSeconds": 5, "HeartbeatSeconds": 5, "End": True}))
    assert probs(one({"Type": "Task", "Resource": 5, "End": True}))
    assert probs(one({"Type": "Choice", "Choices": []}))
    assert probs(one({"Type": "Parallel", "Branches": [], "End": True}))
    assert probs(one({"Type": "Map", "End": True}))
    assert probs(one({"Type": "Map", "MaxConcurrency": 1, "MaxConcurrencyPath": "$.m", "End": True,
                      "Iterator": {"StartAt": "I", "States": {"I": {"Type": "Succeed"}}}}))
    assert probs(one({"Type": "Map", "End": True, "ItemProcessor": {
        "ProcessorConfig": {"Mode": "SIDEWAYS"}, "StartAt": "I", "States": {"I": {"Type": "Succeed"}}}}))
    assert probs(one({"Type": "Map", "End": True, "ToleratedFailurePercentage": 101, "ItemProcessor": {
        "StartAt": "I", "States": {"I": {"Type": "Succeed"}}}}))


def test_choice_rules():
    def choice_state(*rules):
        return machine({"C": {"Type": "Choice", "Choices": list(rules), "Default": "E"}, "E": {"Type": "Succeed"}})

    assert probs(choice_state({"Variable": "Test", "StringEquals": "x", "Next": "E"})) == [
        "SCHEMA_VALIDATION_FAILED: Value is not a Reference Path: Reference path didn't start with '$' at "
        "/States/C/Choices[0]/Variable"]
    assert probs(choice_state({"Variable": "$", "StringMatches": "Test"})) == [
        "SCHEMA_VALIDATION_FAILED: These fields are required: [Next] at /States/C/Choices[0]"]
    assert probs(choice_state({"Variable": "$.a", "StringEquals": "x", "NumericEquals": 1, "Next": "E"}))
    assert probs(choice_state({"Variable": "$.a", "NumericEquals": "1", "Next": "E"}))
    assert probs(choice_state({"Variable": "$.a", "TimestampEquals": "yesterday", "Next": "E"}))
    assert probs(choice_state({"Variable": "$.a", "IsNull": "yes", "Next": "E"}))
    assert probs(choice_state({"Variable": "$.a", "StringMatches": "bad\\q", "Next": "E"}))
    assert probs(choice_state({"StringEquals": "x", "Next": "E"}))
    assert probs(choice_state({"And": [], "Next": "E"}))
    assert probs(choice_state({"Not": {"Variable": "$.a", "IsNull": True, "Next": "E"}, "Next": "E"}))
    assert probs(choice_state({"Variable": "$var.x", "StringEqualsPath": "$$.Execution.Name", "Next": "E"})) == []


def test_nested_machines_are_validated_with_their_paths():
    d = one({"Type": "Parallel", "End": True, "Branches": [
        {"StartAt": "A", "States": {"A": {"Type": "Pass", "Next": "Gone"}}}]})
    found = probs(d)
    assert "MISSING_TRANSITION_TARGET: Missing 'Next' target: Gone at /States/S/Branches[0]/States/A/Next" in found
    dup = machine({"A": {"Type": "Parallel", "End": True, "Branches": [
        {"StartAt": "A", "States": {"A": {"Type": "Succeed"}}}]}})
    assert any(p.startswith("DUPLICATE_STATE_NAME") for p in probs(dup))


def test_reports_every_problem():
    d = machine({"A": {"Type": "Pass", "Next": "B", "Bogus": 1, "OutputPath": "x"},
                 "B": {"Type": "Wait", "End": True}, "C": {"Type": "Nope"}})
    with pytest.raises(InvalidDefinition) as info:
        validate(d)
    assert len(info.value.problems) >= 4
    assert "errors" in str(info.value)


# ---------------------------------------------------------------- properties

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=8),
    lambda c: st.lists(c, max_size=4) | st.dictionaries(
        st.sampled_from(["Type", "Next", "End", "States", "StartAt", "Choices", "Variable", "Branches",
                         "ItemProcessor", "Retry", "Catch", "ErrorEquals", "Parameters", "x.$", "QueryLanguage",
                         "Pass", "Task", "Choice", "A", "B"]) | st.text(max_size=5), c, max_size=5),
    max_leaves=25,
)
state_types = st.sampled_from(["Pass", "Task", "Choice", "Wait", "Succeed", "Fail", "Parallel", "Map"])


@st.composite
def near_definitions(draw):
    names = draw(st.lists(st.sampled_from(["A", "B", "C", "D"]), min_size=1, max_size=4, unique=True))
    states = {}
    for name in names:
        state = draw(st.dictionaries(st.text(max_size=5), json_values, max_size=3))
        state["Type"] = draw(state_types)
        if draw(st.booleans()):
            state["Next"] = draw(st.sampled_from(names + ["Z"]))
        else:
            state["End"] = draw(st.booleans())
        states[name] = state
    return {"StartAt": draw(st.sampled_from(names + ["Z"])), "States": states}


@settings(max_examples=75, deadline=None)
@given(doc=json_values | near_definitions())
def test_validate_never_crashes(doc):
    for candidate in (doc, json.dumps(doc)):
        try:
            assert validate(candidate) is not None
        except InvalidDefinition as exc:
            assert exc.problems and all(isinstance(p, str) and " at " in p for p in exc.problems)


@settings(max_examples=50, deadline=None)
@given(text=st.text(max_size=30))
def test_validate_never_crashes_on_text(text):
    try:
        validate(text)
    except InvalidDefinition as exc:
        assert exc.problems
