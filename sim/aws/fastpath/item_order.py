"""moto's `Table.all_items()` order, sorted on plain values.

Every Scan (each page of one) and every Query moto answers the slow way sorts the whole table by
primary key with `DynamoType`s as sort keys: each comparison is a Python-level `__lt__`/`__eq__`
that computes both sides' `cast_value` (a `Decimal` for numbers) again. Installed, the same sort
runs on the `cast_value`s themselves, computed once per item. The order is the same: moto orders
`DynamoType`s by `cast_value` alone (`__lt__`) and calls them equal when type and `cast_value`
are (`__eq__`, which tuple comparison asks first), and a table's key attributes all have the
table's one declared type (moto's `put_item` refuses others). Key values of other shapes fall
back to moto's own sort. `tests/aws/test_fastpath_items.py` (hypothesis) compares the orders.
"""

from __future__ import annotations

_originals: dict[str, object] = {}
_KEY_TYPES = frozenset({"S", "N", "B"})


def all_items(self) -> list:
    """`Table.all_items`, with native sort keys."""
    items: list = []
    if self.range_key_attr:
        for bucket in self.items.values():
            items.extend(bucket.values())
    else:
        items.extend(self.items.values())
    hash_types = {item.hash_key.type for item in items}
    range_types = {item.range_key.type for item in items if item.range_key}
    if len(hash_types) > 1 or len(range_types) > 1 or not (hash_types | range_types) <= _KEY_TYPES:
        return _originals["all_items"](self)
    keyed = [((item.hash_key.cast_value, item.range_key.cast_value) if item.range_key else item.hash_key.cast_value,
              item) for item in items]
    keyed.sort(key=lambda pair: pair[0])
    return [item for _, item in keyed]


def install() -> None:
    """Idempotent."""
    if _originals:
        return
    from moto.dynamodb.models.table import Table

    _originals["all_items"] = Table.__dict__["all_items"]
    Table.all_items = all_items


def uninstall() -> None:
    if not _originals:
        return
    from moto.dynamodb.models.table import Table

    Table.all_items = _originals.pop("all_items")


def installed() -> bool:
    return bool(_originals)
