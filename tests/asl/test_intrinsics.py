"""Intrinsic functions: the examples of the AWS developer guide, failures, and properties against Python."""

from __future__ import annotations

import base64
import hashlib
import json
import random
import uuid

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sim.asl.errors import StatesError
from sim.asl.intrinsics import IntrinsicError, evaluate, is_intrinsic, parse

CONTEXT = {"Execution": {"Id": "arn:aws:states:us-east-1:123456789012:execution:sm:run-1"}}


def ev(expr, data=None, variables=None, seed=0):
    return evaluate(expr, data if data is not None else {}, CONTEXT, variables or {}, random.Random(seed))


def fails(expr, data=None, error="States.IntrinsicFailure") -> str:
    with pytest.raises(StatesError) as info:
        ev(expr, data)
    assert info.value.error == error
    assert isinstance(info.value, IntrinsicError)
    assert info.value.cause.startswith("The function '")
    return info.value.cause


# ---------------------------------------------------------------- the developer guide's examples


def test_format_examples():
    data = {"name": "Arnav", "template": "Hello, my name is {}."}
    assert ev("States.Format('Hello, my name is {}.', $.name)", data) == "Hello, my name is Arnav."
    assert ev("States.Format($.template, $.name)", data) == "Hello, my name is Arnav."


def test_format_renders_values_like_java():
    data = {"i": 3, "f": 1.5, "big": 1e20, "b": True, "n": None, "l": [1, "a"], "o": {"k": "v", "n": [2]}}
    assert ev("States.Format('{} {} {} {} {}', $.i, $.f, $.b, $.n, $.big)", data) == "3 1.5 true null 1.0E20"
    assert ev("States.Format('{}|{}', $.l, $.o)", data) == "[1, a]|{k=v, n=[2]}"


def test_string_literal_escapes():
    assert ev(r"States.Format('it\'s \{literal\} {}', 'x')") == "it's {literal} x"
    assert ev(r"States.Array('back\\slash')") == ["back\\slash"]
    with pytest.raises(ValueError):
        parse(r"States.Array('bad \n escape')")


def test_json_round_trip_examples():
    assert ev("States.StringToJson($.s)", {"s": '{"foo": "bar"}'}) == {"foo": "bar"}
    assert ev("States.JsonToString($.o)", {"o": {"foo": "bar"}}) == '{"foo":"bar"}'
    assert "StringToJson" in fails("States.StringToJson($.s)", {"s": "{not json"})


def test_array_examples():
    arr = {"inputArray": [1, 2, 3, 4, 5, 6, 7, 8, 9]}
    assert ev("States.Array($.Id)", {"Id": 123456}) == [123456]
    assert ev("States.Array()") == []
    assert ev("States.ArrayPartition($.inputArray, 4)", arr) == [[1, 2, 3, 4], [5, 6, 7, 8], [9]]
    assert ev("States.ArrayContains($.inputArray, 5)", arr) is True
    assert ev("States.ArrayContains($.inputArray, '5')", arr) is False
    assert ev("States.ArrayRange(1, 9, 2)") == [1, 3, 5, 7, 9]
    assert ev("States.ArrayRange(9, 1, -3)") == [9, 6, 3]
    assert ev("States.ArrayGetItem($.inputArray, 5)", arr) == 6
    assert ev("States.ArrayLength($.inputArray)", arr) == 9
    assert ev("States.ArrayUnique($.a)", {"a": [1, 2, 3, 3, 3, 3, 3, 3, 4]}) == [1, 2, 3, 4]
    assert ev("States.ArrayUnique($.a)", {"a": [{"x": 1}, {"x": 1}, [1], [1], True, 1]}) == [{"x": 1}, [1], True, 1]


def test_array_failures():
    assert "1000" in fails("States.ArrayRange(1, 2000, 1)")
    assert len(ev("States.ArrayRange(1, 1000, 1)")) == 1000
    fails("States.ArrayRange(1, 5, 0)")
    fails("States.ArrayPartition(States.Array(1, 2), 0)")
    fails("States.ArrayGetItem(States.Array(1, 2), 2)")
    fails("States.ArrayLength($.s)", {"s": "not an array"})


def test_encoding_and_hash_examples():
    assert ev("States.Base64Encode($.input)", {"input": "Data to encode"}) == "RGF0YSB0byBlbmNvZGU="
    assert ev("States.Base64Decode($.base64)", {"base64": "RGF0YSB0byBlbmNvZGU="}) == "Data to encode"
    assert ev("States.Hash($.Data, $.Algorithm)", {"Data": "input data", "Algorithm": "SHA-1"}) == \
        "aaff4a450a104cd177d28d18d74485e8cae074b7"
    fails("States.Base64Decode('not*base64')")
    fails("States.Hash('x', $.alg)", {"alg": "SHA-3"})
    fails("States.Base64Encode($.s)", {"s": "x" * 10_001})
    with pytest.raises(ValueError):
        parse("States.Hash('x', 'CRC32')")


def test_json_merge_is_shallow_only():
    data = {"a": {"k": 1, "n": {"x": 1}}, "b": {"n": {"y": 2}, "z": 3}}
    assert ev("States.JsonMerge($.a, $.b, false)", data) == {"k": 1, "n": {"y": 2}, "z": 3}
    with pytest.raises(ValueError):
        parse("States.JsonMerge($.a, $.b, true)")
    fails("States.JsonMerge($.a, $.b, $.deep)", {**data, "deep": True})


def test_math_examples():
    assert ev("States.MathAdd($.value1, $.step)", {"value1": 111, "step": -1}) == 110
    assert ev("States.MathAdd(1.5, 2)") == 4
    value = ev("States.MathRandom($.start, $.end)", {"start": 1, "end": 999})
    assert 1 <= value < 999
    seeded = {ev("States.MathRandom(1, 999, 42)", seed=s) for s in range(5)}
    assert len(seeded) == 1, "a seeded MathRandom does not depend on the engine's rng"
    fails("States.MathAdd('1', 2)")


def test_string_split_and_uuid():
    data = {"inputString": "This.is+a,test=string", "splitter": ".+,="}
    assert ev("States.StringSplit($.inputString, $.splitter)", data) == ["This", "is", "a", "test", "string"]
    assert ev("States.StringSplit('1,2,3,4,5', ',')") == ["1", "2", "3", "4", "5"]
    one, two = ev("States.UUID()", seed=7), ev("States.UUID()", seed=7)
    assert one == two and uuid.UUID(one).version == 4


def test_nesting_paths_context_and_variables():
    part = "States.ArrayGetItem(States.StringSplit(States.ArrayGetItem(States.StringSplit($.Arn, '/'), 2), '.'), {})"
    expr = f"States.Format('{{}}.{{}}', {part.format(0)}, {part.format(1)})"
    assert ev(expr, {"Arn": "arn:aws:imagebuilder:r:1:image-recipe/a/1.2.3"}) == "1.2"
    with pytest.raises(ValueError):
        parse(expr.replace("'{}.{}'", "'{}.{}.{}'"))  # three placeholders, two values
    assert ev("States.Format('{} {}', $$.Execution.Id, $v.k)", variables={"v": {"k": 1}}) == \
        f"{CONTEXT['Execution']['Id']} 1"
    assert ev("States.Array($.items[?(@.n > 1)].n)", {"items": [{"n": 1}, {"n": 2}, {"n": 3}]}) == [[2, 3]]


def test_missing_path_argument_reports_the_input():
    cause = fails("States.Array($.optional)", {"requiredProperty": 1}, error="States.Runtime")
    assert "The JsonPath argument for the field '$.optional' could not be found in the input '{\n" in cause


@pytest.mark.parametrize("expr", [
    "States.Nope()", "States.Array(", "States.Array(1,)", "States.UUID(1)", "States.ArrayLength()",
    "States.Format(1)", "States.Array('unterminated)", "States.Array(1) extra", "Array(1)",
    "States.Array(" * 11 + ")" * 11,
])
def test_parse_rejects_invalid_expressions(expr):
    with pytest.raises(ValueError):
        parse(expr)
    with pytest.raises(StatesError):
        ev(expr)


def test_is_intrinsic():
    assert is_intrinsic("States.Array(1)")
    assert is_intrinsic(" States.Format ('{}', 1)")
    assert not is_intrinsic("$.a")
    assert not is_intrinsic(42)
    assert parse("States.Array(" * 10 + ")" * 10).name == "Array"


# ---------------------------------------------------------------- properties

json_values = st.recursive(
    st.none() | st.booleans() | st.integers(-1000, 1000) | st.text(max_size=6),
    lambda c: st.lists(c, max_size=3) | st.dictionaries(st.text(min_size=1, max_size=4), c, max_size=3),
    max_leaves=8,
)


@settings(max_examples=50, deadline=None)
@given(items=st.lists(json_values, max_size=8), index=st.integers(0, 10))
def test_array_functions_agree_with_python(items, index):
    data = {"items": items, "i": index}
    assert ev("States.ArrayLength($.items)", data) == len(items)
    assert ev("States.Array($.items, $.i)", data) == [items, index]
    if index < len(items):
        assert ev("States.ArrayGetItem($.items, $.i)", data) == items[index]
    else:
        fails("States.ArrayGetItem($.items, $.i)", data)
    unique = ev("States.ArrayUnique($.items)", data)
    assert all(ev("States.ArrayContains($.u, $.x)", {"u": unique, "x": x}) for x in items)
    assert len(unique) <= len(items)


@settings(max_examples=50, deadline=None)
@given(items=st.lists(st.integers(), max_size=20), size=st.integers(1, 25))
def test_partition_concatenates_back(items, size):
    chunks = ev("States.ArrayPartition($.a, $.n)", {"a": items, "n": size})
    assert [x for chunk in chunks for x in chunk] == items
    assert all(1 <= len(c) <= size for c in chunks)
    assert all(len(c) == size for c in chunks[:-1])


@settings(max_examples=80, deadline=None)
@given(start=st.integers(-50, 50), end=st.integers(-50, 50), step=st.integers(-7, 7).filter(bool))
def test_array_range_agrees_with_python(start, end, step):
    expected = list(range(start, end + (1 if step > 0 else -1), step))
    assert ev(f"States.ArrayRange({start}, {end}, {step})") == expected


@settings(max_examples=50, deadline=None)
@given(text=st.text(max_size=50))
def test_base64_round_trips_and_hash_agrees_with_hashlib(text):
    data = {"t": text}
    encoded = ev("States.Base64Encode($.t)", data)
    assert encoded == base64.b64encode(text.encode()).decode()
    assert ev("States.Base64Decode($.e)", {"e": encoded}) == text
    for name, fn in (("MD5", hashlib.md5), ("SHA-1", hashlib.sha1), ("SHA-256", hashlib.sha256),
                     ("SHA-384", hashlib.sha384), ("SHA-512", hashlib.sha512)):
        assert ev(f"States.Hash($.t, '{name}')", data) == fn(text.encode()).hexdigest()


@settings(max_examples=50, deadline=None)
@given(value=json_values)
def test_json_to_string_and_back(value):
    assert ev("States.StringToJson(States.JsonToString($.v))", {"v": value}) == value
    assert json.loads(ev("States.JsonToString($.v)", {"v": value})) == value


@settings(max_examples=50, deadline=None)
@given(a=st.integers(-10**6, 10**6), b=st.integers(-10**6, 10**6), seed=st.integers(0, 2**31 - 1))
def test_math_agrees_with_python(a, b, seed):
    assert ev(f"States.MathAdd({a}, {b})") == a + b
    low, high = min(a, b), max(a, b) + 1
    assert low <= ev(f"States.MathRandom({low}, {high})", seed=seed) < high
    assert low <= ev(f"States.MathRandom({low}, {high}, {seed})") < high


@settings(max_examples=50, deadline=None)
@given(text=st.text(alphabet="ab,;", max_size=12), delims=st.text(alphabet=",;", min_size=1, max_size=2))
def test_string_split_drops_empty_parts(text, delims):
    parts = ev("States.StringSplit($.t, $.d)", {"t": text, "d": delims})
    expected = text
    for d in delims:
        expected = expected.replace(d, "\0")
    assert parts == [p for p in expected.split("\0") if p]
