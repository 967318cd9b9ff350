"""Event-pattern validation: AWS's InvalidEventPatternException messages, recorded and documented."""

import json

import pytest

from sim.aws.event_pattern import InvalidEventPattern, compile_pattern, validate_pattern
from sim.aws.eventbridge import InvalidEventPattern as ReexportedError
from sim.aws.eventbridge import validate_pattern as reexported_validate

P = "Event pattern is not valid. Reason: "


def at(source: str, column: int, line: int = 1) -> str:
    return f'\n at [Source: (String)"{source}"; line: {line}, column: {column}]'


def message(pattern) -> str:
    with pytest.raises(InvalidEventPattern) as caught:
        validate_pattern(pattern)
    return str(caught.value)


# Messages recorded from AWS TestEventPattern (pattern text as json.dumps sends it).
RECORDED = [
    ('{"int": 42}', '"int" must be an object or an array', 11),
    ('{"string": "my-value"}', '"string" must be an object or an array', 13),
    ('{"resources": []}', "Empty arrays are not allowed", 17),
    ('{"detail": {"equal": [{"NUMERIC": ["=", 5]}]}}', "Unrecognized match type NUMERIC", 36),
    ('{"my_key": [{"EXISTS": true}]}', "Unrecognized match type EXISTS", 28),
    ('{"detail": {"c-count": [{"numeric": [">", 0, ">", 0]}]}}', "Bad numeric range operator: >", 49),
    ('{"detail": {"c-count": [{"numeric": [">", 0, "<"]}]}}', "Value of < must be numeric", 50),
    (
        '{"EventBusArn": [{"wildcard": "arn:aws:events:us-east-1:**:event-bus/*"}]}',
        "Consecutive wildcard characters at pos 26",
        72,
    ),
    (
        '{"detail-type": [{"equals-ignore-case": ["ec2 instance state-change notification"]}]}',
        "equals-ignore-case match pattern must be a string",
        42,
    ),
    (
        '{"detail-type": [{"equals-ignore-case": {"prefix": "ec2"}}]}',
        "equals-ignore-case match pattern must be a string",
        42,
    ),
    (
        '{"detail": {"state": [{"anything-but": {"equals-ignore-case": 123}}]}}',
        "Inside anything-but/equals-ignore-case list, number|start|null|boolean is not supported.",
        66,
    ),
    ('{"EventBusArn": [{"wildcard": 123}]}', "wildcard match pattern must be a string", 34),
    (
        '{"EventBusArn": [{"wildcard": ["arn:aws:events:us-east-1:**:event-bus/*"]}]}',
        "wildcard match pattern must be a string",
        32,
    ),
    (
        '{"detail": {"FilePath": [{"anything-but": {"wildcard": 123}}]}}',
        "wildcard match pattern must be a string",
        59,
    ),
    (
        '{"detail": {"FileName": [{"anything-but": {"suffix": 123}}]}}',
        "prefix/suffix match pattern must be a string",
        57,
    ),
    (
        '{"detail": {"state": [{"anything-but": {"prefix": 123}}]}}',
        "prefix/suffix match pattern must be a string",
        54,
    ),
    ('{"time": [{"prefix": ["2022-07-13"]}]}', "prefix match pattern must be a string", 23),
    ('{"time": [{"prefix": 123}]}', "prefix match pattern must be a string", 25),
    ('{"FileName": [{"suffix": 123}]}', "suffix match pattern must be a string", 29),
    ('{"FileName": [{"suffix": [".png"]}]}', "suffix match pattern must be a string", 27),
    (
        '{"detail": {"FileName": [{"anything-but": {"prefix": {"equals-ignore-case": "file"}}}]}}',
        "Value of anything-but must be an array or single string/number value.",
        55,
    ),
    (
        '{"detail": {"FileName": [{"anything-but": {"suffix": {"equals-ignore-case": ".png"}}}]}}',
        "Value of anything-but must be an array or single string/number value.",
        55,
    ),
    (
        '{"detail": {"sourceIPAddress": [{"cidr": ["bad-type"]}]}}',
        "prefix match pattern must be a string",
        43,
    ),
    (
        "this is valid json but not a dict",
        "Unrecognized token 'this': was expecting (JSON String, Number, Array, Object or token "
        "'null', 'true' or 'false')",
        5,
    ),
    (
        "{'bad': 'quotation'}",
        "Unexpected character (''' (code 39)): was expecting double-quote to start field name",
        2,
    ),
    (
        '{"not": closed mark"',
        "Unrecognized token 'closed': was expecting (JSON String, Number, Array, Object or token "
        "'null', 'true' or 'false')",
        15,
    ),
    ('["not", "a", "dict", "but valid json"]', "Filter is not an object", 2),
]


@pytest.mark.parametrize(("pattern", "reason", "column"), RECORDED)
def test_recorded_messages_with_their_location(pattern, reason, column):
    assert message(pattern) == P + reason + at(pattern, column)


# Errors raised inside ruler's own try/catch carry the location twice, as AWS returns them.
RECORDED_TWICE = [
    (
        '{"detail": {"state": [{"anything-but": {"equals-ignore-case": [123, 456]}}]}}',
        "Inside anything-but/equals-ignore-case list, number|start|null|boolean is not supported.",
        67,
    ),
    (
        '{"detail": {"state": [{"anything-but": {"wildcard": [123, "*/dir/*"]}}]}}',
        "wildcard match pattern must be a string",
        57,
    ),
    (
        '{"detail": {"FileName": [{"anything-but": {"suffix": [123, ".txt"]}}]}}',
        "prefix/suffix match pattern must be a string",
        58,
    ),
    (
        '{"detail": {"state": [{"anything-but": {"prefix": [123, "test"]}}]}}',
        "prefix/suffix match pattern must be a string",
        55,
    ),
]


@pytest.mark.parametrize(("pattern", "reason", "column"), RECORDED_TWICE)
def test_recorded_messages_with_a_doubled_location(pattern, reason, column):
    assert message(pattern) == P + reason + at(pattern, column) + at(pattern, column)


# IllegalArgumentExceptions escape ruler's parser: AWS reports them without a location.
RECORDED_NO_LOCATION = [
    ('{"ip": [{"cidr": "bad-ip"}]}', "Malformed CIDR, one '/' required"),
    ('{"ip": [{"cidr": "10.0.0.0/xx"}]}', "Malformed CIDR, mask bits must be an integer"),
    ('{"ip": [{"cidr": "xx.11.xx/24"}]}', "Nonstandard IP address: xx.11.xx"),
    ('{"ip": [{"cidr": "xxxx:db8:1234:1a00::/64"}]}', "Nonstandard IP address: xxxx:db8:1234:1a00::"),
    (
        '{"EventBusArn": [{"wildcard": "*:*:*:*:*:event-bus/*"}]}',
        "Rule is too complex - try using fewer wildcard characters or fewer repeating character "
        "sequences after a wildcard character",
    ),
]


@pytest.mark.parametrize(("pattern", "reason"), RECORDED_NO_LOCATION)
def test_recorded_messages_without_location(pattern, reason):
    assert message(pattern) == P + reason


# Rules from event-ruler's compiler: checked by reason (the location follows it).
RULES = [
    ("{}", "Empty objects are not allowed"),
    ('{"detail": {}}', "Empty objects are not allowed"),
    ("", "Filter is not an object"),
    ("42", "Filter is not an object"),
    ('{"a": [["x"]]}', "Match value must be String, number, true, false, or null"),
    ('{"a": [{}]}', "Match expression name not found"),
    ('{"a": [{"prefix": "x", "suffix": "y"}]}', "Only one key allowed in match expression"),
    ('{"a": [{"exists": "yes"}]}', "exists match pattern must be either true or false."),
    ('{"a": [{"exists": true, "prefix": "x"}]}', "Only one key allowed in match expression"),
    ('{"a": [{"numeric": 5}]}', "Value of numeric must be an array."),
    ('{"a": [{"numeric": []}]}', "Invalid member in numeric match: ]"),
    ('{"a": [{"numeric": [5]}]}', "Invalid member in numeric match: 5"),
    ('{"a": [{"numeric": ["!", 5]}]}', "Unrecognized numeric range operator: !"),
    ('{"a": [{"numeric": ["=", "5"]}]}', "Value of equals must be numeric"),
    ('{"a": [{"numeric": ["=", 5, "<", 6]}]}', "Too many elements in numeric expression"),
    ('{"a": [{"numeric": ["<", 5, ">", 1]}]}', "Too many elements in numeric expression"),
    ('{"a": [{"numeric": [">", 1, 5]}]}', "Bad value in numeric range: 5"),
    ('{"a": [{"numeric": [">", 1, "<", 5, "<", 6]}]}', "Too many terms in numeric range expression"),
    ('{"a": [{"numeric": [">", 5, "<", 5]}]}', "Bottom must be less than top"),
    ('{"a": [{"numeric": [">=", 6, "<=", 5]}]}', "Bottom must be less than top"),
    ('{"a": [{"numeric": ["<", 5000000001]}]}', "Value must be between -5.0E9 and 5.0E9, inclusive"),
    ('{"a": [{"numeric": ["=", -6e9]}]}', "Value must be between -5.0E9 and 5.0E9, inclusive"),
    ('{"a": [{"numeric": [">", 0.0000001]}]}', "Only values upto 6 decimals are supported"),
    (
        '{"a": [{"anything-but": [1, "x"]}]}',
        "Inside anything but list, either all values are number or string, mixed type is not supported",
    ),
    (
        '{"a": [{"anything-but": []}]}',
        "Inside anything but list, either all values are number or string, mixed type is not supported",
    ),
    ('{"a": [{"anything-but": [0.0000001]}]}', "Only values upto 6 decimals are supported"),
    (
        '{"a": [{"anything-but": null}]}',
        "Value of anything-but must be an array or single string/number value.",
    ),
    (
        '{"a": [{"anything-but": true}]}',
        "Value of anything-but must be an array or single string/number value.",
    ),
    ('{"a": [{"anything-but": {}}]}', "Anything-But expression name not found"),
    ('{"a": [{"anything-but": {"numeric": [">", 1]}}]}', "Unsupported anything-but pattern: numeric"),
    ('{"a": [{"anything-but": {"prefix": ""}}]}', "Null prefix/suffix not allowed"),
    ('{"a": [{"anything-but": {"suffix": ""}}]}', "Null prefix/suffix not allowed"),
    ('{"a": [{"anything-but": "x", "prefix": "y"}]}', "Too many elements in numeric expression"),
    ('{"a": [{"anything-but": {"wildcard": "a**"}}]}', "Consecutive wildcard characters at pos 2"),
    ('{"a": [{"prefix": {"suffix": "x"}}]}', "Unsupported prefix pattern: suffix"),
    ('{"a": [{"prefix": {}}]}', "Prefix expression name not found"),
    ('{"a": [{"suffix": {"prefix": "x"}}]}', "Unsupported suffix pattern: prefix"),
    ('{"a": [{"prefix": {"equals-ignore-case": 5}}]}', "equals-ignore-case match pattern must be a string"),
    ('{"a": [{"wildcard": "a\\\\b"}]}', "Invalid escape character at pos 2"),
    ('{"a": [{"wildcard": "ab\\\\"}]}', "Invalid escape character at pos 3"),
    ('{"a": [{"contains": "x"}]}', "Unrecognized match type contains"),
    ('{"a": [{"regex": "x"}]}', "Unrecognized match type regex"),
    # $or: rejected by the $or-aware compiler, then by ruler's legacy fallback compiler
    ('{"$or": [{"a": ["x"]}]}', "Unrecognized match type a"),
    ('{"$or": "x"}', '"$or" must be an object or an array'),
    ('{"$or": [{"a": ["x"]}, "b"]}', "Unrecognized match type a"),
    ('{"$or": [{"numeric": [">", 1]}, {"b": ["y"]}]}', "Unrecognized match type b"),
    ('{"$or": []}', "Empty arrays are not allowed"),
    # JSON syntax, as Jackson reports it
    ('{"a": ["x",]}', "Unexpected character (']' (code 93)): expected a valid value"),
    (
        '{"a": ["x"],}',
        "Unexpected character ('}' (code 125)): was expecting double-quote to start field name",
    ),
    (
        '{"a" ["x"]}',
        "Unexpected character ('[' (code 91)): was expecting a colon to separate field name and value",
    ),
    (
        '{"a": ["x" "y"]}',
        "Unexpected character ('\"' (code 34)): was expecting comma to separate Array entries",
    ),
    ('{"a": ["x"]', "Unexpected end-of-input: expected close marker for Object"),
    ('{"a": ["x]}', "Unexpected end-of-input: was expecting closing quote for a string value"),
    ('{"a": [01]}', "Invalid numeric value: Leading zeroes not allowed"),
    ('{"a": [NaN]}', "Non-standard token 'NaN'"),
    ('{"a": [tru]}', "Unrecognized token 'tru'"),
    ('{"a": ["x"] /* c */}', "Unexpected character ('/' (code 47)): maybe a (non-standard) comment?"),
    ('{"a": ["\\x"]}', "Unrecognized character escape 'x' (code 120)"),
    ('{"a": ["\x01"]}', "Illegal unquoted character ((CTRL-CHAR, code 1)): has to be escaped"),
]


@pytest.mark.parametrize(("pattern", "reason"), RULES)
def test_rules(pattern, reason):
    assert message(pattern).startswith(P + reason)


CIDR_RULES = [
    ("10.0.0.0/32", "IPv4 mask bits must be < 32"),
    ("::/128", "IPv6 mask bits must be < 128"),
    ("10.0.0.0/-1", "Malformed CIDR, mask bits must not be negative"),
    ("10.0.0.0/", "Malformed CIDR, one '/' required"),
    ("10.0.0.0/8/8", "Malformed CIDR, one '/' required"),
    ("256.0.0.0/8", "Invalid IP address: 256.0.0.0"),
    ("1:2:3/64", "Invalid IP address: 1:2:3"),
    ("/24", "Nonstandard IP address: "),
]


@pytest.mark.parametrize(("cidr", "reason"), CIDR_RULES)
def test_cidr_rules(cidr, reason):
    assert message({"ip": [{"cidr": cidr}]}) == P + reason


VALID = [
    {"a": [{"cidr": "10.0.0.0/31"}]},
    {"a": [{"cidr": "10.0.0.0/24/"}]},  # Java's split drops the trailing empty part
    {"a": [{"cidr": "2001:db8::/127"}]},
    {"a": [{"numeric": [">", 5e9]}]},
    {"a": [{"numeric": ["<=", -5e9]}]},
    {"a": [{"numeric": [">=", -5e9, "<=", 5e9]}]},
    {"a": [{"numeric": ["=", 1.5e-5]}]},
    {"a": [1.1234567, 6e9]},  # exact numbers outside ruler's numeric range compare as text
    {"a": [{"anything-but": {"prefix": []}}]},
    {"a": [{"anything-but": {"wildcard": ""}}]},
    {"a": [{"equals-ignore-case": ""}]},
    {"a": [{"prefix": ""}]},
    {"a": [{"exactly": "x"}]},
    {"numeric": ["x"], "prefix": [{"exists": True}]},  # operator names are fine as field names
    {"$or": {"a": ["x"]}},  # legacy: $or as a plain field name
    {"$or": [{"a": ["x"]}, {"$or": [{"b": ["y"]}, {"c": ["z"]}]}]},
    {"a": [{"wildcard": "*/lib/*"}, {"wildcard": "x*y*z"}]},
    {"a": [{"wildcard": "*:stack/A/*"}, {"wildcard": "*:stack/B/*"}, {"wildcard": "*:stack/C/*"}]},
]


@pytest.mark.parametrize("pattern", VALID, ids=[json.dumps(p) for p in VALID])
def test_valid_patterns(pattern):
    assert validate_pattern(pattern) == pattern


def test_too_complex_when_wildcards_pile_up_on_one_field():
    # three "*:stack/<name>/*" wildcards on a field are accepted by AWS, a fourth is refused
    four = [{"wildcard": f"*:stack/{n}/*"} for n in "ABCD"]
    assert "Rule is too complex" in message({"stack-id": four})


def test_locations_count_lines_and_columns():
    pattern = (
        '{\n  "detail-type": [ "Build Started", "Build Finished" ],\n  "detail": {\n'
        '    "pipeline": {\n      "slug": "some-pipeline"\n    }\n  }\n}'
    )
    assert message(pattern) == P + '"slug" must be an object or an array' + at(pattern, 16, line=5)


def test_long_sources_are_truncated_like_jackson():
    pattern = json.dumps({"a": ["x" * 600], "b": 1})
    got = message(pattern)
    assert got.endswith(f'"[truncated {len(pattern) - 500} chars]; line: 1, column: {len(pattern)}]')


def test_dict_patterns_are_sent_as_json_dumps():
    assert message({"int": 42}) == P + '"int" must be an object or an array' + at('{"int": 42}', 11)


def test_non_json_python_values_are_rejected():
    with pytest.raises(InvalidEventPattern, match="Filter is not valid JSON"):
        validate_pattern({"a": [{1, 2}]})


def test_error_is_a_value_error_with_reason():
    with pytest.raises(ValueError) as caught:
        compile_pattern({"a": []})
    assert caught.value.reason.startswith("Empty arrays are not allowed")


def test_eventbridge_reexports():
    assert ReexportedError is InvalidEventPattern
    assert reexported_validate is validate_pattern
