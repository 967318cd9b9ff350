"""The embedded fast path answers DynamoDB calls exactly as moto's HTTP path does.

The same random sequence of calls runs twice on fresh moto backends: once through boto3 and
moto's normal (HTTP-shaped) path, once through `sim.aws.fastpath.dynamodb.answer` with the
botocore request the client would send. Parsed responses must be equal (request ids and HTTP
headers aside), and every error the same: code, message, HTTP status and modeled fields.
"""

import boto3
import pytest
from botocore.exceptions import ClientError
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from moto import mock_aws

from sim.aws.fastpath import dynamodb, expressions

names = st.sampled_from(["a", "b", "s", "n", "l"])
scalars = st.one_of(
    st.builds(lambda s: {"S": s}, st.text(alphabet="xyz", max_size=3)),
    st.builds(lambda n: {"N": str(n)}, st.integers(-5, 5)),
    st.builds(lambda b: {"B": b}, st.binary(max_size=4)),
    st.builds(lambda b: {"BOOL": b}, st.booleans()),
    st.just({"NULL": True}),
    st.builds(lambda ss: {"SS": sorted(ss)}, st.sets(st.sampled_from("pqr"), min_size=1, max_size=2)),
)
values = st.recursive(scalars, lambda inner: st.one_of(
    st.builds(lambda xs: {"L": xs}, st.lists(inner, max_size=2)),
    st.builds(lambda m: {"M": m}, st.dictionaries(names, inner, max_size=2))), max_leaves=4)
keys = st.sampled_from(["k1", "k2", "k3", ""])
attrs = st.dictionaries(names, values, max_size=3)
conditions = st.sampled_from([None, "attribute_not_exists(id)", "attribute_exists(id)", "#n = :v", "#n < :v",
                              "size(#n) > :z", "begins_with(#n, :v)", "#n = :v AND attribute_exists(a)",
                              "NOT attribute_exists(b) OR #n IN (:v, :z)", "#n = = :v", "bogus(#n)"])
updates = st.sampled_from(["SET #n = :v", "SET #n = if_not_exists(#n, :v)", "ADD c :one", "REMOVE a",
                           "SET a = :v, b = :z REMOVE s", "SET l = list_append(if_not_exists(l, :e), :e)",
                           "SET #n = #n + :one", "SET = :v", "DELETE s :v"])
returns = st.sampled_from(["NONE", "ALL_OLD", "ALL_NEW", "UPDATED_OLD", "UPDATED_NEW", "BAD"])


def _key(k):
    return {"id": {"S": k}}


def _exprs(condition, value, with_names):
    out = {}
    if condition and ("#n" in condition or with_names):
        out["ExpressionAttributeNames"] = {"#n": "n"}
    if condition and ":" in condition:
        out["ExpressionAttributeValues"] = {":v": value, ":z": {"N": "0"}}
    return out


put = st.builds(lambda k, item, cond, v, rv, failed: ("PutItem", {
    "TableName": "t", "Item": {**item, **_key(k)}, **({"ConditionExpression": cond} if cond else {}),
    **_exprs(cond, v, False), "ReturnValues": rv if rv in ("NONE", "ALL_OLD", "BAD") else "NONE",
    **({"ReturnValuesOnConditionCheckFailure": "ALL_OLD"} if failed else {})}),
    keys, attrs, conditions, scalars, returns, st.booleans())
update = st.builds(lambda k, expr, cond, v, rv: ("UpdateItem", {
    "TableName": "t", "Key": _key(k), "UpdateExpression": expr, "ReturnValues": rv,
    **({"ConditionExpression": cond} if cond else {}),
    "ExpressionAttributeNames": {"#n": "n"} if "#n" in expr or (cond and "#n" in cond) else None,
    "ExpressionAttributeValues": {":v": v, ":z": {"N": "0"}, ":one": {"N": "1"}, ":e": {"L": [v]}}}),
    keys, updates, conditions, scalars, returns)
get = st.builds(lambda k, proj: ("GetItem", {"TableName": "t", "Key": _key(k), "ConsistentRead": True,
                                             **({"ProjectionExpression": proj} if proj else {})}),
                keys, st.sampled_from([None, "a, b", "id, l[0]", "#x"]))
delete = st.builds(lambda k, cond, v, rv: ("DeleteItem", {
    "TableName": "t", "Key": _key(k), "ReturnValues": "ALL_OLD" if rv == "ALL_OLD" else "NONE",
    **({"ConditionExpression": cond} if cond else {}), **_exprs(cond, v, False)}),
    keys, conditions, scalars, returns)
scan = st.builds(lambda cond, v, limit: ("Scan", {
    "TableName": "t", **({"FilterExpression": cond} if cond else {}), **_exprs(cond, v, False),
    **({"Limit": limit} if limit else {})}), conditions, scalars, st.sampled_from([None, 1, 2]))
query = st.builds(lambda k, cond, v: ("Query", {
    "TableName": "t", "KeyConditionExpression": "id = :k",
    "ExpressionAttributeValues": {":k": {"S": k}, **({":v": v, ":z": {"N": "0"}} if cond and ":" in cond else {})},
    **({"FilterExpression": cond} if cond else {}),
    **({"ExpressionAttributeNames": {"#n": "n"}} if cond and "#n" in cond else {})}),
    keys, conditions, scalars)
transact = st.builds(lambda k1, k2, item, cond, v: ("TransactWriteItems", {"TransactItems": [
    {"Put": {"TableName": "t", "Item": {**item, **_key(k1)}}},
    {"Update": {"TableName": "t", "Key": _key(k2), "UpdateExpression": "ADD c :one",
                "ExpressionAttributeValues": {":one": {"N": "1"}, **({":v": v, ":z": {"N": "0"}} if cond and ":" in cond else {})},
                **({"ConditionExpression": cond} if cond else {}),
                **({"ExpressionAttributeNames": {"#n": "n"}} if cond and "#n" in cond else {}),
                "ReturnValuesOnConditionCheckFailure": "ALL_OLD"}}]}),
    keys, keys, attrs, conditions, scalars)
batch = st.builds(lambda ks, item: ("BatchWriteItem", {"RequestItems": {"t": [
    {"PutRequest": {"Item": {**item, **_key(k)}}} for k in dict.fromkeys(ks)]}}),
    st.lists(keys, min_size=1, max_size=3), attrs)
batch_get = st.builds(lambda ks: ("BatchGetItem", {"RequestItems": {"t": {"Keys": [_key(k) for k in dict.fromkeys(ks)]}}}),
                      st.lists(keys, min_size=1, max_size=3))
missing = st.builds(lambda k: ("GetItem", {"TableName": "nope", "Key": _key(k)}), keys)
ops = st.lists(st.one_of(put, update, get, delete, scan, query, transact, batch, batch_get, missing),
               min_size=1, max_size=8)


def _clean(params):
    return {k: v for k, v in params.items() if v is not None}


def _create(ddb):
    ddb.create_table(TableName="t", KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}],
                     AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"}],
                     BillingMode="PAY_PER_REQUEST")


def _comparable(parsed):
    parsed = dict(parsed)
    meta = parsed.pop("ResponseMetadata", {})
    return parsed, meta.get("HTTPStatusCode")


def _through_http(sequence):
    out = []
    with mock_aws():
        ddb = boto3.client("dynamodb", region_name="us-east-1")
        _create(ddb)
        for op, params in sequence:
            method = getattr(ddb, dynamodb.OPERATIONS[op])
            try:
                out.append(("ok", _comparable(method(**_clean(params)))))
            except ClientError as err:
                out.append(("error", _comparable(err.response)))
            except Exception as exc:  # noqa: BLE001 - moto lets some errors escape as-is, on both paths
                out.append(("raised", type(exc).__name__, str(exc)))
    return out


def _through_fast_path(sequence):
    out = []
    with mock_aws():
        ddb = boto3.client("dynamodb", region_name="us-east-1")
        _create(ddb)
        for op, params in sequence:
            model = ddb.meta.service_model.operation_model(op)
            try:
                http, parsed = dynamodb.answer(model, _clean(params), "123456789012", "us-east-1")
            except Exception as exc:  # noqa: BLE001
                out.append(("raised", type(exc).__name__, str(exc)))
                continue
            if http.status_code >= 300:
                err = ClientError(parsed, op)  # what botocore raises from this answer
                out.append(("error", _comparable(err.response)))
            else:
                out.append(("ok", _comparable(parsed)))
    return out


@pytest.fixture(params=[True, False], ids=["expression-cache", "no-cache"])
def cache(request):
    was = expressions.installed()
    (expressions.install if request.param else expressions.uninstall)()
    yield request.param
    (expressions.install if was else expressions.uninstall)()


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow,
                                                                 HealthCheck.function_scoped_fixture])
@given(ops)
def test_fast_path_answers_as_moto_over_http(cache, sequence):
    assert _through_fast_path(sequence) == _through_http(sequence)


def test_an_error_keeps_code_message_status_and_modeled_fields():
    sequence = [("PutItem", {"TableName": "t", "Item": {"id": {"S": "k"}, "a": {"N": "1"}}}),
                ("PutItem", {"TableName": "t", "Item": {"id": {"S": "k"}}, "ConditionExpression":
                             "attribute_not_exists(id)", "ReturnValuesOnConditionCheckFailure": "ALL_OLD"})]
    (_, first), (kind, (error, status)) = _through_fast_path(sequence)
    assert kind == "error" and status == 400
    assert error["Error"]["Code"] == "ConditionalCheckFailedException"
    assert error["Item"] == {"id": {"S": "k"}, "a": {"N": "1"}}
    assert (kind, (error, status)) == _through_http(sequence)[1]


def test_parameters_are_copied_so_moto_never_holds_the_callers_dicts():
    item = {"id": {"S": "k"}, "m": {"M": {"x": {"L": [{"S": "a"}]}}}}
    with mock_aws():
        ddb = boto3.client("dynamodb", region_name="us-east-1")
        _create(ddb)
        model = ddb.meta.service_model.operation_model("PutItem")
        dynamodb.answer(model, {"TableName": "t", "Item": item}, "123456789012", "us-east-1")
        item["m"]["M"]["x"]["L"].append({"S": "changed later"})
        got = ddb.get_item(TableName="t", Key={"id": {"S": "k"}})["Item"]
    assert got["m"] == {"M": {"x": {"L": [{"S": "a"}]}}}


def test_a_blob_given_as_text_is_stored_as_its_utf8_bytes():
    assert dynamodb.copy_params({"Item": {"b": {"B": "hé"}, "bs": {"BS": ["x", b"y"]}}}) == \
        {"Item": {"b": {"B": "hé".encode()}, "bs": {"BS": [b"x", b"y"]}}}


def test_short_strings_are_shared_between_copies_long_ones_are_not():
    def fresh(text: str) -> str:
        return "".join(list(text))   # an equal string that is another object

    short, long = "confirmed-" + "x" * 20, "y" * (dynamodb.INTERNED_LENGTH + 1)
    a = dynamodb.copy_params({"Item": {fresh("status"): {"S": fresh(short)}, "blob": {"S": fresh(long)}}})
    b = dynamodb.copy_params({"Item": {fresh("status"): {"S": fresh(short)}, "blob": {"S": fresh(long)}}})
    assert a == b == {"Item": {"status": {"S": short}, "blob": {"S": long}}}
    assert a["Item"]["status"]["S"] is b["Item"]["status"]["S"]
    assert next(iter(a["Item"])) is next(iter(b["Item"]))
    assert a["Item"]["blob"]["S"] is not b["Item"]["blob"]["S"]
