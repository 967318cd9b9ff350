"""Toy Lambda handlers for the runtime and concurrency tests (not part of the marketplace)."""

import os
import time

import boto3

TABLE = "ProcessedWebhooks"


def _ddb():
    return boto3.client("dynamodb")


def racy_once(event, context):
    """Check-then-put without a condition: two concurrent copies can both apply the effect."""
    ddb = _ddb()
    key = {"eventId": {"S": event["id"]}}
    if "Item" in ddb.get_item(TableName=TABLE, Key=key):
        return "duplicate"
    ddb.put_item(TableName=TABLE, Item={**key, "status": {"S": "COMPLETED"}})
    ddb.update_item(
        TableName="Booking",
        Key={"id": {"S": "effects"}},
        UpdateExpression="ADD applied :one",
        ExpressionAttributeValues={":one": {"N": "1"}},
    )
    return "applied"


def conditional_once(event, context):
    """Conditional put: exactly one concurrent copy wins, whatever the interleaving."""
    ddb = _ddb()
    try:
        ddb.put_item(
            TableName=TABLE,
            Item={"eventId": {"S": event["id"]}, "status": {"S": "COMPLETED"}},
            ConditionExpression="attribute_not_exists(eventId)",
        )
    except ddb.exceptions.ConditionalCheckFailedException:
        return "duplicate"
    ddb.update_item(
        TableName="Booking",
        Key={"id": {"S": "effects"}},
        UpdateExpression="ADD applied :one",
        ExpressionAttributeValues={":one": {"N": "1"}},
    )
    return "applied"


def five_calls(event, context):
    ddb = _ddb()
    for i in range(5):
        ddb.put_item(TableName="Service", Item={"id": {"S": f"s{i}"}, "n": {"N": str(i)}})
    return 5


def whoami(event, context):
    return {
        "env": os.environ.get("TOY_VAR"),
        "fn": os.environ.get("AWS_LAMBDA_FUNCTION_NAME"),
        "remaining": context.get_remaining_time_in_millis(),
        "now": time.time(),
        "request_id": context.aws_request_id,
    }


def slow(event, context):
    """Two DynamoDB calls; a latency fault on the second can push it past the timeout."""
    ddb = _ddb()
    ddb.put_item(TableName="Service", Item={"id": {"S": "before"}})
    ddb.put_item(TableName="Service", Item={"id": {"S": "after"}})
    return "done"


def fails(event, context):
    raise ValueError("bad input: amount must be positive")


def swallow_everything(event, context):
    """A handler that catches Exception must still die on a crash or a timeout."""
    try:
        _ddb().put_item(TableName="Service", Item={"id": {"S": "crash"}})
    except Exception:  # noqa: BLE001
        return "swallowed"
    return "survived"
