"""The event types the fake Stripe emits, and Stripe's type filters (`*` wildcards).

`API_VERSION` is the version every event is rendered in: the one stripe-python 16 pins
(`stripe.api_version`), fixed here so an SDK upgrade never changes a trace.
"""

from __future__ import annotations

from fnmatch import fnmatchcase

from sim.stripe.errors import UnknownName

API_VERSION = "2026-10-28.endive"

EVENT_TYPES = (
    "account.application.deauthorized",
    "account.external_account.created",
    "account.updated",
    "application_fee.created",
    "application_fee.refunded",
    "capability.updated",
    "charge.dispute.closed",
    "charge.dispute.created",
    "charge.dispute.funds_reinstated",
    "charge.dispute.funds_withdrawn",
    "charge.dispute.updated",
    "charge.failed",
    "charge.refunded",
    "charge.succeeded",
    "charge.updated",
    "checkout.session.completed",
    "checkout.session.expired",
    "customer.created",
    "customer.updated",
    "payment_intent.canceled",
    "payment_intent.created",
    "payment_intent.payment_failed",
    "payment_intent.requires_action",
    "payment_intent.succeeded",
    "payout.canceled",
    "payout.created",
    "payout.failed",
    "payout.paid",
    "payout.updated",
    "person.created",
    "person.updated",
    "price.created",
    "product.created",
    "refund.created",
    "refund.failed",
    "refund.updated",
    "transfer.created",
    "transfer.reversed",
)
_KNOWN = frozenset(EVENT_TYPES)


def check_type(event_type: str) -> str:
    """`event_type` if we emit it, else an UnknownName listing the supported types."""
    if event_type not in _KNOWN:
        raise UnknownName("event type", event_type, EVENT_TYPES)
    return event_type


def type_matches(pattern: str, event_type: str) -> bool:
    """Stripe's `type` filter: exact, or with `*` wildcards (`charge.dispute.*`, `*`)."""
    if pattern == "*":
        return True
    if "*" not in pattern:
        return pattern == event_type
    return fnmatchcase(event_type, pattern)


def types_match(patterns, event_type: str) -> bool:
    return any(type_matches(p, event_type) for p in patterns)
