"""Event-pattern matching, example by example, from the AWS docs and behaviour recorded on AWS."""

import json

import pytest

from sim.aws.event_pattern import compile_pattern, matches
from sim.aws.eventbridge import matches as reexported_matches

BASE = {
    "version": "0",
    "id": "1",
    "source": "test-source",
    "detail-type": "test-detail-type",
    "account": "123456789012",
    "region": "us-east-2",
    "time": "2022-07-13T13:48:01Z",
    "resources": [],
}


def event(**fields):
    return {**BASE, **fields}


EC2_EVENT = {
    "version": "0",
    "id": "6a7e8feb-b491-4cf7-a9f1-bf3703467718",
    "detail-type": "EC2 Instance State-change Notification",
    "source": "aws.ec2",
    "account": "111122223333",
    "time": "2017-12-22T18:43:48Z",
    "region": "us-west-1",
    "resources": ["arn:aws:ec2:us-west-1:123456789012:instance/i-1234567890abcdef0"],
    "detail": {"instance-id": "i-1234567890abcdef0", "state": "terminated"},
}

# (pattern, event, expected) — docs examples and the outcomes AWS recorded for them
CASES = {
    # --- exact values, nesting, the docs' first example ---------------------------------------
    "docs-ec2-termination": (
        {
            "source": ["aws.ec2"],
            "detail-type": ["EC2 Instance State-change Notification"],
            "detail": {"state": ["terminated"]},
        },
        EC2_EVENT,
        True,
    ),
    "docs-ec2-other-state": ({"detail": {"state": ["running"]}}, EC2_EVENT, False),
    "field-missing": ({"detail": {"nope": ["x"]}}, EC2_EVENT, False),
    "key-case-sensitive": ({"Source": ["aws.ec2"]}, EC2_EVENT, False),
    "value-case-sensitive": ({"source": ["AWS.EC2"]}, EC2_EVENT, False),
    "one-of-values": ({"source": ["aws.fargate", "aws.ec2"]}, EC2_EVENT, True),
    # --- arrays (eb-event-patterns-arrays) ------------------------------------------------------
    "array-intersection": (
        {"resources": ["arn:aws:ec2:us-east-1:123456789012:instance/i-b188560f", "arn:x"]},
        event(resources=["arn:aws:autoscaling:a", "arn:aws:ec2:us-east-1:123456789012:instance/i-b188560f"]),
        True,
    ),
    "array-no-intersection": ({"resources": ["arn:x"]}, event(resources=["arn:y"]), False),
    "empty-array-vs-null": ({"resources": [None]}, event(resources=[]), False),
    "array-of-objects-flattened": (
        {"detail": {"automations": {"id": [{"exists": True}]}}},
        event(detail={"automations": [{"key1": "v"}, {"id": "match"}, {"key2": "v"}]}),
        True,
    ),
    "nested-arrays-flattened": (
        {"employees": {"firstName": ["Anna"]}},
        {"employees": [[{"firstName": "John"}, {"firstName": "Anna"}], [{"firstName": "Peter"}]]},
        True,
    ),
    "array-consistency-same-element": (
        {"employees": {"firstName": ["Anna"], "lastName": ["Smith"]}},
        {"employees": [{"firstName": "John", "lastName": "Doe"}, {"firstName": "Anna", "lastName": "Smith"}]},
        True,
    ),
    "array-consistency-different-elements": (
        {"employees": {"firstName": ["Anna"], "lastName": ["Jones"]}},
        {
            "employees": [
                {"firstName": "John", "lastName": "Doe"},
                {"firstName": "Anna", "lastName": "Smith"},
                {"firstName": "Peter", "lastName": "Jones"},
            ]
        },
        False,
    ),
    "array-consistency-independent-arrays": (
        {"a": {"x": ["1"]}, "b": {"y": ["2"]}},
        {"a": [{"x": "0"}, {"x": "1"}], "b": [{"y": "2"}, {"y": "3"}]},
        True,
    ),
    # --- null and empty values (eb-event-patterns-null-values) ---------------------------------
    "null-matches-null": (
        {"detail": {"responseElements": [None]}},
        event(detail={"responseElements": None}),
        True,
    ),
    "null-vs-missing": ({"detail": {"responseElements": [None]}}, event(detail={}), False),
    "null-vs-string-null": ({"detail": {"r": [None]}}, event(detail={"r": "null"}), False),
    "empty-string": ({"detail": {"eventVersion": [""]}}, event(detail={"eventVersion": ""}), True),
    "empty-string-vs-null": ({"detail": {"eventVersion": [""]}}, event(detail={"eventVersion": None}), False),
    # --- booleans and numbers -------------------------------------------------------------------
    "boolean": ({"detail": {"b": [True]}}, event(detail={"b": True}), True),
    "boolean-vs-string": ({"detail": {"b": [True]}}, event(detail={"b": "true"}), False),
    "number-equal": ({"detail": {"risk-score": [80]}}, event(detail={"risk-score": 80}), True),
    "number-float-equal": ({"number": [300]}, event(number=300.0), True),
    "number-vs-string": ({"number": [300]}, event(number="300"), False),
    "string-vs-number": ({"number": ["300"]}, event(number=300), False),
    "account-number-out-of-range": ({"n": [123456789012]}, {"n": 123456789012}, True),
    "account-number-other": ({"n": [123456789012]}, {"n": 123456789013}, False),
    # --- prefix / suffix / equals-ignore-case ---------------------------------------------------
    "prefix": ({"time": [{"prefix": "2017-10-02"}]}, {"time": "2017-10-02T18:43:48Z"}, True),
    "prefix-miss": ({"time": [{"prefix": "2017-10-02"}]}, {"time": "2017-10-03T18:43:48Z"}, False),
    "prefix-not-number": ({"n": [{"prefix": "1"}]}, {"n": 123}, False),
    "prefix-empty": ({"s": [{"prefix": ""}]}, {"s": "anything"}, True),
    "prefix-ignore-case": (
        {"service": [{"prefix": {"equals-ignore-case": "eventb"}}]},
        {"service": "EventBridge"},
        True,
    ),
    "suffix": ({"FileName": [{"suffix": ".png"}]}, {"FileName": "image.png"}, True),
    "suffix-miss": ({"FileName": [{"suffix": ".png"}]}, {"FileName": "image.PNG"}, False),
    "suffix-ignore-case": (
        {"service": [{"suffix": {"equals-ignore-case": "tBridge"}}]},
        {"service": "EVENTBRIDGE"},
        True,
    ),
    "equals-ignore-case": ({"Name": [{"equals-ignore-case": "alice"}]}, {"Name": "ALICE"}, True),
    "equals-ignore-case-miss": ({"Name": [{"equals-ignore-case": "alice"}]}, {"Name": "alicia"}, False),
    "equals-ignore-case-empty": ({"v": [{"equals-ignore-case": ""}]}, {"v": ""}, True),
    "equals-ignore-case-empty-miss": ({"v": [{"equals-ignore-case": ""}]}, {"v": "x"}, False),
    # --- wildcard ------------------------------------------------------------------------------
    "wildcard": (
        {"EventBusArn": [{"wildcard": "arn:aws:events:us-east-1:*:event-bus/*"}]},
        {"EventBusArn": "arn:aws:events:us-east-1:123456789012:event-bus/myEventBus"},
        True,
    ),
    "wildcard-repeating": (
        {"FileName": [{"wildcard": "/Users/*/dir/dir/dir/dir/dir/doc.txt"}]},
        {"FileName": "/Users/ls_user/dir/dir/dir/dir/dir/doc.txt"},
        True,
    ),
    "wildcard-miss": (
        {"FileName": [{"wildcard": "/Users/*/doc.txt"}]},
        {"FileName": "/Users/ls_user/dir/notmatchingdoc.txt"},
        False,
    ),
    "wildcard-empty-run": ({"a": [{"wildcard": "a*x*"}]}, {"a": "ax"}, True),
    "wildcard-star-only": ({"a": [{"wildcard": "*"}]}, {"a": ""}, True),
    "wildcard-star-not-number": ({"a": [{"wildcard": "*"}]}, {"a": 5}, False),
    "wildcard-escaped-star": ({"a": [{"wildcard": "a\\*b"}]}, {"a": "a*b"}, True),
    "wildcard-escaped-star-literal": ({"a": [{"wildcard": "a\\*b"}]}, {"a": "axb"}, False),
    "wildcard-escaped-backslash": ({"a": [{"wildcard": "a\\\\b"}]}, {"a": "a\\b"}, True),
    "wildcard-multiline": ({"a": [{"wildcard": "x*y"}]}, {"a": "x\n\ny"}, True),
    # --- anything-but ---------------------------------------------------------------------------
    "anything-but-string": (
        {"detail": {"state": [{"anything-but": "initializing"}]}},
        event(detail={"state": "running"}),
        True,
    ),
    "anything-but-string-hit": (
        {"detail": {"state": [{"anything-but": "initializing"}]}},
        event(detail={"state": "initializing"}),
        False,
    ),
    "anything-but-number": ({"x": [{"anything-but": 123}]}, {"x": 124}, True),
    "anything-but-number-hit": ({"x": [{"anything-but": 123}]}, {"x": 123.0}, False),
    "anything-but-zero": ({"x": [{"anything-but": 0}]}, {"x": 789}, True),
    "anything-but-list": ({"s": [{"anything-but": ["stopped", "overloaded"]}]}, {"s": "stopped"}, False),
    "anything-but-number-list": ({"x": [{"anything-but": [100, 200, 300]}]}, {"x": 150}, True),
    "anything-but-null-value": ({"c": [{"anything-but": ["no-message"]}]}, {"c": None}, True),
    "anything-but-missing": ({"detail": {"state": [{"anything-but": ["stopped"]}]}}, event(detail={}), False),
    "anything-but-string-vs-number": ({"x": [{"anything-but": "101"}]}, {"x": 101}, True),
    "anything-but-array-any-element": ({"s": [{"anything-but": "a"}]}, {"s": ["a", "b"]}, True),
    "anything-but-array-all-excluded": ({"s": [{"anything-but": "a"}]}, {"s": ["a", "a"]}, False),
    "anything-but-prefix": ({"state": [{"anything-but": {"prefix": "init"}}]}, {"state": "running"}, True),
    "anything-but-prefix-hit": (
        {"state": [{"anything-but": {"prefix": "init"}}]},
        {"state": "initializing"},
        False,
    ),
    "anything-but-prefix-number": ({"state": [{"anything-but": {"prefix": "init"}}]}, {"state": 12}, True),
    "anything-but-prefix-list": ({"s": [{"anything-but": {"prefix": ["a", "b"]}}]}, {"s": "bx"}, False),
    "anything-but-suffix": (
        {"FileName": [{"anything-but": {"suffix": ".png"}}]},
        {"FileName": "a.txt"},
        True,
    ),
    "anything-but-suffix-hit": (
        {"FileName": [{"anything-but": {"suffix": ".png"}}]},
        {"FileName": "a.png"},
        False,
    ),
    "anything-but-ignore-case": (
        {"state": [{"anything-but": {"equals-ignore-case": "initializing"}}]},
        {"state": "INITIALIZING"},
        False,
    ),
    "anything-but-ignore-case-list": (
        {"s": [{"anything-but": {"equals-ignore-case": ["a", "b"]}}]},
        {"s": "C"},
        True,
    ),
    "anything-but-wildcard": (
        {"FilePath": [{"anything-but": {"wildcard": "*/lib/*"}}]},
        {"FilePath": "/usr/lib/x"},
        False,
    ),
    "anything-but-wildcard-other": (
        {"FilePath": [{"anything-but": {"wildcard": "*/lib/*"}}]},
        {"FilePath": "/usr/bin/x"},
        True,
    ),
    "anything-but-wildcard-number": (
        {"FilePath": [{"anything-but": {"wildcard": "*/dir/*"}}]},
        {"FilePath": 123},
        True,
    ),
    "anything-but-wildcard-empty": (
        {"FilePath": [{"anything-but": {"wildcard": ""}}]},
        {"FilePath": "dir/init/file"},
        True,
    ),
    "anything-but-wildcard-list": (
        {"p": [{"anything-but": {"wildcard": ["*/a/*", "*/b/*"]}}]},
        {"p": "x/b/y"},
        False,
    ),
    # --- numeric ---------------------------------------------------------------------------------
    "numeric-range": ({"c": [{"numeric": [">", 0, "<=", 5]}]}, {"c": 5}, True),
    "numeric-range-open-bottom": ({"c": [{"numeric": [">", 0, "<=", 5]}]}, {"c": 0}, False),
    "numeric-lt": ({"d": [{"numeric": ["<", 10]}]}, {"d": 9.999999}, True),
    "numeric-eq-exponent": ({"x": [{"numeric": ["=", 3.018e2]}]}, {"x": 301.8}, True),
    "numeric-int-float": ({"number": [{"numeric": [">", 100]}]}, {"number": 101.0}, True),
    "numeric-null": ({"number": [{"numeric": [">", 100]}]}, {"number": None}, False),
    "numeric-string": ({"number": [{"numeric": [">", 100]}]}, {"number": "300"}, False),
    "numeric-too-precise-event": ({"n": [{"numeric": [">", 0]}]}, {"n": 0.0000001}, False),
    "numeric-out-of-range-event": ({"n": [{"numeric": [">", 0]}]}, {"n": 6e9}, False),
    "numeric-boundary": ({"n": [{"numeric": [">=", -5e9, "<=", 5e9]}]}, {"n": 5e9}, True),
    "numeric-or-anything-but": ({"N": [{"numeric": [">", 100]}, {"anything-but": "101"}]}, {"N": "42"}, True),
    "numeric-or-anything-but-neg": (
        {"N": [{"numeric": [">", 100]}, {"anything-but": "101"}]},
        {"N": "101"},
        False,
    ),
    # --- IP addresses ------------------------------------------------------------------------------
    "cidr": ({"ip": [{"cidr": "10.0.0.0/24"}]}, {"ip": "10.0.0.255"}, True),
    "cidr-miss": ({"ip": [{"cidr": "10.0.0.0/24"}]}, {"ip": "10.0.1.0"}, False),
    "cidr-number": ({"ip": [{"cidr": "10.0.0.0/24"}]}, {"ip": 123}, False),
    "cidr-not-ip": ({"ip": [{"cidr": "10.0.0.0/24"}]}, {"ip": "hello"}, False),
    "cidr-v6": ({"ip": [{"cidr": "2001:db8::/32"}]}, {"ip": "2001:db8:1234:1a00::1"}, True),
    "cidr-v6-miss": ({"ip": [{"cidr": "2001:db8::/32"}]}, {"ip": "2001:db9::1"}, False),
    "cidr-family": ({"ip": [{"cidr": "10.0.0.0/8"}]}, {"ip": "::1"}, False),
    "cidr-base-not-masked": ({"ip": [{"cidr": "10.0.0.5/24"}]}, {"ip": "10.0.0.4"}, False),
    "exact-ip-normalised": ({"ip": ["::1"]}, {"ip": "0:0:0:0:0:0:0:1"}, True),
    "exact-ip": ({"ip": ["10.0.0.1"]}, {"ip": "10.0.0.1"}, True),
    # --- exists ------------------------------------------------------------------------------------
    "exists-true": ({"detail": {"key": [{"exists": True}]}}, event(detail={"key": "value"}), True),
    "exists-true-missing": ({"detail": {"key": [{"exists": True}]}}, event(detail={"no-key": "v"}), False),
    "exists-true-null": ({"k": [{"exists": True}]}, {"k": None}, True),
    "exists-true-empty-array": ({"resources": [{"exists": True}]}, event(resources=[]), False),
    "exists-true-object": (
        {"dynamodb": {"presentKey": [{"exists": True}]}},
        {"dynamodb": {"presentKey": {"S": "x"}}},
        False,
    ),
    "exists-true-leaf": (
        {"dynamodb": {"presentKey": {"S": [{"exists": True}]}}},
        {"dynamodb": {"presentKey": {"S": "x"}}},
        True,
    ),
    "exists-false": ({"detail": {"c-count": [{"exists": False}]}}, event(detail={"state": "x"}), True),
    "exists-false-present": ({"detail": {"key": [{"exists": False}]}}, event(detail={"key": "value"}), False),
    "exists-false-intermediate": (
        {"detail": {"c-count": [{"exists": False}]}},
        event(detail={"c-count": {"c1": 100}}),
        True,
    ),
    "exists-false-empty-array": ({"r": [{"exists": False}]}, {"r": []}, True),
    "exists-false-deep": (
        {"detail": {"level1": {"level2": {"level3": [{"exists": False}]}}}},
        event(detail={"level1": {"level2": "l2 value"}}),
        True,
    ),
    "exists-false-in-array": ({"a": {"id": [{"exists": False}]}}, {"a": [{"x": 1}, {"id": 2}]}, False),
    "or-exists": (
        {"dynamodb": {"NewImage": {"homemade": {"S": [{"anything-but": ["roses"]}, {"exists": False}]}}}},
        {"dynamodb": {"NewImage": {"homemade": {"N": "789"}}}},
        True,
    ),
    "multiple-operators": (
        {"k": [{"exists": True}, {"prefix": "IGNORED"}, {"suffix": "IGNORED"}]},
        {"k": "v"},
        True,
    ),
    # --- dots in keys ---------------------------------------------------------------------------
    "dot-in-pattern-key": (
        {"detail": {"state.status": ["running"]}},
        event(detail={"state": {"status": "running"}}),
        True,
    ),
    "dot-in-event-key": (
        {"detail": {"state": {"status": ["running"]}}},
        event(detail={"state.status": "running"}),
        True,
    ),
    "dot-extra-level": (
        {"detail": {"state": {"status": ["running"]}}},
        event(detail={"state.status": {"status": "running"}}),
        False,
    ),
    "nested-json-string-not-parsed": (
        {"detail": {"my-key": ["my-value"]}},
        event(detail='{"my-key": "my-value"}'),
        False,
    ),
    # --- $or ----------------------------------------------------------------------------------------
    "or-second-branch": (
        {
            "detail": {
                "$or": [{"c-count": [{"numeric": [">", 0, "<=", 5]}]}, {"d-count": [{"numeric": ["<", 10]}]}]
            }
        },
        event(detail={"c-count": 0, "d-count": 0}),
        True,
    ),
    "or-no-branch": ({"$or": [{"source": ["aws.ec2"]}, {"source": ["aws.s3"]}]}, {"source": "my.app"}, False),
    "or-with-and": (
        {
            "source": ["aws.cloudwatch"],
            "$or": [{"metricName": ["CPUUtilization"]}, {"namespace": ["AWS/EC2"]}],
        },
        {"source": "aws.cloudwatch", "namespace": "AWS/EC2"},
        True,
    ),
    "or-with-and-miss": (
        {
            "source": ["aws.cloudwatch"],
            "$or": [{"metricName": ["CPUUtilization"]}, {"namespace": ["AWS/EC2"]}],
        },
        {"source": "aws.other", "namespace": "AWS/EC2"},
        False,
    ),
    "or-nested": (
        {
            "source": ["aws.cloudwatch"],
            "$or": [
                {"metricName": ["CPUUtilization"]},
                {"metricType": ["MetricType"], "$or": [{"metricId": [1234]}, {"spaceId": [1000]}]},
            ],
        },
        {"source": "aws.cloudwatch", "metricType": "MetricType", "spaceId": 1000},
        True,
    ),
    "or-parallel": (
        {
            "$or": [{"metricName": ["CPUUtilization"]}, {"namespace": ["AWS/EC2"]}],
            "detail": {"$or": [{"source": ["aws.cloudwatch"]}, {"detail-type": ["Alarm"]}]},
        },
        {"namespace": "AWS/EC2", "detail": {"source": "other"}},
        False,
    ),
    "or-legacy-object-is-a-field": ({"$or": {"a": ["x"]}}, {"$or": {"a": "x"}}, True),
    "duplicate-key-last-wins": (
        '{"detail": {"location": [{"prefix": "us-"}], "location": [{"anything-but": "us-east"}]}}',
        event(detail={"location": "eu-central-1"}),
        True,
    ),
    "trailing-text-ignored": ('{"a": ["x"]} trailing', {"a": "x"}, True),
}


@pytest.mark.parametrize(("pattern", "event_", "expected"), CASES.values(), ids=CASES.keys())
def test_matches_like_aws(pattern, event_, expected):
    assert matches(pattern, event_) is expected
    # the same outcome with both given as JSON text
    text = pattern if isinstance(pattern, str) else json.dumps(pattern)
    assert matches(text, json.dumps(event_)) is expected


def test_numbers_keep_their_text_from_json_events():
    # out of ruler's numeric range, numbers compare by their JSON text
    assert matches('{"n": [1e10]}', '{"n": 1e10}')
    assert not matches('{"n": [1e10]}', '{"n": 10000000000}')
    assert matches({"n": [1e10]}, {"n": 1e10})  # both written by json.dumps as 1e+10
    assert matches({"n": [300]}, '{"n": 3.0e2}')


def test_non_object_events_never_match():
    assert not matches({"a": [{"exists": False}]}, "[1, 2]")
    assert not matches({"a": [{"exists": False}]}, [1])


def test_invalid_event_json_is_a_value_error():
    with pytest.raises(ValueError, match="Event is not valid JSON"):
        matches({"a": ["x"]}, "{not json")


def test_compiled_pattern_reuse_and_as_dict():
    compiled = compile_pattern({"source": ["a"], "detail": {"n": [{"numeric": [">", 1]}]}})
    assert compiled.matches({"source": "a", "detail": {"n": 2}})
    assert not compiled.matches({"source": "a", "detail": {"n": 1}})
    assert compiled.as_dict() == {"source": ["a"], "detail": {"n": [{"numeric": [">", 1]}]}}


def test_eventbridge_reexports_the_matcher():
    assert reexported_matches is matches
