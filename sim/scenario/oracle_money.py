"""Money against Stripe's truth: what was paid out to each provider never exceeds what its
Stripe balance allows for the marketplace's charges.

Per connected account (the fake Stripe's ledger, never our tables):
    allowed = Σ succeeded charges (amount − amount_refunded − (application fee − fee refunded)
              − disputed funds withdrawn + reinstated)
    paid    = Σ payouts pending, in transit or paid (failed and canceled ones came back)
Stripe's own processing fees are left out (the marketplace does not book them against earnings).
"""

from __future__ import annotations

from collections import defaultdict

from sim.scenario import vocabulary as V
from sim.scenario.oracle import _plural, invariant
from sim.scenario.snapshot import Snapshot


def balance_moves(snap: Snapshot) -> dict[str, list[tuple[int, int, int, str]]]:
    """Per connected account, its earnings moves in ledger order: (created, order, amount, what).
    A charge adds amount − application fee, a refund subtracts its amount, a refunded application
    fee gives its share back, a dispute's balance transactions withdraw or reinstate, a live payout
    (pending, in transit, paid) subtracts."""
    moves: dict[str, list[tuple[int, int, int, str]]] = defaultdict(list)
    for order, (oid, obj) in enumerate(snap.stripe_objects.items()):
        kind, owner, created = obj.get("object"), snap.stripe_owners.get(oid), int(obj.get("created") or 0)
        if kind == "charge" and obj.get("status") == "succeeded" and owner:
            fee = snap.stripe_objects.get(str(obj.get("application_fee") or "")) or {}
            moves[owner].append((created, order, int(obj.get("amount") or 0) - int(fee.get("amount") or 0), oid))
        elif kind == "refund" and obj.get("status") in ("succeeded", "pending") and owner:
            moves[owner].append((created, order, -int(obj.get("amount") or 0), oid))
        elif kind == "fee_refund":
            fee = snap.stripe_objects.get(str(obj.get("fee") or "")) or {}
            if fee.get("account"):
                moves[fee["account"]].append((created, order, int(obj.get("amount") or 0), oid))
        elif kind == "dispute" and owner:
            for txn in obj.get("balance_transactions") or []:
                if isinstance(txn, dict):
                    moves[owner].append((int(txn.get("created") or created), order, int(txn.get("amount") or 0), oid))
        elif kind == "payout" and obj.get("status") in V.PAYOUT_LIVE and owner:
            moves[owner].append((created, order, -int(obj.get("amount") or 0), oid))
    return {acct: sorted(m) for acct, m in moves.items()}


@invariant("payout-within-stripe-balance",
           "no payout exceeds what the provider's Stripe balance allowed when it was made: earnings − refunds "
           "− disputed funds withdrawn + reinstated − earlier payouts (the fake Stripe's ledger)")
def payout_within_balance(snap: Snapshot):
    problems, payouts = [], 0
    for acct, moves in sorted(balance_moves(snap).items()):
        running = 0
        for _created, _order, amount, oid in moves:
            if oid.startswith("po_"):
                payouts += 1
                if running + amount < 0:
                    problems.append(f"account {acct}: payout {oid} of {-amount} when its earnings allowed {running}")
            running += amount
    return problems, f"{_plural(payouts, 'payout')}"
