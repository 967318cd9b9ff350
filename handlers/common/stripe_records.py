"""Writing what a Stripe API answer says into Payout / Refund records and the Booking, under the
same precedence as stripe-webhook (common/precedence.py), so an API answer and a webhook for the
same object converge whatever their order.

`apply_record(repo, object_id, status, ranks, at, fields, extra)` reduces a RecordFact (event id
"api:<object id>:<status>") into the record with a compare-and-set on RECORD_WATCH, retried on a
lost race; `extra` are this function's own attributes (set on every write, never watched by the
webhook). `apply_booking(booking_id, fact_kwargs, extra, derive, origin)` does the same for a
Booking PaymentFact; when the write moves the booking's status (a full refund cancels it) the
transition's domain event (Booking Cancelled / Confirmed, source marketplace.booking) goes into
the booking's outbox in the same conditional write and is published right after
(common/booking_events.py), and a marker left by an earlier, interrupted call is flushed first
(claim protocol: a marker another publisher holds is left to it, and a write that would replace it
with a new marker waits for the next attempt; ConditionFailed after ATTEMPTS).
Both return the record after the write.
"""

from __future__ import annotations

from typing import Any

from handlers.common import booking_events
from handlers.common.precedence import (
    BOOKING_WATCH,
    RECORD_WATCH,
    PaymentFact,
    RecordFact,
    reduce_booking,
    reduce_record,
)
from handlers.common.repositories import BookingRepository, ConditionFailed, Repository

ATTEMPTS = 5


def apply_record(repo: Repository, object_id: str, status: str, ranks: dict[str, int], at: int,
                 fields: dict[str, Any], extra: dict[str, Any] | None = None) -> dict[str, Any]:
    if status not in ranks:
        raise ValueError(f"unknown status {status!r}")
    fact = RecordFact(f"api:{object_id}:{status}", int(at), status, ranks[status], tuple(fields.items()))
    for _ in range(ATTEMPTS):
        old = repo.get(object_id)
        changes = {**reduce_record(old, fact), **(extra or {})}
        if old is not None:
            changes = {k: v for k, v in changes.items() if old.get(k) != v}
        if not changes:
            return old or {}
        try:
            return repo.cas_update(object_id, old, changes, RECORD_WATCH) or {}
        except ConditionFailed:
            continue
    raise ConditionFailed(f"{object_id}: too many concurrent writers")


def apply_booking(booking_id: str, fact: dict[str, Any], extra: dict[str, Any] | None = None,
                  derive: Any = None, origin: str = "stripe-records",
                  announce: dict[str, Any] | None = None) -> dict[str, Any]:
    """Reduce a PaymentFact(**fact) into the booking; `derive(new_booking) -> dict` adds fields
    computed from the result (e.g. the commission after refunds). A status transition publishes its
    booking event (detail: the booking's ids, `origin`, `announce`) through the outbox."""
    payment_fact = PaymentFact(**fact)
    repo = BookingRepository()
    for _ in range(ATTEMPTS):
        old = repo.get(booking_id)
        if old is None:
            raise KeyError(booking_id)
        booking_events.flush(old)
        changes = {**reduce_booking(old, payment_fact), **(extra or {})}
        if derive is not None:
            changes.update(derive({**old, **changes}))
        changes = {k: v for k, v in changes.items() if old.get(k) != v}
        if not changes:
            return old
        changes = booking_events.outbox_changes(old, changes, origin=origin, **(announce or {}))
        if booking_events.OUTBOX in changes and old.get(booking_events.OUTBOX):
            continue  # another publisher still holds the previous marker: never overwrite it
        watch = BOOKING_WATCH + (booking_events.OUTBOX,)
        try:
            new = repo.cas_update(booking_id, old, changes, watch) or {**old, **changes}
        except ConditionFailed:
            continue
        booking_events.flush(new)
        return new
    raise ConditionFailed(f"{booking_id}: too many concurrent writers")
