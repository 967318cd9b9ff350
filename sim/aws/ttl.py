"""DynamoDB TTL, which moto never applies: items whose TTL attribute is in the past are deleted."""

from __future__ import annotations


def sweep(world) -> int:
    """Delete expired items from every table with a TTL attribute; how many were removed."""
    now = int(world.clock.epoch())
    ddb = world.client("dynamodb")
    removed = 0
    with world.internal():
        for t in world.stack.tables:
            if not t.ttl_attribute:
                continue
            kwargs = {"TableName": t.name, "FilterExpression": "#t < :now",
                      "ExpressionAttributeNames": {"#t": t.ttl_attribute},
                      "ExpressionAttributeValues": {":now": {"N": str(now)}}}
            while True:
                page = ddb.scan(**kwargs)
                for item in page.get("Items", []):
                    key = {a: item[a] for a in (t.hash_key, t.range_key) if a}
                    ddb.delete_item(TableName=t.name, Key=key)
                    removed += 1
                if "LastEvaluatedKey" not in page:
                    break
                kwargs["ExclusiveStartKey"] = page["LastEvaluatedKey"]
    if removed:
        world.trace.record("dynamodb", "ttl.expired", None, count=removed)
    return removed
