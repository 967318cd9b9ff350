"""refund-processor: full/partial refunds with the commission adjusted, disputes, bad input."""

from __future__ import annotations

import pytest

from handlers.common.appsync import ConflictError, NotFoundError, UnauthorizedError, ValidationError
from tests.handlers.conftest_business import business_env


@pytest.fixture
def env():
    with business_env("refund-processor") as e:
        e.provider_profile = e.provider()
        e.customer()
        e.service()
        e.booking("b1", provider=e.provider_profile)
        yield e


def test_partial_then_full_refund_adjusts_commission_and_earnings(env):
    out = env.appsync("processRefund", {"bookingId": "b1", "amount": 2500}, sub="prov-1")
    assert (out["status"], out["amount"], out["platformFeeRefunded"], out["providerEarningsReduction"]) == \
        ("SUCCEEDED", 2500, 200, 2300)
    b = out["booking"]
    assert (b["paymentStatus"], b["amountRefunded"], b["platformFee"], b["providerEarnings"]) == \
        ("partially_refunded", 2500, 760, 8740)
    rest = env.task("processRefund", {"paymentType": "REFUND", "bookingId": "b1"}, workflow="payment-processing")
    assert rest["status"] == "SUCCEEDED" and rest["amount"] == 9500
    (stored,) = env.table("Booking")
    assert (stored["status"], stored["paymentStatus"], stored["platformFee"], stored["providerEarnings"]) == \
        ("cancelled", "refunded", 0, 0)
    refunds = env.table("Refund")
    assert sorted(r["amount"] for r in refunds) == [2500, 9500]
    assert all(r["status"] == "succeeded" and r["bookingId"] == "b1" for r in refunds)
    assert env.event_types() == ["Booking Updated", "Booking Cancelled"]  # the full refund cancelled it
    cancelled = env.events()[1]
    assert cancelled["source"] == "marketplace.booking"
    assert cancelled["detail"]["bookingId"] == "b1" and cancelled["detail"]["previousStatus"] == "confirmed"
    assert cancelled["detail"]["origin"] == "refund-processor" and cancelled["detail"]["refundId"] == rest["refundId"]
    assert "statusEventPending" not in stored  # the outbox was flushed
    check = env.task("checkPaymentStatus", rest, workflow="payment-processing")
    assert check["status"] == "SUCCEEDED"


def test_never_more_than_was_charged(env):
    env.appsync("processRefund", {"bookingId": "b1", "amount": 10000}, sub="prov-1")
    before = env.snapshot()
    with pytest.raises(ValidationError, match="never more than was charged"):
        env.appsync("processRefund", {"bookingId": "b1", "amount": 2001}, sub="prov-1")
    assert env.snapshot() == before
    env.appsync("processRefund", {"bookingId": "b1"}, sub="prov-1")
    with pytest.raises(ConflictError):
        env.appsync("processRefund", {"bookingId": "b1"}, sub="prov-1")
    failed = env.task("processRefund", {"bookingId": "b1"}, workflow="payment-processing")
    assert failed["status"] == "FAILED" and failed["error"]


@pytest.mark.parametrize("args,error", [
    ({"amount": 100}, ValidationError),
    ({"bookingId": "b1", "amount": 0}, ValidationError),
    ({"bookingId": "b1", "amount": -1}, ValidationError),
    ({"bookingId": "b1", "reason": "because"}, ValidationError),
    ({"bookingId": "nope"}, NotFoundError),
])
def test_bad_refund_requests_write_nothing(env, args, error):
    before = env.snapshot()
    with pytest.raises(error):
        env.appsync("processRefund", args, sub="prov-1")
    assert env.snapshot() == before and env.event_types() == []


def test_only_the_provider_or_an_admin_refunds(env):
    with pytest.raises(UnauthorizedError):
        env.appsync("processRefund", {"bookingId": "b1"}, sub="cust-1")
    out = env.appsync("processRefund", {"bookingId": "b1", "amount": 100}, sub="ops", groups=["admin"])
    assert out["status"] == "SUCCEEDED"


def test_dispute_refund_flow(env):
    created = env.task("createDispute", {"bookingId": "b1", "disputeType": "refund_request", "amount": 3000,
                                         "raisedBy": "cust-1", "reason": "no show"}, workflow="dispute-resolution")
    d = created["dispute"]
    assert d["disputeType"] == "REFUND_REQUEST" and d["status"] == "OPEN" and not d["id"].startswith("dp_")
    again = env.task("createDispute", {"bookingId": "b1", "disputeId": d["id"], "disputeType": "REFUND_REQUEST"},
                     workflow="dispute-resolution")
    assert again["dispute"]["id"] == d["id"] and len(env.table("Dispute")) == 1
    res = env.task("processDisputeRefund", {"dispute": d}, workflow="dispute-resolution")["resolution"]
    assert (res["outcome"], res["refundAmount"], res["platformFeeRefunded"]) == ("REFUNDED", 3000, 240)
    done = env.task("updateDisputeStatus", {"dispute": d, "resolution": res}, workflow="dispute-resolution")
    assert done["dispute"]["status"] == "RESOLVED"
    (refund,) = env.table("Refund")
    assert refund["disputeId"] == d["id"]


def test_service_complaint_and_stripe_chargeback(env):
    d = env.task("createDispute", {"bookingId": "b1", "disputeType": "SERVICE_COMPLAINT"},
                 workflow="dispute-resolution")["dispute"]
    res = env.task("processServiceComplaint", {"dispute": d}, workflow="dispute-resolution")["resolution"]
    assert res["outcome"] == "COMPLAINT_RECORDED" and env.table("Refund") == []
    assert env.table("Booking")[0]["complaintCount"] == 1
    env.put("Dispute", {"id": "dp_123", "bookingId": "b1", "status": "needs_response", "statusRank": 2})
    cb = env.task("createDispute", {"bookingId": "b1", "stripeDisputeId": "dp_123", "disputeType": "CHARGEBACK"},
                  workflow="dispute-resolution")["dispute"]
    assert cb["status"] == "OPEN" and cb["stripeStatus"] == "needs_response"
    done = env.task("updateDisputeStatus", {"dispute": cb, "resolution": {"outcome": "MANUAL_REVIEW"}},
                    workflow="dispute-resolution")["dispute"]
    assert done["status"] == "MANUAL_REVIEW" and done["stripeStatus"] == "needs_response"


def test_a_disputed_charge_cannot_be_refunded(env):
    pi = env.table("Booking")[0]["paymentIntentId"]
    env.stripe.dispute(pi)
    d = env.task("createDispute", {"bookingId": "b1", "disputeType": "REFUND_REQUEST"},
                 workflow="dispute-resolution")["dispute"]
    with pytest.raises(Exception) as err:
        env.task("processDisputeRefund", {"dispute": d}, workflow="dispute-resolution")
    assert type(err.value).__name__ == "RefundRefused"


def test_unknown_actions_and_shapes(env):
    before = env.snapshot()
    for event in ({"action": "refundEverything"}, {"arguments": {}, "info": {"fieldName": "nope"}}, "x", None):
        with pytest.raises(ValidationError):
            env.call(event)
    with pytest.raises(ValidationError):
        env.task("createDispute", {"disputeType": "REFUND_REQUEST"}, workflow="dispute-resolution")
    assert env.snapshot() == before


def test_full_refund_cancels_once_and_the_outbox_survives_an_interrupted_publish(env, monkeypatch):
    """The booking's cancellation by a full refund announces Booking Cancelled exactly once: a
    publication that fails after the write leaves the event in the booking's outbox, and the retried
    call (which finds nothing left to refund) publishes it before failing with ConflictError."""
    from handlers.common import booking_events
    from handlers.common.events import PublishError

    real = booking_events.publish_all
    monkeypatch.setattr(booking_events, "publish_all", lambda events: (_ for _ in ()).throw(
        PublishError("PutEvents keeps failing", [])))
    with pytest.raises(Exception):  # noqa: B017 - the task fails (InternalError) after the refund
        env.task("processRefund", {"bookingId": "b1"}, workflow="payment-processing")
    (stored,) = env.table("Booking")
    assert stored["status"] == "cancelled" and stored["statusEventPending"]["detailType"] == "Booking Cancelled"
    assert "Booking Cancelled" not in env.event_types()
    monkeypatch.setattr(booking_events, "publish_all", real)
    again = env.task("processRefund", {"bookingId": "b1"}, workflow="payment-processing")
    assert again["status"] == "FAILED"  # nothing left to refund ...
    assert env.event_types() == ["Booking Cancelled"]  # ... but the pending event went out
    (stored,) = env.table("Booking")
    assert "statusEventPending" not in stored
    env.task("processRefund", {"bookingId": "b1"}, workflow="payment-processing")
    assert env.event_types() == ["Booking Cancelled"]
