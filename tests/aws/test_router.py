"""The world's EventBridge: PutEvents through boto3, rules, targets, InputTransformer, faults."""

import json

import pytest
from botocore.exceptions import ClientError

from tests.aws import toy_handlers as toy

BUS = "ecosystem-marketplace-events"


def put(world, detail_type, detail, source="marketplace.booking", bus=BUS):
    return world.client("events").put_events(
        Entries=[
            {"Source": source, "DetailType": detail_type, "Detail": json.dumps(detail), "EventBusName": bus}
        ]
    )


def test_put_events_are_enveloped_and_recorded(world):
    out = put(world, "Booking Confirmed", {"bookingId": "b1"})
    assert out["FailedEntryCount"] == 0 and out["Entries"][0]["EventId"]
    event = world.bus_events[-1]
    assert event["detail-type"] == "Booking Confirmed" and event["detail"] == {"bookingId": "b1"}
    assert event["version"] == "0" and event["account"] == world.stack.account
    assert event["time"] == world.now().strftime("%Y-%m-%dT%H:%M:%SZ")


def test_invalid_entries_fail_individually(world):
    out = world.client("events").put_events(
        Entries=[
            {
                "Source": "marketplace.booking",
                "DetailType": "Booking Updated",
                "Detail": "not json",
                "EventBusName": BUS,
            },
            {
                "Source": "marketplace.booking",
                "DetailType": "Booking Updated",
                "Detail": "{}",
                "EventBusName": BUS,
            },
        ]
    )
    assert out["FailedEntryCount"] == 1
    assert out["Entries"][0]["ErrorCode"] == "MalformedDetail"
    assert "EventId" in out["Entries"][1]


def test_more_than_ten_entries_is_a_validation_error(world):
    entries = [{"Source": "s", "DetailType": "d", "Detail": "{}", "EventBusName": BUS}] * 11
    with pytest.raises(ClientError) as info:
        world.client("events").put_events(Entries=entries)
    assert info.value.response["Error"]["Code"] == "ValidationException"


def test_matching_rules_invoke_function_targets(world):
    world.add_function("sink", toy.whoami)
    ev = world.client("events")
    ev.put_rule(Name="to-sink", EventBusName=BUS, EventPattern=json.dumps({"detail-type": ["Ping"]}))
    ev.put_targets(
        Rule="to-sink",
        EventBusName=BUS,
        Targets=[{"Id": "sink", "Arn": world.stack.function_arn("sink"), "InputPath": "$.detail"}],
    )
    put(world, "Ping", {"n": 1})
    put(world, "Pong", {"n": 2})
    world.settle()
    sink_runs = [r for r in world.trace.select("lambda", "invoke.end") if r["details"]["function"] == "sink"]
    assert len(sink_runs) == 1
    delivered = [r for r in world.trace.select("eventbridge", "deliver") if r["details"]["rule"] == "to-sink"]
    assert delivered[0]["details"]["detailType"] == "Ping"


def test_input_transformer_and_sqs_target(world):
    sqs = world.client("sqs")
    url = sqs.create_queue(QueueName="audit")["QueueUrl"]
    ev = world.client("events")
    ev.put_rule(
        Name="to-queue", EventBusName=BUS, EventPattern=json.dumps({"source": ["marketplace.dispute"]})
    )
    ev.put_targets(
        Rule="to-queue",
        EventBusName=BUS,
        Targets=[
            {
                "Id": "q",
                "Arn": world.stack.queue_arn("audit"),
                "InputTransformer": {
                    "InputPathsMap": {"d": "$.detail.disputeId"},
                    "InputTemplate": '{"dispute": <d>, "kind": "audit"}',
                },
            }
        ],
    )
    put(world, "Dispute Created", {"disputeId": "dp_1"}, source="marketplace.dispute")
    world.settle()
    msgs = sqs.receive_message(QueueUrl=url)["Messages"]
    assert json.loads(msgs[0]["Body"]) == {"dispute": "dp_1", "kind": "audit"}


def test_stack_rule_for_workflow_events_reaches_logs(world):
    put(world, "Workflow Started", {"executionArn": "x"}, source="marketplace.workflow")
    world.settle()
    assert any(entry.get("group") == "/aws/events/ecosystem-marketplace-workflow" for entry in world.logs)


def test_partial_failure_injection(world):
    world.router.fail_entries(count=1, detail_type="Booking Confirmed")
    out = put(world, "Booking Confirmed", {"bookingId": "b1"})
    assert out["FailedEntryCount"] == 1 and out["Entries"][0]["ErrorCode"] == "InternalFailure"
    assert put(world, "Booking Confirmed", {"bookingId": "b1"})["FailedEntryCount"] == 0


def test_test_event_pattern_uses_the_real_matcher(world):
    ev = world.client("events")
    event = json.dumps(
        {
            "id": "1",
            "source": "marketplace.payment",
            "detail-type": "Payment Succeeded",
            "account": "123456789012",
            "time": "2026-03-02T09:00:00Z",
            "region": "us-east-1",
            "resources": [],
            "detail": {"amount": 12000},
        }
    )
    yes = ev.test_event_pattern(
        EventPattern=json.dumps({"detail": {"amount": [{"numeric": [">", 10000]}]}}), Event=event
    )
    no = ev.test_event_pattern(
        EventPattern=json.dumps({"detail": {"amount": [{"numeric": ["<", 100]}]}}), Event=event
    )
    assert yes["Result"] is True and no["Result"] is False
    with pytest.raises(ClientError) as info:
        ev.test_event_pattern(EventPattern=json.dumps({"detail": {"amount": 5}}), Event=event)
    assert info.value.response["Error"]["Code"] == "InvalidEventPatternException"


def test_async_targets_are_retried_twice_then_recorded(world):
    world.add_function("flaky", toy.fails)
    ev = world.client("events")
    ev.put_rule(Name="to-flaky", EventBusName=BUS, EventPattern=json.dumps({"detail-type": ["Flaky"]}))
    ev.put_targets(
        Rule="to-flaky", EventBusName=BUS, Targets=[{"Id": "f", "Arn": world.stack.function_arn("flaky")}]
    )
    put(world, "Flaky", {"bookingId": "b9"})
    world.advance("10m")
    runs = [r for r in world.trace.select("lambda", "invoke.end") if r["details"]["function"] == "flaky"]
    assert len(runs) == 3
    assert [r["t"][11:19] for r in runs] == ["09:00:00", "09:01:00", "09:03:00"]
    assert all(r["cid"] == "b9" for r in runs)
    assert world.lambdas.async_failures[0]["function"] == "flaky"
