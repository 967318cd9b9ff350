"""DynamoDB Streams and their Lambda event-source mappings, on any backend.

For a table whose stack entry names stream targets, every successful write (PutItem, UpdateItem,
DeleteItem, BatchWriteItem, TransactWriteItems — by a handler or by the harness) becomes a stream
record in the NEW_AND_OLD_IMAGES view: the item is read just before and just after the write, and
a write that changed nothing makes no record, as in DynamoDB. Records are batched per table for a
polling interval and the mapped functions get Lambda's event, `{"Records": [...]}` in DynamoDB
JSON. A failed batch is retried with back-off a bounded number of times (the mapping's
MaximumRetryAttempts), then recorded in `failures`.
"""

from __future__ import annotations

from typing import Any

WRITE_OPERATIONS = frozenset({"PutItem", "UpdateItem", "DeleteItem", "BatchWriteItem", "TransactWriteItems"})
POLL_SECONDS = 0.5
MAX_RETRIES = 3
BATCH_SIZE = 100


class StreamRouter:
    """Stream records of the writes to `stack`'s streamed tables (read through `client` inside
    `internal()`), delivered to their functions by `lambdas` on the scheduler."""

    def __init__(self, stack, *, client, internal, lambdas, scheduler, trace, rng):
        self.stack, self.client, self.internal = stack, client, internal  # the tables, read harness-side
        self.lambdas, self.scheduler, self.trace, self.rng = lambdas, scheduler, trace, rng
        self.tables = {t.name: t for t in stack.tables if t.stream_targets}
        self._pending: dict[str, list[dict]] = {}
        self._sequence = 0
        self.failures: list[dict] = []

    # -- capture ---------------------------------------------------------------------------------
    def keys_written(self, call) -> list[tuple[str, dict]]:
        """(table, key) for every item a write call touches on a streamed table."""
        p, out = call.params, []
        op = call.operation

        def add(table: str | None, source: dict | None):
            t = self.tables.get(table or "")
            if t is not None and isinstance(source, dict):
                key = {a: source[a] for a in (t.hash_key, t.range_key) if a and a in source}
                if t.hash_key in key:
                    out.append((t.name, key))

        if op in ("PutItem",):
            add(p.get("TableName"), p.get("Item"))
        elif op in ("UpdateItem", "DeleteItem"):
            add(p.get("TableName"), p.get("Key"))
        elif op == "BatchWriteItem":
            for table, requests in (p.get("RequestItems") or {}).items():
                for req in requests or []:
                    add(table, (req.get("PutRequest") or {}).get("Item") or (req.get("DeleteRequest") or {}).get("Key"))
        elif op == "TransactWriteItems":
            for entry in p.get("TransactItems") or []:
                for kind in ("Put", "Update", "Delete"):
                    if kind in entry:
                        body = entry[kind]
                        add(body.get("TableName"), body.get("Item") if kind == "Put" else body.get("Key"))
        return out

    def before(self, call) -> None:
        if call.service != "dynamodb" or call.operation not in WRITE_OPERATIONS or not self.tables:
            return
        touched = self.keys_written(call)
        if touched:
            call.context["sim_stream"] = [(table, key, self._read(table, key)) for table, key in touched]

    def after(self, call, ok: bool) -> None:
        touched = call.context.pop("sim_stream", None)
        if not touched or not ok:
            return
        for table, key, old in touched:
            new = self._read(table, key)
            if old == new:
                continue  # DynamoDB writes no stream record for a write that changed nothing
            self._emit(table, key, old, new)

    def _read(self, table: str, key: dict) -> dict | None:
        with self.internal():
            got = self.client("dynamodb").get_item(TableName=table, Key=key, ConsistentRead=True)
        return got.get("Item")

    def _emit(self, table: str, key: dict, old: dict | None, new: dict | None) -> None:
        self._sequence += 1
        created = int(self.scheduler.clock.now().timestamp())
        body: dict[str, Any] = {"ApproximateCreationDateTime": created, "Keys": key,
                                "SequenceNumber": f"{self._sequence:021d}", "SizeBytes": len(str(new or old)),
                                "StreamViewType": "NEW_AND_OLD_IMAGES"}
        if new is not None:
            body["NewImage"] = new
        if old is not None:
            body["OldImage"] = old
        record = {"eventID": self.rng.token_hex(16),
                  "eventName": "INSERT" if old is None else ("REMOVE" if new is None else "MODIFY"),
                  "eventVersion": "1.1", "eventSource": "aws:dynamodb", "awsRegion": self.stack.region,
                  "dynamodb": body, "eventSourceARN": self.stream_arn(table)}
        self.trace.record("dynamodb", "stream.record", None, table=table, eventName=record["eventName"])
        pending = self._pending.setdefault(table, [])
        if not pending:
            self.scheduler.call_later(POLL_SECONDS, self._flush, table)
        pending.append(record)

    def stream_arn(self, table: str) -> str:
        return self.stack.arn("dynamodb", f"table/{table}/stream/2026-01-01T00:00:00.000")

    # -- delivery ----------------------------------------------------------------------------------
    def _flush(self, table: str) -> None:
        records = self._pending.pop(table, [])
        for start in range(0, len(records), BATCH_SIZE):
            batch = records[start:start + BATCH_SIZE]
            for function in self.tables[table].stream_targets:
                self._deliver(function, table, batch, attempt=0)

    def _deliver(self, function: str, table: str, batch: list[dict], attempt: int) -> None:
        task = self.lambdas.spawn(function, {"Records": batch})
        task.add_done_callback(lambda t: self._done(t, function, table, batch, attempt))

    def _done(self, task, function: str, table: str, batch: list[dict], attempt: int) -> None:
        inv = task.result() if task.exception() is None else None
        if inv is not None and inv.error is None:
            return
        if attempt < MAX_RETRIES:
            self.trace.record("dynamodb", "stream.retry", None, table=table, function=function,
                                    attempt=attempt + 1)
            self.scheduler.call_later(2 ** attempt, self._deliver, function, table, batch, attempt + 1)
        else:
            self.failures.append({"function": function, "table": table, "records": len(batch),
                                  "error": inv.error if inv else None})
            self.trace.record("dynamodb", "stream.dropped", None, table=table, function=function)
