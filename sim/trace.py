"""The trace: an append-only log of typed records, written as JSON lines, with a stable hash.

Each record carries the virtual time, the component (e.g. "lambda", "stripe", "eventbridge"),
the kind (e.g. "invoke.start"), a correlation id and JSON-serialisable details. The hash is a
SHA-256 over the canonical JSON lines, so the same scenario and seed give the same hash.

`Trace(clock, spool=True)` streams the lines to a temporary file instead of keeping them in
memory (long storms: memory stays flat); `records`, `select`, `to_jsonl` and `write` then read
the file back (records as JSON gives them: datetimes as ISO strings). The hash is the same.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import shutil
import tempfile
import weakref
from collections import Counter
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


_CANONICAL = json.JSONEncoder(sort_keys=True, separators=(",", ":"), default=_default, ensure_ascii=False)


def canonical_json(value: Any) -> str:
    """`json.dumps(value, sort_keys=True, separators=(",", ":"), default=_default,
    ensure_ascii=False)`, with the encoder `dumps` would build for each call built once."""
    return _CANONICAL.encode(value)


class Trace:
    """Records in order; `hash()` is stable for identical runs."""

    def __init__(self, clock, *, keep: bool = True, spool: bool = False):
        self._clock = clock
        self._keep = keep and not spool
        self._records: list[dict] = []
        self._lines: list[str] = []
        self._sha = hashlib.sha256()
        self._count = 0
        self._stamped, self._stamp = None, ""              # the last instant recorded, formatted
        self.counts: Counter[tuple[str, str]] = Counter()   # (component, kind) -> records
        self.listeners: list = []                          # callables(record), e.g. progress displays
        self._spool = tempfile.NamedTemporaryFile("w", encoding="utf-8", suffix=".trace.jsonl",  # noqa: SIM115
                                                  delete=False) if spool else None
        if self._spool is not None:
            weakref.finalize(self, _remove, self._spool)

    def record(self, component: str, kind: str, correlation_id: str | None = None, **details: Any) -> dict:
        now = self._clock.now()
        if now is not self._stamped:   # the clock's instant is a new object whenever it moves
            self._stamped, self._stamp = now, now.isoformat(timespec="milliseconds").replace("+00:00", "Z")
        rec = {
            "seq": self._count,
            "t": self._stamp,
            "component": component,
            "kind": kind,
            "cid": correlation_id,
            "details": details,
        }
        line = canonical_json(rec)
        self._sha.update(f"{line}\n".encode())
        self._count += 1
        self.counts[(component, kind)] += 1
        for listener in self.listeners:
            listener(rec)
        if self._keep:
            self._records.append(rec)
            self._lines.append(line)
        elif self._spool is not None:
            self._spool.write(line)
            self._spool.write("\n")
        return rec

    def __len__(self) -> int:
        return self._count

    def __iter__(self) -> Iterator[dict]:
        return iter(self.records)

    @property
    def spooled(self) -> bool:
        return self._spool is not None

    @property
    def records(self) -> list[dict] | SpooledRecords:
        """Every record, in order (re-iterable; read back from disk when spooled)."""
        return SpooledRecords(self) if self._spool is not None else self._records

    def _lines_from_spool(self) -> Iterator[str]:
        self._spool.flush()
        with open(self._spool.name, encoding="utf-8") as fh:
            for line in fh:
                yield line.rstrip("\n")

    def close(self) -> None:
        """Remove the spool file (the hash and count stay)."""
        if self._spool is not None:
            self._spool.close()
            with contextlib.suppress(OSError):
                os.unlink(self._spool.name)
            self._spool = None
            self._keep = False

    def select(self, component: str | None = None, kind: str | None = None,
               correlation_id: str | None = None) -> list[dict]:
        return [r for r in self.records
                if (component is None or r["component"] == component)
                and (kind is None or r["kind"] == kind)
                and (correlation_id is None or r["cid"] == correlation_id)]

    def hash(self) -> str:
        return self._sha.hexdigest()

    def to_jsonl(self) -> str:
        lines = self._lines_from_spool() if self._spool is not None else self._lines
        return "".join(line + "\n" for line in lines)

    def write(self, path) -> None:
        if self._spool is not None:
            self._spool.flush()
            shutil.copyfile(self._spool.name, path)
            return
        with open(path, "w", encoding="utf-8") as fh:
            fh.write(self.to_jsonl())


def _remove(spool) -> None:
    spool.close()
    with contextlib.suppress(OSError):
        os.unlink(spool.name)


def of_components(records, *components: str) -> Iterator[dict]:
    """The records of these components, in order. From a spooled trace only the lines that can
    be one of them are decoded: every record's line holds `"component":"<its component>"`
    (canonical JSON), so a line without any of those needles is none of them, and a line with
    one is decoded and checked."""
    if isinstance(records, SpooledRecords):
        return records.of_components(*components)
    return (r for r in records if r.get("component") in components)


class SpooledRecords:
    """The records of a spooled trace: iterate (from disk, each time) and count."""

    def __init__(self, trace: Trace):
        self._trace = trace

    def __iter__(self) -> Iterator[dict]:
        for line in self._trace._lines_from_spool():
            yield json.loads(line)

    def of_components(self, *components: str) -> Iterator[dict]:
        needles = [canonical_json({"component": c})[1:-1] for c in components]
        for line in self._trace._lines_from_spool():
            if any(n in line for n in needles):
                rec = json.loads(line)
                if rec.get("component") in components:
                    yield rec

    def __len__(self) -> int:
        return len(self._trace)
