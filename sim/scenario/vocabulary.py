"""The marketplace's own words, read from the handlers: the one place the oracle learns which
statuses, transitions and event keys exist (never a guess of what a handler might write).

Importing handler modules is fine here (the harness deploys them); the handlers never import sim.
"""

from __future__ import annotations

from handlers.common.booking_events import BOOKING_STATUSES, BOOKING_TRANSITIONS, OUTBOX, STATUS_EVENTS
from handlers.common.dedup import COMPLETED, FAILED, PROCESSING, PUBLISH_PENDING, SKIPPED, budgeted_retries
from handlers.common.dedup import STATUSES as WEBHOOK_STATUSES
from handlers.common.events import DOMAIN_EVENT_ID
from handlers.common.precedence import PAYMENT_STATUSES, PAYOUT_RANK, REFUND_RANK

WEBHOOK_DONE = (COMPLETED, SKIPPED)
# Booking Confirmed / Booking Cancelled ↔ the status entered
TRANSITION_EVENTS = {event: status for status, event in STATUS_EVENTS.items()}
PAYOUT_LIVE = tuple(s for s in PAYOUT_RANK if s not in ("failed", "canceled"))  # money on its way or paid
REFUND_LIVE = tuple(s for s in REFUND_RANK if s not in ("failed", "canceled"))
PAYMENT_WORKFLOW = "ecosystem-payment-processing"
RECONCILIATION_FUNCTION = "webhook-reconciliation"
STRIPE_EVENT_ID = "stripeEventId"


def at_retry_limit(record: dict, limit: int) -> bool:
    """A ProcessedWebhooks record FAILED after the reconciliation's last retry (its own retries of
    the event, not Stripe's deliveries, counted against RECONCILIATION_MAX_RETRIES): nobody
    retries it any more, an operator must (it is alerted)."""
    return str(record.get("status")) == FAILED and budgeted_retries(record) >= limit


__all__ = ["BOOKING_STATUSES", "BOOKING_TRANSITIONS", "COMPLETED", "DOMAIN_EVENT_ID", "FAILED",
           "OUTBOX", "PAYMENT_STATUSES", "PAYMENT_WORKFLOW", "PAYOUT_LIVE", "PROCESSING", "PUBLISH_PENDING",
           "RECONCILIATION_FUNCTION",
           "REFUND_LIVE", "SKIPPED",
           "STRIPE_EVENT_ID", "TRANSITION_EVENTS", "WEBHOOK_DONE", "WEBHOOK_STATUSES", "at_retry_limit"]
