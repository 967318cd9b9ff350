"""Money against Stripe's truth: what was paid out to each provider never exceeds what its
Stripe balance allows for the marketplace's charges.

Per connected account (the fake Stripe's ledger, never our tables):
    allowed = Σ succeeded charges (amount − amount_refunded − (application fee − fee refunded)
              − disputed funds withdrawn + reinstated)
    paid    = Σ payouts pending, in transit or paid (failed and canceled ones came back)
Stripe's own processing fees are left out (the marketplace does not book them against earnings).
The moves are `sim/stripe/payable.py`'s, by which the fake Stripe itself refuses an over-balance
payout (balance_insufficient): this invariant guards that check and anything that bypasses it.
"""

from __future__ import annotations

from sim.scenario.oracle import _plural, invariant
from sim.scenario.snapshot import Snapshot
from sim.stripe.payable import Move, moves


def balance_moves(snap: Snapshot) -> dict[str, list[Move]]:
    """Per connected account, its earnings moves in ledger order (sim/stripe/payable.py: the model
    the fake Stripe refuses payouts by)."""
    return moves(snap.stripe_objects, snap.stripe_owners)


@invariant("payout-within-stripe-balance",
           "no payout exceeds what the provider's Stripe balance allowed when it was made: earnings − refunds "
           "− disputed funds withdrawn + reinstated − earlier payouts (the fake Stripe's ledger)")
def payout_within_balance(snap: Snapshot):
    problems, payouts = [], 0
    for acct, account_moves in sorted(balance_moves(snap).items()):
        running = 0
        for _created, _order, amount, oid, _currency in account_moves:
            if oid.startswith("po_"):
                payouts += 1
                if running + amount < 0:
                    problems.append(f"account {acct}: payout {oid} of {-amount} when its earnings allowed {running}")
            running += amount
    return problems, f"{_plural(payouts, 'payout')}"
