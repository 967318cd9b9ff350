"""What a connected account's balance lets it pay out: its earnings moves, from the ledger's objects.

`moves(objects, owners)` lists, per connected account and in time order, every change to what the
account may pay out: a succeeded charge adds amount − application fee (a destination charge's
payment on the account, py_…, is such a charge), a refund (succeeded or pending) subtracts its
amount, a refunded application fee gives its share back, a dispute's balance
transactions withdraw or reinstate, a live payout (pending, in transit, paid) subtracts; failed and
canceled payouts came back. `payable(objects, owners, account, currency)` is their sum;
`candidates` narrows the objects looked at to those that can move the account's balance (the
ledger passes the account's own objects and the fee refunds), which gives the same sum.

The fake Stripe refuses a payout above `payable` (`balance_insufficient`), and the oracle's
`payout-within-stripe-balance` replays the same moves, so both judge one model. It is simpler than
Stripe's: pending funds count (as with test-mode charges whose funds are available at once) and
Stripe's own processing and dispute fees are left out (the marketplace books earnings as amount −
application fee; it does not charge providers Stripe's fees).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from typing import NamedTuple

LIVE_PAYOUTS = ("pending", "in_transit", "paid")
LIVE_REFUNDS = ("succeeded", "pending")


class Move(NamedTuple):
    created: int
    order: int
    amount: int
    source: str      # the object's id (po_… for a payout)
    currency: str


def moves(objects: Mapping[str, dict], owners: Mapping[str, str],
          candidates: Iterable[str] | None = None) -> dict[str, list[Move]]:
    """Per connected account, its earnings moves in ledger order (created, then insertion order);
    only the `candidates` ids are looked at when given (in ledger order)."""
    out: dict[str, list[Move]] = defaultdict(list)
    pairs = objects.items() if candidates is None else ((oid, objects[oid]) for oid in candidates)
    for order, (oid, obj) in enumerate(pairs):
        kind, owner, created = obj.get("object"), owners.get(oid), int(obj.get("created") or 0)
        currency = str(obj.get("currency") or "")
        if kind == "charge" and obj.get("status") == "succeeded" and owner:
            fee = objects.get(str(obj.get("application_fee") or "")) or {}
            out[owner].append(Move(created, order, int(obj.get("amount") or 0) - int(fee.get("amount") or 0),
                                   oid, currency))
        elif kind == "refund" and obj.get("status") in LIVE_REFUNDS and owner:
            out[owner].append(Move(created, order, -int(obj.get("amount") or 0), oid, currency))
        elif kind == "fee_refund":
            fee = objects.get(str(obj.get("fee") or "")) or {}
            if fee.get("account"):
                out[fee["account"]].append(Move(created, order, int(obj.get("amount") or 0), oid, currency))
        elif kind == "dispute" and owner:
            for txn in obj.get("balance_transactions") or []:
                if isinstance(txn, dict):
                    out[owner].append(Move(int(txn.get("created") or created), order, int(txn.get("amount") or 0),
                                           oid, currency))
        elif kind == "payout" and obj.get("status") in LIVE_PAYOUTS and owner:
            out[owner].append(Move(created, order, -int(obj.get("amount") or 0), oid, currency))
    return {acct: sorted(m) for acct, m in out.items()}


def payable(objects: Mapping[str, dict], owners: Mapping[str, str], account: str, currency: str,
            candidates: Iterable[str] | None = None) -> int:
    """What `account` may still pay out in `currency` (can be negative after a chargeback)."""
    return sum(m.amount for m in moves(objects, owners, candidates).get(account, []) if m.currency == currency)
