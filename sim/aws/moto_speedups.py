"""Two speed-ups for moto's DynamoDB, the harness's hottest code. Both keep moto's behaviour.

1. Responses.
moto turns every DynamoDB result — already in DynamoDB's JSON wire format once `dynamo_to_dict`
has run — into a response by walking the operation's output shape member by member; for items
with nested attributes that walk costs several milliseconds per call and dominated storm runs.
For the data-plane operations the walk is an identity, so here the result is written with
`json.dumps` (binary attributes as base64, as the serializer writes them). Anything that is not
plain JSON falls back to moto's serializer. `tests/aws/test_moto_speedups.py` checks that both
paths give botocore the same parsed responses.

2. Transactions. moto's TransactWriteItems deep-copies every table a transaction touches so it
can roll back, so a storm's transactions cost O(table size) each and the run grows
quadratically. Here moto's whole-table copy becomes an identity and the wrapper snapshots only
the items the transaction names (and the length of the tables' stream records), restoring
them if moto cancels the transaction. `tests/aws/test_moto_speedups.py` checks rollbacks.
"""

from __future__ import annotations

import base64
import copy
import json

FAST_OPERATIONS = frozenset({"GetItem", "PutItem", "UpdateItem", "DeleteItem", "Query", "Scan", "BatchGetItem",
                             "BatchWriteItem", "TransactGetItems", "TransactWriteItems"})
_HEADERS = {"Content-Type": "application/x-amz-json-1.0"}
_original = None


def _default(value):
    if isinstance(value, (bytes, bytearray)):
        return base64.b64encode(value).decode("ascii")
    raise TypeError(type(value).__name__)


def _fast_execute_result(self, context):
    if context.operation_model.name in FAST_OPERATIONS:
        try:
            body = json.dumps(self.result, default=_default, separators=(",", ":"))
        except (TypeError, ValueError):
            pass
        else:
            return 200, dict(_HEADERS), body
    return _original(self, context)


class _CopyShim:
    """`copy` for moto's DynamoDB backend module: tables are not copied (see the wrapper)."""

    def deepcopy(self, obj, memo=None):
        from moto.dynamodb.models.table import Table

        return obj if isinstance(obj, Table) else copy.deepcopy(obj, memo)

    def __getattr__(self, name):
        return getattr(copy, name)


_original_transact = None


def _snapshot(backend, transact_items: list[dict]) -> list[tuple]:
    from moto.dynamodb.models.dynamo_type import DynamoType

    saved = []
    for entry in transact_items:
        if not isinstance(entry, dict) or len(entry) != 1:
            continue
        (_op_type, op), = entry.items()
        table = backend.tables.get(op.get("TableName")) if isinstance(op, dict) else None
        if table is None:
            continue
        key = op.get("Key") or op.get("Item") or {}
        if table.hash_key_attr not in key or (table.range_key_attr and table.range_key_attr not in key):
            continue
        hash_value = DynamoType(key[table.hash_key_attr])
        range_value = DynamoType(key[table.range_key_attr]) if table.range_key_attr else None
        item = table.get_item(hash_value, range_value)
        stream = len(table.stream_shard.items) if table.stream_shard is not None else None
        saved.append((table, hash_value, range_value, copy.deepcopy(item) if item is not None else None, stream))
    return saved


def _restore(saved: list[tuple]) -> None:
    from sim.aws.fastpath import query_index, scan_pages

    for table, hash_value, range_value, item, stream in reversed(saved):
        query_index.touched(table, hash_value, range_value)
        scan_pages.touched(table)
        if range_value is not None:
            bucket = table.items[hash_value]
            if item is None:
                bucket.pop(range_value, None)
            else:
                bucket[range_value] = item
        elif item is None:
            table.items.pop(hash_value, None)
        else:
            table.items[hash_value] = item
        if stream is not None and table.stream_shard is not None:
            del table.stream_shard.items[stream:]


def _transact_write_items(self, transact_items):
    saved = _snapshot(self, transact_items)
    try:
        return _original_transact(self, transact_items)
    except Exception:
        _restore(saved)
        raise


def install() -> None:
    """Idempotent; only moto's DynamoDB result class and transaction method are touched."""
    global _original, _original_transact
    from moto.dynamodb import models, responses

    if _original is None:
        _original = responses.DynamoResult.execute_result
        responses.DynamoResult.execute_result = _fast_execute_result
    if _original_transact is None:
        _original_transact = models.DynamoDBBackend.transact_write_items
        models.DynamoDBBackend.transact_write_items = _transact_write_items
        models.copy = _CopyShim()


def uninstall() -> None:
    global _original, _original_transact
    from moto.dynamodb import models, responses

    if _original is not None:
        responses.DynamoResult.execute_result = _original
        _original = None
    if _original_transact is not None:
        models.DynamoDBBackend.transact_write_items = _original_transact
        models.copy = copy
        _original_transact = None
