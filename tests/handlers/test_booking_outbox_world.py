"""The booking-event outbox's claim protocol (common/booking_events.py) through the World: concurrent
publishers are interleaved at every boto3 call by the seeded scheduler, and exactly one of them
publishes the pending event; webhook-reconciliation heals markers older than the grace period and
leaves fresh ones (and live claims) to their writer."""

import pytest

from handlers.common import booking_events
from handlers.common.ddb import to_item
from handlers.common.log import correlation_id_from, set_correlation_id
from sim.world import World

START = "2026-03-02T09:00:00.000Z"


def flusher(event, context):
    """A test function: flush the booking's outbox (as apply_booking / refund_booking do)."""
    set_correlation_id(correlation_id_from(event, context))
    from handlers.common.repositories import BookingRepository

    booking = BookingRepository().get(event["bookingId"])
    return booking_events.flush(booking, min_age_s=event.get("minAge"))


def setup(w, *, created=None, claim=None):
    ddb = w.client("dynamodb")
    now = w.now()
    created = created or now.strftime("%Y-%m-%dT%H:%M:%S.000Z")
    marker = {"id": "bev_1", "source": "marketplace.booking", "detailType": "Booking Cancelled",
              "detail": {"bookingId": "b1", "status": "cancelled", "previousStatus": "confirmed",
                         "origin": "refund-processor"}, "createdAt": created}
    if claim:
        marker.update(claim)
    with w.internal():
        ddb.put_item(TableName="UserProfile", Item=to_item({"id": "prov-1", "email": "p@example.com",
                                                             "stripeAccountId": "acct_test1"}))
        ddb.put_item(TableName="Booking", Item=to_item({
            "id": "b1", "customerId": "cust-1", "providerId": "prov-1", "serviceId": "svc-1",
            "status": "cancelled", "paymentStatus": "refunded", "amount": 5000, "currency": "usd",
            "startDateTime": "2026-03-05T10:00:00Z", "endDateTime": "2026-03-05T11:00:00Z",
            "updatedAt": created, booking_events.OUTBOX: marker}))
    w.add_function("flusher", flusher, env=w.env("refund-processor"))


def cancelled(w):
    return [e for e in w.bus_events if e.get("detail-type") == "Booking Cancelled"]


def iso(w, minutes_ago):
    from datetime import timedelta
    return (w.now() - timedelta(minutes=minutes_ago)).strftime("%Y-%m-%dT%H:%M:%S.000Z")


@pytest.mark.parametrize("seed", [1, 2, 3, 4, 5, 6])
def test_two_concurrent_healers_publish_once(seed):
    with World(seed=seed) as w:
        setup(w, created=iso(w, 30))
        tasks = [w.spawn_invoke("webhook-reconciliation", {"source": "aws.events", "id": "sched-1"})
                 for _ in range(2)]
        w.settle()
        assert all(t is not None for t in tasks)
        assert len(cancelled(w)) == 1
        assert booking_events.OUTBOX not in w.get_item("Booking", {"id": "b1"})


@pytest.mark.parametrize("seed", [1, 2, 3, 4])
def test_concurrent_writer_flush_and_healer_publish_once(seed):
    with World(seed=seed) as w:
        setup(w, created=iso(w, 30))
        w.spawn_invoke("flusher", {"bookingId": "b1"})
        w.spawn_invoke("flusher", {"bookingId": "b1"})
        w.spawn_invoke("webhook-reconciliation", {"source": "aws.events", "id": "sched-1"})
        w.settle()
        assert len(cancelled(w)) == 1
        assert booking_events.OUTBOX not in w.get_item("Booking", {"id": "b1"})


def test_reconciliation_reports_and_leaves_fresh_markers():
    with World(seed=3) as w:
        setup(w, created=iso(w, 2))
        report = w.invoke("webhook-reconciliation", {"source": "aws.events", "id": "sched-1"})
        assert (report["bookingEventsPending"], report["bookingEventsHealed"]) == (0, 0)
        assert cancelled(w) == [] and booking_events.OUTBOX in w.get_item("Booking", {"id": "b1"})
        w.advance("15m")
        report = w.invoke("webhook-reconciliation", {"source": "aws.events", "id": "sched-2"})
        assert (report["bookingEventsPending"], report["bookingEventsHealed"]) == (1, 1)
        assert report["bookingEventsHealedIds"] == ["b1"]
        assert len(cancelled(w)) == 1
        report = w.invoke("webhook-reconciliation", {"source": "aws.events", "id": "sched-3"})
        assert report["bookingEventsHealed"] == 0 and len(cancelled(w)) == 1


def test_a_live_claim_is_left_alone_and_a_stale_one_taken_over():
    with World(seed=4) as w:
        setup(w, created=iso(w, 60), claim={"claimToken": "bevc_other", "claimedAt": iso(w, 1)})
        assert w.invoke("flusher", {"bookingId": "b1"}) == []
        report = w.invoke("webhook-reconciliation", {"source": "aws.events", "id": "sched-1"})
        assert report["bookingEventsHealed"] == 0 and cancelled(w) == []
        assert w.get_item("Booking", {"id": "b1"})[booking_events.OUTBOX]["claimToken"] == "bevc_other"
        w.advance("11m")                                    # the holder died: its claim is now stale
        assert w.invoke("flusher", {"bookingId": "b1"}) == ["Booking Cancelled"]
        assert len(cancelled(w)) == 1 and booking_events.OUTBOX not in w.get_item("Booking", {"id": "b1"})


def test_a_failed_publish_releases_the_claim():
    with World(seed=5) as w:
        setup(w)
        w.faults.add("eventbridge.PutEvents", function="flusher", error="InternalException", times=None)
        with pytest.raises(Exception):  # noqa: B017 - the publication fails (after the SDK's retries)
            w.invoke("flusher", {"bookingId": "b1"})
        marker = w.get_item("Booking", {"id": "b1"})[booking_events.OUTBOX]
        assert "claimToken" not in marker and cancelled(w) == []
        w.faults.clear()
        assert w.invoke("flusher", {"bookingId": "b1"}) == ["Booking Cancelled"]
        assert len(cancelled(w)) == 1
