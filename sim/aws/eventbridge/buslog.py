"""The bus log: every event EventBridge accepted, in order, as `{"bus": name, "event": enveloped
event}`, kept packed (compact JSON, zlib) and rebuilt on read.

A storm puts a few events on the bus per delivery and the oracle reads them all once at the end;
a dict per event (its detail and envelope) costs several times its JSON. An event is JSON from
end to end (PutEvents' Detail is a JSON string, the envelope strings), so reading an entry back
gives an equal dict, keys in the same order; each read is a fresh copy, as AWS hands every target
its own.
"""

from __future__ import annotations

import json
from collections.abc import Iterator

from sim.packed import pack, unpack

_SEPARATORS = (",", ":")


class BusLog:
    """A list-like, append-only log of bus entries (len, iteration, indexing, slicing)."""

    def __init__(self):
        self._packed: list[bytes] = []

    def append(self, entry: dict) -> None:
        self._packed.append(pack(json.dumps(entry, separators=_SEPARATORS, ensure_ascii=False).encode("utf-8")))

    def __len__(self) -> int:
        return len(self._packed)

    def __bool__(self) -> bool:
        return bool(self._packed)

    def __iter__(self) -> Iterator[dict]:
        for packed in self._packed:
            yield _entry(packed)

    def __getitem__(self, index):
        if isinstance(index, slice):
            return [_entry(p) for p in self._packed[index]]
        return _entry(self._packed[index])

    def __eq__(self, other) -> bool:
        return list(self) == list(other) if isinstance(other, (list, BusLog)) else NotImplemented

    __hash__ = None


def _entry(packed: bytes) -> dict:
    return json.loads(unpack(packed))
