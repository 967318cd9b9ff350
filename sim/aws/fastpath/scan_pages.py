"""Paged table scans without sorting the whole table for every page: moto's own `Table.scan`.

moto answers each page of a Scan by sorting every item of the table (`Table.all_items()`,
O(N log N)) and then walking the sorted items one by one until it has passed the page's
ExclusiveStartKey, so reading a table of N items a page at a time costs O(N² log N / page). The
TTL sweeps (`sim/aws/ttl.py`, every table, every hour of simulated time) and the oracle's reads of
whole tables (`World.table_items`) are such scans, and in a storm of 100,000 deliveries they
read tables of ~100,000 items.

Installed, `Table.scan` is moto's unchanged, except that for a scan of the table itself (not of
an index) its `all_items()` gives, for the one call, moto's own sorted list of the items
(`Table.all_items`, kept while the table is unchanged) from the first item moto would not skip
as part of the previous page on. That item is found by bisection with moto's own comparison
(`Table._item_comes_before_dct`), which is monotonic over the list moto sorted by the same keys;
moto then skips nothing (or the start key's own item) and reads, filters, limits, counts and
pages exactly as before. The sorted list is dropped when anything writes to the table: its
`put_item` and `delete_item` (batches, transactions and PartiQL go through them), the backend's
`update_item` (as `fastpath.table_writes` tells them), and a transaction rolled back by
`sim.aws.moto_speedups` (`touched`); a table whose `items` dict was replaced is sorted again. `tests/aws/test_fastpath_scan_pages.py`
(hypothesis) scans random tables page by page, with writes between the pages, with this
installed and not, and requires the same pages.
"""

from __future__ import annotations

import copy
import functools
import inspect
import weakref

from sim.aws.fastpath import table_writes

_originals: dict[str, object] = {}
_sorted: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()  # Table -> (its items dict, sorted items)


class _CopyKeptOnly:
    """`copy` for moto's table module during one filtered scan: the items scanned are not copied
    (the FilterExpression only reads them); `paged_scan` copies the ones kept afterwards."""

    def deepcopy(self, obj, memo=None):
        from moto.dynamodb.models.dynamo_type import Item

        return obj if type(obj) is Item else copy.deepcopy(obj, memo)

    def __getattr__(self, name):
        return getattr(copy, name)


_COPY_KEPT_ONLY = _CopyKeptOnly()


def touched(table) -> None:
    """The table's items were changed outside moto's methods (a transaction's rollback)."""
    _sorted.pop(table, None)


def _items_of(table) -> list:
    cached = _sorted.get(table)
    if cached is not None and cached[0] is table.items:
        return cached[1]
    items = type(table).all_items(table)   # moto's (or `item_order`'s, the same order)
    _sorted[table] = (table.items, items)
    return items


def _from_start(table, items: list, start_key: dict) -> list:
    """`items` from the first one moto would not skip as part of the previous page."""
    hash_attrs, range_attrs = [table.hash_key_attr], [table.range_key_attr]
    before = table._item_comes_before_dct
    lo, hi = 0, len(items)
    while lo < hi:
        mid = (lo + hi) // 2
        if before(items[mid], start_key, hash_attrs, range_attrs, True):
            lo = mid + 1
        else:
            hi = mid
    return items[lo:] if lo else items


def install() -> None:
    """Idempotent."""
    if _originals:
        return
    from moto.dynamodb.models import table as table_module
    from moto.dynamodb.models.table import Table

    scan = Table.scan
    signature = inspect.signature(scan)
    _originals.update(scan=scan)

    @functools.wraps(scan)
    def paged_scan(self, *args, **kwargs):
        bound = signature.bind(self, *args, **kwargs).arguments
        if bound.get("index_name"):
            return scan(self, *args, **kwargs)
        items = _items_of(self)
        start_key = bound.get("exclusive_start_key")
        if start_key is not None:
            try:
                items = _from_start(self, items, start_key)
            except Exception:  # noqa: BLE001 - a start key moto reads otherwise: moto's own walk
                items = _items_of(self)
        self.all_items = lambda: items
        filtered, module_copy = bound.get("filter_expression") is not None, table_module.copy
        if filtered:
            table_module.copy = _COPY_KEPT_ONLY
        try:
            results, scanned, last_key = scan(self, *args, **kwargs)
        finally:
            del self.all_items
            if filtered:
                table_module.copy = module_copy
        if filtered and not bound.get("projection_expression"):
            results = [module_copy.deepcopy(item) for item in results]   # the copies moto would have made
        return results, scanned, last_key

    Table.scan = paged_scan
    table_writes.subscribe(__name__, lambda table, _write: _sorted.pop(table, None))


def uninstall() -> None:
    if not _originals:
        return
    from moto.dynamodb.models.table import Table

    table_writes.unsubscribe(__name__)
    Table.scan = _originals.pop("scan")
    _originals.clear()
    _sorted.clear()


def installed() -> bool:
    return bool(_originals)
