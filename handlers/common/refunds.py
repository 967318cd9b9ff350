"""Refunding a booking's direct charge, with the commission and the provider's earnings adjusted.

`refund_booking(booking, amount, reason, key, dispute_id)`:
  * never more than was charged: the charge's own `amount_refunded` (read from Stripe, not from
    our tables) bounds the request; an over-refund is a ValidationError and nothing is written;
  * the refund is created on the provider's connected account (`stripe_account`), against the
    PaymentIntent, with `refund_application_fee=true`, so Stripe returns the platform's fee in
    proportion (all of what is left on a full refund, else floor(fee × refund / amount));
  * then the charge and the application fee are read back and the booking gets absolute values:
    amountRefunded (charge.amount_refunded), applicationFeeRefunded (fee.amount_refunded),
    platformFee = original fee − fee refunded, providerEarnings = amount − refunded − platformFee.
    Being absolute, the adjustment is idempotent and agrees with any refund made elsewhere;
  * the Refund record (id = the Stripe refund id, as stripe-webhook writes it) and the booking are
    written through common/stripe_records.py (the webhook's precedence); a full refund that
    cancels the booking publishes Booking Cancelled through the booking's outbox
    (common/booking_events.py), flushed again at the start of the next refund call if this one was
    interrupted between the write and the publication (claim → publish → clear: of two concurrent
    calls only the claim's winner publishes).
`refund_status(refund_id, account)` reads a refund back. Stripe's transient errors raise
PaymentError; a refusal (e.g. `charge_disputed`) raises RefundRefused (a PaymentError).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from handlers.common import booking_events
from handlers.common import stripe_client as stripe_factory
from handlers.common.appsync import ConflictError, PaymentError, ValidationError
from handlers.common.isotime import now_utc, to_iso
from handlers.common.precedence import REFUND_RANK, commission
from handlers.common.repositories import RefundRepository
from handlers.common.stripe_records import apply_booking, apply_record

REASONS = ("duplicate", "fraudulent", "requested_by_customer")
REFUNDABLE = ("succeeded", "partially_refunded")


class RefundRefused(PaymentError):
    """Stripe refused the refund (the charge is disputed, already refunded, ...)."""


@dataclass
class RefundResult:
    refund: dict[str, Any]
    booking: dict[str, Any]
    fee_refunded: int
    earnings_reduction: int



def _refused(exc) -> RefundRefused:
    return RefundRefused(f"Stripe refused the refund: {getattr(exc, 'code', None) or exc.user_message}")


def _call(fn, *args, **kwargs) -> dict[str, Any]:
    return stripe_factory.call_plain(fn, *args, refused=_refused, **kwargs)


def _charge(booking: dict[str, Any]) -> dict[str, Any]:
    client, account = stripe_factory.stripe_client(), booking["stripeAccountId"]
    charge_id = booking.get("chargeId")
    if not charge_id:
        pi = _call(client.v1.payment_intents.retrieve, booking["paymentIntentId"], options={"stripe_account": account})
        charge_id = pi.get("latest_charge")
        if isinstance(charge_id, dict):
            charge_id = charge_id.get("id")
    if not charge_id:
        raise ConflictError(f"booking {booking['id']} has no charge to refund")
    return _call(client.v1.charges.retrieve, charge_id, options={"stripe_account": account})


def _fee_refunded(charge: dict[str, Any]) -> tuple[int | None, int]:
    """(application fee amount, amount refunded of it) from Stripe; (None, 0) without a fee."""
    fee = charge.get("application_fee")
    fee_id = fee.get("id") if isinstance(fee, dict) else fee
    if not fee_id:
        return None, 0
    fee_obj = _call(stripe_factory.stripe_client().v1.application_fees.retrieve, fee_id)
    return int(fee_obj.get("amount") or 0), int(fee_obj.get("amount_refunded") or 0)


def refundable(booking: dict[str, Any]) -> int:
    return int(booking.get("amount") or 0) - int(booking.get("amountRefunded") or 0)


def refund_booking(booking: dict[str, Any], amount: int | None, reason: str | None, key: str,
                   dispute_id: str | None = None) -> RefundResult:
    booking_events.flush(booking)  # a status event an interrupted earlier refund left in the outbox
    if booking.get("paymentStatus") not in REFUNDABLE or not booking.get("paymentIntentId"):
        raise ConflictError(f"booking {booking['id']} has no successful payment to refund "
                            f"(payment {booking.get('paymentStatus')})")
    if reason is not None and reason not in REASONS:
        raise ValidationError(f"reason must be one of {', '.join(REASONS)}")
    charge = _charge(booking)
    remaining = int(charge["amount"]) - int(charge.get("amount_refunded") or 0)
    if remaining <= 0:
        raise ConflictError(f"booking {booking['id']} is already fully refunded")
    amount = remaining if amount is None else amount
    if amount > remaining:
        raise ValidationError(f"amount {amount} is more than the {remaining} left to refund on booking "
                              f"{booking['id']} (never more than was charged)")
    before_fee, before_fee_refunded = _fee_refunded(charge)
    metadata = {"bookingId": booking["id"], **({"disputeId": dispute_id} if dispute_id else {})}
    refund = _call(stripe_factory.stripe_client().v1.refunds.create,
                   params={"payment_intent": booking["paymentIntentId"], "amount": amount,
                           "reason": reason or "requested_by_customer", "refund_application_fee": True,
                           "metadata": metadata},
                   options={"stripe_account": booking["stripeAccountId"], "idempotency_key": key})
    after = _charge({**booking, "chargeId": charge["id"]})
    fee_amount, fee_refunded = _fee_refunded(after)
    share = fee_refunded - before_fee_refunded
    status = refund.get("status") if refund.get("status") in REFUND_RANK else "pending"
    record = apply_record(RefundRepository(), refund["id"], status, REFUND_RANK, int(refund.get("created") or 0), {
        "bookingId": booking["id"], "chargeId": charge["id"], "paymentIntentId": booking["paymentIntentId"],
        "amount": int(refund["amount"]), "currency": refund.get("currency"), "reason": refund.get("reason"),
        "createdAt": to_iso(now_utc())},
        extra={"origin": "refund-processor", "platformFeeRefunded": share,
               "providerEarningsReduction": int(refund["amount"]) - share, "disputeId": dispute_id})
    fact = {"event_id": f"api:{refund['id']}", "at": int(refund.get("created") or 0), "state": "succeeded",
            "charge_id": charge["id"], "amount_refunded": int(after.get("amount_refunded") or 0),
            "application_fee_id": (after.get("application_fee") if isinstance(after.get("application_fee"), str)
                                   else None),
            "application_fee_amount": fee_amount, "application_fee_refunded": fee_refunded}
    before = commission(booking)
    updated = apply_booking(booking["id"], fact, extra={"lastRefundId": refund["id"]}, derive=commission,
                            origin="refund-processor",
                            announce={"refundId": refund["id"], "change": "refunded", "disputeId": dispute_id})
    reduction = before["providerEarnings"] - int(updated.get("providerEarnings") or 0)
    return RefundResult({**refund, **{"record": record}}, updated, share, reduction)


def refund_status(refund_id: str, account: str) -> dict[str, Any]:
    return _call(stripe_factory.stripe_client().v1.refunds.retrieve, refund_id, options={"stripe_account": account})
