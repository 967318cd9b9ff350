"""The marketplace.booking domain events of a booking write, and their outbox on the booking.

`transition_events(old, new, detail)` — the events one write of a Booking owes (the same rules on
every path): status changed to confirmed → Booking Confirmed, to cancelled → Booking Cancelled,
otherwise → Booking Updated; status unchanged but paymentStatus changed → Booking Updated. The
detail is `detail` plus status, previousStatus and paymentStatus.

Exactly one writer observes a given status transition, because every status write is a
compare-and-set on the status read. stripe-webhook publishes the events of its transitions through
its dedup record (effects.<step>). Any other path that moves the status as a side effect of a
Stripe fact (refund-processor's full refund cancelling the booking, common/stripe_records.py) uses
the **outbox** on the booking: the transition's event is written as `statusEventPending` in the
SAME conditional write as the status (`outbox_changes`), published right after, then cleared with
a write conditional on its id (`flush`). An invocation that dies in between leaves the marker, and
the next writer of the booking through `stripe_records.apply_booking` (a retried refund) flushes it
first, so the event is published at least once and, outside that crash window, exactly once.
"""

from __future__ import annotations

from typing import Any

from handlers.common.ddb import Expr
from handlers.common.events import DomainEvent, publish_all
from handlers.common.idgen import derived_id
from handlers.common.log import get_logger
from handlers.common.repositories import BookingRepository, ConditionFailed

SOURCE = "marketplace.booking"
STATUS_EVENTS = {"confirmed": "Booking Confirmed", "cancelled": "Booking Cancelled"}
OUTBOX = "statusEventPending"
_log = get_logger("booking_events")


def transition_events(old: dict[str, Any], new: dict[str, Any], detail: dict[str, Any]) -> list[DomainEvent]:
    before, after = old.get("status"), new.get("status")
    booking_detail = {**detail, "status": after, "previousStatus": before, "paymentStatus": new.get("paymentStatus")}
    if after != before:
        return [DomainEvent(SOURCE, STATUS_EVENTS.get(after, "Booking Updated"), booking_detail)]
    if new.get("paymentStatus") != old.get("paymentStatus"):
        return [DomainEvent(SOURCE, "Booking Updated", booking_detail)]
    return []


def base_detail(booking: dict[str, Any], **extra: Any) -> dict[str, Any]:
    """The ids and amounts every booking event carries (None values dropped)."""
    fields = {"bookingId": booking.get("id"), "paymentIntentId": booking.get("paymentIntentId"),
              "customerId": booking.get("customerId"), "providerId": booking.get("providerId"),
              "serviceId": booking.get("serviceId"), "amount": booking.get("amount"),
              "currency": booking.get("currency"), **extra}
    return {k: v for k, v in fields.items() if v is not None}


def outbox_changes(old: dict[str, Any], changes: dict[str, Any], **extra: Any) -> dict[str, Any]:
    """`changes` plus the outbox marker when they move the booking's status (else unchanged)."""
    new = {**old, **changes}
    if "status" not in changes or new.get("status") == old.get("status"):
        return changes
    (event,) = transition_events(old, new, base_detail(new, **extra))
    marker_id = derived_id("bev", old.get("id"), old.get("status"), new.get("status"), new.get("updatedAt"),
                           extra.get("origin"))
    return {**changes, OUTBOX: {"id": marker_id, "source": event.source, "detailType": event.detail_type,
                                "detail": {k: v for k, v in event.detail.items() if v is not None}}}


def flush(booking: dict[str, Any]) -> list[str]:
    """Publish the booking's pending status event, if any, then clear it (conditional on its id).
    Returns the detail-types published."""
    marker = booking.get(OUTBOX)
    if not isinstance(marker, dict) or not marker.get("id"):
        return []
    publish_all([DomainEvent(marker.get("source") or SOURCE, marker["detailType"], dict(marker.get("detail") or {}))])
    e = Expr()
    try:
        BookingRepository().update(booking["id"], {}, remove=(OUTBOX,),
                                   condition=f"{e.name(OUTBOX)}.{e.name('id')} = {e.value(marker['id'])}", expr=e)
    except ConditionFailed:
        _log.info("booking outbox already flushed", bookingId=booking["id"], markerId=marker["id"])
    booking.pop(OUTBOX, None)
    _log.info("booking status event published", bookingId=booking["id"], detailType=marker["detailType"])
    return [marker["detailType"]]
