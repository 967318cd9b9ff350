"""`fastpath.update_validation` validates UpdateExpressions exactly as moto does.

Random UpdateItem sequences — SET/REMOVE/ADD/DELETE actions on names and nested paths,
`if_not_exists`, `list_append`, arithmetic, repeated and overlapping paths, key attributes,
index keys set to the wrong type or to an empty string,
repeated clauses, undefined names and values, the same expression string with other names —
run on fresh moto backends with the speed-up installed and without (the parsed-expression cache
on, as in the world, so trees are shared): every answer, every error and the final items must be
the same. The tree copier is also compared with `copy.deepcopy` node by node.
"""

import copy
import re

import boto3
import pytest
from botocore.exceptions import ClientError
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from moto import mock_aws

from sim.aws.fastpath import expressions, update_validation

paths = st.sampled_from(["a", "#n", "m.x", "#n.y", "l[0]", "l[1]", "m.#n", "id", "c", "s", "#k", "g", "h"])
operands = st.sampled_from([":v", ":one", "a", "#n", "if_not_exists(c, :zero)", "list_append(if_not_exists(l, :e), :e)",
                            "c + :one", "if_not_exists(#n, :v)", ":undefined", "m.x", ":empty"])
set_action = st.builds(lambda p, o: f"{p} = {o}", paths, operands)
actions = st.one_of(
    st.builds(lambda xs: "SET " + ", ".join(xs), st.lists(set_action, min_size=1, max_size=4)),
    st.builds(lambda xs: "REMOVE " + ", ".join(xs), st.lists(paths, min_size=1, max_size=3)),
    st.builds(lambda p: f"ADD {p} :one", st.sampled_from(["c", "#n", "d"])),
    st.builds(lambda p: f"DELETE {p} :set", st.sampled_from(["s", "#n"])),
)
expressions_ = st.builds(lambda xs: " ".join(xs), st.lists(actions, min_size=1, max_size=3))
names = st.sampled_from([{"#n": "n"}, {"#n": "b", "#k": "k"}, {"#n": "m"}, {"#k": "id"}, None, {"#n": "n", "#x": "z"}])
item_values = st.sampled_from([{"S": "x"}, {"N": "3"}, {"L": [{"S": "q"}]}, {"M": {"x": {"N": "1"}, "y": {"S": "w"}}},
                               {"SS": ["p", "q"]}])
seed_items = st.dictionaries(st.sampled_from(["a", "n", "b", "c", "l", "m", "s"]), item_values, max_size=4)
update = st.builds(lambda k, expr, ns, rv: {"TableName": "t", "Key": {"id": {"S": k}}, "UpdateExpression": expr,
                                            **({"ExpressionAttributeNames": ns} if ns else {}),
                                            "ExpressionAttributeValues": {":v": {"S": "v"}, ":one": {"N": "1"},
                                                                          ":zero": {"N": "0"}, ":e": {"L": [{"N": "7"}]},
                                                                          ":set": {"SS": ["p"]}, ":empty": {"S": ""}},
                                            "ReturnValues": rv},
                   st.sampled_from(["k1", "k2"]), expressions_, names,
                   st.sampled_from(["NONE", "ALL_NEW", "UPDATED_OLD"]))
sequences = st.tuples(st.lists(seed_items, min_size=2, max_size=2), st.lists(update, min_size=1, max_size=8))


def _create_table(ddb):
    """Table t, keyed on id, with two indexes whose keys (g a number, h a string) an update may
    set to the wrong type or to an empty string."""
    ddb.create_table(TableName="t", KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}],
                     AttributeDefinitions=[{"AttributeName": n, "AttributeType": t}
                                           for n, t in (("id", "S"), ("g", "N"), ("h", "S"))],
                     GlobalSecondaryIndexes=[{"IndexName": f"by-{n}", "KeySchema": [{"AttributeName": n, "KeyType": "HASH"}],
                                              "Projection": {"ProjectionType": "KEYS_ONLY"}} for n in ("g", "h")],
                     BillingMode="PAY_PER_REQUEST")


def _play(seeds, updates, installed):
    (update_validation.install if installed else update_validation.uninstall)()
    out = []
    with mock_aws():
        ddb = boto3.client("dynamodb", region_name="us-east-1")
        _create_table(ddb)
        for k, attrs in zip(("k1", "k2"), seeds, strict=True):
            ddb.put_item(TableName="t", Item={**attrs, "id": {"S": k}})
        for params in updates:
            try:
                response = ddb.update_item(**params)
                response.pop("ResponseMetadata")
                out.append(("ok", response))
            except ClientError as err:
                out.append(("error", err.response["Error"]))
        out.append(sorted(ddb.scan(TableName="t")["Items"], key=lambda i: i["id"]["S"]))
    return out


@pytest.fixture
def restore_install():
    was, cached = update_validation.installed(), expressions.installed()
    expressions.install()
    yield
    (update_validation.install if was else update_validation.uninstall)()
    (expressions.install if cached else expressions.uninstall)()


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow,
                                                                 HealthCheck.function_scoped_fixture])
@given(sequences)
def test_updates_are_validated_as_moto_validates_them(restore_install, sequence):
    seeds, updates = sequence
    assert _play(seeds, updates, installed=True) == _play(seeds, updates, installed=False)


def _shape(node, seen):
    from moto.dynamodb.parsing.ast_nodes import Node

    if isinstance(node, list):
        return [_shape(n, seen) for n in node]
    if not isinstance(node, Node):
        return ("value", type(node).__name__, node.to_json() if hasattr(node, "to_json") else node)
    seen.setdefault(id(node), len(seen))
    return (type(node).__name__, seen.get(id(node.parent)),
            {k: _shape(v, seen) for k, v in vars(node).items() if k != "parent"})


def _tree(expression):
    """moto's parsed tree of `expression`, or None when moto refuses it."""
    from moto.dynamodb.exceptions import MockValidationException
    from moto.dynamodb.parsing.expressions import UpdateExpressionParser

    try:
        return UpdateExpressionParser.make(expression)
    except MockValidationException:
        return None


@settings(max_examples=150, deadline=None)
@given(expressions_)
def test_the_tree_copier_copies_as_deepcopy_does(expression):
    tree = _tree(expression)
    if tree is None:
        return
    mine, theirs = update_validation.clone(tree, {}), copy.deepcopy(tree)
    assert _shape(mine, {}) == _shape(theirs, {})
    assert mine is not tree and mine.children is not tree.children


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow,
                                                                 HealthCheck.function_scoped_fixture])
@given(sequences)
def test_updates_validated_again_from_the_pickled_copy_answer_as_moto(restore_install, sequence):
    """Each update played three times: the first copy of a tree is the copier's, the next ones
    are unpickled from its bytes."""
    seeds, updates = sequence
    again = [u for u in updates for _ in range(3)]
    assert _play(seeds, again, installed=True) == _play(seeds, again, installed=False)


@settings(max_examples=100, deadline=None)
@given(expressions_)
def test_the_pickled_copy_copies_as_deepcopy_does(expression):
    tree = _tree(expression)
    if tree is None:
        return
    copies = [update_validation.copy_of(tree) for _ in range(3)]   # copier, then pickled twice
    assert update_validation._pickled[id(tree)][1]
    want = _shape(copy.deepcopy(tree), {})
    for mine in copies:
        assert _shape(mine, {}) == want and mine is not tree and mine.children is not tree.children
    assert copies[1] is not copies[2] and copies[1].children[0] is not copies[2].children[0]


def test_a_failed_check_is_not_remembered(restore_install):
    update_validation.install()
    bad = {"TableName": "t", "Key": {"id": {"S": "k1"}}, "UpdateExpression": "SET a = :v, a = :v",
           "ExpressionAttributeValues": {":v": {"S": "v"}}}
    with mock_aws():
        ddb = boto3.client("dynamodb", region_name="us-east-1")
        ddb.create_table(TableName="t", KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}],
                         AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"}],
                         BillingMode="PAY_PER_REQUEST")
        for _ in range(2):
            with pytest.raises(ClientError, match="Two document paths overlap"):
                ddb.update_item(**bad)


FUSED_CASES = [  # (expression, seed item): each error one of the last four processors raises, and success
    ("SET g = :v", {}),                 # TypeMismatchValidator
    ("SET h = :empty", {}),             # EmptyStringKeyValueValidator
    ("SET a = c + :one", {}),           # NoneExistingPathChecker (c is missing)
    ("SET a = c + :one", {"c": {"S": "x"}}),   # ExecuteOperations: a string plus a number
    ("SET g = :one, h = :v, a = list_append(if_not_exists(l, :e), :e)", {}),
    ("SET h = :empty, g = :v", {}),     # two of them: moto's order says which is raised
]


def _answers(cases, installed):
    values = {":v": {"S": "v"}, ":one": {"N": "1"}, ":empty": {"S": ""}, ":e": {"L": [{"N": "7"}]}}
    updates = [{"TableName": "t", "Key": {"id": {"S": "k1"}}, "UpdateExpression": e, "ReturnValues": "ALL_NEW",
                "ExpressionAttributeValues": {k: v for k, v in values.items() if re.search(f"{k}\\b", e)}}
               for e, _ in cases]
    return [_play([seed, {}], [u, u], installed) for u, (_, seed) in zip(updates, cases, strict=True)]


def test_the_last_four_processors_in_one_pass_answer_and_fail_as_moto(restore_install):
    calls = []
    real = update_validation._execute_and_check
    update_validation._execute_and_check = lambda *a: calls.append(1) or real(*a)
    try:
        mine = _answers(FUSED_CASES, installed=True)
    finally:
        update_validation._execute_and_check = real
    assert len(calls) == 2 * len(FUSED_CASES)   # the one pass ran for every update
    assert mine == _answers(FUSED_CASES, installed=False)
    assert [r[0][0] for r in mine] == ["error", "error", "error", "error", "ok", "error"]


def test_a_pass_that_left_out_a_check_would_be_caught(restore_install, monkeypatch):
    """The comparison above can fail: without the type check in the one pass, SET g = :v is
    accepted where moto refuses it."""
    from moto.dynamodb.parsing.validators import TypeMismatchValidator

    monkeypatch.setattr(TypeMismatchValidator, "check_for_type_mismatch", lambda self, node: node)
    mine = _answers(FUSED_CASES[:1], installed=True)
    monkeypatch.undo()
    assert mine != _answers(FUSED_CASES[:1], installed=False)
