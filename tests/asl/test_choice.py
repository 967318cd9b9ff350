"""Choice rules in JSONPath mode: each operator and its Path form, type tests, errors, boolean algebra."""

from __future__ import annotations

import fnmatch
import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sim.asl.choice import choose, evaluate_rule, parse_timestamp, string_matches, validate_pattern
from sim.asl.errors import StatesError

DATA = {
    "s": "MyString", "n": 10, "f": 2.5, "b": True, "nil": None, "ts": "2001-01-01T12:00:00Z",
    "ts_off": "2001-01-01T13:00:00+01:00", "ts_frac": "2001-01-01T12:00:00.5Z", "file": "log-2024.txt",
    "other": {"s": "MyString", "n": 10, "ts": "2001-01-01T12:00:01Z", "b": True},
}
CTX = {"Execution": {"Name": "run-7"}}
VARS = {"limit": 5, "mode": "fast"}


def rule(op, value, variable="$.s"):
    return {"Variable": variable, op: value, "Next": "X"}


def ok(r):
    return evaluate_rule(r, DATA, CTX, VARS)


@pytest.mark.parametrize(("op", "value", "variable", "expected"), [
    ("StringEquals", "MyString", "$.s", True),
    ("StringEquals", "mystring", "$.s", False),
    ("StringLessThan", "MyStringABC", "$.s", True),
    ("StringGreaterThan", "MyStringABC", "$.s", False),
    ("StringLessThanEquals", "MyString", "$.s", True),
    ("StringGreaterThanEquals", "MyString", "$.s", True),
    ("NumericEquals", 10, "$.n", True),
    ("NumericEquals", 10.0, "$.n", True),
    ("NumericLessThan", 11, "$.n", True),
    ("NumericGreaterThan", 2, "$.f", True),
    ("NumericLessThanEquals", 2.5, "$.f", True),
    ("NumericGreaterThanEquals", 10.5, "$.n", False),
    ("BooleanEquals", True, "$.b", True),
    ("BooleanEquals", False, "$.b", False),
    ("TimestampEquals", "2001-01-01T12:00:00Z", "$.ts", True),
    ("TimestampEquals", "2001-01-01T12:00:00Z", "$.ts_off", True),
    ("TimestampLessThan", "2001-01-01T12:00:00.6Z", "$.ts_frac", True),
    ("TimestampGreaterThan", "2001-01-01T12:00:00Z", "$.ts_frac", True),
    ("TimestampLessThanEquals", "2001-01-01T12:00:00Z", "$.ts", True),
    ("TimestampGreaterThanEquals", "2001-01-01T12:00:01Z", "$.ts", False),
    ("StringMatches", "log-*.txt", "$.file", True),
    ("StringMatches", "log-*.csv", "$.file", False),
    ("StringEquals", "run-7", "$$.Execution.Name", True),
    ("NumericLessThan", 6, "$limit", True),
    ("StringEquals", "fast", "$mode", True),
])
def test_comparisons(op, value, variable, expected):
    assert ok(rule(op, value, variable)) is expected


@pytest.mark.parametrize(("op", "variable", "expected"), [
    ("StringEqualsPath", "$.s", True), ("NumericEqualsPath", "$.n", True), ("BooleanEqualsPath", "$.b", True),
    ("TimestampLessThanPath", "$.ts", True), ("TimestampGreaterThanEqualsPath", "$.ts", False),
    ("NumericGreaterThanPath", "$.n", False), ("StringLessThanEqualsPath", "$.s", True),
])
def test_path_comparisons(op, variable, expected):
    field = {"StringEqualsPath": "s", "NumericEqualsPath": "n", "BooleanEqualsPath": "b"}.get(op, "ts")
    if op.startswith("Numeric"):
        field = "n"
    if op.startswith("String"):
        field = "s"
    assert ok(rule(op, f"$.other.{field}", variable)) is expected
    assert ok(rule("NumericGreaterThanPath", "$limit", "$.n")) is True


@pytest.mark.parametrize(("op", "value", "variable"), [
    ("NumericEquals", 10, "$.s"), ("StringEquals", "10", "$.n"), ("BooleanEquals", True, "$.s"),
    ("TimestampEquals", "2001-01-01T12:00:00Z", "$.s"), ("StringMatches", "*", "$.n"),
    ("NumericEquals", 1, "$.b"), ("StringEquals", "x", "$.nil"),
])
def test_type_mismatch_is_false(op, value, variable):
    assert ok(rule(op, value, variable)) is False


@pytest.mark.parametrize(("op", "variable", "expected"), [
    ("IsNull", "$.nil", True), ("IsNull", "$.s", False), ("IsNumeric", "$.f", True), ("IsNumeric", "$.b", False),
    ("IsString", "$.s", True), ("IsString", "$.nil", False), ("IsBoolean", "$.b", True),
    ("IsBoolean", "$.n", False), ("IsTimestamp", "$.ts", True), ("IsTimestamp", "$.s", False),
    ("IsPresent", "$.nil", True), ("IsPresent", "$.missing", False), ("IsPresent", "$.other.deep.x", False),
])
def test_type_tests(op, variable, expected):
    assert ok(rule(op, True, variable)) is expected
    assert ok(rule(op, False, variable)) is (not expected)


def test_missing_variable_is_a_runtime_error():
    with pytest.raises(StatesError) as info:
        ok(rule("StringEquals", "x", "$.missing"))
    assert info.value.error == "States.Runtime"
    assert info.value.cause == ("Invalid path '$.missing': The choice state's condition path references an "
                                "invalid value.")
    with pytest.raises(StatesError):
        ok(rule("IsNull", True, "$.missing"))
    with pytest.raises(StatesError) as info:
        ok(rule("StringEqualsPath", "$.nope", "$.s"))
    assert "'$.nope'" in info.value.cause


def test_is_present_guards_the_rest_of_an_and():
    guarded = {"And": [rule("IsPresent", True, "$.missing"), rule("StringEquals", "foo", "$.missing")], "Next": "X"}
    assert ok(guarded) is False


def test_logical_operators():
    t, f = rule("StringEquals", "MyString"), rule("StringEquals", "other")
    assert ok({"And": [t, t], "Next": "X"}) is True
    assert ok({"And": [t, f], "Next": "X"}) is False
    assert ok({"Or": [f, t], "Next": "X"}) is True
    assert ok({"Or": [f, f], "Next": "X"}) is False
    assert ok({"Not": f, "Next": "X"}) is True
    assert ok({"Not": {"Not": t}, "Next": "X"}) is True


def test_choose_returns_first_match_or_none():
    state = {"Type": "Choice", "Choices": [
        {"Not": rule("StringEquals", "MyString"), "Next": "A"},
        {"Variable": "$.n", "NumericGreaterThan": 5, "Next": "B"},
        {"Variable": "$.n", "NumericGreaterThan": 1, "Next": "C"},
    ], "Default": "D"}
    assert choose(state, DATA, CTX, VARS) == "B"
    assert choose({"Choices": [rule("StringEquals", "zzz")]}, DATA, CTX, VARS) is None


def test_choose_jsonata_condition():
    state = {"Choices": [{"Condition": "{% false %}", "Next": "A"}, {"Condition": "{% true %}", "Next": "B"}]}
    assert choose(state, {}, {}, {}, evaluate_condition=lambda e: e == "{% true %}") == "B"
    with pytest.raises(StatesError) as info:
        choose(state, {}, {}, {}, evaluate_condition=lambda e: "yes")
    assert info.value.error == "States.QueryEvaluationError"


@pytest.mark.parametrize(("text", "valid"), [
    ("2016-08-18T17:33:00Z", True), ("2016-08-18T17:33:00.123456789Z", True), ("2016-08-18T17:33:00+05:30", True),
    ("2016-08-18t17:33:00Z", False), ("2016-08-18T17:33:00z", False), ("2016-08-18T17:33Z", False),
    ("2016-08-18 17:33:00Z", False), ("2016-02-30T00:00:00Z", False), ("2016-08-18T17:33:00", False),
    ("2016-08-18T25:00:00Z", False), (12, False),
])
def test_timestamp_formats(text, valid):
    assert (parse_timestamp(text) is not None) is valid


def test_string_matches_escapes():
    assert string_matches("a*b", r"a\*b")
    assert not string_matches("axb", r"a\*b")
    assert string_matches("a\\b", r"a\\b")
    assert string_matches("", "*")
    assert string_matches("line\nbreak", "line*")
    assert validate_pattern(r"bad\q") is not None
    assert validate_pattern(r"ok\*\\") is None


# ---------------------------------------------------------------- properties

numbers = st.integers(-100, 100) | st.floats(-100, 100, allow_nan=False)


@settings(max_examples=80, deadline=None)
@given(a=numbers, b=numbers)
def test_numeric_comparisons_agree_with_python(a, b):
    data = {"a": a, "b": b}
    pairs = {"Equals": a == b, "LessThan": a < b, "GreaterThan": a > b, "LessThanEquals": a <= b,
             "GreaterThanEquals": a >= b}
    for kind, expected in pairs.items():
        assert evaluate_rule({"Variable": "$.a", f"Numeric{kind}": b}, data, {}, {}) is expected
        assert evaluate_rule({"Variable": "$.a", f"Numeric{kind}Path": "$.b"}, data, {}, {}) is expected


@settings(max_examples=80, deadline=None)
@given(a=st.text(alphabet="ab", max_size=4), b=st.text(alphabet="ab", max_size=4))
def test_string_comparisons_agree_with_python(a, b):
    data = {"a": a}
    assert evaluate_rule({"Variable": "$.a", "StringLessThan": b}, data, {}, {}) is (a < b)
    assert evaluate_rule({"Variable": "$.a", "StringGreaterThanEquals": b}, data, {}, {}) is (a >= b)


@settings(max_examples=100, deadline=None)
@given(value=st.text(alphabet="ab*\\.", max_size=8), pattern=st.text(alphabet="ab*.", max_size=6))
def test_string_matches_agrees_with_fnmatch(value, pattern):
    # Without escapes a pattern is an fnmatch pattern whose only wildcard is '*'.
    expected = re.fullmatch(fnmatch.translate(pattern), value, re.DOTALL) is not None
    assert string_matches(value, pattern) is expected


booleans = st.booleans()


def leaf(v: bool) -> dict:
    return {"Variable": "$.t", "BooleanEquals": v}


@st.composite
def rules(draw, depth=3):
    if depth == 0 or draw(st.booleans()):
        v = draw(booleans)
        return leaf(v), v
    kind = draw(st.sampled_from(["And", "Or", "Not"]))
    if kind == "Not":
        inner, v = draw(rules(depth=depth - 1))
        return {"Not": inner}, not v
    parts = draw(st.lists(rules(depth=depth - 1), min_size=1, max_size=3))
    values = [p[1] for p in parts]
    return {kind: [p[0] for p in parts]}, all(values) if kind == "And" else any(values)


@settings(max_examples=80, deadline=None)
@given(pair=rules())
def test_boolean_algebra(pair):
    r, expected = pair
    assert evaluate_rule(r, {"t": True}, {}, {}) is expected
    assert evaluate_rule({"Not": r}, {"t": True}, {}, {}) is (not expected)
    assert evaluate_rule({"And": [r, {"Not": r}]}, {"t": True}, {}, {}) is False
    assert evaluate_rule({"Or": [r, {"Not": r}]}, {"t": True}, {}, {}) is True
