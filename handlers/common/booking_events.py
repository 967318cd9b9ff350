"""The marketplace.booking domain events of a booking write, and their outbox on the booking.

`transition_events(old, new, detail)` — the events one write of a Booking owes (the same rules on
every path): status changed to confirmed → Booking Confirmed, to cancelled → Booking Cancelled,
otherwise → Booking Updated; status unchanged but paymentStatus changed → Booking Updated. The
detail is `detail` plus status, previousStatus and paymentStatus.

Exactly one writer observes a given status transition, because every status write is a
compare-and-set on the status read. stripe-webhook publishes the events of its transitions through
its dedup record (effects.<step>). Any other path that moves the status as a side effect of a
Stripe fact (refund-processor's full refund cancelling the booking, common/stripe_records.py) uses
the **outbox** on the booking: the transition's event is written as `statusEventPending` (with its
`id` and `createdAt`) in the SAME conditional write as the status (`outbox_changes`), then
published by `flush` with a claim protocol that only one publisher can win:

1. **claim**: UpdateItem SET `statusEventPending.claimToken` / `.claimedAt`, conditional on the
   marker's id and on the marker being unclaimed or its claim older than the grace period
   (BOOKING_EVENT_GRACE_SECONDS, default 600); a caller that must leave fresh markers to their
   writer (webhook-reconciliation) also requires `createdAt` older than `min_age_s`;
2. **publish** (PutEvents); on a failure the claim is released (conditional on the token) so the
   next flush publishes at once, and the error propagates;
3. **clear**: REMOVE `statusEventPending` conditional on the claim token.

A flusher that loses the claim publishes nothing (the holder does). An invocation that dies between
the status write and the claim leaves an unclaimed marker: the next writer of the booking through
`stripe_records.apply_booking` (a retried refund) or the nightly webhook-reconciliation (markers
older than the grace period) publishes it. One that dies holding the claim (before or after
PutEvents) leaves a claim that another flusher may take over once it is older than the grace
period, so the event is published at least once and exactly once unless the holder died in the
milliseconds between PutEvents and the clear (the same window as stripe-webhook's). The claim
token is derived from the marker id, the Lambda request id (else the correlation id) and the
time, so two concurrent invocations never share one.
"""

from __future__ import annotations

from typing import Any

from handlers.common import clock
from handlers.common.config import env_int
from handlers.common.ddb import Expr
from handlers.common.events import DOMAIN_EVENT_ID, DomainEvent, publish_all
from handlers.common.idgen import derived_id
from handlers.common.log import correlation_id, get_logger, request_id
from handlers.common.repositories import BookingRepository, ConditionFailed

SOURCE = "marketplace.booking"
STATUS_EVENTS = {"confirmed": "Booking Confirmed", "cancelled": "Booking Cancelled"}
# every Booking.status a handler writes, and the moves between them (the oracle reads these)
BOOKING_STATUSES = ("pending", "confirmed", "completed", "cancelled")
BOOKING_TRANSITIONS = {"pending": ("confirmed", "cancelled"), "confirmed": ("completed", "cancelled"),
                       "completed": (), "cancelled": ()}
OUTBOX = "statusEventPending"
GRACE_ENV = "BOOKING_EVENT_GRACE_SECONDS"
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
                                "detail": {k: v for k, v in event.detail.items() if v is not None},
                                "createdAt": clock.now_iso()}}


def grace_seconds() -> int:
    return env_int(GRACE_ENV, 600)


def _marker(booking: dict[str, Any]) -> dict[str, Any] | None:
    marker = booking.get(OUTBOX)
    return marker if isinstance(marker, dict) and marker.get("id") else None


def marker_created(booking: dict[str, Any]) -> str | None:
    """When the pending marker was written (a marker without createdAt: the booking's updatedAt)."""
    marker = _marker(booking) or {}
    created = marker.get("createdAt") or booking.get("updatedAt")
    return created if isinstance(created, str) else None


def is_stale(booking: dict[str, Any], min_age_s: int | None = None) -> bool:
    """The booking holds a marker written at least `min_age_s` (default: the grace period) ago."""
    if _marker(booking) is None:
        return False
    created = marker_created(booking)
    age = grace_seconds() if min_age_s is None else min_age_s
    return created is None or created < clock.iso_ms_from_s(clock.now_s() - age)


def claim(booking: dict[str, Any], min_age_s: int | None = None) -> dict[str, Any] | None:
    """Claim the booking's pending marker for publication; the claimed marker (with its
    claimToken) or None when another publisher holds a live claim or the marker is gone/changed."""
    marker = _marker(booking)
    if marker is None:
        return None
    now = clock.now_s()
    token = derived_id("bevc", marker["id"], request_id() or correlation_id(), clock.now_ms())
    e = Expr()
    o, idn, tok, at = e.name(OUTBOX), e.name("id"), e.name("claimToken"), e.name("claimedAt")
    stale = e.value(clock.iso_ms_from_s(now - grace_seconds()))
    condition = (f"{o}.{idn} = {e.value(marker['id'])} AND "
                 f"(attribute_not_exists({o}.{tok}) OR {o}.{at} < {stale})")
    if min_age_s is not None:
        created, upd = e.name("createdAt"), e.name("updatedAt")
        old_enough = e.value(clock.iso_ms_from_s(now - min_age_s))
        condition += (f" AND ({o}.{created} < {old_enough} OR "
                      f"(attribute_not_exists({o}.{created}) AND {upd} < {old_enough}))")
    try:
        item = BookingRepository().update_expression(
            booking["id"], f"SET {o}.{tok} = {e.value(token)}, {o}.{at} = {e.value(clock.now_iso())}",
            condition=condition, expr=e)
    except ConditionFailed:
        _log.info("booking outbox held or already flushed", bookingId=booking["id"], markerId=marker["id"])
        return None
    claimed = (item or {}).get(OUTBOX)
    return claimed if isinstance(claimed, dict) and claimed.get("claimToken") == token else None


def _release(booking_id: str, token: str, *, clear: bool) -> bool:
    e = Expr()
    o = e.name(OUTBOX)
    action = f"REMOVE {o}" if clear else f"REMOVE {o}.{e.name('claimToken')}, {o}.{e.name('claimedAt')}"
    try:
        BookingRepository().update_expression(booking_id, action,
                                               condition=f"{o}.{e.name('claimToken')} = {e.value(token)}", expr=e)
    except ConditionFailed:
        return False
    return True


def flush(booking: dict[str, Any], min_age_s: int | None = None) -> list[str]:
    """Publish the booking's pending status event, if any and if this call wins the claim, then
    clear it. Returns the detail-types published (empty when there was nothing to publish or
    another publisher holds the claim). `booking` is updated to the marker's state as known after
    the call: popped once cleared, the current (claimed) marker when another publisher holds it."""
    marker = _marker(booking)
    if marker is None:
        return []
    claimed = claim(booking, min_age_s)
    if claimed is None:
        current = BookingRepository().get(booking["id"]) or {}
        if _marker(current) is None:
            booking.pop(OUTBOX, None)
        else:
            booking[OUTBOX] = current[OUTBOX]
        return []
    token = claimed["claimToken"]
    event = DomainEvent(marker.get("source") or SOURCE, marker["detailType"],
                        {**(marker.get("detail") or {}), DOMAIN_EVENT_ID: marker["id"]})
    try:
        publish_all([event])
    except Exception:
        if not _release(booking["id"], token, clear=False):
            _log.warning("booking outbox claim lost before release", bookingId=booking["id"], markerId=marker["id"])
        raise
    if not _release(booking["id"], token, clear=True):
        _log.warning("booking outbox claim taken over after the grace period; the event may be published again",
                     bookingId=booking["id"], markerId=marker["id"])
    booking.pop(OUTBOX, None)
    _log.info("booking status event published", bookingId=booking["id"], detailType=marker["detailType"],
              markerId=marker["id"])
    return [marker["detailType"]]
