"""moto's Table.scan over `sim.aws.fastpath.scan_pages`'s sorted items answers as moto does.

Random tables (a hash key of type S, N or B, with or without a range key) take random writes
(puts, updates, deletes, batches, transactions that moto cancels and rolls back) and scans read
page by page (limits, filters, projections, segments, an index), with more writes between the
pages. Each
sequence runs twice on fresh moto backends, installed and not: every page and every error must
be the same.
"""

import boto3
import pytest
from botocore.exceptions import ClientError
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from moto import mock_aws

from sim.aws.fastpath import scan_pages

KEY_TYPES = {"S": st.sampled_from(["a", "b", "c", "d", "e"]).map(lambda v: {"S": v}),
             "N": st.sampled_from(["-1", "0", "2", "10", "2.5"]).map(lambda v: {"N": v}),
             "B": st.sampled_from([b"\x00", b"\x01", b"a", b"ab"]).map(lambda v: {"B": v})}


@st.composite
def sequences(draw):
    hash_type = draw(st.sampled_from(sorted(KEY_TYPES)))
    range_type = draw(st.none() | st.sampled_from(sorted(KEY_TYPES)))
    hashes, ranges = KEY_TYPES[hash_type], KEY_TYPES[range_type] if range_type else st.none()

    def key(h, r):
        return {"h": h, **({"r": r} if r is not None else {})}

    keys = st.builds(key, hashes, ranges)
    items = st.builds(lambda k, x, g: {**k, "x": {"N": str(x)}, **({"g": {"S": g}} if g else {})},
                      keys, st.integers(0, 3), st.none() | st.sampled_from(["p", "q"]))
    put = items.map(lambda i: ("put_item", {"TableName": "t", "Item": i}))
    update = st.builds(lambda k, x: ("update_item", {"TableName": "t", "Key": k, "UpdateExpression": "SET x = :x",
                                                     "ExpressionAttributeValues": {":x": {"N": str(x)}}}),
                       keys, st.integers(0, 3))
    delete = keys.map(lambda k: ("delete_item", {"TableName": "t", "Key": k}))
    batch = st.lists(items, min_size=1, max_size=3).map(lambda xs: ("batch_write_item", {"RequestItems": {"t": [
        {"PutRequest": {"Item": i}} for i in {repr(sorted((a, repr(v)) for a, v in i.items() if a in "hr")): i
                                              for i in xs}.values()]}}))
    transact = st.builds(lambda i, k, fail: ("transact_write_items", {"TransactItems": [
        {"Put": {"TableName": "t", "Item": i}},
        {"Delete": {"TableName": "t", "Key": k, **({"ConditionExpression": "attribute_exists(nothing)"} if fail else {})}}]}),
        items, keys, st.booleans())
    write = st.one_of(put, put, update, delete, batch, transact)
    scan = st.builds(lambda limit, filt, proj, seg, index, between: ("scan", {
        "TableName": "t", **({"Limit": limit} if limit else {}),
        **({"FilterExpression": filt, "ExpressionAttributeValues": {":x": {"N": "1"}}} if filt else {}),
        **({"ProjectionExpression": proj} if proj else {}),
        **({"Segment": seg[0], "TotalSegments": seg[1]} if seg else {}),
        **({"IndexName": "ByG"} if index else {})}, between),
        st.sampled_from([None, 1, 2, 3]), st.sampled_from([None, "x >= :x", "x < :x OR attribute_exists(g)"]),
        st.sampled_from([None, "h, x", "g"]), st.none() | st.sampled_from([(0, 2), (1, 2)]),
        st.integers(0, 5).map(lambda n: n == 0), st.lists(write, max_size=2))
    bad = st.just(("scan", {"TableName": "t", "ExclusiveStartKey": {"nope": {"S": "x"}}}, []))
    ops = draw(st.lists(st.one_of(write, write, scan, scan, bad), min_size=1, max_size=10))
    return hash_type, range_type, ops


def _create(ddb, hash_type, range_type):
    schema = [{"AttributeName": "h", "KeyType": "HASH"}] + \
        ([{"AttributeName": "r", "KeyType": "RANGE"}] if range_type else [])
    ddb.create_table(TableName="t", BillingMode="PAY_PER_REQUEST", KeySchema=schema,
                     AttributeDefinitions=[{"AttributeName": "h", "AttributeType": hash_type},
                                           {"AttributeName": "g", "AttributeType": "S"}]
                     + ([{"AttributeName": "r", "AttributeType": range_type}] if range_type else []),
                     GlobalSecondaryIndexes=[{"IndexName": "ByG", "Projection": {"ProjectionType": "ALL"},
                                              "KeySchema": [{"AttributeName": "g", "KeyType": "HASH"}]}])


def _call(ddb, op, params):
    try:
        response = getattr(ddb, op)(**params)
        response.pop("ResponseMetadata", None)
        return ("ok", response)
    except ClientError as err:
        return ("error", err.response["Error"], err.response.get("CancellationReasons"))
    except Exception as exc:  # noqa: BLE001 - moto's own crash on a start key it cannot read: the same either way
        return ("raised", type(exc).__name__, str(exc))


def _pages(ddb, params, between):
    pages = []
    for n in range(8):
        page = _call(ddb, "scan", params)
        pages.append(page)
        if page[0] != "ok" or "LastEvaluatedKey" not in page[1]:
            break
        if n < len(between):
            pages.append(_call(ddb, *between[n]))   # a write between two pages of one scan
        params = {**params, "ExclusiveStartKey": page[1]["LastEvaluatedKey"]}
    return pages


def _play(example, installed):
    hash_type, range_type, sequence = example
    (scan_pages.install if installed else scan_pages.uninstall)()
    out = []
    with mock_aws():
        ddb = boto3.client("dynamodb", region_name="us-east-1")
        _create(ddb, hash_type, range_type)
        for op, params, *between in sequence:
            out.append(_pages(ddb, params, between[0]) if op == "scan" else _call(ddb, op, params))
        out.append(_pages(ddb, {"TableName": "t", "Limit": 2}, []))
        out.append(_pages(ddb, {"TableName": "t"}, []))   # the table itself: no scan changed an item
    return out


@pytest.fixture
def restore_install():
    was = scan_pages.installed()
    yield
    (scan_pages.install if was else scan_pages.uninstall)()


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow,
                                                                 HealthCheck.function_scoped_fixture])
@given(sequences())
def test_paged_scans_answer_as_moto(restore_install, example):
    assert _play(example, installed=True) == _play(example, installed=False)


def test_the_pages_of_one_scan_sort_the_table_once(restore_install, monkeypatch):
    from moto.dynamodb.models.table import Table

    scan_pages.install()
    sorts = []
    original = Table.all_items
    monkeypatch.setattr(Table, "all_items", lambda self: sorts.append(1) or original(self))
    with mock_aws():
        ddb = boto3.client("dynamodb", region_name="us-east-1")
        _create(ddb, "S", None)
        for i in range(12):
            ddb.put_item(TableName="t", Item={"h": {"S": f"k{i:02}"}, "x": {"N": "1"}})
        pages, params = [], {"TableName": "t", "Limit": 3}
        while True:
            page = ddb.scan(**params)
            pages.append([i["h"]["S"] for i in page["Items"]])
            if "LastEvaluatedKey" not in page:
                break
            params["ExclusiveStartKey"] = page["LastEvaluatedKey"]
        assert sum(pages, []) == [f"k{i:02}" for i in range(12)] and len(pages) == 4
        assert len(sorts) == 1
        ddb.delete_item(TableName="t", Key={"h": {"S": "k00"}})   # a write: the next scan sorts again
        assert [i["h"]["S"] for i in ddb.scan(TableName="t")["Items"]][0] == "k01" and len(sorts) == 2


def test_the_switch_removes_it(restore_install):
    from moto.dynamodb.models.table import Table

    scan_pages.uninstall()
    moto_scan, moto_put = Table.scan, Table.put_item
    scan_pages.install()
    assert Table.scan is not moto_scan and Table.scan.__wrapped__ is moto_scan
    scan_pages.uninstall()
    assert Table.scan is moto_scan and Table.put_item is moto_put and not scan_pages.installed()


@pytest.fixture
def without_result_copies():
    """`result_copies` (left installed by an earlier world) would skip the copies counted here."""
    from sim.aws.fastpath import result_copies

    was = result_copies.installed()
    result_copies.uninstall()
    yield
    (result_copies.install if was else result_copies.uninstall)()


def test_a_filtered_scan_copies_only_the_items_it_keeps(restore_install, without_result_copies, monkeypatch):
    import copy

    from moto.dynamodb.models import table as table_module
    from moto.dynamodb.models.dynamo_type import Item

    scan_pages.install()
    copied = []
    original = Item.__deepcopy__
    monkeypatch.setattr(Item, "__deepcopy__", lambda self, memo: copied.append(1) or original(self, memo))
    with mock_aws():
        ddb = boto3.client("dynamodb", region_name="us-east-1")
        _create(ddb, "S", None)
        for i in range(10):
            ddb.put_item(TableName="t", Item={"h": {"S": f"k{i}"}, "x": {"N": str(i)}})
        kept = ddb.scan(TableName="t", FilterExpression="x >= :x", ExpressionAttributeValues={":x": {"N": "8"}})
        assert [i["h"]["S"] for i in kept["Items"]] == ["k8", "k9"] and kept["ScannedCount"] == 10
        assert len(copied) == 2 and table_module.copy is copy
        with pytest.raises(Exception):  # noqa: B017 - moto's own KeyError for an unknown placeholder
            ddb.scan(TableName="t", FilterExpression="x >= :nope")
        assert table_module.copy is copy
        ddb.scan(TableName="t")
        assert len(copied) == 12   # no filter: moto's own copy of every item it returns
