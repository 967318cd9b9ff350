"""Queries without walking the table: moto's own `Table.query`, over the items that can match.

moto answers every Query — on the table's key or on an index — by sorting all the table's items
(`Table.all_items()`, O(N log N)) and then keeping those whose hash key equals the query's, so a
storm's queries cost O(table size) each and a storm's cost per delivery grew with its size.
Installed, `Table.query` is moto's unchanged, except that for the one call its `all_items()`
gives only the candidates, in moto's own order (moto's `all_items` run on just their buckets):

- a table query: the one bucket `items[hash_key]` (a dict lookup: `DynamoType`'s hash is that of
  (type, cast value), the same equality moto's filter uses);
- an index query: the items whose attribute named by the index's (first) hash key is that value,
  from a per-table map value → primary keys, plus every item whose value there cannot be hashed
  (a list, map or set never equals a key, but moto's filter decides, not this module).

Every candidate still goes through moto's filter, sort, pagination, projection and
FilterExpression; the candidates are a superset of the items moto's filter keeps, in the same
relative order, so the answer is the same. The map is kept exact by marking a primary key dirty
whenever moto changes the item under it — `Table.put_item`, `Table.delete_item`, the backend's
`update_item` (the only in-place change: transactions, batches and PartiQL go through these; told
by `fastpath.table_writes`) and the transaction rollback of `sim.aws.moto_speedups` — and
re-reading dirty keys before a query;
a table whose `items` dict was replaced, or a key that cannot be read, rebuilds the whole map.
`tests/aws/test_fastpath_query_index.py` (hypothesis) runs random writes and queries against
tables with indexes with this installed and not, and requires the same answers.
"""

from __future__ import annotations

import functools
import inspect
import weakref
from types import SimpleNamespace

from sim.aws.fastpath import table_writes

_SCALARS = frozenset({"S", "N", "B", "BOOL", "NULL"})
_originals: dict[str, object] = {}
_indexes: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()  # Table -> _TableIndex


class _TableIndex:
    """Per table: value → primary keys, per attribute queried through an index."""

    def __init__(self, table):
        self.items = table.items
        self.dirty: dict | None = {}   # primary keys changed since the last query; None: rebuild all
        self.by_attr: dict[str, _AttrIndex] = {}

    def mark(self, pk) -> None:
        if self.dirty is not None:
            self.dirty[pk] = None

    def refresh(self, table) -> None:
        if table.items is not self.items or self.dirty is None:
            self.items, self.dirty = table.items, {}
            self.by_attr.clear()
            return
        if self.dirty:
            dirty, self.dirty = self.dirty, {}
            for attr_index in self.by_attr.values():
                for pk in dirty:
                    attr_index.put(pk, _item_at(table, pk))

    def for_attr(self, table, attr: str) -> _AttrIndex:
        index = self.by_attr.get(attr)
        if index is None:
            index = self.by_attr[attr] = _AttrIndex(attr)
            for item in _every_item(table):
                index.put((item.hash_key, item.range_key), item)
        return index


class _AttrIndex:
    def __init__(self, attr: str):
        self.attr = attr
        self.by_value: dict = {}        # DynamoType (a copy) -> {pk: None}
        self.value_of: dict = {}        # pk -> the DynamoType it is filed under, or None: unhashable
        self.unhashable: dict = {}      # {pk: None}: values that cannot be dict keys

    def put(self, pk, item) -> None:
        if pk in self.value_of:
            old = self.value_of.pop(pk)
            bucket = self.unhashable if old is None else self.by_value[old]
            bucket.pop(pk, None)
            if old is not None and not bucket:
                del self.by_value[old]
        if item is None or self.attr not in item.attrs:
            return
        key = _hashable(item.attrs[self.attr])
        if key is None:
            self.unhashable[pk] = None
        else:
            self.by_value.setdefault(key, {})[pk] = None
        self.value_of[pk] = key

    def candidates(self, value) -> list:
        return [*self.by_value.get(value, ()), *self.unhashable]


def _hashable(value):
    """A copy of a scalar `DynamoType` (moto may change the stored one in place), None if it
    cannot be a dict key."""
    from moto.dynamodb.models.dynamo_type import DynamoType

    if not isinstance(value, DynamoType) or value.type not in _SCALARS:
        return None
    copy = DynamoType(value)
    try:
        hash(copy)
    except Exception:  # noqa: BLE001 - a number moto cannot read: moto's filter decides
        return None
    return copy


def _every_item(table) -> list:
    if table.range_key_attr:
        return [item for bucket in table.items.values() for item in bucket.values()]
    return list(table.items.values())


def _item_at(table, pk):
    hash_key, range_key = pk
    if hash_key not in table.items:
        return None
    bucket = table.items[hash_key]
    if table.range_key_attr:
        return bucket.get(range_key) if range_key is not None else None
    return bucket


def _state(table) -> _TableIndex:
    state = _indexes.get(table)
    if state is None:
        state = _indexes[table] = _TableIndex(table)
    return state


def _sorted(table, buckets: dict) -> list:
    """moto's own `all_items` over just these buckets: its order, its key function."""
    from moto.dynamodb.models.table import Table

    return Table.all_items(SimpleNamespace(items=buckets, range_key_attr=table.range_key_attr))


def _table_candidates(table, hash_key):
    if hash_key is None:
        return None
    try:
        present = hash_key in table.items
    except Exception:  # noqa: BLE001 - a key that cannot be hashed: moto's own path decides
        return None
    return _sorted(table, {hash_key: table.items[hash_key]}) if present else []


def _index_candidates(table, index_name, hash_key_conditions):
    indexes = {i.name: i for i in table.all_indexes()}
    index = indexes.get(index_name)
    if index is None or not hash_key_conditions:
        return None
    attr, value = hash_key_conditions[0]
    if not any(k.get("AttributeName") == attr and k.get("KeyType") == "HASH" for k in index.schema):
        return None
    key = _hashable(value)
    if key is None:
        return None
    state = _state(table)
    state.refresh(table)
    pks = state.for_attr(table, attr).candidates(key)
    buckets: dict = {}
    for pk in pks:
        item = _item_at(table, pk)
        if item is None:
            continue
        if table.range_key_attr:
            buckets.setdefault(pk[0], {})[pk[1]] = item
        else:
            buckets[pk[0]] = item
    return _sorted(table, buckets)


def _mark(table, hash_key, range_key) -> None:
    state = _indexes.get(table)
    if state is not None:
        state.mark((hash_key, range_key))


def _key_of(table, attrs: dict) -> tuple:
    """(hash key, range key or None) of an item or key given as request attributes; raises when
    `attrs` lacks the table's key."""
    from moto.dynamodb.models.dynamo_type import DynamoType

    range_attr = table.range_key_attr
    return DynamoType(attrs[table.hash_key_attr]), DynamoType(attrs[range_attr]) if range_attr else None


def _mark_all(table) -> None:
    state = _indexes.get(table)
    if state is not None:
        state.dirty = None


def touched(table, hash_key, range_key) -> None:
    """The item under this key was changed outside moto's methods (a transaction's rollback)."""
    if _originals:
        _mark(table, hash_key, range_key)


def _on_write(table, write: tuple) -> None:
    """A write moto made (or refused): the key it names is re-read before the next query."""
    kind = write[0]
    if kind == "put":
        try:
            keys = _key_of(table, write[1])
        except Exception:  # noqa: BLE001 - moto refused the item before storing it
            return
        _mark(table, *keys)
    elif kind == "delete":
        _mark(table, write[1], write[2])
    elif table in _indexes:
        try:
            keys = _key_of(table, write[1])
        except Exception:  # noqa: BLE001 - a key moto read otherwise: re-read everything
            _mark_all(table)
        else:
            _mark(table, *keys)


def install() -> None:
    """Idempotent: moto's Table.query narrows its candidates; its writes mark keys dirty."""
    if _originals:
        return
    from moto.dynamodb.models.table import Table

    query = Table.query
    signature = inspect.signature(query)
    _originals.update(query=query)

    @functools.wraps(query)
    def narrowed_query(self, *args, **kwargs):
        bound = signature.bind(self, *args, **kwargs).arguments
        index_name = bound.get("index_name")
        if index_name:
            candidates = _index_candidates(self, index_name, bound.get("hash_key_conditions"))
        else:
            candidates = _table_candidates(self, bound.get("hash_key"))
        if candidates is None:
            return query(self, *args, **kwargs)
        self.all_items = lambda: candidates
        try:
            return query(self, *args, **kwargs)
        finally:
            del self.all_items

    Table.query = narrowed_query
    table_writes.subscribe(__name__, _on_write)


def uninstall() -> None:
    if not _originals:
        return
    from moto.dynamodb.models.table import Table

    table_writes.unsubscribe(__name__)
    Table.query = _originals.pop("query")
    _originals.clear()
    _indexes.clear()


def installed() -> bool:
    return bool(_originals)
