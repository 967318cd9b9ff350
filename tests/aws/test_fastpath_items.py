"""`fastpath.item_sizes` and `fastpath.item_order` give moto's numbers, errors and order.

Random attribute values (nested lists and maps, sets, numbers, blobs, and map children given as
plain `{type: value}` dicts, which moto's constructor also reads) are measured by moto's
`DynamoType.size` and by the installed one; random items are built by moto's `Item.__init__`
and the installed one (including past the 400 KB limit); random tables are ordered by moto's
`all_items` and the installed one.
"""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from moto.dynamodb.exceptions import ItemSizeTooLarge
from moto.dynamodb.models.dynamo_type import DynamoType, Item
from moto.dynamodb.models.table import Table

from sim.aws.fastpath import item_order, item_sizes

scalars = st.one_of(
    st.builds(lambda s: {"S": s}, st.text(max_size=6)),
    st.builds(lambda n: {"N": n}, st.sampled_from(["0", "1", "-2.50", "1e3", "12345678901234567890"])),
    st.builds(lambda b: {"B": b}, st.binary(max_size=5)),
    st.builds(lambda b: {"BOOL": b}, st.booleans()),
    st.just({"NULL": True}),
    st.builds(lambda ss: {"SS": sorted(ss)}, st.sets(st.text(max_size=3), min_size=1, max_size=3)),
    st.builds(lambda ns: {"NS": sorted(ns)}, st.sets(st.sampled_from(["1", "2.5", "-3"]), min_size=1)),
    st.builds(lambda bs: {"BS": sorted(bs)}, st.sets(st.binary(max_size=3), min_size=1, max_size=2)),
)
values = st.recursive(scalars, lambda inner: st.one_of(
    st.builds(lambda xs: {"L": xs}, st.lists(inner, max_size=3)),
    st.builds(lambda m: {"M": m}, st.dictionaries(st.text(max_size=3), inner, max_size=3))), max_leaves=8)


def _raw_children(value: DynamoType, raw: list[bool]) -> DynamoType:
    """Some map children put back as plain dicts (moto's constructor accepts both)."""
    if value.type == "M":
        for k in list(value.value):
            if raw and raw.pop():
                value.value[k] = value.value[k].to_json() if value.value[k].type not in ("L", "M") else value.value[k]
            else:
                _raw_children(value.value[k], raw)
    elif value.type == "L":
        for v in value.value:
            _raw_children(v, raw)
    return value


def _with(module, installed, fn):
    was = module.installed()
    (module.install if installed else module.uninstall)()
    try:
        return ("ok", fn())
    except Exception as exc:  # noqa: BLE001 - the same error is part of the contract
        return ("raised", type(exc).__name__)
    finally:
        (module.install if was else module.uninstall)()


@settings(max_examples=300, deadline=None)
@given(values, st.lists(st.booleans(), max_size=6))
def test_sizes_are_motos_sizes(value, raw):
    typed = _raw_children(DynamoType(value), raw)
    assert _with(item_sizes, True, typed.size) == _with(item_sizes, False, typed.size)


@settings(max_examples=200, deadline=None)
@given(st.dictionaries(st.text(max_size=4), values, max_size=6), st.integers(0, 3))
def test_items_are_built_and_refused_as_moto_builds_them(attrs, big):
    if big:  # past 400 KB, at some attribute
        attrs = {**{f"pad{i}": {"S": "x" * 150_000} for i in range(big)}, **attrs}

    def build():
        item = Item(DynamoType({"S": "h"}), None, attrs)
        return item.to_json(), type(item.attrs).__name__

    assert _with(item_sizes, True, build) == _with(item_sizes, False, build)


def test_an_item_too_large_is_refused():
    item_sizes.install()
    with pytest.raises(ItemSizeTooLarge):
        Item(DynamoType({"S": "h"}), None, {"a": {"S": "x" * 300_000}, "b": {"S": "y" * 200_000}})


keys = st.one_of(st.builds(lambda s: ("S", s), st.text(max_size=3)),
                 st.builds(lambda n: ("N", str(n)), st.integers(-20, 20) | st.sampled_from([0.5, -1.25])),
                 st.builds(lambda b: ("B", b), st.binary(max_size=2)))


@settings(max_examples=200, deadline=None)
@given(st.sampled_from(["S", "N", "B"]), st.sampled_from([None, "S", "N"]), st.lists(st.tuples(keys, keys), max_size=12))
def test_tables_are_ordered_as_moto_orders_them(hash_type, range_type, rows):
    table = Table.__new__(Table)
    table.range_key_attr = "r" if range_type else None
    table.items = {}
    for (ht, hv), (rt, rv) in rows:
        h = DynamoType({hash_type: hv if ht == hash_type else str(len(str(hv)))})
        if range_type:
            r = DynamoType({range_type: rv if rt == range_type else str(len(str(rv)))})
            table.items.setdefault(h, {})[r] = Item(h, r, {"h": h.to_json(), "r": r.to_json()})
        else:
            table.items[h] = Item(h, None, {"h": h.to_json()})

    def order():
        return [(i.hash_key.to_json(), i.range_key.to_json() if i.range_key else None) for i in table.all_items()]

    assert _with(item_order, True, order) == _with(item_order, False, order)
