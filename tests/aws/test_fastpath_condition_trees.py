"""Cached condition trees (`sim/aws/fastpath/condition_trees.py`) answer as moto's parser does:
the same truth value on every item, the same names and values found, the same errors, on the
first call and on every hit; a caller changing its dicts afterwards changes no cached tree."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from moto.dynamodb.comparisons import ConditionExpressionParser
from moto.dynamodb.models.dynamo_type import DynamoType, Item

from sim.aws.fastpath import condition_trees

EXPRESSIONS = ["attribute_not_exists(id)", "attribute_exists(#n)", "#n = :v", "#n < :v", "#n <> :v",
               "size(#n) > :z", "begins_with(#n, :v)", "contains(#n, :v)", "#n = :v AND attribute_exists(a)",
               "NOT attribute_exists(b) OR #n IN (:v, :z)", "#n BETWEEN :z AND :v", "attribute_type(#n, :t)",
               "(#n = :v) OR (a.b = :z)", "#n = = :v", "bogus(#n)", "#missing = :v", "#n = :nope", "#n = :v)"]
scalars = st.one_of(st.builds(lambda s: {"S": s}, st.text(alphabet="xyz", max_size=3)),
                    st.builds(lambda n: {"N": str(n)}, st.integers(-3, 3)),
                    st.builds(lambda b: {"BOOL": b}, st.booleans()), st.just({"NULL": True}),
                    st.builds(lambda ss: {"SS": sorted(ss)}, st.sets(st.sampled_from("pq"), min_size=1)))
values = st.recursive(scalars, lambda inner: st.one_of(
    st.builds(lambda xs: {"L": xs}, st.lists(inner, max_size=2)),
    st.builds(lambda m: {"M": m}, st.dictionaries(st.sampled_from("ab"), inner, max_size=2))), max_leaves=3)
expr_values = st.fixed_dictionaries({":v": values, ":z": scalars},
                                    optional={":t": st.sampled_from([{"S": "S"}, {"S": "N"}, {"S": "M"}]),
                                              ":unused": scalars})
items = st.dictionaries(st.sampled_from(["n", "a", "b", "id"]), values, max_size=4)


@pytest.fixture
def cache():
    def forget():   # the tests that break the key leave wrong trees behind
        for kept in (condition_trees._trees, condition_trees._reads, condition_trees._templates):
            kept.clear()
    was = condition_trees.installed()
    condition_trees.install()
    forget()
    yield
    forget()
    (condition_trees.install if was else condition_trees.uninstall)()


def outcome(parse, expression, names, vals, attrs_list):
    """What moto makes of the condition: the truth value on each item and the names and values
    found, or the error."""
    parser = ConditionExpressionParser(expression, names, vals)
    try:
        op = parse(parser)
    except Exception as exc:  # noqa: BLE001 - moto's own errors, compared as they are
        return ("raised", type(exc).__name__, str(exc))
    truths = []
    for attrs in attrs_list:
        item = Item(DynamoType({"S": "k"}), None, attrs)
        try:
            truths.append(op.expr(item))
        except Exception as exc:  # noqa: BLE001
            truths.append((type(exc).__name__, str(exc)))
    return ("ok", truths, parser.expr_attr_names_found, parser.expr_attr_values_found)


original = condition_trees._originals.get("parse") or ConditionExpressionParser.__dict__["parse"]


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(expression=st.sampled_from(EXPRESSIONS), vals=expr_values, attrs_list=st.lists(items, min_size=1, max_size=3),
       name=st.sampled_from(["n", "a", "id"]))
def test_a_cached_tree_answers_as_a_parsed_one(cache, expression, vals, attrs_list, name):
    names = {"#n": name}
    parse = condition_trees._originals["parse"]
    want = outcome(parse, expression, names, vals, attrs_list)
    assert outcome(ConditionExpressionParser.parse, expression, names, vals, attrs_list) == want  # miss
    assert outcome(ConditionExpressionParser.parse, expression, names, vals, attrs_list) == want  # hit
    others = {**vals, ":unused": {"S": "changed"}, ":more": {"N": "1"}}   # entries no expression reads
    assert outcome(ConditionExpressionParser.parse, expression, {**names, "#other": "b"}, others, attrs_list) \
        == outcome(parse, expression, {**names, "#other": "b"}, others, attrs_list)
    retyped = {k: changed(v) for k, v in vals.items()}   # same types, other contents: from the template
    assert outcome(ConditionExpressionParser.parse, expression, names, retyped, attrs_list) \
        == outcome(parse, expression, names, retyped, attrs_list)


def changed(value: dict) -> dict:
    """Another AttributeValue of the same type (its contents changed, nested ones too)."""
    (kind, inner), = value.items()
    if kind == "S":
        return {"S": inner + "x"}
    if kind == "N":
        return {"N": str(int(inner) + 1)}
    if kind == "BOOL":
        return {"BOOL": not inner}
    if kind == "SS":
        return {"SS": sorted({*inner, "q"})}
    if kind == "L":
        return {"L": [changed(v) for v in inner] + [{"S": "y"}]}
    if kind == "M":
        return {"M": {k: changed(v) for k, v in inner.items()}}
    return value


def test_a_hit_is_the_same_tree_and_a_change_of_value_is_another(cache):
    first = ConditionExpressionParser("#n = :v", {"#n": "a"}, {":v": {"S": "x"}}).parse()
    again = ConditionExpressionParser("#n = :v", {"#n": "a"}, {":v": {"S": "x"}}).parse()
    other = ConditionExpressionParser("#n = :v", {"#n": "a"}, {":v": {"S": "y"}}).parse()
    assert first is again and other is not first
    item = Item(DynamoType({"S": "k"}), None, {"a": {"S": "y"}})
    assert (first.expr(item), other.expr(item)) == (False, True)


def test_entries_the_expression_does_not_read_share_its_tree(cache):
    """A call's values also hold its update's (a timestamp, an id): they are not in the key."""
    first = ConditionExpressionParser("#n = :v", {"#n": "a", "#u": "at"}, {":v": {"S": "x"}, ":t": {"N": "1"}}).parse()
    again = ConditionExpressionParser("#n = :v", {"#n": "a", "#u": "by"}, {":v": {"S": "x"}, ":t": {"N": "2"}}).parse()
    bare = ConditionExpressionParser("#n = :v", {"#n": "a"}, {":v": {"S": "x"}}).parse()
    assert first is again is bare


def test_a_guard_with_new_values_is_the_templates_tree_with_its_own_values(cache):
    expression = "attribute_exists(#k) AND #a = :a AND #a BETWEEN :lo AND :hi AND NOT #s IN (:s, :t)"
    names = {"#k": "id", "#a": "amount", "#s": "status"}
    item = Item(DynamoType({"S": "k"}), None, {"id": {"S": "k"}, "amount": {"N": "7"}, "status": {"S": "open"}})

    def vals(amount, status):
        return {":a": {"N": str(amount)}, ":lo": {"N": "0"}, ":hi": {"N": "9"}, ":s": {"S": status}, ":t": {"S": "x"}}
    first = ConditionExpressionParser(expression, names, vals(7, "paid")).parse()
    second = ConditionExpressionParser(expression, names, vals(8, "open")).parse()
    third = ConditionExpressionParser(expression, names, vals(7, "done")).parse()
    assert len(condition_trees._templates) == 1 and len({id(first), id(second), id(third)}) == 3
    assert [t.expr(item) for t in (first, second, third)] == [True, False, True]
    assert repr(second) == repr(original(ConditionExpressionParser(expression, names, vals(8, "open"))))


def test_a_template_that_kept_its_own_values_would_be_caught(cache, monkeypatch):
    """The checks above can fail: a template copied without its placeholders made anew answers
    with the first call's value."""
    monkeypatch.setattr(condition_trees, "_from_template", lambda t, v: (t[0], *t[3:]))
    attrs = [{"a": {"S": "y"}}]
    outcome(ConditionExpressionParser.parse, "a = :v AND attribute_exists(a)", None, {":v": {"S": "x"}}, attrs)
    wrong = outcome(ConditionExpressionParser.parse, "a = :v AND attribute_exists(a)", None, {":v": {"S": "y"}}, attrs)
    assert wrong[0] == "ok" and wrong != outcome(original, "a = :v AND attribute_exists(a)", None, {":v": {"S": "y"}}, attrs)


def test_a_value_of_another_type_is_parsed_again(cache):
    ConditionExpressionParser("#a BETWEEN :lo AND :hi", {"#a": "n"}, {":lo": {"N": "1"}, ":hi": {"N": "2"}}).parse()
    with pytest.raises(Exception) as raised:
        ConditionExpressionParser("#a BETWEEN :lo AND :hi", {"#a": "n"}, {":lo": {"NULL": True}, ":hi": {"N": "2"}}).parse()
    with pytest.raises(type(raised.value)):
        original(ConditionExpressionParser("#a BETWEEN :lo AND :hi", {"#a": "n"}, {":lo": {"NULL": True}, ":hi": {"N": "2"}}))


def test_a_call_without_an_entry_the_expression_read_is_parsed_and_fails_as_moto(cache):
    ConditionExpressionParser("#n = :v", {"#n": "a"}, {":v": {"S": "x"}}).parse()
    for names, vals in (({"#n": "a"}, {}), ({"#n": "a"}, None), ({}, {":v": {"S": "x"}}), (None, {":v": {"S": "x"}})):
        want = outcome(original, "#n = :v", names, vals, [{}])
        assert want[0] == "raised" and outcome(ConditionExpressionParser.parse, "#n = :v", names, vals, [{}]) == want


def test_a_key_without_an_entry_the_expression_reads_would_be_caught(cache, monkeypatch):
    """The check above can fail: had the parse's look-ups gone unrecorded (a key of the
    expression alone), a second call would be answered with the first call's value."""
    real = condition_trees._parsed_privately
    def unrecorded(parse, parser):
        op, names_found, values_found, _reads, placeholders = real(parse, parser)
        return op, names_found, values_found, ((), ()), placeholders
    monkeypatch.setattr(condition_trees, "_parsed_privately", unrecorded)
    attrs = [{"a": {"S": "y"}}]
    outcome(ConditionExpressionParser.parse, "a = :v", None, {":v": {"S": "x"}}, attrs)
    wrong = outcome(ConditionExpressionParser.parse, "a = :v", None, {":v": {"S": "y"}}, attrs)
    assert wrong[0] == "ok" and wrong != outcome(original, "a = :v", None, {":v": {"S": "y"}}, attrs)


def test_the_callers_dicts_changed_later_change_no_cached_tree(cache):
    vals = {":v": {"L": [{"S": "x"}]}}
    ConditionExpressionParser("a = :v", None, vals).parse()
    vals[":v"]["L"].append({"S": "later"})
    item = Item(DynamoType({"S": "k"}), None, {"a": {"L": [{"S": "x"}]}})
    assert ConditionExpressionParser("a = :v", None, {":v": {"L": [{"S": "x"}]}}).parse().expr(item) is True


def test_errors_are_not_cached_and_raise_again(cache):
    for _ in range(2):
        with pytest.raises(Exception, match="Bad comparison"):
            ConditionExpressionParser("a = = :v", None, {":v": {"S": "x"}}).parse()
    assert not [k for k in condition_trees._trees if k[0] == "a = = :v"]


def test_the_cache_is_bounded(cache, monkeypatch):
    monkeypatch.setattr(condition_trees, "MAX_TREES", 3)
    for i in range(10):
        ConditionExpressionParser(f"a{i} = :v", None, {":v": {"N": str(i)}}).parse()
    last = [f"a{i} = :v" for i in (7, 8, 9)]
    assert [k[0] for k in condition_trees._trees] == [k[0] for k in condition_trees._templates] == last
    assert list(condition_trees._reads) == last


def test_a_tree_made_from_a_template_is_not_kept(cache):
    for i in range(5):
        ConditionExpressionParser("a = :v", None, {":v": {"N": str(i)}}).parse()
    assert [k[2] for k in condition_trees._trees] == [repr([(":v", {"N": "0"})])]


def test_a_key_without_the_values_would_be_caught(cache, monkeypatch):
    """The check above can fail: a cache keyed on the expression and names alone answers a
    second call with the first call's values."""
    monkeypatch.setattr(condition_trees, "_key", lambda expression, names, values, reads: (expression, repr(names)))
    attrs = [{"a": {"S": "y"}}]
    parse = condition_trees._originals["parse"]
    outcome(ConditionExpressionParser.parse, "a = :v", None, {":v": {"S": "x"}}, attrs)
    wrong = outcome(ConditionExpressionParser.parse, "a = :v", None, {":v": {"S": "y"}}, attrs)
    assert wrong[0] == "ok" and wrong != outcome(parse, "a = :v", None, {":v": {"S": "y"}}, attrs)


def test_uninstall_restores_moto_and_empties_the_cache(cache):
    ConditionExpressionParser("a = :v", None, {":v": {"S": "x"}}).parse()
    condition_trees.uninstall()
    assert ConditionExpressionParser.parse is original and not condition_trees._trees and not condition_trees._reads \
        and not condition_trees._templates
    condition_trees.install()
