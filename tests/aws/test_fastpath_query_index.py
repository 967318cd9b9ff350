"""moto's Table.query over the candidates of `sim.aws.fastpath.query_index` answers as moto does.

Random writes (puts, updates that set, change or remove an index's key, deletes, batches,
transactions that moto cancels and rolls back) and queries (on the table's key and on global
indexes with and without a range key, with range conditions, filters, limits and every page)
run twice on fresh moto backends, with the index installed and without: every answer and every
error must be the same.
"""

import boto3
import pytest
from botocore.exceptions import ClientError
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from moto import mock_aws

from sim.aws.fastpath import query_index

pks = st.sampled_from(["p1", "p2", "p3"])
sks = st.sampled_from(["a", "b", "c"])
statuses = st.sampled_from(["NEW", "DONE", "FAILED"])
owners = st.sampled_from(["o1", "o2"])
numbers = st.integers(0, 3).map(lambda n: {"N": str(n)})


def _item(pk, sk, status, owner, at, extra):
    item = {"pk": {"S": pk}, "sk": {"S": sk}, "x": {"N": str(extra)}}
    if status is not None:
        item["status"] = {"S": status}
    if owner is not None:
        item["owner"] = {"S": owner}
    if at is not None:
        item["at"] = at
    return item


items = st.builds(_item, pks, sks, st.none() | statuses, st.none() | owners, st.none() | numbers, st.integers(0, 2))
put = st.builds(lambda item: ("put_item", {"TableName": "t", "Item": item}), items)
update = st.builds(lambda pk, sk, expr, status, owner: ("update_item", {
    "TableName": "t", "Key": {"pk": {"S": pk}, "sk": {"S": sk}}, "UpdateExpression": expr,
    "ExpressionAttributeNames": {"#s": "status"}, "ExpressionAttributeValues": {":s": {"S": status}, ":o": {"S": owner}}}
    if ":" in expr else {"TableName": "t", "Key": {"pk": {"S": pk}, "sk": {"S": sk}}, "UpdateExpression": expr,
                         "ExpressionAttributeNames": {"#s": "status"}}),
    pks, sks, st.sampled_from(["SET #s = :s", "SET #s = :s, owner = :o", "REMOVE #s", "REMOVE owner",
                               "SET owner = :o REMOVE #s"]), statuses, owners)
delete = st.builds(lambda pk, sk: ("delete_item", {"TableName": "t", "Key": {"pk": {"S": pk}, "sk": {"S": sk}}}),
                   pks, sks)
transact = st.builds(lambda item, pk, sk, status, fail: ("transact_write_items", {"TransactItems": [
    {"Put": {"TableName": "t", "Item": item}},
    {"Update": {"TableName": "t", "Key": {"pk": {"S": pk}, "sk": {"S": sk}}, "UpdateExpression": "SET #s = :s",
                "ExpressionAttributeNames": {"#s": "status"}, "ExpressionAttributeValues": {":s": {"S": status}},
                **({"ConditionExpression": "attribute_exists(nothing)"} if fail else {})}}]}),
    items, pks, sks, statuses, st.booleans())
batch = st.builds(lambda xs: ("batch_write_item", {"RequestItems": {"t": [
    {"PutRequest": {"Item": i}} for i in {(i["pk"]["S"], i["sk"]["S"]): i for i in xs}.values()]}}),
    st.lists(items, min_size=1, max_size=3))
table_query = st.builds(lambda pk, cond, forward, limit: ("query", {
    "TableName": "t", "KeyConditionExpression": "pk = :p" + cond[0],
    "ExpressionAttributeValues": {":p": {"S": pk}, **cond[1]}, "ScanIndexForward": forward,
    **({"Limit": limit} if limit else {})}),
    pks, st.sampled_from([("", {}), (" AND sk > :k", {":k": {"S": "a"}}),
                          (" AND begins_with(sk, :k)", {":k": {"S": "b"}})]), st.booleans(), st.sampled_from([None, 1, 2]))
index_query = st.builds(lambda index, value, cond, filt, forward, limit: ("query", {
    "TableName": "t", "IndexName": index[0], "KeyConditionExpression": f"#h = :h{cond if index[0] == 'ByStatus' else ''}",
    "ExpressionAttributeNames": {"#h": index[1]},
    "ExpressionAttributeValues": {":h": {"S": value[index[0]]}, **({":a": {"N": "1"}} if cond and index[0] == "ByStatus" else {}),
                                  **({":x": {"N": "1"}} if filt else {})},
    **({"FilterExpression": "x >= :x"} if filt else {}), "ScanIndexForward": forward, **({"Limit": limit} if limit else {})}),
    st.sampled_from([("ByStatus", "status"), ("ByOwner", "owner"), ("ByX", "x")]),
    st.builds(lambda s, o: {"ByStatus": s, "ByOwner": o, "ByX": "1"}, statuses, owners),
    st.sampled_from(["", " AND #a > :a"]).map(lambda c: c.replace("#a", "at")), st.booleans(), st.booleans(),
    st.sampled_from([None, 1, 2]))
bad_query = st.just(("query", {"TableName": "t", "IndexName": "Nope", "KeyConditionExpression": "pk = :p",
                               "ExpressionAttributeValues": {":p": {"S": "p1"}}}))
probe = st.just(("probe", {}))  # every index, every value: a stale map cannot hide
ops = st.lists(st.one_of(put, put, update, delete, transact, batch, table_query, index_query, probe, bad_query),
               min_size=1, max_size=14)
PROBES = [("ByStatus", "status", v) for v in ("NEW", "DONE", "FAILED")] + \
    [("ByOwner", "owner", v) for v in ("o1", "o2")] + [("ByX", "x", None)]


def _create(ddb):
    ddb.create_table(
        TableName="t", BillingMode="PAY_PER_REQUEST",
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}, {"AttributeName": "sk", "KeyType": "RANGE"}],
        AttributeDefinitions=[{"AttributeName": n, "AttributeType": t} for n, t in
                              (("pk", "S"), ("sk", "S"), ("status", "S"), ("owner", "S"), ("at", "N"), ("x", "N"))],
        GlobalSecondaryIndexes=[
            {"IndexName": "ByStatus", "Projection": {"ProjectionType": "ALL"},
             "KeySchema": [{"AttributeName": "status", "KeyType": "HASH"}, {"AttributeName": "at", "KeyType": "RANGE"}]},
            {"IndexName": "ByOwner", "Projection": {"ProjectionType": "KEYS_ONLY"},
             "KeySchema": [{"AttributeName": "owner", "KeyType": "HASH"}]},
            {"IndexName": "ByX", "Projection": {"ProjectionType": "ALL"},
             "KeySchema": [{"AttributeName": "x", "KeyType": "HASH"}]}])


def _pages(ddb, params):
    pages = []
    for _ in range(4):
        page = ddb.query(**params)
        page.pop("ResponseMetadata", None)
        pages.append(page)
        if "LastEvaluatedKey" not in page:
            break
        params = {**params, "ExclusiveStartKey": page["LastEvaluatedKey"]}
    return pages


def _probe(index, attr, value):
    typed = {"S": value} if value is not None else {"N": "1"}
    return {"TableName": "t", "IndexName": index, "KeyConditionExpression": "#h = :h",
            "ExpressionAttributeNames": {"#h": attr}, "ExpressionAttributeValues": {":h": typed}}


def _play(sequence, installed):
    (query_index.install if installed else query_index.uninstall)()
    out = []
    with mock_aws():
        ddb = boto3.client("dynamodb", region_name="us-east-1")
        _create(ddb)
        for op, params in sequence:
            try:
                if op == "query":
                    out.append(("ok", _pages(ddb, params)))
                elif op == "probe":
                    out.append(("ok", [_pages(ddb, _probe(*p)) for p in PROBES]))
                else:
                    response = getattr(ddb, op)(**params)
                    response.pop("ResponseMetadata", None)
                    out.append(("ok", response))
            except ClientError as err:
                out.append(("error", err.response["Error"], err.response.get("CancellationReasons")))
        every = ddb.scan(TableName="t")["Items"]
    return out, sorted(every, key=repr)


@pytest.fixture
def restore_install():
    was = query_index.installed()
    yield
    (query_index.install if was else query_index.uninstall)()


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow,
                                                                 HealthCheck.function_scoped_fixture])
@given(ops)
def test_queries_over_the_index_answer_as_moto(restore_install, sequence):
    assert _play(sequence, installed=True) == _play(sequence, installed=False)


def test_a_query_reads_only_the_candidates(restore_install, monkeypatch):
    from moto.dynamodb.models.table import Table

    query_index.install()
    walked = []
    original = Table.all_items
    monkeypatch.setattr(Table, "all_items", lambda self: walked.append(getattr(self, "name", None)) or original(self))
    with mock_aws():
        ddb = boto3.client("dynamodb", region_name="us-east-1")
        _create(ddb)
        for i in range(5):
            ddb.put_item(TableName="t", Item=_item(f"p{i}", "a", "NEW" if i % 2 else "DONE", "o1", {"N": str(i)}, 1))
        ddb.update_item(TableName="t", Key={"pk": {"S": "p0"}, "sk": {"S": "a"}}, UpdateExpression="SET #s = :s",
                        ExpressionAttributeNames={"#s": "status"}, ExpressionAttributeValues={":s": {"S": "NEW"}})
        got = ddb.query(TableName="t", IndexName="ByStatus", KeyConditionExpression="#s = :s",
                        ExpressionAttributeNames={"#s": "status"}, ExpressionAttributeValues={":s": {"S": "NEW"}})
        mine = ddb.query(TableName="t", KeyConditionExpression="pk = :p", ExpressionAttributeValues={":p": {"S": "p3"}})
    assert [i["pk"]["S"] for i in got["Items"]] == ["p0", "p1", "p3"]
    assert [i["pk"]["S"] for i in mine["Items"]] == ["p3"]
    assert None in walked and "t" not in walked  # moto's all_items ran, on the candidates only


def test_the_switch_removes_it(restore_install):
    from moto.dynamodb.models.table import Table

    query_index.uninstall()
    moto_query = Table.query
    query_index.install()
    assert Table.query is not moto_query and Table.query.__wrapped__ is moto_query
    query_index.uninstall()
    assert Table.query is moto_query and not query_index.installed()
