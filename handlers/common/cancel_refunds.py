"""Cancelled after it was paid: the refund every path owes, once.

A booking can end cancelled while Stripe has its money: the customer cancels while the payment is
in flight (the cancel finds the payment intent already succeeded), or the payment's webhook lands
after the cancellation (precedence never un-cancels a booking). Whoever sees it — booking-processor's
cancel, stripe-webhook's first success on a cancelled booking, the nightly reconciliation —
publishes `marketplace.booking` / "Booking Refund Required" ({bookingId, reason, origin}); its
domainEventId is derived from the booking alone, so every publisher's copy is one domain event.
The rule marketplace-cancel-refunds sends it to refund-processor, which refunds what is left on
the charge with the idempotency key derived from the booking (so concurrent copies make one Stripe
refund, and a copy after the refund finds nothing left).
"""

from __future__ import annotations

from typing import Any

from handlers.common.events import DOMAIN_EVENT_ID, DomainEvent
from handlers.common.idgen import derived_id

SOURCE = "marketplace.booking"
REFUND_REQUIRED = "Booking Refund Required"
PAID = ("succeeded", "partially_refunded")


def event_id(booking_id: str) -> str:
    return derived_id("de", "cancel-refund", booking_id)


def refund_key(booking_id: str) -> str:
    """The Stripe idempotency key of the one refund a cancelled, paid booking gets."""
    return derived_id("rf", "cancelled", booking_id)


def refund_required(booking_id: str, *, reason: str, origin: str, **detail: Any) -> DomainEvent:
    return DomainEvent(SOURCE, REFUND_REQUIRED, {
        **{k: v for k, v in detail.items() if v is not None}, "bookingId": booking_id, "reason": reason,
        "origin": origin, DOMAIN_EVENT_ID: event_id(booking_id)})


def owes_refund(booking: dict[str, Any]) -> bool:
    """Cancelled, and our tables know Stripe has (some of) its money."""
    return booking.get("status") == "cancelled" and booking.get("paymentStatus") in PAID
