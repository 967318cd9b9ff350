"""PutEvents validation, the delivered event envelope, and InputPath / InputTransformer."""

import json
from datetime import UTC, datetime, timedelta, timezone

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sim.aws.eventbridge.put_events import (
    MAX_REQUEST_BYTES,
    PutEventsValidationError,
    apply_input_path,
    apply_input_transformer,
    entry_size,
    envelope,
    format_time,
    validate_entries,
    validate_entry,
)

FAST = settings(max_examples=60, deadline=None, database=None)


def entry(**fields):
    return {
        "Source": "com.example.app",
        "DetailType": "Booking Confirmed",
        "Detail": '{"id": "b1"}',
        **fields,
    }


# --------------------------------------------------------------------------------------------
# validation
# --------------------------------------------------------------------------------------------


def test_a_good_entry_is_accepted():
    assert validate_entries([entry()]) == [None]


@pytest.mark.parametrize("field", ["Source", "DetailType", "Detail"])
@pytest.mark.parametrize("missing", [None, ""])
def test_missing_required_fields(field, missing):
    bad = entry()
    if missing is None:
        del bad[field]
    else:
        bad[field] = missing
    assert validate_entry(bad) == {
        "ErrorCode": "InvalidArgument",
        "ErrorMessage": f"Parameter {field} is not valid. Reason: {field} is a required argument.",
    }


def test_required_fields_are_reported_in_aws_order():
    assert validate_entry({"Detail": "nope"})["ErrorMessage"].startswith("Parameter Source")
    assert validate_entry({"Source": "s", "Detail": "nope"})["ErrorMessage"].startswith(
        "Parameter DetailType"
    )


@pytest.mark.parametrize("detail", ["detail", "{", "[]", "null", "123", '"text"', "{'a': 1}"])
def test_detail_must_be_a_json_object(detail):
    assert validate_entry(entry(Detail=detail)) == {
        "ErrorCode": "MalformedDetail",
        "ErrorMessage": "Detail is malformed.",
    }


def test_empty_object_detail_is_fine():
    assert validate_entry(entry(Detail="{}")) is None


def test_aws_sources_are_reserved():
    assert validate_entry(entry(Source="aws.ec2")) == {
        "ErrorCode": "NotAuthorizedForSourceException",
        "ErrorMessage": "Not authorized for the source.",
    }


def test_results_are_per_entry():
    results = validate_entries([entry(), {"Source": "s"}, entry(Detail="x"), entry()])
    assert [r and r["ErrorCode"] for r in results] == [None, "InvalidArgument", "MalformedDetail", None]


def test_at_most_ten_entries():
    assert validate_entries([entry()] * 10) == [None] * 10
    with pytest.raises(PutEventsValidationError) as caught:
        validate_entries([entry()] * 11)
    assert caught.value.code == "ValidationException"
    assert "Member must have length less than or equal to 10" in str(caught.value)


def test_at_least_one_entry():
    with pytest.raises(PutEventsValidationError, match="greater than or equal to 1"):
        validate_entries([])


def test_entry_size_follows_the_documented_calculation():
    plain = {"Source": "src", "DetailType": "type", "Detail": '{"a":"é"}'}
    assert entry_size(plain) == 3 + 4 + len('{"a":"é"}'.encode())
    assert entry_size({**plain, "Time": datetime(2024, 1, 1, tzinfo=UTC)}) == entry_size(plain) + 14
    assert entry_size({**plain, "Resources": ["arn:a", "ärn"]}) == entry_size(plain) + 5 + 4


def test_total_size_limit_is_inclusive():
    overhead = entry_size(entry(Detail='{"p":""}'))
    exact = entry(Detail='{"p":"' + "x" * (MAX_REQUEST_BYTES - overhead) + '"}')
    assert entry_size(exact) == MAX_REQUEST_BYTES
    assert validate_entries([exact]) == [None]
    over = entry(Detail=exact["Detail"].replace('"}', 'x"}'))
    with pytest.raises(
        PutEventsValidationError, match="Total size of the entries in the request is over the limit."
    ):
        validate_entries([over])
    half = entry(Detail='{"p":"' + "x" * (MAX_REQUEST_BYTES // 2) + '"}')
    with pytest.raises(PutEventsValidationError):
        validate_entries([half, half])


@FAST
@given(
    st.lists(
        st.fixed_dictionaries(
            {},
            optional={
                "Source": st.text(max_size=5),
                "DetailType": st.text(max_size=5),
                "Detail": st.text(max_size=10),
                "Resources": st.lists(st.text(max_size=5), max_size=2),
            },
        ),
        min_size=1,
        max_size=10,
    )
)
def test_validation_returns_one_result_per_entry(entries):
    results = validate_entries(entries)
    assert len(results) == len(entries)
    for item, result in zip(entries, results, strict=True):
        assert result is None or set(result) == {"ErrorCode", "ErrorMessage"}
        expected = sum(
            len(item.get(k, "").encode("utf-8", "surrogatepass")) for k in ("Source", "DetailType", "Detail")
        )
        expected += sum(len(r.encode("utf-8", "surrogatepass")) for r in item.get("Resources", []))
        assert entry_size(item) == expected


# --------------------------------------------------------------------------------------------
# the delivered envelope
# --------------------------------------------------------------------------------------------


def test_envelope_is_shaped_like_aws_delivers_it():
    event = envelope(
        entry(Resources=["arn:aws:s3:::bucket"]),
        event_id="6a7e8feb-b491-4cf7-a9f1-bf3703467718",
        time=datetime(2026, 3, 2, 9, 0, 0, 123456, tzinfo=UTC),
        account="123456789012",
        region="eu-west-1",
    )
    assert list(event) == [
        "version",
        "id",
        "detail-type",
        "source",
        "account",
        "time",
        "region",
        "resources",
        "detail",
    ]
    assert event == {
        "version": "0",
        "id": "6a7e8feb-b491-4cf7-a9f1-bf3703467718",
        "detail-type": "Booking Confirmed",
        "source": "com.example.app",
        "account": "123456789012",
        "time": "2026-03-02T09:00:00Z",
        "region": "eu-west-1",
        "resources": ["arn:aws:s3:::bucket"],
        "detail": {"id": "b1"},
    }


def test_envelope_defaults_and_entry_time():
    event = envelope(
        entry(Time=datetime(2020, 5, 1, 12, 30, tzinfo=UTC)),
        event_id="i",
        time="2026-01-01T00:00:00Z",
        account="a",
        region="r",
    )
    assert event["time"] == "2020-05-01T12:30:00Z"
    assert event["resources"] == []


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (datetime(2026, 3, 2, 10, 0, 0, 999999, tzinfo=timezone(timedelta(hours=1))), "2026-03-02T09:00:00Z"),
        (datetime(2026, 3, 2, 9, 0, 0), "2026-03-02T09:00:00Z"),
        ("2026-03-02T09:00:00.500Z", "2026-03-02T09:00:00Z"),
        (0, "1970-01-01T00:00:00Z"),
        (1772442000.7, "2026-03-02T09:00:00Z"),
    ],
)
def test_times_are_utc_to_the_second(value, expected):
    assert format_time(value) == expected


@FAST
@given(
    st.dictionaries(
        st.text(max_size=5),
        st.one_of(st.none(), st.booleans(), st.integers(), st.text(max_size=5)),
        max_size=4,
    )
)
def test_envelope_detail_round_trips(detail):
    event = envelope(
        entry(Detail=json.dumps(detail)),
        event_id="i",
        time=datetime(2026, 1, 1, tzinfo=UTC),
        account="a",
        region="r",
    )
    assert event["detail"] == detail


# --------------------------------------------------------------------------------------------
# InputPath and InputTransformer (examples from the EventBridge user guide)
# --------------------------------------------------------------------------------------------

EC2 = {
    "version": "0",
    "id": "7bf73129-1428-4cd3-a780-95db273d1602",
    "detail-type": "EC2 Instance State-change Notification",
    "source": "aws.ec2",
    "account": "123456789012",
    "time": "2015-11-11T21:29:54Z",
    "region": "us-east-1",
    "resources": ["arn:aws:ec2:us-east-1:123456789012:instance/i-abcd1111"],
    "detail": {"instance-id": "i-0123456789", "state": "RUNNING", "count": 3, "tags": {"a": 1}},
}
PATHS = {"timestamp": "$.time", "instance": "$.detail.instance-id", "state": "$.detail.state"}


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("$", EC2),
        ("$.detail", EC2["detail"]),
        ("$.detail.state", "RUNNING"),
        ("$.detail.instance-id", "i-0123456789"),
        ("$.resources[0]", "arn:aws:ec2:us-east-1:123456789012:instance/i-abcd1111"),
        ("$.detail.tags.a", 1),
        ("$.detail['instance-id']", "i-0123456789"),
        ("$.detail.missing", None),
        ("$.resources[5]", None),
        ("$.detail.*", ["i-0123456789", "RUNNING", 3, {"a": 1}]),
    ],
)
def test_input_path(path, expected):
    assert apply_input_path(EC2, path) == expected


def test_invalid_input_path():
    with pytest.raises(ValueError):
        apply_input_path(EC2, "detail.state")


TEMPLATES = [
    ('"instance <instance> is in <state>"', '"instance i-0123456789 is in RUNNING"'),
    ('"instance \\"<instance>\\" is in <state>"', '"instance \\"i-0123456789\\" is in RUNNING"'),
    (
        '{\n  "instance" : <instance>,\n  "state": <state>\n}',
        '{\n  "instance" : "i-0123456789",\n  "state": "RUNNING"\n}',
    ),
    (
        '{"instance" : <instance>, "state": "<state>", "instanceStatus": "instance \\"<instance>\\" is in <state>"}',
        '{"instance" : "i-0123456789", "state": "RUNNING", "instanceStatus": "instance \\"i-0123456789\\" is in RUNNING"}',
    ),
    (
        '{"instance" : <instance>, "state": [ 9, <state>, true ], "Transformed" : "Yes"}',
        '{"instance" : "i-0123456789", "state": [ 9, "RUNNING", true ], "Transformed" : "Yes"}',
    ),
    (
        '{"ruleArn" : <aws.events.rule-arn>, "ruleName" : <aws.events.rule-name>}',
        '{"ruleArn" : "arn:aws:events:us-east-2:123456789012:rule/example", "ruleName" : "example"}',
    ),
    ('"<aws.events.rule-name> triggered"', '"example triggered"'),
]


@pytest.mark.parametrize(("template", "expected"), TEMPLATES)
def test_input_transformer_documented_examples(template, expected):
    out = apply_input_transformer(
        EC2,
        PATHS,
        template,
        rule_name="example",
        rule_arn="arn:aws:events:us-east-2:123456789012:rule/example",
    )
    assert out == expected


def test_recorded_string_template_and_missing_path():
    event = {
        **EC2,
        "detail-type": "customerCreated",
        "detail": {"command": "display-message", "payload": "baz"},
    }
    template = '"Event of <detail-type> type, at time <timestamp>, info extracted from detail <command>"'
    paths = {"detail-type": "$.detail-type", "timestamp": "$.time", "command": "$.detail.command"}
    assert apply_input_transformer(event, paths, template) == (
        '"Event of customerCreated type, at time 2015-11-11T21:29:54Z, info extracted from detail display-message"'
    )
    missing = {**paths, "command": "$.detail.notinmessage"}
    assert apply_input_transformer(event, missing, template) == (
        '"Event of customerCreated type, at time 2015-11-11T21:29:54Z, info extracted from detail "'
    )


def test_json_values_and_missing_paths_in_json_templates():
    paths = {"count": "$.detail.count", "tags": "$.detail.tags", "none": "$.detail.nope"}
    out = apply_input_transformer(
        EC2, paths, '{"c": <count>, "t": <tags>, "n": <none>, "q": "<none>", "s": "<tags>"}'
    )
    assert out == '{"c": 3, "t": {"a":1}, "n": null, "q": "", "s": "{"a":1}"}'


def test_whole_event_variables():
    out = json.loads(
        apply_input_transformer(EC2, {}, '{"e": <aws.events.event>, "j": <aws.events.event.json>}')
    )
    assert out["j"] == EC2
    assert "detail" not in out["e"] and out["e"]["detailType"] == EC2["detail-type"]
    assert out["e"]["id"] == EC2["id"]


def test_ingestion_time_defaults_to_event_time():
    assert apply_input_transformer(EC2, {}, '"<aws.events.event.ingestion-time>"') == '"2015-11-11T21:29:54Z"'
    stamped = apply_input_transformer(
        EC2, {}, '{"t": <aws.events.event.ingestion-time>}', ingestion_time=datetime(2026, 1, 2, tzinfo=UTC)
    )
    assert stamped == '{"t": "2026-01-02T00:00:00Z"}'


def test_unknown_placeholders_are_left_alone_and_reserved_names_refused():
    assert apply_input_transformer(EC2, PATHS, '"<b>bold</b> <state>"') == '"<b>bold</b> RUNNING"'
    with pytest.raises(ValueError, match="reserved"):
        apply_input_transformer(EC2, {"aws.events.rule-name": "$.id"}, '"x"')


@FAST
@given(st.text(alphabet=st.characters(blacklist_characters='<>"\\'), max_size=20), st.text(max_size=10))
def test_string_templates_insert_values_verbatim(prefix, value):
    event = {"detail": {"v": value}}
    out = apply_input_transformer(event, {"v": "$.detail.v"}, f'"{prefix}<v>"')
    assert out == f'"{prefix}{value}"'


@FAST
@given(
    st.one_of(
        st.none(), st.booleans(), st.integers(), st.text(max_size=8), st.lists(st.integers(), max_size=3)
    )
)
def test_json_templates_stay_valid_json_in_value_position(value):
    out = apply_input_transformer({"detail": {"v": value}}, {"v": "$.detail.v"}, '{"v": <v>}')
    assert json.loads(out) == {"v": value}
