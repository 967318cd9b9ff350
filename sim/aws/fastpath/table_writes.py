"""moto's DynamoDB table writes, told to the fast paths that derive state from a table's items.

`query_index` (its value → keys maps) and `scan_pages` (its sorted items) stay exact only if they
hear of every write: moto's `Table.put_item`, `Table.delete_item` and the backend's `update_item`
(batches, transactions and PartiQL go through these). Each subscribes with
`subscribe(name, on_write)`. The three methods are wrapped once, while anyone listens, and
restored when the last listener leaves, so the fast paths install and uninstall in any order
without undoing each other's wrappers. After each write (made or refused by moto), every listener
gets `on_write(table, write)`, where `write` is one of:

    ("put", item_attrs)             Table.put_item
    ("delete", hash_key, range_key) Table.delete_item
    ("update", key)                 DynamoDBBackend.update_item on a table that exists

A transaction rolled back by `sim.aws.moto_speedups` is not a moto write: it calls each fast
path's `touched` itself.
"""

from __future__ import annotations

import functools

_listeners: dict[str, object] = {}    # name -> on_write(table, write), in subscription order
_originals: dict[str, object] = {}


def subscribe(name: str, on_write) -> None:
    """Hear of every write from now on (idempotent per name)."""
    _listeners[name] = on_write
    _wrap()


def unsubscribe(name: str) -> None:
    _listeners.pop(name, None)
    if not _listeners:
        _unwrap()


def _tell(table, write: tuple) -> None:
    for on_write in list(_listeners.values()):
        on_write(table, write)


def _wrap() -> None:
    if _originals:
        return
    from moto.dynamodb.models import DynamoDBBackend
    from moto.dynamodb.models.table import Table

    put_item, delete_item, update_item = Table.put_item, Table.delete_item, DynamoDBBackend.update_item
    _originals.update(put_item=put_item, delete_item=delete_item, update_item=update_item)

    @functools.wraps(put_item)
    def told_put_item(self, item_attrs, *args, **kwargs):
        try:
            return put_item(self, item_attrs, *args, **kwargs)
        finally:
            _tell(self, ("put", item_attrs))

    @functools.wraps(delete_item)
    def told_delete_item(self, hash_key, range_key, *args, **kwargs):
        try:
            return delete_item(self, hash_key, range_key, *args, **kwargs)
        finally:
            _tell(self, ("delete", hash_key, range_key))

    @functools.wraps(update_item)
    def told_update_item(self, table_name, key, *args, **kwargs):
        try:
            return update_item(self, table_name, key, *args, **kwargs)
        finally:
            table = self.tables.get(table_name) if isinstance(table_name, str) else None
            if table is not None:
                _tell(table, ("update", key))

    Table.put_item = told_put_item
    Table.delete_item = told_delete_item
    DynamoDBBackend.update_item = told_update_item


def _unwrap() -> None:
    if not _originals:
        return
    from moto.dynamodb.models import DynamoDBBackend
    from moto.dynamodb.models.table import Table

    Table.put_item = _originals.pop("put_item")
    Table.delete_item = _originals.pop("delete_item")
    DynamoDBBackend.update_item = _originals.pop("update_item")
