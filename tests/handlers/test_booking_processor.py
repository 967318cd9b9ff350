"""booking-processor against moto + the fake Stripe: booking, payment, status, QR code, bad input."""

from __future__ import annotations

import base64

import pytest

from handlers.common.appsync import ConflictError, NotFoundError, UnauthorizedError, ValidationError
from tests.handlers.conftest_business import business_env


@pytest.fixture
def env():
    with business_env("booking-processor") as e:
        e.provider()
        e.customer()
        e.service()
        yield e


def create_args(env, **overrides):
    args = {"action": "create", "serviceId": "svc-1", "startDateTime": env.iso(days=1),
            "endDateTime": env.iso(days=1, hours=1), "amount": 12000, "currency": "usd",
            "paymentMethodId": "pm_card_visa"}
    args.update(overrides)
    return args


def test_create_pays_confirms_and_announces(env):
    out = env.appsync("processBooking", create_args(env), sub="cust-1")
    assert (out["status"], out["paymentStatus"]) == ("confirmed", "succeeded")
    assert (out["platformFee"], out["providerEarnings"]) == (960, 11040)
    assert out["customerId"] == "cust-1" and out["providerId"] == "prov-1"
    pi = env.stripe.client().v1.payment_intents.retrieve(out["paymentIntentId"],
                                                         options={"stripe_account": out["stripeAccountId"]})
    assert pi["application_fee_amount"] == 960 and pi["metadata"]["bookingId"] == out["id"]
    assert env.event_types() == ["Booking Confirmed"]
    (stored,) = env.table("Booking")
    assert stored["status"] == "confirmed"
    svg = env.client("s3").get_object(Bucket="ecosystem-marketplace-attachments", Key=out["qrCodeKey"])["Body"].read()
    assert svg.startswith(b"<?xml") and b"<svg" in svg
    assert base64.b64decode(out["qrCodeDataUri"].split(",", 1)[1]) == svg


def test_create_without_payment_method_waits_for_the_customer(env):
    args = create_args(env)
    del args["paymentMethodId"]
    out = env.appsync("processBooking", args, sub="cust-1")
    assert (out["status"], out["paymentStatus"]) == ("pending", "pending")
    assert out["clientSecret"].startswith(out["paymentIntentId"])
    assert env.event_types() == []
    env.stripe.confirm(out["paymentIntentId"], outcome="succeeded")
    confirmed = env.appsync("processBooking", {"action": "confirm", "bookingId": out["id"]}, sub="cust-1")
    assert (confirmed["status"], confirmed["paymentStatus"]) == ("confirmed", "succeeded")
    assert env.event_types() == ["Booking Confirmed"]


def test_declined_card_keeps_the_booking_pending_with_the_error(env):
    out = env.appsync("processBooking", create_args(env, paymentMethodId="pm_card_chargeDeclined"), sub="cust-1")
    assert out["status"] == "pending" and out["paymentStatus"] == "failed" and out["paymentError"]


def test_status_flow_complete_and_cancel(env):
    out = env.appsync("processBooking", create_args(env), sub="cust-1")
    with pytest.raises(ConflictError, match="not ended"):
        env.appsync("processBooking", {"action": "complete", "bookingId": out["id"]}, sub="prov-1")
    env.advance(2 * 86400)
    done = env.appsync("processBooking", {"action": "complete", "bookingId": out["id"]}, sub="prov-1")
    assert done["status"] == "completed"
    with pytest.raises(ConflictError):
        env.appsync("processBooking", {"action": "cancel", "bookingId": out["id"]}, sub="cust-1")
    assert env.event_types() == ["Booking Confirmed", "Booking Updated"]


def test_cancel_unpaid_booking_cancels_its_payment_intent(env):
    args = create_args(env)
    del args["paymentMethodId"]
    out = env.appsync("processBooking", args, sub="cust-1")
    res = env.appsync("processBooking", {"action": "cancel", "bookingId": out["id"], "reason": "changed plans"},
                      sub="cust-1")
    assert (res["status"], res["paymentStatus"], res["refundRequired"]) == ("cancelled", "canceled", False)
    assert env.event_types() == ["Booking Cancelled"]


def test_cancel_whose_event_cannot_be_published_leaves_it_owed_in_the_outbox(env, monkeypatch):
    """PutEvents fails after the cancellation: the caller hears of the cancellation, and Booking
    Cancelled waits in the booking's outbox (published once by the next flush), never lost."""
    from handlers.common import booking_events

    args = create_args(env)
    del args["paymentMethodId"]
    out = env.appsync("processBooking", args, sub="cust-1")

    def bus_down(events):
        raise RuntimeError("PutEvents throttled")

    monkeypatch.setattr(booking_events, "publish_all", bus_down)
    res = env.appsync("processBooking", {"action": "cancel", "bookingId": out["id"]}, sub="cust-1")
    assert res["status"] == "cancelled" and env.event_types() == []
    (stored,) = [b for b in env.table("Booking") if b["id"] == out["id"]]
    marker = stored["statusEventPending"]
    assert marker["detailType"] == "Booking Cancelled" and "claimToken" not in marker  # released for the next flush
    monkeypatch.undo()
    assert booking_events.flush(stored) == ["Booking Cancelled"]
    assert env.event_types() == ["Booking Cancelled"]
    assert booking_events.flush(stored) == []


def test_cancel_paid_booking_requires_a_refund(env):
    out = env.appsync("processBooking", create_args(env), sub="cust-1")
    res = env.task("cancelBooking", {"action": "CANCEL", "bookingId": out["id"]}, workflow="booking-lifecycle")
    assert res["refundRequired"] is True and res["booking"]["status"] == "cancelled"
    with pytest.raises(ConflictError):
        env.task("cancelBooking", {"bookingId": out["id"]}, workflow="booking-lifecycle")


def test_others_may_not_touch_a_booking(env):
    out = env.appsync("processBooking", create_args(env), sub="cust-1")
    with pytest.raises(UnauthorizedError):
        env.appsync("processBooking", {"action": "get", "bookingId": out["id"]}, sub="stranger")
    with pytest.raises(UnauthorizedError):
        env.appsync("processBooking", create_args(env, customerId="cust-9", startDateTime=env.iso(days=3),
                                                  endDateTime=env.iso(days=3, hours=1)), sub="cust-1")
    assert env.appsync("processBooking", {"action": "get", "bookingId": out["id"]}, sub="prov-1")["id"] == out["id"]


# -- workflow actions ---------------------------------------------------------------------------------
def test_validate_then_pay_in_the_booking_workflow(env):
    booking = {k: v for k, v in create_args(env).items() if k != "action"} | {"customerId": "cust-1"}
    v = env.task("validateBooking", {"action": "CREATE", "booking": booking}, workflow="booking-lifecycle")
    assert v["valid"] is True and v["errors"] == [] and v["booking"]["status"] == "pending"
    p = env.task("processPayment", {"bookingId": v["booking"]["id"], "request": booking}, workflow="booking-lifecycle")
    assert (p["status"], p["paymentStatus"], p["booking"]["status"]) == ("SUCCEEDED", "succeeded", "confirmed")
    assert p["reference"]["object"] == "payment_intent"
    assert env.event_types() == []  # the workflow's Publish state announces it


def test_declined_card_in_the_booking_workflow_cancels_the_booking(env):
    booking = {k: v for k, v in create_args(env, paymentMethodId="pm_card_chargeDeclined").items()
               if k != "action"} | {"customerId": "cust-1"}
    v = env.task("validateBooking", {"booking": booking}, workflow="booking-lifecycle")
    p = env.task("processPayment", {"bookingId": v["booking"]["id"], "request": booking}, workflow="booking-lifecycle")
    assert p["status"] == "FAILED" and p["error"]
    (stored,) = env.table("Booking")
    assert (stored["status"], stored["paymentStatus"]) == ("cancelled", "failed")


def test_direct_payment_pending_then_confirmed(env):
    booking = {k: v for k, v in create_args(env, paymentMethodId="pm_card_authenticationRequired").items()
               if k != "action"} | {"customerId": "cust-1"}
    v = env.task("validateBooking", {"booking": booking}, workflow="booking-lifecycle")
    p = env.task("processPayment", {"paymentType": "DIRECT", "bookingId": v["booking"]["id"],
                                    "paymentMethodId": "pm_card_authenticationRequired"}, workflow="payment-processing")
    assert p["status"] == "PENDING"
    env.stripe.confirm(p["paymentIntentId"])
    c = env.task("checkPaymentStatus", p, workflow="payment-processing")
    assert c["status"] == "SUCCEEDED" and c["booking"]["status"] == "confirmed"


# -- bad input: a clear error and nothing written ----------------------------------------------------------
@pytest.mark.parametrize("overrides,message", [
    ({"serviceId": None}, "serviceId is required"),
    ({"amount": 0}, "amount must be positive"),
    ({"amount": -5}, "amount must be positive"),
    ({"amount": "lots"}, "amount must be an integer"),
    ({"startDateTime": "yesterday"}, "ISO 8601"),
    ({"currency": "dollars"}, "currency"),
])
def test_bad_input_is_rejected_and_nothing_written(env, overrides, message):
    before = env.snapshot()
    with pytest.raises(ValidationError, match=message):
        env.appsync("processBooking", create_args(env, **overrides), sub="cust-1")
    assert env.snapshot() == before and env.event_types() == []


def test_booking_in_the_past_and_reversed_times(env):
    before = env.snapshot()
    with pytest.raises(ValidationError, match="in the future"):
        env.appsync("processBooking", create_args(env, startDateTime=env.iso(hours=-2),
                                                  endDateTime=env.iso(hours=-1)), sub="cust-1")
    with pytest.raises(ValidationError, match="after startDateTime"):
        env.appsync("processBooking", create_args(env, endDateTime=env.iso(hours=1)), sub="cust-1")
    assert env.snapshot() == before


def test_overlapping_booking_is_rejected(env):
    env.appsync("processBooking", create_args(env), sub="cust-1")
    env.customer("cust-2")
    before = env.snapshot()
    with pytest.raises(ConflictError, match="already has a booking"):
        env.appsync("processBooking", create_args(env, startDateTime=env.iso(days=1, minutes=30),
                                                  endDateTime=env.iso(days=1, hours=2)), sub="cust-2")
    assert env.snapshot() == before
    after = env.appsync("processBooking", create_args(env, startDateTime=env.iso(days=1, hours=1),
                                                      endDateTime=env.iso(days=1, hours=2)), sub="cust-2")
    assert after["status"] == "confirmed"  # back-to-back is fine


def test_an_unpaid_hold_expires(env):
    args = create_args(env)
    del args["paymentMethodId"]
    env.appsync("processBooking", args, sub="cust-1")
    env.customer("cust-2")
    env.advance(16 * 60)
    assert env.appsync("processBooking", create_args(env), sub="cust-2")["status"] == "confirmed"


def test_unknown_service_operation_and_shapes(env):
    before = env.snapshot()
    with pytest.raises(NotFoundError):
        env.appsync("processBooking", create_args(env, serviceId="svc-404"), sub="cust-1")
    with pytest.raises(ValidationError, match="unknown action"):
        env.appsync("processBooking", {"action": "explode"}, sub="cust-1")
    with pytest.raises(ValidationError, match="unknown operation"):
        env.appsync("deleteEverything", {}, sub="cust-1")
    with pytest.raises(ValidationError, match="unknown action"):
        env.task("dropTables", {})
    for garbage in (None, "text", 42, [], {"foo": "bar"}):
        with pytest.raises(ValidationError):
            env.call(garbage)
    assert env.snapshot() == before


def test_validate_reports_invalid_requests_without_writing(env):
    before = env.snapshot()
    v = env.task("validateBooking", {"booking": {"serviceId": "svc-1", "amount": 0}}, workflow="booking-lifecycle")
    assert v["valid"] is False and v["booking"] is None and "customerId is required" in v["errors"][0]
    v = env.task("validateBooking", {"booking": "nope"}, workflow="booking-lifecycle")
    assert v["valid"] is False
    assert env.snapshot() == before


def test_stripe_that_never_answers_fails_the_create_cleanly(env):
    """A Stripe timeout (over HTTP: the connection closed unanswered) raises the handler's
    PaymentError. Without a card the pending booking reserved before the charge is withdrawn; with
    one (Stripe may have charged it) it stays an unpaid hold for the payment's webhook."""
    from handlers.common.appsync import PaymentError

    args = create_args(env)
    del args["paymentMethodId"]
    env.stripe.api.inject("timeout", path="/v1/payment_intents", method="POST", times=1)
    with pytest.raises(PaymentError, match="payment provider is unavailable"):
        env.appsync("processBooking", args, sub="cust-1")
    assert env.table("Booking") == [] and env.event_types() == []
    env.stripe.api.inject("timeout", path="/v1/payment_intents", method="POST", times=1)
    with pytest.raises(PaymentError, match="payment provider is unavailable"):
        env.appsync("processBooking", create_args(env), sub="cust-1")
    (held,) = env.table("Booking")
    assert (held["status"], held["paymentStatus"]) == ("pending", "pending") and env.event_types() == []


def test_the_stripe_client_uses_the_configured_network_timeout(env):
    import os

    from handlers.common import stripe_client

    assert os.environ["STRIPE_TIMEOUT_SECONDS"] == "10"  # a third of booking-processor's 30 s
    http = stripe_client.stripe_client()._requestor._client
    assert getattr(http, "_fallback", http)._timeout == 10


def test_workflow_cancel_publishes_booking_cancelled_through_the_outbox(env, monkeypatch):
    """cancelBooking (the booking workflow's ProcessCancellation, which has no Publish state after
    it) announces the cancellation itself; a PutEvents failure leaves the event in the outbox."""
    from handlers.common import booking_events

    args = create_args(env)
    del args["paymentMethodId"]
    first = env.appsync("processBooking", args, sub="cust-1")
    actor = {"kind": "user", "id": "cust-1", "userType": "customer"}
    res = env.task("cancelBooking", {"bookingId": first["id"], "actor": actor}, workflow="booking-lifecycle")
    assert res["booking"]["status"] == "cancelled" and "statusEventPending" not in res["booking"]
    (event,) = env.events()
    assert event["detail-type"] == "Booking Cancelled"
    assert event["detail"]["origin"] == "booking-lifecycle" and event["detail"]["executionArn"].startswith("arn:")

    second = env.appsync("processBooking", {**args, "startDateTime": env.iso(days=3),
                                            "endDateTime": env.iso(days=3, hours=1)}, sub="cust-1")
    monkeypatch.setattr(booking_events, "publish_all", lambda events: (_ for _ in ()).throw(RuntimeError("down")))
    res = env.task("cancelBooking", {"bookingId": second["id"], "actor": actor}, workflow="booking-lifecycle")
    assert res["booking"]["status"] == "cancelled"  # the cancellation stands: the execution goes on
    (stored,) = [b for b in env.table("Booking") if b["id"] == second["id"]]
    assert stored["statusEventPending"]["detailType"] == "Booking Cancelled"
