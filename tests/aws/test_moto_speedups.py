"""The fast DynamoDB response path gives botocore exactly what moto's serializer gives."""

import boto3
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from moto import mock_aws

from sim.aws import moto_speedups

names = st.text(alphabet="abcdefgh", min_size=1, max_size=4)
scalars = st.one_of(
    st.builds(lambda s: {"S": s}, st.text(max_size=8)),
    st.builds(lambda n: {"N": str(n)}, st.integers(-10**6, 10**6)),
    st.builds(lambda b: {"B": b}, st.binary(max_size=8)),
    st.builds(lambda b: {"BOOL": b}, st.booleans()),
    st.just({"NULL": True}),
    st.builds(lambda ss: {"SS": sorted(ss)}, st.sets(st.text(min_size=1, max_size=4), min_size=1, max_size=3)),
)
values = st.recursive(scalars, lambda inner: st.one_of(
    st.builds(lambda xs: {"L": xs}, st.lists(inner, max_size=3)),
    st.builds(lambda m: {"M": m}, st.dictionaries(names, inner, max_size=3))), max_leaves=8)
items = st.dictionaries(names.filter(lambda n: n != "id"), values, max_size=5)


def calls(item):
    ddb = boto3.client("dynamodb", region_name="us-east-1")
    ddb.create_table(TableName="t", KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}],
                     AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"}],
                     BillingMode="PAY_PER_REQUEST")
    ddb.put_item(TableName="t", Item={"id": {"S": "k"}, **item})
    out = [ddb.get_item(TableName="t", Key={"id": {"S": "k"}}), ddb.scan(TableName="t"),
           ddb.query(TableName="t", KeyConditionExpression="id = :k", ExpressionAttributeValues={":k": {"S": "k"}}),
           ddb.update_item(TableName="t", Key={"id": {"S": "k"}}, UpdateExpression="SET extra = :v",
                           ExpressionAttributeValues={":v": {"N": "7"}}, ReturnValues="ALL_OLD"),
           ddb.delete_item(TableName="t", Key={"id": {"S": "k"}}, ReturnValues="ALL_OLD")]
    for response in out:
        response.pop("ResponseMetadata", None)
    return out


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(items)
def test_fast_path_parses_the_same(item):
    moto_speedups.uninstall()
    try:
        with mock_aws():
            slow = calls(item)
    finally:
        moto_speedups.install()
    with mock_aws():
        fast = calls(item)
    assert fast == slow


def transactions():
    """A committed transaction, then a cancelled one that must leave no trace."""
    ddb = boto3.client("dynamodb", region_name="us-east-1")
    for name, range_key in (("a", None), ("b", "sk")):
        schema = [{"AttributeName": "id", "KeyType": "HASH"}]
        attrs = [{"AttributeName": "id", "AttributeType": "S"}]
        if range_key:
            schema.append({"AttributeName": range_key, "KeyType": "RANGE"})
            attrs.append({"AttributeName": range_key, "AttributeType": "S"})
        ddb.create_table(TableName=name, KeySchema=schema, AttributeDefinitions=attrs, BillingMode="PAY_PER_REQUEST",
                         StreamSpecification={"StreamEnabled": True, "StreamViewType": "NEW_AND_OLD_IMAGES"})
    ddb.transact_write_items(TransactItems=[
        {"Put": {"TableName": "a", "Item": {"id": {"S": "1"}, "n": {"N": "1"}}}},
        {"Put": {"TableName": "b", "Item": {"id": {"S": "1"}, "sk": {"S": "x"}, "n": {"N": "1"}}}}])
    error = None
    try:
        ddb.transact_write_items(TransactItems=[
            {"Update": {"TableName": "a", "Key": {"id": {"S": "1"}}, "UpdateExpression": "SET n = :v",
                        "ExpressionAttributeValues": {":v": {"N": "2"}}}},
            {"Put": {"TableName": "b", "Item": {"id": {"S": "2"}, "sk": {"S": "y"}}}},
            {"Delete": {"TableName": "b", "Key": {"id": {"S": "1"}, "sk": {"S": "x"}},
                        "ConditionExpression": "attribute_not_exists(id)"}}])
    except ddb.exceptions.TransactionCanceledException as exc:
        error = [r["Code"] for r in exc.response["CancellationReasons"]]
    state = {name: sorted(str(i) for i in ddb.scan(TableName=name)["Items"]) for name in ("a", "b")}
    from moto.dynamodb.models import dynamodb_backends

    tables = dynamodb_backends["123456789012"]["us-east-1"].tables
    records = {name: [r.record["eventName"] for r in tables[name].stream_shard.items] for name in ("a", "b")}
    return error, state, records


def test_cancelled_transactions_roll_back_like_moto():
    moto_speedups.uninstall()
    try:
        with mock_aws():
            slow = transactions()
    finally:
        moto_speedups.install()
    with mock_aws():
        fast = transactions()
    assert fast == slow
    assert fast[0] == ["None", "None", "ConditionalCheckFailed"]
    assert fast[1]["a"] == [str({"id": {"S": "1"}, "n": {"N": "1"}})]
