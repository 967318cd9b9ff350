"""DynamoDB TTL, which moto never applies: items whose TTL attribute is in the past are deleted."""

from __future__ import annotations


def sweep(tables, *, dynamodb, internal, now: int, trace) -> int:
    """Delete the items of `tables` (the stack's) whose TTL attribute is before `now` (unix
    seconds), through the `dynamodb` client inside `internal()`; how many were removed."""
    removed = 0
    with internal():
        for t in tables:
            if not t.ttl_attribute:
                continue
            kwargs = {"TableName": t.name, "FilterExpression": "#t < :now",
                      "ExpressionAttributeNames": {"#t": t.ttl_attribute},
                      "ExpressionAttributeValues": {":now": {"N": str(now)}}}
            while True:
                page = dynamodb.scan(**kwargs)
                for item in page.get("Items", []):
                    key = {a: item[a] for a in (t.hash_key, t.range_key) if a}
                    dynamodb.delete_item(TableName=t.name, Key=key)
                    removed += 1
                if "LastEvaluatedKey" not in page:
                    break
                kwargs["ExclusiveStartKey"] = page["LastEvaluatedKey"]
    if removed:
        trace.record("dynamodb", "ttl.expired", None, count=removed)
    return removed
