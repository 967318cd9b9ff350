"""Through the World (sim/world.py): the fake Stripe delivers signed webhooks to AppSync's authorizer
and the stripe-webhook resolver; concurrent duplicate deliveries interleaved at every boto3 call by
the seeded scheduler still have exactly one effect; a crash after the table write is recovered by a
later delivery taking the lock over; reconciliation finds what was dropped."""

import pytest

from handlers.common.ddb import to_item
from sim.stripe.faults import Fault
from sim.world import World


def seed_booking(w, bid="b1", amount=12000, enabled=True):
    account = w.stripe.create_connected_account(enabled=enabled).account["id"]
    ddb = w.client("dynamodb")
    with w.internal():
        ddb.put_item(TableName="UserProfile", Item=to_item({"id": "prov-1", "email": "p@example.com",
                                                             "stripeAccountId": account}))
    return account, ddb


def put_booking(w, ddb, bid, pi, amount=12000):
    with w.internal():
        ddb.put_item(TableName="Booking", Item=to_item({
            "id": bid, "customerId": "cust-1", "providerId": "prov-1", "serviceId": "svc-1", "status": "pending",
            "paymentStatus": "pending", "amount": amount, "currency": "usd", "paymentIntentId": pi,
            "startDateTime": "2026-03-05T10:00:00Z", "endDateTime": "2026-03-05T11:00:00Z"}))


def types(w, detail_type):
    """The stripe-webhook's events of this type (workflows publish their own Payment Succeeded)."""
    return [e for e in w.bus_events if e.get("detail-type") == detail_type
            and (e.get("detail") or {}).get("origin") == "stripe-webhook"]


@pytest.mark.parametrize("seed", [1, 2, 3, 4])
def test_concurrent_duplicates_exactly_one_effect(seed):
    with World(seed=seed) as w:
        account, ddb = seed_booking(w)
        w.stripe.add_fault(Fault("duplicate", match={"type": "payment_intent.succeeded"}, copies=4, concurrent=True))
        w.stripe.add_fault(Fault("duplicate", match={"type": "charge.succeeded"}, copies=3, concurrent=True))
        pi = w.stripe.create_payment_intent(12000, "usd", account, application_fee_amount=960,
                                            metadata={"bookingId": "b1"}).payment_intent["id"]
        put_booking(w, ddb, "b1", pi)
        w.stripe.confirm(pi, outcome="succeeded")
        w.advance("15m")
        booking = w.get_item("Booking", {"id": "b1"})
        assert (booking["status"], booking["paymentStatus"], booking["platformFee"]) == ("confirmed", "succeeded", 960)
        assert len(types(w, "Payment Succeeded")) == 1
        assert len(types(w, "Booking Confirmed")) == 1
        records = w.table_items("ProcessedWebhooks")
        assert records and all(r["status"] in ("COMPLETED", "SKIPPED") for r in records)


def test_crash_after_the_write_then_takeover():
    with World(seed=9) as w:
        account, ddb = seed_booking(w)
        pi = w.stripe.create_payment_intent(5000, "usd", account, metadata={"bookingId": "b1"}).payment_intent["id"]
        put_booking(w, ddb, "b1", pi, amount=5000)
        w.faults.add("events.PutEvents", function="stripe-webhook", crash_after=True, times=1)
        w.stripe.confirm(pi, outcome="succeeded")
        w.advance("3d")                          # Stripe retries; the lock expires; a retry takes over
        booking = w.get_item("Booking", {"id": "b1"})
        assert booking["status"] == "confirmed"
        assert 1 <= len(types(w, "Payment Succeeded")) <= 2          # at least once; the crash was after PutEvents
        assert all(r["status"] in ("COMPLETED", "SKIPPED") for r in w.table_items("ProcessedWebhooks"))


def test_crash_after_the_table_write_publishes_once():
    with World(seed=10) as w:
        account, ddb = seed_booking(w)
        pi = w.stripe.create_payment_intent(5000, "usd", account, metadata={"bookingId": "b1"}).payment_intent["id"]
        put_booking(w, ddb, "b1", pi, amount=5000)
        w.faults.add("dynamodb.TransactWriteItems", function="stripe-webhook", crash_after=True, times=1)
        w.stripe.confirm(pi, outcome="succeeded")
        w.advance("3d")
        assert w.get_item("Booking", {"id": "b1"})["status"] == "confirmed"
        assert len(types(w, "Payment Succeeded")) == 1 and len(types(w, "Booking Confirmed")) == 1
        taken = [r for r in w.table_items("ProcessedWebhooks") if r.get("retryCount", 0) > 0]
        assert taken and all(r["status"] == "COMPLETED" for r in taken)


def test_dropped_events_are_found_by_reconciliation():
    with World(seed=4) as w:
        account, ddb = seed_booking(w)
        w.stripe.add_fault(Fault("drop", match={"account": account}))
        pi = w.stripe.create_payment_intent(8000, "usd", account, metadata={"bookingId": "b1"}).payment_intent["id"]
        put_booking(w, ddb, "b1", pi, amount=8000)
        w.stripe.confirm(pi, outcome="succeeded")
        w.advance("1h")
        assert w.get_item("Booking", {"id": "b1"})["status"] == "pending"
        report = w.invoke("webhook-reconciliation", {"source": "aws.events", "detail-type": "Scheduled Event"})
        assert report["missedEvents"] >= 2 and report["criticalDiscrepancies"] == 0
        assert w.get_item("Booking", {"id": "b1"})["status"] == "confirmed"
        assert len(types(w, "Payment Succeeded")) == 1
