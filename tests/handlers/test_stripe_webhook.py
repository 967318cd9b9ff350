"""stripe-webhook: every handled event type's effect, signatures, bad input, dedup, failure and takeover."""

import json

import pytest

from handlers import stripe_webhook
from handlers.common.appsync import UnauthorizedError, ValidationError
from handlers.common.dedup import WebhookDeduplicationService
from sim.aws.stack import SIM_STRIPE_WEBHOOK_SECRET


def deliver_all(hx, result):
    return [hx.deliver(ev) for ev in result.events]


def status_of(hx, event):
    return hx.get("ProcessedWebhooks", event["id"])["status"]


# -- payments ------------------------------------------------------------------------------------------
def test_payment_succeeded_confirms_and_publishes_once(hx):
    _, paid = hx.paid_booking()
    answers = deliver_all(hx, paid)
    b = hx.get("Booking", "b1")
    assert (b["status"], b["paymentStatus"], b["platformFee"], b["providerEarnings"]) == \
        ("confirmed", "succeeded", 960, 11040)
    assert b["chargeId"] == paid.charge["id"] and b["applicationFeeId"].startswith("fee_")
    assert sorted(hx.event_types()) == ["Booking Confirmed", "Payment Succeeded"]
    detail = next(e["detail"] for e in hx.events() if e["detail-type"] == "Payment Succeeded")
    assert detail["origin"] == "stripe-webhook" and detail["paymentType"] == "DIRECT"
    assert (detail["bookingId"], detail["paymentIntentId"], detail["amount"], detail["currency"]) == \
        ("b1", paid.payment_intent["id"], 12000, "usd")
    assert detail["stripeEventId"].startswith("evt_")
    assert {a["status"] for a in answers} == {"COMPLETED", "SKIPPED"}
    assert status_of(hx, paid.event("payment_intent.created")) == "SKIPPED"


def test_payment_failed(hx):
    _, failed = hx.paid_booking(outcome="failed")
    deliver_all(hx, failed)
    b = hx.get("Booking", "b1")
    assert (b["status"], b["paymentStatus"]) == ("pending", "failed")
    assert b["paymentFailureMessage"]
    types = hx.event_types()
    assert "Payment Failed" in types and "Payment Succeeded" not in types


def test_payment_intent_canceled_cancels_booking(hx):
    provider = hx.provider()
    created = hx.stripe.create_payment_intent(5000, "usd", provider["stripeAccountId"], metadata={"bookingId": "b1"})
    hx.booking("b1", provider, amount=5000, pi=created.payment_intent["id"])
    hx.advance(60)
    canceled = hx.stripe.cancel(created.payment_intent["id"])
    deliver_all(hx, canceled)
    b = hx.get("Booking", "b1")
    assert (b["status"], b["paymentStatus"]) == ("cancelled", "canceled")
    assert hx.event_types() == ["Booking Cancelled"]


def test_partial_then_full_refund(hx):
    _, paid = hx.paid_booking()
    deliver_all(hx, paid)
    hx.advance(60)
    deliver_all(hx, hx.stripe.refund(paid.payment_intent["id"], amount=2000))
    b = hx.get("Booking", "b1")
    assert (b["status"], b["paymentStatus"], b["amountRefunded"]) == ("confirmed", "partially_refunded", 2000)
    hx.advance(60)
    deliver_all(hx, hx.stripe.refund(paid.payment_intent["id"]))
    b = hx.get("Booking", "b1")
    assert (b["status"], b["paymentStatus"], b["amountRefunded"]) == ("cancelled", "refunded", 12000)
    assert hx.event_types()[-1] == "Booking Cancelled"
    assert "Booking Updated" in hx.event_types()


def test_dispute_lifecycle(hx):
    _, paid = hx.paid_booking()
    deliver_all(hx, paid)
    hx.advance(60)
    opened = hx.stripe.dispute(paid.charge["id"])
    deliver_all(hx, opened)
    dp_id = opened.dispute["id"]
    d = hx.get("Dispute", dp_id)
    assert d["bookingId"] == "b1" and d["status"] == "needs_response" and d["fundsWithdrawn"] is True
    assert hx.get("Booking", "b1")["disputeStatus"] == "needs_response"
    hx.advance(60)
    deliver_all(hx, hx.stripe.close_dispute(dp_id, "won"))
    d = hx.get("Dispute", dp_id)
    assert d["status"] == "won" and d["fundsReinstated"] is True
    types = hx.event_types()
    assert types.count("Dispute Created") == 1 and types.count("Dispute Resolved") == 1
    resolved = next(e["detail"] for e in hx.events() if e["detail-type"] == "Dispute Resolved")
    assert resolved["outcome"] == "won" and resolved["bookingId"] == "b1"


def test_account_updated_mirrors_profile(hx):
    provider = hx.provider(enabled=False)
    hx.advance(60)
    onboarded = hx.stripe.onboard(provider["stripeAccountId"])
    deliver_all(hx, onboarded)
    p = hx.get("UserProfile", "prov-1")
    assert p["stripeAccountStatus"] == "active" and p["stripeChargesEnabled"] and p["stripePayoutsEnabled"]
    provider_events = [e for e in hx.events() if e["detail-type"] == "Provider Updated"]
    assert provider_events and provider_events[-1]["detail"]["accountStatus"] == "active"


@pytest.mark.parametrize("outcome, status, published", [
    ("paid", "paid", ["Payout Completed"]),
    ("failed", "failed", ["Payment Failed"]),
    ("paid_then_failed", "failed", ["Payout Completed", "Payment Failed"]),
])
def test_payouts(hx, outcome, status, published):
    provider = hx.provider()
    hx.stripe.pay(12000, "usd", provider["stripeAccountId"])  # earnings to pay out (events not delivered)
    result = hx.stripe.payout(provider["stripeAccountId"], 5000, outcome=outcome)
    deliver_all(hx, result)
    po = hx.get("Payout", result.payout["id"])
    assert po["status"] == status and po["providerId"] == "prov-1" and po["amount"] == 5000
    assert hx.event_types() == published
    assert all(e["detail"]["paymentType"] == "PAYOUT" for e in hx.events())


def test_application_fee_refunded(hx):
    _, paid = hx.paid_booking()
    deliver_all(hx, paid)
    hx.advance(60)
    deliver_all(hx, hx.stripe.refund(paid.payment_intent["id"], refund_application_fee=True))
    b = hx.get("Booking", "b1")
    assert b["applicationFeeAmount"] == 960 and b["applicationFeeRefunded"] == 960


def test_unknown_type_is_skipped(hx):
    ev = {"id": "evt_unknown", "object": "event", "type": "customer.tax_id.created", "created": hx.now(),
          "data": {"object": {"id": "txi_1"}}}
    assert hx.deliver(ev)["status"] == "SKIPPED"
    assert status_of(hx, ev) == "SKIPPED"
    assert hx.deliver(ev) == {"received": True, "eventId": "evt_unknown", "eventType": "customer.tax_id.created",
                              "status": "DUPLICATE", "duplicate": True}


# -- exactly once ----------------------------------------------------------------------------------------
def test_sequential_duplicates_have_one_effect(hx):
    _, paid = hx.paid_booking()
    ev = paid.event("charge.succeeded")
    answers = [hx.deliver(ev) for _ in range(5)]
    assert [a["status"] for a in answers] == ["COMPLETED"] + ["DUPLICATE"] * 4
    assert sorted(hx.event_types()) == ["Booking Confirmed", "Payment Succeeded"]


def test_failure_is_recorded_then_retried(hx, monkeypatch):
    _, paid = hx.paid_booking()
    ev = paid.event("payment_intent.succeeded")
    from handlers.common import stripe_events

    def broken(events):
        raise RuntimeError("bus down")

    monkeypatch.setattr(stripe_events, "publish_all", broken)
    with pytest.raises(stripe_webhook.WebhookProcessingError):
        hx.deliver(ev)
    rec = hx.get("ProcessedWebhooks", ev["id"])
    assert rec["status"] == "FAILED" and "bus down" in rec["error"] and rec["retryCount"] == 0
    assert hx.get("Booking", "b1")["status"] == "confirmed"     # the write happened; its events did not
    assert rec["publishPending"] is True                         # so it owes only domain events
    monkeypatch.undo()
    assert hx.deliver(ev)["status"] == "COMPLETED"
    rec = hx.get("ProcessedWebhooks", ev["id"])
    assert rec["status"] == "COMPLETED" and rec["retryCount"] == 1 and "error" not in rec
    assert "publishPending" not in rec
    # the retry replays the committed transition: the events are published exactly once
    assert sorted(hx.event_types()) == ["Booking Confirmed", "Payment Succeeded"]


def test_crash_mid_processing_then_takeover_after_lock_expiry(hx, monkeypatch):
    _, paid = hx.paid_booking()
    ev = paid.event("payment_intent.succeeded")
    from handlers.common import stripe_events

    class Crash(BaseException):
        pass

    def crash(events):
        raise Crash()  # the sandbox dies after the table write, before PutEvents

    monkeypatch.setattr(stripe_events, "publish_all", crash)
    with pytest.raises(Crash):
        hx.deliver(ev)
    monkeypatch.undo()
    assert hx.get("ProcessedWebhooks", ev["id"])["status"] == "PROCESSING"
    with pytest.raises(stripe_webhook.WebhookInProgressError):
        hx.deliver(ev)                                             # lock still fresh
    hx.advance(WebhookDeduplicationService().lock_timeout_ms / 1000 + 1)
    assert hx.deliver(ev)["status"] == "COMPLETED"
    rec = hx.get("ProcessedWebhooks", ev["id"])
    assert rec["retryCount"] == 1 and rec["status"] == "COMPLETED"
    assert sorted(hx.event_types()) == ["Booking Confirmed", "Payment Succeeded"]


def _fail_status_writes(monkeypatch, *names):
    """Make the dedup service's named writes fail as exhausted throttling would."""
    from botocore.exceptions import ClientError

    def throttled(self, *args, **kwargs):
        raise ClientError({"Error": {"Code": "ProvisionedThroughputExceededException", "Message": "slow down"}},
                          "UpdateItem")

    for name in names:
        monkeypatch.setattr(WebhookDeduplicationService, name, throttled)


def test_completed_write_fails_after_publish_then_retry_does_not_republish(hx, monkeypatch):
    """effects.published: the events are on the bus, the COMPLETED write fails; the FAILED record
    carries the published keys and Stripe's retry publishes nothing again."""
    _, paid = hx.paid_booking()
    ev = paid.event("payment_intent.succeeded")
    _fail_status_writes(monkeypatch, "mark_published", "mark_completed")
    with pytest.raises(stripe_webhook.WebhookProcessingError):
        hx.deliver(ev)
    rec = hx.get("ProcessedWebhooks", ev["id"])
    assert rec["status"] == "FAILED" and "ProvisionedThroughputExceeded" in rec["error"]
    assert len(rec["effects"]["published"]) == 2  # written by mark_failed, since the marker write failed
    assert sorted(hx.event_types()) == ["Booking Confirmed", "Payment Succeeded"]
    monkeypatch.undo()
    answer = hx.deliver(ev)
    assert answer["status"] == "COMPLETED"
    rec = hx.get("ProcessedWebhooks", ev["id"])
    assert rec["status"] == "COMPLETED" and rec["retryCount"] == 1
    assert rec["result"]["published"] == []  # nothing left to publish
    assert sorted(hx.event_types()) == ["Booking Confirmed", "Payment Succeeded"]


def test_marker_written_right_after_publish_survives_a_crash_before_completion(hx, monkeypatch):
    """A crash after the marker write (lock left PROCESSING): the takeover skips the published events."""
    _, paid = hx.paid_booking()
    ev = paid.event("payment_intent.succeeded")

    class Crash(BaseException):
        pass

    def crash(self, *args, **kwargs):
        raise Crash()

    monkeypatch.setattr(WebhookDeduplicationService, "mark_completed", crash)
    with pytest.raises(Crash):
        hx.deliver(ev)
    monkeypatch.undo()
    rec = hx.get("ProcessedWebhooks", ev["id"])
    assert rec["status"] == "PROCESSING" and len(rec["effects"]["published"]) == 2
    hx.advance(WebhookDeduplicationService().lock_timeout_ms / 1000 + 1)
    assert hx.deliver(ev)["status"] == "COMPLETED"
    assert sorted(hx.event_types()) == ["Booking Confirmed", "Payment Succeeded"]


def test_published_keys_ignore_the_delivery_path():
    from handlers.common.events import DomainEvent
    from handlers.common.stripe_events import event_keys

    a = DomainEvent("marketplace.booking", "Booking Confirmed", {"bookingId": "b1", "via": "webhook"})
    b = DomainEvent("marketplace.booking", "Booking Confirmed", {"bookingId": "b1", "via": "reconciliation"})
    c = DomainEvent("marketplace.booking", "Booking Cancelled", {"bookingId": "b1", "via": "webhook"})
    assert event_keys([a]) == event_keys([b]) and event_keys([a]) != event_keys([c])
    assert len(set(event_keys([a, b]))) == 2  # a repeat within one run is its own event


def test_missing_booking_named_in_metadata_fails_for_retry(hx):
    provider = hx.provider()
    paid = hx.stripe.pay(3000, "usd", provider["stripeAccountId"], metadata={"bookingId": "ghost"})
    with pytest.raises(stripe_webhook.WebhookProcessingError):
        hx.deliver(paid.event("payment_intent.succeeded"))
    rec = hx.get("ProcessedWebhooks", paid.event("payment_intent.succeeded")["id"])
    assert rec["status"] == "FAILED" and "publishPending" not in rec  # nothing applied: the retry limit applies


def test_payment_without_booking_is_completed_unmatched(hx):
    provider = hx.provider()
    paid = hx.stripe.pay(3000, "usd", provider["stripeAccountId"])
    assert hx.deliver(paid.event("payment_intent.succeeded"))["status"] == "COMPLETED"
    rec = hx.get("ProcessedWebhooks", paid.event("payment_intent.succeeded")["id"])
    assert "unmatched" in rec["result"] and hx.events() == []


# -- signatures and bad input: nothing written ---------------------------------------------------------
def _signed(hx, body, **kw):
    return hx.webhook_event(body, hx.sign(body, **kw))


@pytest.mark.parametrize("case", ["tampered", "stale", "future", "missing", "wrong-secret", "v0-only"])
def test_bad_signatures_rejected_and_nothing_written(hx, case):
    _, paid = hx.paid_booking()
    before = hx.snapshot()
    body = hx.body(paid.event("payment_intent.succeeded"))
    event = {
        "tampered": lambda: hx.webhook_event(body.replace("12000", "1"), hx.sign(body)),
        "stale": lambda: _signed(hx, body, t=hx.now() - 301),
        "future": lambda: _signed(hx, body, t=hx.now() + 301),
        "missing": lambda: hx.webhook_event(body, None),
        "wrong-secret": lambda: _signed(hx, body, secrets=["whsec_other"]),
        "v0-only": lambda: hx.webhook_event(body, f"t={hx.now()},v0=abc"),
    }[case]()
    with pytest.raises(UnauthorizedError):
        hx.invoke("stripe-webhook", event)
    assert hx.snapshot() == before and hx.events() == []


def test_rotated_secret_two_v1_values(hx):
    _, paid = hx.paid_booking()
    body = hx.body(paid.event("payment_intent.succeeded"))
    # the endpoint rolled: the sender signs with the new and old secret; we only know the old one
    hx.extra_env["STRIPE_WEBHOOK_SECRET"] = "whsec_new_not_ours"
    hx.extra_env["STRIPE_WEBHOOK_SECRET_PREVIOUS"] = SIM_STRIPE_WEBHOOK_SECRET
    event = hx.webhook_event(body, hx.sign(body, secrets=["whsec_other_new", SIM_STRIPE_WEBHOOK_SECRET]))
    assert hx.invoke("stripe-webhook", event)["status"] == "COMPLETED"


def test_signature_via_resolver_context_and_request_context(hx):
    _, paid = hx.paid_booking()
    body = hx.body(paid.event("payment_intent.succeeded"))
    header = hx.sign(body)
    via_context = {"arguments": {"payload": body}, "identity": {"resolverContext": {"stripeSignature": header}}}
    assert hx.invoke("stripe-webhook", via_context)["status"] == "COMPLETED"
    raw = {"requestContext": {"variables": {"payload": body}}, "requestHeaders": {"Stripe-Signature": header},
           "identity": {"resolverContext": {}}}
    assert hx.invoke("stripe-webhook", raw)["status"] == "DUPLICATE"


@pytest.mark.parametrize("body", ["{not json", "[]", json.dumps({"id": "evt_1"}),
                                  json.dumps({"id": "evt_1", "type": "charge.succeeded", "created": "x",
                                              "data": {"object": {}}}),
                                  json.dumps({"id": "evt_1", "type": "charge.succeeded", "created": 1,
                                              "data": {}})])
def test_malformed_payloads_are_validation_errors(hx, body):
    before = hx.snapshot()
    with pytest.raises(ValidationError):
        hx.invoke("stripe-webhook", _signed(hx, body))
    assert hx.snapshot() == before


@pytest.mark.parametrize("event", [None, "x", {}, {"arguments": {}}, {"arguments": {"payload": 5}},
                                   {"arguments": {"payload": ""}}])
def test_missing_payload(hx, event):
    if isinstance(event, dict):  # through the webhook authorizer, as AppSync calls it
        event = {**event, "identity": {"resolverContext": {}}}
    with pytest.raises(ValidationError):
        hx.invoke("stripe-webhook", event)
