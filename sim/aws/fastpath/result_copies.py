"""Query and Scan answers without moto's deep copy of every item they return.

moto's `Table.query` deep-copies the items it returns, and `Table.scan` each item it reads (or,
under `scan_pages`, each item a filtered scan keeps), so that a caller cannot change the table
through them. When the caller is moto's own `DynamoHandler.query` or `.scan` (the HTTP path and
the embedded fast path both answer through them), those items go straight into
`DynamoResult`, whose `dynamo_to_dict` builds new dicts and lists all the way down (its leaves
are strings, bytes, booleans and None, which nothing can change), and moto keeps no reference
to the items: the copy protects nothing, and it was a storm's most expensive copy (every Query
of a storm deep-copied moto's `Item`s and their `DynamoType`s).

Installed, moto's table module sees a `copy` whose `deepcopy` gives an `Item` (or a list of
`Item`s) back uncopied while one of those two handler methods runs; everything else, and every
other caller of `Table.query` and `Table.scan`, is copied as before. Projections, index
projections and filters only read the items. `tests/aws/test_fastpath_result_copies.py` checks
that answers are the same installed and not, and that a caller who changes the items of an
answer (on the fast path the parsed answer is moto's result itself) changes nothing in the table.
"""

from __future__ import annotations

import copy
import functools

_originals: dict[str, object] = {}
_depth = 0   # > 0 while DynamoHandler.query or .scan runs


class _HandlerAwareCopy:
    """`copy` for moto's table module: items are not deep-copied for the DynamoDB handler."""

    def deepcopy(self, obj, memo=None):
        if _depth and _only_items(obj):
            return list(obj) if type(obj) is list else obj
        return copy.deepcopy(obj, memo)

    def __getattr__(self, name):
        return getattr(copy, name)


def _only_items(obj) -> bool:
    from moto.dynamodb.models.dynamo_type import Item

    if type(obj) is Item:
        return True
    return type(obj) is list and all(type(x) is Item for x in obj)


def _answering(method):
    @functools.wraps(method)
    def wrapper(self, *args, **kwargs):
        global _depth
        _depth += 1
        try:
            return method(self, *args, **kwargs)
        finally:
            _depth -= 1
    return wrapper


def install() -> None:
    """Idempotent."""
    if _originals:
        return
    from moto.dynamodb.models import table as table_module
    from moto.dynamodb.responses import DynamoHandler

    _originals.update(query=DynamoHandler.query, scan=DynamoHandler.scan, copy=table_module.copy)
    DynamoHandler.query = _answering(DynamoHandler.query)
    DynamoHandler.scan = _answering(DynamoHandler.scan)
    table_module.copy = _HandlerAwareCopy()


def uninstall() -> None:
    if not _originals:
        return
    from moto.dynamodb.models import table as table_module
    from moto.dynamodb.responses import DynamoHandler

    DynamoHandler.query = _originals.pop("query")
    DynamoHandler.scan = _originals.pop("scan")
    table_module.copy = _originals.pop("copy")
    _originals.clear()


def installed() -> bool:
    return bool(_originals)
