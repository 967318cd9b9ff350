"""DynamoDB Streams → Lambda in the world."""

from sim.aws.stack import Table


def capture(world):
    seen = []

    def sink(event, context):
        seen.append(event)
        return "ok"

    world.add_function("stream-sink", sink)
    world.stack.tables[:] = [Table(t.name, t.env_var, t.hash_key, t.range_key, t.indexes, t.ttl_attribute,
                                   t.hash_type, t.range_type, ("stream-sink",)) if t.name == "Service" else t
                             for t in world.stack.tables]
    world.streams.tables["Service"] = world.stack.table("Service")
    return seen


def test_writes_become_batched_stream_records(world):
    seen = capture(world)
    ddb = world.client("dynamodb")
    ddb.put_item(TableName="Service", Item={"id": {"S": "s1"}, "price": {"N": "100"}})
    ddb.update_item(TableName="Service", Key={"id": {"S": "s1"}}, UpdateExpression="SET price = :p",
                    ExpressionAttributeValues={":p": {"N": "120"}})
    ddb.put_item(TableName="Service", Item={"id": {"S": "s1"}, "price": {"N": "120"}})  # no change: no record
    ddb.delete_item(TableName="Service", Key={"id": {"S": "s1"}})
    world.advance(1)
    assert len(seen) == 1
    records = seen[0]["Records"]
    assert [r["eventName"] for r in records] == ["INSERT", "MODIFY", "REMOVE"]
    modify = records[1]["dynamodb"]
    assert modify["OldImage"]["price"] == {"N": "100"} and modify["NewImage"]["price"] == {"N": "120"}
    assert modify["Keys"] == {"id": {"S": "s1"}}
    assert records[0]["eventSourceARN"].startswith("arn:aws:dynamodb:us-east-1:123456789012:table/Service/stream/")
    assert "OldImage" not in records[0]["dynamodb"] and "NewImage" not in records[2]["dynamodb"]


def test_failed_conditional_writes_make_no_record(world):
    seen = capture(world)
    ddb = world.client("dynamodb")
    ddb.put_item(TableName="Service", Item={"id": {"S": "s1"}})
    try:
        ddb.put_item(TableName="Service", Item={"id": {"S": "s1"}, "x": {"S": "y"}},
                     ConditionExpression="attribute_not_exists(id)")
    except ddb.exceptions.ConditionalCheckFailedException:
        pass
    world.advance(1)
    assert [r["eventName"] for r in seen[0]["Records"]] == ["INSERT"]


def test_transactions_and_batches_are_streamed(world):
    seen = capture(world)
    ddb = world.client("dynamodb")
    ddb.transact_write_items(TransactItems=[{"Put": {"TableName": "Service", "Item": {"id": {"S": "a"}}}},
                                            {"Put": {"TableName": "Booking", "Item": {"id": {"S": "b"}}}}])
    ddb.batch_write_item(RequestItems={"Service": [{"PutRequest": {"Item": {"id": {"S": "c"}}}}]})
    world.advance(1)
    assert [r["dynamodb"]["Keys"]["id"]["S"] for r in seen[0]["Records"]] == ["a", "c"]


def test_failed_batches_are_retried_then_recorded(world):
    def broken(event, context):
        raise RuntimeError("downstream unavailable")

    capture(world)
    world.add_function("stream-sink", broken)
    world.client("dynamodb").put_item(TableName="Service", Item={"id": {"S": "s1"}})
    world.advance(60)
    assert len(world.trace.select("dynamodb", "stream.retry")) == 3
    assert world.streams.failures[0]["function"] == "stream-sink"


def test_user_profile_stream_invokes_profile_events(world):
    world.client("dynamodb").put_item(TableName="UserProfile", Item={"id": {"S": "u1"}, "email": {"S": "a@b.c"}})
    world.advance(1)
    runs = [r for r in world.trace.select("lambda", "invoke.start") if r["details"]["function"] == "profile-events"]
    assert len(runs) == 1
