"""`sim.aws.fastpath.result_copies`: Query and Scan answers without moto's deep copy of the items.

Random tables of nested items (maps, lists, string and number sets, binaries) are read by random
Queries and Scans (filters, projections, an index, limits, both directions): the answers are the
same installed and not. On the fast path the parsed answer is moto's result itself, so a caller
that changes every list, set and map of an answer must leave the table as it was; and that check
is shown to see a leak when moto's conversion of the result is made shallow.
"""

import boto3
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from moto import mock_aws

from sim.aws.fastpath import dynamodb as fast_dynamodb
from sim.aws.fastpath import result_copies

LEAVES = st.one_of(st.text("abc", max_size=3).map(lambda v: {"S": v}), st.integers(-3, 3).map(lambda v: {"N": str(v)}),
                   st.binary(max_size=3).map(lambda v: {"B": v}), st.booleans().map(lambda v: {"BOOL": v}),
                   st.just({"NULL": True}),
                   st.sets(st.sampled_from("xyz"), min_size=1).map(lambda v: {"SS": sorted(v)}),
                   st.sets(st.integers(0, 9), min_size=1).map(lambda v: {"NS": sorted(map(str, v))}))
VALUES = st.recursive(LEAVES, lambda inner: st.one_of(
    st.lists(inner, max_size=3).map(lambda v: {"L": v}),
    st.dictionaries(st.sampled_from(["p", "q", "r"]), inner, max_size=3).map(lambda v: {"M": v})), max_leaves=6)


@st.composite
def tables(draw):
    items = {}
    for _ in range(draw(st.integers(1, 8))):
        h, r = draw(st.sampled_from("ab")), draw(st.integers(0, 5))
        extra = draw(st.dictionaries(st.sampled_from(["v", "w"]), VALUES, max_size=2))
        g = draw(st.none() | st.sampled_from(["p", "q"]))
        items[(h, r)] = {"h": {"S": h}, "r": {"N": str(r)}, **({"g": {"S": g}} if g else {}), **extra}
    return list(items.values())


READS = st.one_of(
    st.builds(lambda h, limit, forward, filt, proj: {"op": "Query", "TableName": "t",
              "KeyConditionExpression": "h = :h", "ExpressionAttributeValues": {":h": {"S": h}, ":z": {"N": "2"}},
              "ScanIndexForward": forward, **({"Limit": limit} if limit else {}),
              **({"FilterExpression": filt} if filt else {}), **({"ProjectionExpression": proj} if proj else {})},
              st.sampled_from("ab"), st.sampled_from([None, 1, 3]), st.booleans(),
              st.sampled_from([None, "r >= :z", "attribute_exists(v)"]), st.sampled_from([None, "h, v", "w, r"])),
    st.builds(lambda g: {"op": "Query", "TableName": "t", "IndexName": "ByG", "KeyConditionExpression": "g = :g",
                         "ExpressionAttributeValues": {":g": {"S": g}}}, st.sampled_from("pq")),
    st.builds(lambda limit, filt, index: {"op": "Scan", "TableName": "t", **({"Limit": limit} if limit else {}),
              **({"FilterExpression": filt, "ExpressionAttributeValues": {":z": {"N": "2"}}} if filt else {}),
              **({"IndexName": "ByG"} if index else {})},
              st.sampled_from([None, 2]), st.sampled_from([None, "r < :z"]), st.booleans()))


def _create(ddb, items):
    ddb.create_table(TableName="t", BillingMode="PAY_PER_REQUEST",
                     KeySchema=[{"AttributeName": "h", "KeyType": "HASH"}, {"AttributeName": "r", "KeyType": "RANGE"}],
                     AttributeDefinitions=[{"AttributeName": a, "AttributeType": t} for a, t in (("h", "S"), ("r", "N"), ("g", "S"))],
                     GlobalSecondaryIndexes=[{"IndexName": "ByG", "Projection": {"ProjectionType": "ALL"},
                                              "KeySchema": [{"AttributeName": "g", "KeyType": "HASH"}]}])
    for item in items:
        ddb.put_item(TableName="t", Item=item)


def _fast(ddb, read):
    """The read answered as the embedded fast path answers it: moto's result dict itself."""
    params = {k: v for k, v in read.items() if k != "op"}
    model = ddb.meta.service_model.operation_model(read["op"])
    http, parsed = fast_dynamodb.answer(model, params, "123456789012", "us-east-1")
    assert http.status_code == 200, parsed
    return parsed


def _answers(items, reads, installed):
    (result_copies.install if installed else result_copies.uninstall)()
    with mock_aws():
        ddb = boto3.client("dynamodb", region_name="us-east-1")
        _create(ddb, items)
        out = []
        for read in reads:
            params = {k: v for k, v in read.items() if k != "op"}
            out.append(getattr(ddb, "query" if read["op"] == "Query" else "scan")(**params))
            out[-1].pop("ResponseMetadata")
            fast = _fast(ddb, read)
            fast.pop("ResponseMetadata")
            out.append(fast)
        return out


def _vandalise(value):
    """Change every list, set and map in an answer, in place."""
    if isinstance(value, dict):
        for key in list(value):
            _vandalise(value[key])
        value["vandal"] = {"S": "!"}
    elif isinstance(value, list):
        for item in value:
            _vandalise(item)
        value.append("!")


def _leaks(items, installed) -> bool:
    (result_copies.install if installed else result_copies.uninstall)()
    with mock_aws():
        ddb = boto3.client("dynamodb", region_name="us-east-1")
        _create(ddb, items)
        before = ddb.scan(TableName="t")["Items"]
        for read in ({"op": "Query", "TableName": "t", "KeyConditionExpression": "h = :h",
                      "ExpressionAttributeValues": {":h": {"S": "a"}}}, {"op": "Scan", "TableName": "t"},
                     {"op": "Scan", "TableName": "t", "IndexName": "ByG"}):
            _vandalise(_fast(ddb, read)["Items"])
        return ddb.scan(TableName="t")["Items"] != before


@pytest.fixture
def restore_install():
    was = result_copies.installed()
    yield
    (result_copies.install if was else result_copies.uninstall)()


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow,
                                                                 HealthCheck.function_scoped_fixture])
@given(tables(), st.lists(READS, min_size=1, max_size=4))
def test_reads_answer_as_moto(restore_install, items, reads):
    assert _answers(items, reads, installed=True) == _answers(items, reads, installed=False)


NESTED = [{"h": {"S": "a"}, "r": {"N": "1"}, "g": {"S": "p"}, "v": {"SS": ["x"]},
           "w": {"M": {"p": {"L": [{"NS": ["1"]}, {"M": {"q": {"S": "s"}}}]}}}},
          {"h": {"S": "b"}, "r": {"N": "2"}, "v": {"L": [{"SS": ["y", "z"]}]}}]


def test_changing_an_answer_changes_nothing_in_the_table(restore_install):
    assert not _leaks(NESTED, installed=True)


def test_the_check_sees_a_leak_when_the_conversion_is_shallow(restore_install, monkeypatch):
    from moto.dynamodb import responses
    from moto.dynamodb.models.dynamo_type import DynamoType

    real = responses.dynamo_to_dict

    def shallow(obj):
        if isinstance(obj, dict) and obj and all(isinstance(v, DynamoType) for v in obj.values()):
            return {k: ({v.type: v.value} if v.type == "SS" else real(v)) for k, v in obj.items()}
        if isinstance(obj, dict):
            return {k: shallow(v) for k, v in obj.items()}
        if isinstance(obj, list):
            return [shallow(v) for v in obj]
        return real(obj)

    monkeypatch.setattr(responses, "dynamo_to_dict", shallow)
    assert _leaks(NESTED, installed=True)        # nothing but the conversion stood between answer and table
    assert not _leaks(NESTED, installed=False)   # moto's own copy did
