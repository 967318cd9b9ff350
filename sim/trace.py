"""The trace: an append-only log of typed records, written as JSON lines, with a stable hash.

Each record carries the virtual time, the component (e.g. "lambda", "stripe", "eventbridge"),
the kind (e.g. "invoke.start"), a correlation id and JSON-serialisable details. The hash is a
SHA-256 over the canonical JSON lines, so the same scenario and seed give the same hash.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from datetime import datetime
from typing import Any


def _default(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, (bytes, bytearray)):
        return value.decode("utf-8", "replace")
    if isinstance(value, (set, frozenset)):
        return sorted(value)
    if hasattr(value, "__json__"):
        return value.__json__()
    return str(value)


def canonical_json(value: Any) -> str:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), default=_default, ensure_ascii=False)


class Trace:
    """Records in order; `hash()` is stable for identical runs."""

    def __init__(self, clock, *, keep: bool = True):
        self._clock = clock
        self._keep = keep
        self._records: list[dict] = []
        self._lines: list[str] = []
        self._sha = hashlib.sha256()
        self._count = 0

    def record(self, component: str, kind: str, correlation_id: str | None = None, **details: Any) -> dict:
        now = self._clock.now()
        rec = {
            "seq": self._count,
            "t": now.isoformat(timespec="milliseconds").replace("+00:00", "Z"),
            "component": component,
            "kind": kind,
            "cid": correlation_id,
            "details": details,
        }
        line = canonical_json(rec)
        self._sha.update(line.encode())
        self._sha.update(b"\n")
        self._count += 1
        if self._keep:
            self._records.append(rec)
            self._lines.append(line)
        return rec

    def __len__(self) -> int:
        return self._count

    def __iter__(self) -> Iterator[dict]:
        return iter(self._records)

    @property
    def records(self) -> list[dict]:
        return self._records

    def select(self, component: str | None = None, kind: str | None = None,
               correlation_id: str | None = None) -> list[dict]:
        return [r for r in self._records
                if (component is None or r["component"] == component)
                and (kind is None or r["kind"] == kind)
                and (correlation_id is None or r["cid"] == correlation_id)]

    def hash(self) -> str:
        return self._sha.hexdigest()

    def to_jsonl(self) -> str:
        return "".join(line + "\n" for line in self._lines)

    def write(self, path) -> None:
        with open(path, "w", encoding="utf-8") as fh:
            fh.write(self.to_jsonl())
