"""Properties of the event-pattern matcher and validator, checked with hypothesis."""

import ipaddress
import json
import operator
import string

from hypothesis import assume, given, settings
from hypothesis import strategies as st

from sim.aws.event_pattern import InvalidEventPattern, matches, validate_pattern

FAST = settings(max_examples=60, deadline=None, database=None)
LIGHT = settings(max_examples=40, deadline=None, database=None)

keys = st.text(alphabet=string.ascii_letters + "-_", min_size=1, max_size=6)
scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(10**12), 10**12),
    st.floats(allow_nan=False, allow_infinity=False),
    st.text(max_size=12),
)
json_values = st.recursive(
    scalars,
    lambda inner: st.one_of(st.lists(inner, max_size=4), st.dictionaries(keys, inner, max_size=4)),
    max_leaves=8,
)
json_events = st.dictionaries(st.sampled_from(["a", "b", "c", "a.b"]) | keys, json_values, max_size=4)
# ruler compares numbers within +-5e9 and to six decimals
ruler_numbers = st.decimals(min_value=-5_000_000_000, max_value=5_000_000_000, places=6, allow_nan=False)


def leaf_events(depth=3):
    """Events of nested objects whose leaves are scalars or non-empty arrays of scalars."""
    leaves = st.one_of(scalars, st.lists(scalars, min_size=1, max_size=3))
    return st.recursive(
        st.dictionaries(keys, leaves, min_size=1, max_size=3),
        lambda inner: st.dictionaries(keys, st.one_of(leaves, inner), min_size=1, max_size=3),
        max_leaves=12,
    )


def mirror(event: dict) -> dict:
    """The exact-value pattern an event trivially satisfies."""
    pattern = {}
    for key, value in event.items():
        if isinstance(value, dict):
            pattern[key] = mirror(value)
        elif isinstance(value, list):
            pattern[key] = [value[0]]
        else:
            pattern[key] = [value]
    return pattern


@FAST
@given(leaf_events())
def test_an_exact_pattern_built_from_an_event_matches_it(event):
    pattern = mirror(event)
    assert matches(pattern, event)
    assert matches(json.dumps(pattern), json.dumps(event))


@FAST
@given(st.one_of(st.text(max_size=10), st.integers(-(10**9), 10**9)), st.text(max_size=10))
def test_anything_but_never_matches_the_excluded_value(excluded, other):
    pattern = {"f": [{"anything-but": excluded}]}
    assert not matches(pattern, {"f": excluded})
    assert not matches({"f": [{"anything-but": [excluded]}]}, {"f": [excluded, excluded]})
    assert matches(pattern, {"f": other}) == (other != excluded)


@FAST
@given(st.text(max_size=15), st.data())
def test_prefix_and_suffix_of_a_string_match_it(value, data):
    cut = data.draw(st.integers(0, len(value)))
    assert matches({"f": [{"prefix": value[:cut]}]}, {"f": value})
    assert matches({"f": [{"suffix": value[cut:]}]}, {"f": value})
    assert not matches({"f": [{"prefix": value[:cut]}]}, {"f": None})


@FAST
@given(st.text(alphabet=string.ascii_letters + string.digits + " -_.", max_size=15))
def test_equals_ignore_case_ignores_ascii_case(value):
    assert matches({"f": [{"equals-ignore-case": value}]}, {"f": value.swapcase()})
    assert matches({"f": [{"prefix": {"equals-ignore-case": value.upper()}}]}, {"f": value.lower() + "tail"})
    assert not matches({"f": [{"anything-but": {"equals-ignore-case": value}}]}, {"f": value.upper()})


def escape_wildcard(text: str) -> str:
    return text.replace("\\", "\\\\").replace("*", "\\*")


@FAST
@given(st.text(max_size=15), st.data())
def test_a_wildcard_over_any_substring_matches(value, data):
    start = data.draw(st.integers(0, len(value)))
    end = data.draw(st.integers(start, len(value)))
    pattern = escape_wildcard(value[:start]) + "*" + escape_wildcard(value[end:])
    assert matches({"f": [{"wildcard": pattern}]}, {"f": value})
    assert matches({"f": [{"wildcard": escape_wildcard(value)}]}, {"f": value})
    assert not matches({"f": [{"anything-but": {"wildcard": pattern}}]}, {"f": value})


field_patterns = st.sampled_from(
    [
        {"a": ["x"]},
        {"a": [{"prefix": "y"}]},
        {"b": [{"exists": False}]},
        {"b": [{"numeric": [">", 3]}]},
        {"c": {"d": [None, True]}},
        {"a": [{"anything-but": "x"}], "b": [1, 2]},
    ]
)
small_events = st.fixed_dictionaries(
    {},
    optional={
        "a": st.sampled_from(["x", "y1", "z", 7, ["x", "q"]]),
        "b": st.sampled_from([1, 2, 5, "5", None, [4, 1]]),
        "c": st.sampled_from([{"d": None}, {"d": True}, {"d": False}, {"e": 1}]),
    },
)


@FAST
@given(field_patterns, field_patterns, small_events)
def test_or_is_the_union_of_its_branches(left, right, event):
    union = matches({"$or": [left, right]}, event)
    assert union == (matches(left, event) or matches(right, event))


@FAST
@given(ruler_numbers, ruler_numbers, st.sampled_from(["<", "<=", "=", ">", ">="]))
def test_numeric_comparisons_agree_with_python(value, bound, op):
    compare = {"<": operator.lt, "<=": operator.le, "=": operator.eq, ">": operator.gt, ">=": operator.ge}[op]
    pattern = f'{{"n": [{{"numeric": ["{op}", {bound}]}}]}}'
    assert matches(pattern, f'{{"n": {value}}}') == compare(value, bound)


@FAST
@given(ruler_numbers, ruler_numbers, ruler_numbers, st.booleans(), st.booleans())
def test_numeric_ranges_agree_with_python(value, low, high, open_low, open_high):
    assume(low != high)
    low, high = min(low, high), max(low, high)
    low_op, high_op = (">" if open_low else ">="), ("<" if open_high else "<=")
    pattern = f'{{"n": [{{"numeric": ["{low_op}", {low}, "{high_op}", {high}]}}]}}'
    above = value > low if open_low else value >= low
    below = value < high if open_high else value <= high
    assert matches(pattern, f'{{"n": {value}}}') == (above and below)


@FAST
@given(st.integers(0, 2**32 - 1), st.integers(0, 31), st.integers(0, 2**32 - 1))
def test_cidr_agrees_with_ipaddress(base, prefix, probe):
    network = ipaddress.IPv4Network((base, prefix), strict=False)
    address = ipaddress.IPv4Address(probe)
    assert matches({"ip": [{"cidr": str(network)}]}, {"ip": str(address)}) == (address in network)


@LIGHT
@given(json_events, st.sampled_from(["a", "a.b", "b"]))
def test_exists_true_and_false_are_complementary(event, path):
    *parents, leaf = path.split(".")

    def nested(matcher):
        pattern = {leaf: [matcher]}
        for parent in reversed(parents):
            pattern = {parent: pattern}
        return pattern

    assert matches(nested({"exists": True}), event) != matches(nested({"exists": False}), event)


valid_patterns = st.sampled_from(
    [
        {"source": ["a"], "detail": {"n": [{"numeric": [">", 0, "<", 10]}]}},
        {"a": [{"anything-but": {"prefix": "x"}}, {"exists": False}]},
        {"a": {"b": [{"wildcard": "*x*"}], "c": [{"cidr": "10.0.0.0/8"}]}},
        {"$or": [{"a": [None]}, {"b": {"c": [{"suffix": {"equals-ignore-case": "Z"}}]}}]},
        {"a": [{"anything-but": [1, 2]}, {"equals-ignore-case": "q"}, True, 0.5]},
    ]
)


@LIGHT
@given(valid_patterns, json_events)
def test_matching_never_raises_for_valid_patterns(pattern, event):
    assert matches(pattern, event) in (True, False)
    assert matches(pattern, json.dumps(event)) == matches(pattern, event)


@FAST
@given(st.text(alphabet='{}[]":,. \n\\-0123456789abcdefnrtu*/$eE', max_size=40))
def test_any_text_is_either_valid_or_invalid_event_pattern(text):
    try:
        assert isinstance(validate_pattern(text), dict)
    except InvalidEventPattern as exc:
        assert str(exc).startswith("Event pattern is not valid. Reason: ")


@LIGHT
@given(json_values)
def test_any_json_value_is_either_valid_or_invalid_event_pattern(value):
    try:
        compact_ok = validate_pattern(value) is not None
    except InvalidEventPattern:
        compact_ok = False
    try:
        indented_ok = validate_pattern(json.dumps(value, indent=2)) is not None
    except InvalidEventPattern:
        indented_ok = False
    assert compact_ok == indented_ok
