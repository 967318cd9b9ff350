"""A read-only sequence of records kept packed: what a snapshot holds of big tables and the bus.

The oracle's end-of-run snapshot reads whole tables (a storm's ProcessedWebhooks and Notification
tables have tens of thousands of items) and every bus event, and keeps what it read for every
check that asks again. Held as Python objects all at once, that was the last and largest peak of
a storm's memory (~2 KB per delivery). `PackedRecords.of(iterable)` consumes the records a chunk
at a time and keeps each chunk pickled and zlib-packed; iteration, indexing and slicing rebuild
them, so each reader gets its own copies (nothing a check changes is seen by the next, as with a
fresh read of the table). It compares equal to a list of the same records.
"""

from __future__ import annotations

import pickle
from collections.abc import Iterable, Iterator, Sequence
from typing import Any

from sim.packed import pack, unpack

CHUNK = 256   # records per packed chunk


class PackedRecords(Sequence):
    __slots__ = ("_chunks", "_len")

    def __init__(self):
        self._chunks: list[bytes] = []
        self._len = 0

    @classmethod
    def of(cls, records: Iterable[Any]) -> PackedRecords:
        out, chunk = cls(), []
        for record in records:
            chunk.append(record)
            if len(chunk) == CHUNK:
                out._add(chunk)
                chunk = []
        if chunk:
            out._add(chunk)
        return out

    def _add(self, chunk: list) -> None:
        self._chunks.append(pack(pickle.dumps(chunk, protocol=pickle.HIGHEST_PROTOCOL)))
        self._len += len(chunk)

    def _chunk(self, i: int) -> list:
        return pickle.loads(unpack(self._chunks[i]))

    def __len__(self) -> int:
        return self._len

    def __iter__(self) -> Iterator[Any]:
        for i in range(len(self._chunks)):
            yield from self._chunk(i)

    def __getitem__(self, index):
        if isinstance(index, slice):
            return list(self)[index]
        if index < 0:
            index += self._len
        if not 0 <= index < self._len:
            raise IndexError("PackedRecords index out of range")
        return self._chunk(index // CHUNK)[index % CHUNK]

    def __eq__(self, other) -> bool:
        if isinstance(other, (PackedRecords, list, tuple)):
            return len(self) == len(other) and all(a == b for a, b in zip(self, other, strict=True))
        return NotImplemented

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return f"PackedRecords({self._len} records)"
