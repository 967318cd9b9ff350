"""The ledger's object ids by owning account and by kind, each in the ledger's own order.

A list call (`GET /v1/transfers` on a connected account), a balance and a payout's `payable` look
at one account's objects, or at one kind of object: without an index each scanned every object
Stripe ever made, so a storm's cost per payout grew with the storm (half of a 100,000-delivery
storm's CPU went to it). `ids(kind, owner)` gives the ids of the smaller of the two sets that
can hold the answer, in the order the ledger first stored them: the order `Ledger._objects`
iterates in, so a filtered listing is the same list, in the same order, as a full scan.

The ledger tells the index when it first stores an id (`add`), when an operation that made one
is rolled back (`drop`), and when an object is stored again under another owner (`add` with the
previous owner). `order` is the ledger's first-stored sequence number of each id (`_seq`).
"""

from __future__ import annotations

from collections.abc import Collection, Mapping


class ObjectIndex:
    def __init__(self, order: Mapping[str, int]):
        self._order = order
        self._by_owner: dict[str, dict[str, None]] = {}
        self._by_kind: dict[str, dict[str, None]] = {}

    def add(self, obj_id: str, kind: str, owner: str, previous_owner: str | None) -> None:
        """Record a stored object; `previous_owner` is None for a new id."""
        if previous_owner == owner:
            return
        if previous_owner is None:
            self._by_kind.setdefault(kind, {})[obj_id] = None
            self._by_owner.setdefault(owner, {})[obj_id] = None
            return
        self._by_owner[previous_owner].pop(obj_id, None)
        ids = self._by_owner.setdefault(owner, {})
        ids[obj_id] = None   # back to its first place, where the ledger's own dict keeps it
        self._by_owner[owner] = dict.fromkeys(sorted(ids, key=self._order.__getitem__))

    def drop(self, obj_id: str, kind: str, owner: str) -> None:
        """Forget an object whose creation was rolled back."""
        self._by_owner.get(owner, {}).pop(obj_id, None)
        self._by_kind.get(kind, {}).pop(obj_id, None)

    def ids(self, kind: str | None = None, owner: str | None = None) -> Collection[str] | None:
        """Ids that include every match, in ledger order (a superset when both are given: the
        caller still filters); None when nothing narrows it (every id)."""
        if owner is not None:
            by_owner = self._by_owner.get(owner, {})
            by_kind = self._by_kind.get(kind, {}) if kind is not None else None
            return by_owner if by_kind is None or len(by_owner) <= len(by_kind) else by_kind
        if kind is not None:
            return self._by_kind.get(kind, {})
        return None
