"""Provider payouts: which bookings are owed, claiming them, paying them out, reconciling.

Commission: a booking's provider is owed its providerEarnings = amount − refunds − platformFee
(8 %, adjusted by refunds; common/precedence.commission keeps it current). The amount actually
paid is computed from Stripe's truth at payout time (common/earnings.owed: the charge, its
refunds, the application fee and the disputed funds withdrawn or reinstated), whatever order
the webhooks arrived in; a booking that owes nothing (fully refunded, chargeback lost) is
released as payoutStatus not_payable. A payout's amount is the sum of those, its platformFee
the sum of the bookings' fees; each booking records its payoutAmount.

Eligible: paymentStatus succeeded | partially_refunded, status confirmed | completed, earnings > 0,
and not yet claimed (no payoutClaim). A scheduled run also waits until PAYOUT_DELAY_DAYS (default
2) after the booking's end; a manual one (or the payment workflow's, for one booking) does not.

Exactly once: each eligible booking is claimed with a conditional write (payoutClaim absent →
the claim id) before Stripe is called, so concurrent runs never pay a booking twice; the Stripe
payout (on the provider's connected account, idempotency key = the claim id) then gets a Payout
record (id = po_…, status through the webhook's precedence) and the bookings get payoutId and
payoutStatus. If Stripe refuses, the claims are released and nothing is paid: as `failed`, except
for `balance_insufficient` (the balance is short now, e.g. a payout the provider made at Stripe
directly) and transient errors, released `unpaid` so a later run pays once the balance allows it.

What the balance allows is Stripe's list of the connected account's balance transactions
(earnings.allowance), not our tables: a payout the provider made at Stripe directly counts too.

Reconciliation: the Payout record's status is the truth (stripe-webhook and this module write it
under precedence pending < in_transit < paid < failed|canceled, so paid-then-failed ends failed
whatever the delivery order); `settle(payout)` copies it onto the bookings: paid → payoutStatus
paid; failed/canceled → payoutStatus failed and the claim released, so the earnings are paid again
by a later run.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

import stripe

from handlers.common import clock, earnings
from handlers.common import stripe_client as stripe_factory
from handlers.common.appsync import PaymentError
from handlers.common.config import env_int
from handlers.common.ddb import Expr
from handlers.common.idgen import derived_id
from handlers.common.isotime import now_utc, parse_iso, to_iso
from handlers.common.log import get_logger
from handlers.common.precedence import PAYOUT_RANK
from handlers.common.repositories import BookingRepository, ConditionFailed, PayoutRepository
from handlers.common.stripe_objects import plain
from handlers.common.stripe_records import apply_record

_log = get_logger("payouts")
PAID_STATUSES = ("succeeded", "partially_refunded")
BOOKED_STATUSES = ("confirmed", "completed")
BALANCE_INSUFFICIENT = "balance_insufficient"  # Stripe's balance is short: held unpaid, a later run pays


@dataclass
class PayoutRun:
    provider_id: str
    payouts: list[dict[str, Any]] = field(default_factory=list)
    failures: list[dict[str, Any]] = field(default_factory=list)
    skipped: int = 0


def eligible(booking: dict[str, Any], *, scheduled: bool) -> bool:
    if booking.get("payoutClaim") or booking.get("payoutId"):
        return False
    if booking.get("paymentStatus") not in PAID_STATUSES or booking.get("status") not in BOOKED_STATUSES:
        return False
    if int(booking.get("providerEarnings") or 0) <= 0:
        return False
    if scheduled:
        try:
            ended = parse_iso(booking.get("endDateTime"), "endDateTime")
        except ValueError:
            return False
        return ended + timedelta(days=env_int("PAYOUT_DELAY_DAYS", 2)) <= now_utc()
    return True


def _claim(bookings: list[dict[str, Any]], claim: str) -> list[dict[str, Any]]:
    won = []
    for b in bookings:
        e = Expr()
        cond = (f"attribute_exists({e.name('id')}) AND attribute_not_exists({e.name('payoutClaim')}) "
                f"AND attribute_not_exists({e.name('payoutId')})")
        try:
            won.append(BookingRepository().update(b["id"], {"payoutClaim": claim, "payoutStatus": "processing"},
                                                  condition=cond, expr=e) or b)
        except ConditionFailed:
            _log.info("booking already claimed by another payout", bookingId=b["id"])
    return won


def _release(bookings: list[dict[str, Any]], claim: str, status: str) -> None:
    for b in bookings:
        e = Expr()
        try:
            BookingRepository().update(b["id"], {"payoutStatus": status}, remove=("payoutClaim", "payoutId"),
                                       condition=f"{e.name('payoutClaim')} = {e.value(claim)}", expr=e)
        except ConditionFailed:
            pass



def record_payout(po: dict[str, Any], provider_id: str, extra: dict[str, Any]) -> dict[str, Any]:
    created = int(po.get("created") or 0)
    arrival = po.get("arrival_date")
    return apply_record(PayoutRepository(), po["id"], po["status"], PAYOUT_RANK, created, {
        "providerId": provider_id, "stripeAccountId": extra.get("stripeAccountId"),
        "amount": int(po["amount"]), "currency": po.get("currency"),
        "arrivalDate": clock.iso_from_s(arrival) if arrival else None,
        "createdAt": to_iso(now_utc()), "failureCode": po.get("failure_code"),
        "failureMessage": po.get("failure_message")}, extra=extra)


def pay_out(provider: dict[str, Any], bookings: list[dict[str, Any]], *, kind: str) -> tuple[dict | None, str | None]:
    """Claim and pay `bookings` (one currency) to the provider; (payout record, error)."""
    account = provider.get("stripeAccountId")
    if not account:
        return None, "provider has no Stripe account"
    ids = sorted(b["id"] for b in bookings)
    claim = derived_id("claim", provider["id"], *ids, to_iso(now_utc()))
    claimed = _claim(bookings, claim)
    if not claimed:
        return None, None
    try:
        owed = {b["id"]: earnings.owed(b) for b in claimed}  # Stripe's truth: refunds, fees, disputes
    except PaymentError:
        _release(claimed, claim, "unpaid")
        raise
    nothing = [b for b in claimed if owed[b["id"]] <= 0]
    if nothing:
        _release(nothing, claim, "not_payable")
        _log.info("bookings owe the provider nothing (refunded or disputed)", bookingIds=[b["id"] for b in nothing])
    claimed = [b for b in claimed if owed[b["id"]] > 0]
    if not claimed:
        return None, None
    currency = claimed[0].get("currency") or "usd"
    try:
        room = earnings.allowance(account, currency)
    except PaymentError:
        _release(claimed, claim, "unpaid")
        raise
    fits, total = [], 0
    for b in sorted(claimed, key=lambda b: b["id"]):
        if total + owed[b["id"]] <= room:
            fits.append(b)
            total += owed[b["id"]]
    if len(fits) < len(claimed):
        held = [b for b in claimed if b not in fits]
        _release(held, claim, "unpaid")
        _log.info("provider's Stripe balance does not cover these bookings yet", bookingIds=[b["id"] for b in held],
                  allowance=room)
    claimed = fits
    if not claimed:
        return None, None
    amount = sum(owed[b["id"]] for b in claimed)
    try:
        po = plain(stripe_factory.stripe_client().v1.payouts.create(
            params={"amount": amount, "currency": currency, "description": f"Marketplace earnings ({kind})",
                    "metadata": {"providerId": provider["id"], "claim": claim, "bookings": str(len(claimed))}},
            options={"stripe_account": account, "idempotency_key": claim}))
    except stripe.StripeError as exc:
        code = getattr(exc, "code", None)
        later = stripe_factory.is_transient(exc) or code == BALANCE_INSUFFICIENT
        _release(claimed, claim, "unpaid" if later else "failed")
        if stripe_factory.is_transient(exc):
            raise stripe_factory.unavailable(exc) from exc
        return None, code or "stripe_error"
    record = record_payout(po, provider["id"], {
        "stripeAccountId": account, "bookingIds": sorted(b["id"] for b in claimed), "payoutType": kind,
        "grossAmount": sum(int(b.get("amount") or 0) for b in claimed),
        "platformFee": sum(int(b.get("platformFee") or 0) for b in claimed),
        "providerEarnings": amount, "claim": claim, "origin": "payout-manager"})
    for b in claimed:
        BookingRepository().update(b["id"], {"payoutId": po["id"], "payoutStatus": po["status"],
                                             "payoutAmount": owed[b["id"]]})
    settle(record)
    return record, None


def settle(payout: dict[str, Any]) -> int:
    """Copy the payout's status onto its bookings; how many changed."""
    status, changed = payout.get("status"), 0
    for booking_id in payout.get("bookingIds") or []:
        booking = BookingRepository().get(booking_id)
        if booking is None or booking.get("payoutId") != payout["id"]:
            continue
        if status in ("failed", "canceled"):
            _release([booking], booking.get("payoutClaim") or "", "failed")
            changed += 1
        elif booking.get("payoutStatus") != status:
            BookingRepository().update(booking_id, {"payoutStatus": status})
            changed += 1
    return changed


def refresh(payout: dict[str, Any]) -> dict[str, Any]:
    """Read the payout back from Stripe, record its status (precedence) and settle the bookings."""
    account = payout.get("stripeAccountId")
    try:
        po = plain(stripe_factory.stripe_client().v1.payouts.retrieve(payout["id"],
                                                                     options={"stripe_account": account}))
    except stripe.StripeError as exc:
        if stripe_factory.is_transient(exc):
            raise stripe_factory.unavailable(exc) from exc
        return payout
    record = record_payout(po, payout.get("providerId"), {"stripeAccountId": account})
    settle(record)
    return record


def provider_run(provider: dict[str, Any], *, scheduled: bool, booking_ids: list[str] | None = None) -> PayoutRun:
    run = PayoutRun(provider["id"])
    repo = BookingRepository()
    if booking_ids is None:
        bookings = repo.by_provider(provider["id"])
    else:  # read by key (strongly consistent), not the provider's whole history from the index
        found = (repo.get(booking_id) for booking_id in sorted(set(booking_ids)))
        bookings = [b for b in found if b is not None and b.get("providerId") == provider["id"]]
    ready = [b for b in bookings if eligible(b, scheduled=scheduled)]
    run.skipped = len(bookings) - len(ready)
    for currency in sorted({b.get("currency") or "usd" for b in ready}):
        group = [b for b in ready if (b.get("currency") or "usd") == currency]
        record, error = pay_out(provider, group, kind="scheduled" if scheduled else "manual")
        if record:
            run.payouts.append(record)
        elif error:
            run.failures.append({"currency": currency, "error": error, "bookingIds": [b["id"] for b in group]})
    return run
