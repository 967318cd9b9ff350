"""The oracle's refund-record invariant (registered into `sim.scenario.oracle`'s list).

`refund-records-match-stripe`: every Refund record is one refund in Stripe's ledger — its id is a
Stripe refund id, its amount is that refund's amount — and per charge the records never add up to
more than Stripe refunded. A refund recorded under a key of its own (per event, per attempt) or
recorded twice shows up here even when the amounts stay under the charge (which `money-adds-up`
alone cannot see). Added for `sim explore`'s `refund-without-dedup` mutant (docs/explore.md).
"""

from __future__ import annotations

from collections import defaultdict

from sim.scenario.oracle import _int, _plural, invariant
from sim.scenario.snapshot import Snapshot

NOT_MONEY = ("failed", "canceled", "cancelled")


@invariant("refund-records-match-stripe",
           "every Refund record is a refund in Stripe (same id, same amount); per charge the records never "
           "exceed what Stripe refunded")
def refund_records(snap: Snapshot):
    problems = []
    per_charge: dict[str, int] = defaultdict(int)
    records = snap.table("Refund")
    for rec in records:
        rid = str(rec.get("id") or "")
        refund = snap.stripe_objects.get(rid)
        if refund is None or refund.get("object") != "refund":
            problems.append(f"Refund record {rid!r} (booking {rec.get('bookingId')}) is no refund in Stripe")
            charge = rec.get("chargeId")
        else:
            if _int(rec.get("amount")) not in (None, _int(refund.get("amount"))):
                problems.append(f"Refund record {rid}: amount {rec.get('amount')}, Stripe says {refund.get('amount')}")
            charge = refund.get("charge") or rec.get("chargeId")
        if charge and str(rec.get("status", "")).lower() not in NOT_MONEY:
            per_charge[str(charge)] += _int(rec.get("amount")) or 0
    for charge_id, total in sorted(per_charge.items()):
        charge = snap.stripe_objects.get(charge_id)
        if charge is not None and total > (charge.get("amount_refunded") or 0):
            problems.append(f"charge {charge_id}: Refund records add up to {total}, Stripe refunded "
                            f"{charge.get('amount_refunded') or 0}")
    return problems, _plural(len(records), "Refund record")
