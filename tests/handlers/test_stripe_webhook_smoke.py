"""Smoke: one paid booking through stripe-webhook."""


def test_payment_succeeded_confirms_booking(hx):
    booking, paid = hx.paid_booking()
    for ev in paid.events:
        hx.deliver(ev)
    b = hx.get("Booking", "b1")
    assert b["status"] == "confirmed"
    assert b["paymentStatus"] == "succeeded"
    print(paid.types, hx.event_types())
    print(hx.table("ProcessedWebhooks"))
