"""Precedence: which Stripe state wins. Pure functions (no I/O), so out-of-order delivery converges.

Every Stripe fact carries an ordering key (rank, at, eventId): `rank` from the table below, `at`
the Stripe event's `created` (seconds), `eventId` a final tie-break. A fact is written only if its
key is greater than the stored one, so the stored state is the MAXIMUM over all facts seen —
independent of delivery order, and re-applying a fact is a no-op. Monotone quantities take the
max (amountRefunded, applicationFeeRefunded); flags only turn on (fundsWithdrawn, fundsReinstated);
descriptive fields (amount, currency, chargeId, ...) are set when absent and are the same in every
fact of one object.

Ranks
  payment (Booking.paymentState):  pending 0 < failed 1 < canceled 2 < succeeded 3
      (a failed attempt can be followed by success; canceled is final unless it succeeded; a
      refund or a dispute implies the charge succeeded, so "refund before success" and "dispute
      before the charge" already carry rank 3, and "failure after success" loses)
  dispute (Dispute.status):  warning_needs_response 0 < warning_under_review 1 < needs_response 2 <
      under_review 3 < won = lost = warning_closed 4 (terminal)
  payout (Payout.status):  pending 0 < in_transit 1 < paid 2 < failed = canceled 3 (paid → failed happens)
  refund (Refund.status):  pending 0 < requires_action 1 < succeeded 2 < failed = canceled 3
  account (UserProfile Connect mirror): a snapshot; the greatest (created, progress, eventId) wins,
      progress = number of charges_enabled / payouts_enabled / details_submitted that are true (so
      within one second the more advanced snapshot wins; a later regression still wins by created)

Booking derivations (applied after every fact, so the result is the same in any order):
  paymentStatus = the higher of the Stripe payment state and the paymentStatus already stored (the
      booking-processor's own value is a floor: Stripe facts never regress it), shown as
      partially_refunded / refunded when amountRefunded > 0 on a succeeded payment
  status: pending → confirmed when the payment succeeded; pending | confirmed → cancelled when the
      payment intent was canceled or the charge is fully refunded; completed and cancelled are
      never changed by Stripe facts.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from handlers.common import money

PAYMENT_RANK = {"pending": 0, "failed": 1, "canceled": 2, "succeeded": 3}
_PAYMENT_STATUS_RANK = {"pending": 0, "failed": 1, "canceled": 2, "succeeded": 3, "partially_refunded": 3,
                        "refunded": 3}
PAYMENT_STATUSES = tuple(_PAYMENT_STATUS_RANK)  # every Booking.paymentStatus a handler writes
DISPUTE_RANK = {"warning_needs_response": 0, "warning_under_review": 1, "needs_response": 2, "under_review": 3,
                "won": 4, "lost": 4, "warning_closed": 4}
DISPUTE_TERMINAL = 4
PAYOUT_RANK = {"pending": 0, "in_transit": 1, "paid": 2, "failed": 3, "canceled": 3}
REFUND_RANK = {"pending": 0, "requires_action": 1, "succeeded": 2, "failed": 3, "canceled": 3}

# attributes each reducer reads (the compare-and-set watch list)
BOOKING_WATCH = ("status", "paymentStatus", "paymentState", "paymentRank", "paymentStateAt", "paymentStateEventId",
                 "amount", "currency", "platformFee", "providerEarnings", "chargeId", "amountRefunded",
                 "disputeId", "disputeStatus", "disputeRank", "disputeStateAt", "disputeStateEventId",
                 "applicationFeeId", "applicationFeeAmount", "applicationFeeRefunded", "paymentFailureMessage")
RECORD_WATCH = ("status", "statusRank", "stateAt", "stateEventId", "fundsWithdrawn", "fundsReinstated",
                "bookingId", "providerId", "amount", "currency", "chargeId", "paymentIntentId", "reason",
                "failureCode", "failureMessage", "arrivalDate", "createdAt", "evidenceDueBy", "stripeAccountId")
ACCOUNT_WATCH = ("stripeAccountStateAt", "stripeAccountStateEventId", "stripeChargesEnabled",
                 "stripePayoutsEnabled", "stripeDetailsSubmitted", "stripeAccountStatus", "stripeRequirementsDue",
                 "stripeDisabledReason")


def _key(rank: Any, at: Any, event_id: Any) -> tuple[int, int, str]:
    return (int(rank) if rank is not None else -1, int(at or 0), str(event_id or ""))


@dataclass(frozen=True)
class PaymentFact:
    """What one Stripe event says about a booking's payment."""
    event_id: str
    at: int
    state: str | None = None              # pending | failed | canceled | succeeded | None
    charge_id: str | None = None          # the succeeded charge
    amount: int | None = None
    currency: str | None = None
    fee_known: bool = False               # the object carries application_fee_amount (PI, charge)
    application_fee_amount: int | None = None
    amount_refunded: int | None = None
    failure_message: str | None = None
    dispute_id: str | None = None
    dispute_status: str | None = None
    application_fee_id: str | None = None
    application_fee_refunded: int | None = None


def reduce_booking(old: dict[str, Any], fact: PaymentFact) -> dict[str, Any]:
    """The changed attributes of `old` (a Booking) after `fact`; {} when nothing changes."""
    new = dict(old)
    if fact.state in PAYMENT_RANK:
        fact_key = _key(PAYMENT_RANK[fact.state], fact.at, fact.event_id)
        if fact_key > _key(old.get("paymentRank"), old.get("paymentStateAt"), old.get("paymentStateEventId")):
            new.update(paymentState=fact.state, paymentRank=fact_key[0], paymentStateAt=fact_key[1],
                       paymentStateEventId=fact_key[2],
                       paymentFailureMessage=fact.failure_message if fact.state == "failed" else None)
        if fact.state == "succeeded" and fact.charge_id and not old.get("chargeId"):
            new["chargeId"] = fact.charge_id
    if fact.amount is not None and old.get("amount") is None:
        new["amount"] = int(fact.amount)
    if fact.currency and not old.get("currency"):
        new["currency"] = fact.currency
    amount = new.get("amount")
    if fact.fee_known and amount is not None and old.get("platformFee") is None:
        fee = int(fact.application_fee_amount) if fact.application_fee_amount is not None \
            else money.platform_fee(int(amount))
        new.update(platformFee=fee, providerEarnings=int(amount) - fee)
    if fact.amount_refunded is not None and int(fact.amount_refunded) > int(old.get("amountRefunded") or 0):
        new["amountRefunded"] = int(fact.amount_refunded)
    if fact.dispute_id and fact.dispute_status in DISPUTE_RANK:
        dkey = _key(DISPUTE_RANK[fact.dispute_status], fact.at, fact.event_id)
        if dkey > _key(old.get("disputeRank"), old.get("disputeStateAt"), old.get("disputeStateEventId")):
            new.update(disputeId=fact.dispute_id, disputeStatus=fact.dispute_status, disputeRank=dkey[0],
                       disputeStateAt=dkey[1], disputeStateEventId=dkey[2])
    if fact.application_fee_id:
        if not old.get("applicationFeeId"):
            new["applicationFeeId"] = fact.application_fee_id
        if fact.application_fee_amount is not None and old.get("applicationFeeAmount") is None:
            new["applicationFeeAmount"] = int(fact.application_fee_amount)
        if int(fact.application_fee_refunded or 0) > int(old.get("applicationFeeRefunded") or 0):
            new["applicationFeeRefunded"] = int(fact.application_fee_refunded or 0)
    if (int(new.get("amountRefunded") or 0) or int(new.get("applicationFeeRefunded") or 0)) \
            and new.get("amount") is not None and new.get("platformFee") is not None:
        new.update(commission(new))  # fee + earnings = amount − refunds, whoever refunded
    _derive_booking(old, new)
    return {k: v for k, v in new.items() if old.get(k) != v}


def commission(booking: dict[str, Any]) -> dict[str, Any]:
    """platformFee and providerEarnings from the booking's amount, refunds and refunded fee:
    platformFee = the application fee − what of it was refunded, providerEarnings = amount −
    refunded − platformFee (so platformFee + providerEarnings = amount − refunds)."""
    amount = int(booking.get("amount") or 0)
    original = booking.get("applicationFeeAmount")
    original = int(original) if original is not None else money.platform_fee(amount)
    fee = max(0, original - int(booking.get("applicationFeeRefunded") or 0))
    refunded = int(booking.get("amountRefunded") or 0)
    return {"platformFee": min(fee, max(0, amount - refunded)), "providerEarnings": max(0, amount - refunded - fee)}


def _derive_booking(old: dict[str, Any], new: dict[str, Any]) -> None:
    if new.get("paymentState") is None:
        return
    stripe_rank = PAYMENT_RANK.get(new["paymentState"], 0)
    stored = old.get("paymentStatus")
    floor_rank = _PAYMENT_STATUS_RANK.get(stored, -1) if isinstance(stored, str) else -1
    base = new["paymentState"] if stripe_rank >= floor_rank else _base_of(stored)
    refunded = int(new.get("amountRefunded") or 0)
    amount = new.get("amount")
    fully_refunded = base == "succeeded" and refunded > 0 and amount is not None and refunded >= int(amount)
    if base == "succeeded" and refunded > 0:
        new["paymentStatus"] = "refunded" if fully_refunded else "partially_refunded"
    else:
        new["paymentStatus"] = base
    status = new.get("status") or "pending"
    if base == "succeeded" and status == "pending":
        status = "confirmed"
    if (base == "canceled" or fully_refunded) and status in ("pending", "confirmed"):
        status = "cancelled"
    if status != (old.get("status") or "pending") or "status" not in old:
        new["status"] = status


def _base_of(payment_status: str) -> str:
    return "succeeded" if payment_status in ("partially_refunded", "refunded") else payment_status


# -- Dispute / Payout / Refund records ------------------------------------------------------------------
@dataclass(frozen=True)
class RecordFact:
    """What one Stripe event says about a dispute, payout or refund record."""
    event_id: str
    at: int
    status: str
    rank: int
    fields: tuple[tuple[str, Any], ...] = ()   # descriptive attributes, set when absent
    flags: tuple[str, ...] = ()                # boolean attributes turned on (fundsWithdrawn, ...)


def reduce_record(old: dict[str, Any] | None, fact: RecordFact) -> dict[str, Any]:
    """The changed attributes of a Dispute/Payout/Refund record after `fact`."""
    old = old or {}
    new = dict(old)
    fact_key = _key(fact.rank, fact.at, fact.event_id)
    if fact_key > _key(old.get("statusRank"), old.get("stateAt"), old.get("stateEventId")):
        new.update(status=fact.status, statusRank=fact_key[0], stateAt=fact_key[1], stateEventId=fact_key[2])
    for name, value in fact.fields:
        if value is not None and old.get(name) is None:
            new[name] = value
    for flag in fact.flags:
        if not old.get(flag):
            new[flag] = True
    return {k: v for k, v in new.items() if old.get(k) != v}


# -- UserProfile's Connect mirror -----------------------------------------------------------------------
def account_snapshot(account: dict[str, Any]) -> dict[str, Any]:
    """The mirrored fields of a Stripe account object."""
    requirements = account.get("requirements") if isinstance(account.get("requirements"), dict) else {}
    due = sorted(str(x) for x in (requirements.get("currently_due") or []) if isinstance(x, str))
    disabled = requirements.get("disabled_reason")
    charges, payouts = bool(account.get("charges_enabled")), bool(account.get("payouts_enabled"))
    details = bool(account.get("details_submitted"))
    if charges and payouts:
        status = "active"
    elif disabled or (details and due):
        status = "restricted"
    else:
        status = "pending"
    return {"stripeChargesEnabled": charges, "stripePayoutsEnabled": payouts, "stripeDetailsSubmitted": details,
            "stripeAccountStatus": status, "stripeRequirementsDue": due,
            "stripeDisabledReason": disabled if isinstance(disabled, str) else None}


def reduce_account(old: dict[str, Any], snapshot: dict[str, Any], at: int, event_id: str) -> dict[str, Any]:
    """The changed profile attributes if this snapshot is newer than the stored one."""
    def progress(view: dict[str, Any]) -> int:
        return sum(bool(view.get(k)) for k in ("stripeChargesEnabled", "stripePayoutsEnabled", "stripeDetailsSubmitted"))

    new_key = (int(at), progress(snapshot), str(event_id))
    old_key = (int(old.get("stripeAccountStateAt") or 0), progress(old), str(old.get("stripeAccountStateEventId") or ""))
    if "stripeAccountStateAt" in old and new_key <= old_key:
        return {}
    new = dict(old)
    new.update(snapshot, stripeAccountStateAt=int(at), stripeAccountStateEventId=str(event_id))
    return {k: v for k, v in new.items() if old.get(k) != v}


ACCOUNT_VISIBLE = ("stripeChargesEnabled", "stripePayoutsEnabled", "stripeDetailsSubmitted", "stripeAccountStatus",
                   "stripeRequirementsDue", "stripeDisabledReason")
