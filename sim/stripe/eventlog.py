"""The ledger's committed events, kept as their packed webhook bodies and rebuilt on read.

An event's body is `dumps_body(event)` at commit time, and an event is JSON from end to end, so
reading it back gives an equal dict, keys in the same order. The one field that changes after
commit, `pending_webhooks` (decremented as endpoints receive the event), is kept apart and put
into every rebuilt dict. Each read is a fresh copy: a change to it is not seen by the ledger.

The dict an operation emitted (in its `OpResult`, in a delivery lane) stays the one the ledger
decrements for as long as the event has pending webhooks, exactly as before; once none is left
it is no longer referenced here, and the object versions it holds die with it.

Each entry keeps what the Events API filters and pages on (id, type, created, account, order,
pending), so a listing rebuilds only the page it answers.
"""

from __future__ import annotations

import json
from collections.abc import Iterator

from sim.packed import pack, unpack


class Entry:
    """One committed event: its filter fields, its packed body, and (while it has pending webhooks)
    the dict that was committed, so the decrements reach whoever holds it."""

    __slots__ = ("id", "type", "created", "account", "seq", "pending", "packed", "live")

    def __init__(self, event: dict, body: bytes, seq: int):
        self.id = event["id"]
        self.type = event["type"]
        self.created = event["created"]
        self.account = event.get("account")
        self.seq = seq
        self.pending = event["pending_webhooks"]
        self.packed = pack(body)
        self.live = event if self.pending > 0 else None

    def __getitem__(self, key: str):
        """The fields a listing filters on, read like the event's (`listing.event_filter`, `paginate`)."""
        if key == "pending_webhooks":
            return self.pending
        if key in ("id", "type", "created", "account"):
            return getattr(self, key)
        raise KeyError(key)

    def event(self) -> dict:
        """The event as it is now: its body read back, with the current `pending_webhooks`."""
        event = json.loads(unpack(self.packed))
        event["pending_webhooks"] = self.pending
        return event

    def body(self) -> bytes:
        return unpack(self.packed)

    def delivered(self) -> None:
        if self.pending > 0:
            self.pending -= 1
            if self.live is not None:
                self.live["pending_webhooks"] = self.pending
                if self.pending == 0:
                    self.live = None


class EventView:
    """A list-like of events over a list of entries (len, iteration, reversed, indexing, slicing,
    equality with a list), each event rebuilt when it is read. It follows the list it is given;
    `frozen()` copies the entries and their current `pending_webhooks` (the oracle's snapshot)."""

    __slots__ = ("_entries", "_pending")

    def __init__(self, entries: list[Entry], pending: list[int] | None = None):
        self._entries = entries
        self._pending = pending

    def frozen(self) -> EventView:
        entries = list(self._entries)
        return EventView(entries, [e.pending for e in entries] if self._pending is None else list(self._pending))

    def entries(self) -> list[Entry]:
        return self._entries

    def _event(self, index: int, entry: Entry) -> dict:
        event = entry.event()
        if self._pending is not None:
            event["pending_webhooks"] = self._pending[index]
        return event

    def __len__(self) -> int:
        return len(self._entries)

    def __bool__(self) -> bool:
        return bool(self._entries)

    def __iter__(self) -> Iterator[dict]:
        for i, entry in enumerate(self._entries):
            yield self._event(i, entry)

    def __reversed__(self) -> Iterator[dict]:
        for i in range(len(self._entries) - 1, -1, -1):
            yield self._event(i, self._entries[i])

    def __getitem__(self, index):
        n = len(self._entries)
        if isinstance(index, slice):
            return [self._event(i, self._entries[i]) for i in range(*index.indices(n))]
        if index < 0:
            index += n
        if not 0 <= index < n:
            raise IndexError("event index out of range")
        return self._event(index, self._entries[index])

    def __eq__(self, other) -> bool:
        return list(self) == list(other) if isinstance(other, (list, EventView)) else NotImplemented

    __hash__ = None

    def __repr__(self) -> str:
        return f"EventView({len(self._entries)} events)"


class EventLog:
    """Every committed event in order, by id and by account (None: the platform's own)."""

    def __init__(self):
        self._all: list[Entry] = []
        self._by_id: dict[str, Entry] = {}
        self._by_account: dict[str | None, list[Entry]] = {}

    def append(self, event: dict, body: bytes) -> None:
        entry = Entry(event, body, len(self._all))
        self._all.append(entry)
        self._by_id[entry.id] = entry
        self._by_account.setdefault(entry.account, []).append(entry)

    def __contains__(self, event_id: str) -> bool:
        return event_id in self._by_id

    def entry(self, event_id: str) -> Entry | None:
        return self._by_id.get(event_id)

    def all(self) -> EventView:
        return EventView(self._all)

    def of_account(self, account: str | None) -> EventView:
        """A view of one account's events (None: the platform's), oldest first; it follows the
        account's events once the account has one."""
        return EventView(self._by_account.get(account) or [])
