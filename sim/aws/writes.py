"""Which items each DynamoDB write touched, so observers can re-read only those.

`WriteLog(hash_keys)` is fed every successful boto3 DynamoDB call (`after(call, ok)`) and keeps,
per table, the hash-key values written since the last `take(table)`. `take` returns those keys as
AttributeValues, or None when the whole table must be read again: at the first `take`, and after
any write it cannot attribute to keys (PartiQL, table-level operations). Observing a table after
every scenario step is then O(changes), not O(table) — reading every Booking after every step made
long storms quadratic.
"""

from __future__ import annotations

_KEYED = {"PutItem": "Item", "UpdateItem": "Key", "DeleteItem": "Key"}
_UNATTRIBUTED = frozenset({"ExecuteStatement", "BatchExecuteStatement", "ExecuteTransaction", "DeleteTable",
                           "RestoreTableFromBackup", "RestoreTableToPointInTime", "ImportTable", "CreateTable"})


class WriteLog:
    def __init__(self, hash_keys: dict[str, str]):
        self._hash_keys = dict(hash_keys)   # physical table name -> hash key attribute
        self._dirty: dict[str, dict[str, dict]] = {}
        self._everything: set[str] = set(self._hash_keys)

    def after(self, call, ok: bool) -> None:
        if not ok or call.service != "dynamodb":
            return
        p, op = call.params, call.operation
        if op in _KEYED:
            self._note(p.get("TableName"), p.get(_KEYED[op]))
        elif op == "BatchWriteItem":
            for table, requests in (p.get("RequestItems") or {}).items():
                for request in requests or ():
                    put, delete = request.get("PutRequest"), request.get("DeleteRequest")
                    self._note(table, (put or {}).get("Item") if put else (delete or {}).get("Key"))
        elif op == "TransactWriteItems":
            for entry in p.get("TransactItems") or ():
                for kind, field in (("Put", "Item"), ("Update", "Key"), ("Delete", "Key")):
                    if kind in entry:
                        self._note(entry[kind].get("TableName"), entry[kind].get(field))
        elif op in _UNATTRIBUTED:
            self._everything.update(self._hash_keys)

    def _note(self, table, key) -> None:
        attr = self._hash_keys.get(table)
        if attr is None or table in self._everything:
            return
        value = (key or {}).get(attr)
        if not isinstance(value, dict) or len(value) != 1:
            self._everything.add(table)
            return
        (kind, raw), = value.items()
        self._dirty.setdefault(table, {})[f"{kind}:{raw}"] = {attr: value}

    def take(self, table: str) -> list[dict] | None:
        """Keys written to `table` since the last take, or None: read it all."""
        dirty = self._dirty.pop(table, {})
        if table in self._everything:
            self._everything.discard(table)
            return None
        return list(dirty.values())
