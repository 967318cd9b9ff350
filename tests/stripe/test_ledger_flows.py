"""The ledger's operations produce stripe-facts.md's causal chains, atomically."""

from __future__ import annotations

import json

import pytest

from sim.stripe import OPERATIONS, StripeError, UnknownName
from sim.stripe.events import EVENT_TYPES


def test_pay_is_a_direct_charge_with_the_platform_fee(fake, provider):
    r = fake.pay(12000, "usd", provider, metadata={"booking_id": "b1"})
    assert r.types == ["payment_intent.created", "charge.succeeded", "payment_intent.succeeded", "charge.updated",
                       "application_fee.created"]
    pi, charge, fee = r.payment_intent, r.charge, r.application_fee
    assert pi["status"] == "succeeded" and pi["amount_received"] == 12000 and pi["latest_charge"] == charge["id"]
    assert pi["application_fee_amount"] == 960 and fee["amount"] == 960
    assert fee["account"] == provider and fee["charge"] == charge["id"]
    assert charge["metadata"] == {"booking_id": "b1"} and charge["application_fee"] == fee["id"]
    # direct charge events belong to the connected account; the fee to the platform
    for e in r.events[:4]:
        assert e["account"] == provider
    assert "account" not in r.events[4]
    assert fake.ledger.owner(fee["id"]) == fake.platform_id
    updated = r.event("charge.updated")
    assert updated["data"]["previous_attributes"] == {"balance_transaction": None}
    assert updated["data"]["object"]["balance_transaction"] is not None
    assert r.event("charge.succeeded")["data"]["object"]["balance_transaction"] is None


def test_event_envelope(fake, provider):
    e = fake.pay(5000, "usd", provider, idempotency_key="k-1").events[0]
    assert list(e) == ["id", "object", "account", "api_version", "created", "data", "livemode", "pending_webhooks",
                       "request", "type"]
    assert e["id"].startswith("evt_") and len(e["id"]) == 28
    assert e["api_version"] == "2026-10-28.endive" and e["livemode"] is False
    assert e["created"] == fake.clock.timestamp()
    assert e["request"]["id"].startswith("req_") and e["request"]["idempotency_key"] == "k-1"
    assert "previous_attributes" not in e["data"]


def test_event_keeps_the_object_as_it_was(fake, provider):
    r = fake.pay(5000, "usd", provider)
    created = r.event("payment_intent.created")
    assert created["data"]["object"]["status"] == "requires_payment_method"
    body = json.loads(fake.ledger.body(created["id"]))
    assert body["data"]["object"]["status"] == "requires_payment_method"
    fake.refund(r.charge["id"])
    assert json.loads(fake.ledger.body(r.event("charge.updated")["id"]))["data"]["object"]["amount_refunded"] == 0


def test_failed_payment(fake, provider):
    r = fake.pay(5000, "usd", provider, outcome="failed")
    assert r.types == ["payment_intent.created", "charge.failed", "payment_intent.payment_failed"]
    assert r.payment_intent["status"] == "requires_payment_method"
    assert r.payment_intent["last_payment_error"]["code"] == "card_declined"
    assert r.charge["status"] == "failed" and r.charge["paid"] is False


def test_requires_action_then_confirm_or_cancel(fake, provider):
    r = fake.pay(5000, "usd", provider, outcome="requires_action")
    assert r.types == ["payment_intent.created", "payment_intent.requires_action"]
    assert r.payment_intent["next_action"]["type"] == "use_stripe_sdk"
    done = fake.confirm(r.payment_intent["id"])
    assert done.types == ["charge.succeeded", "payment_intent.succeeded", "charge.updated",
                          "application_fee.created"]
    r2 = fake.pay(5000, "usd", provider, outcome="requires_action")
    c = fake.cancel(r2.payment_intent["id"], "abandoned")
    assert c.types == ["payment_intent.canceled"] and c.payment_intent["cancellation_reason"] == "abandoned"
    with pytest.raises(StripeError) as err:
        fake.cancel(done.payment_intent["id"])
    assert err.value.code == "payment_intent_unexpected_state" and "succeeded" in err.value.message


def test_refunds_full_partial_with_fee(fake, provider):
    charge = fake.pay(10000, "usd", provider).charge
    part = fake.refund(charge["id"], amount=2500)
    assert part.types == ["refund.created", "charge.refunded"]
    assert part.charge["amount_refunded"] == 2500 and part.charge["refunded"] is False
    rest = fake.refund(charge["id"], refund_application_fee=True)
    assert rest.types == ["refund.created", "charge.refunded", "application_fee.refunded"]
    assert rest.refund["amount"] == 7500 and rest.charge["refunded"] is True
    assert rest.application_fee["amount_refunded"] == 800  # the whole fee once fully refunded
    assert rest.event("charge.refunded")["data"]["previous_attributes"]["amount_refunded"] == 2500
    assert rest.event("application_fee.refunded")["data"]["object"]["refunds"]["data"][0]["object"] == "fee_refund"
    with pytest.raises(StripeError) as err:
        fake.refund(charge["id"])
    assert err.value.code == "charge_already_refunded"


def test_partial_fee_refund_is_proportional(fake, provider):
    r = fake.pay(10000, "usd", provider, application_fee_amount=1000)
    out = fake.refund(r.payment_intent["id"], amount=2500, refund_application_fee=True)
    assert out.application_fee["amount_refunded"] == 250


def test_refund_failure(fake, provider):
    charge = fake.pay(10000, "usd", provider).charge
    r = fake.refund(charge, outcome="failed")
    assert r.types == ["refund.created", "refund.updated", "refund.failed"]
    assert r.refund["status"] == "failed" and r.refund["failure_reason"]


def test_refund_larger_than_charge_names_amount_and_changes_nothing(fake, provider):
    charge = fake.pay(10000, "usd", provider).charge
    n = len(fake.events)
    with pytest.raises(StripeError) as err:
        fake.refund(charge["id"], amount=10001)
    assert err.value.param == "amount" and err.value.http_status == 400
    assert len(fake.events) == n and fake.ledger.find(charge["id"])["amount_refunded"] == 0


@pytest.mark.parametrize("outcome,tail", [
    (None, []),
    ("won", ["charge.dispute.updated", "charge.dispute.closed", "charge.dispute.funds_reinstated"]),
    ("lost", ["charge.dispute.updated", "charge.dispute.closed"]),
])
def test_dispute(fake, provider, outcome, tail):
    charge = fake.pay(10000, "usd", provider).charge
    r = fake.dispute(charge["id"], outcome)
    assert r.types == ["charge.dispute.created", "charge.dispute.funds_withdrawn", *tail]
    assert all(e["account"] == provider for e in r.events)
    assert r.dispute["status"] == (outcome or "needs_response")
    assert fake.ledger.find(charge["id"])["disputed"] is True
    txns = r.dispute["balance_transactions"]
    assert txns[0]["amount"] == -10000 and txns[0]["fee"] == 1500
    if outcome == "won":
        assert txns[-1]["amount"] == 10000
    with pytest.raises(StripeError) as err:
        fake.refund(charge["id"])
    assert err.value.code == "charge_disputed"


def test_dispute_closed_later(fake, provider):
    charge = fake.pay(10000, "usd", provider).charge
    dp = fake.dispute(charge).dispute
    fake.clock.advance(86400)
    closed = fake.close_dispute(dp["id"], "won")
    assert closed.event("charge.dispute.updated")["data"]["previous_attributes"]["status"] == "needs_response"
    assert closed.event("charge.dispute.closed")["created"] == fake.clock.timestamp()


def test_onboarding_enabled(fake):
    acct = fake.create_connected_account(email="pro@example.com")
    assert acct.events == []
    a = acct.account
    assert a["charges_enabled"] is False and "external_account" in a["requirements"]["currently_due"]
    with pytest.raises(StripeError) as err:
        fake.pay(5000, "usd", a["id"])
    assert err.value.code == "account_invalid"
    r = fake.onboard(a["id"])
    assert r.types == ["person.created", "account.external_account.created", "account.updated", "person.updated",
                       "capability.updated", "capability.updated", "account.updated"]
    assert all(e["account"] == a["id"] for e in r.events)
    last = r.events[-1]["data"]
    assert last["object"]["charges_enabled"] is True and last["object"]["payouts_enabled"] is True
    assert last["previous_attributes"]["charges_enabled"] is False
    assert last["previous_attributes"]["requirements"]["disabled_reason"] == "requirements.pending_verification"
    assert r.events[4]["data"]["object"]["status"] == "active"
    with pytest.raises(StripeError):
        fake.onboard(a["id"])


def test_onboarding_rejected(fake):
    a = fake.create_connected_account().account
    r = fake.onboard(a["id"], outcome="rejected")
    assert r.types == ["person.created", "account.updated", "capability.updated", "capability.updated",
                       "account.updated"]
    assert r.account["requirements"]["disabled_reason"] == "rejected.fraud"
    assert r.account["payouts_enabled"] is False
    with pytest.raises(StripeError):
        fake.payout(a["id"], 1000)


@pytest.mark.parametrize("outcome,types", [
    ("paid", ["payout.created", "payout.updated", "payout.paid"]),
    ("failed", ["payout.created", "payout.updated", "payout.failed"]),
    ("paid_then_failed", ["payout.created", "payout.updated", "payout.paid", "payout.failed"]),
    ("canceled", ["payout.created", "payout.canceled"]),
])
def test_payouts(fake, provider, outcome, types):
    fake.pay(12000, "usd", provider)
    r = fake.payout(provider, 4200, outcome=outcome)
    assert r.types == types
    assert r.payout["status"] == types[-1].split(".")[1]
    assert r.payout["destination"].startswith("ba_")
    if "failed" in outcome:
        assert r.payout["failure_code"] == "account_closed"


def test_payout_in_transit_then_settled(fake, provider):
    fake.pay(12000, "usd", provider)
    po = fake.payout(provider, 1000, outcome=None).payout
    assert po["status"] == "in_transit"
    assert fake.settle_payout(po["id"], "paid").types == ["payout.paid"]
    with pytest.raises(StripeError):
        fake.settle_payout(po["id"], "canceled")


def test_a_payout_above_the_balance_is_refused_balance_insufficient(fake, provider):
    """Stripe's 400 invalid_request_error balance_insufficient, nothing written; what the balance
    allows is earnings (amount − application fee) − refunds − live payouts; a failed payout came back."""
    with pytest.raises(StripeError) as err:
        fake.payout(provider, 1)  # nothing earned yet
    assert (err.value.code, err.value.http_status, err.value.type) == ("balance_insufficient", 400,
                                                                         "invalid_request_error")
    assert fake.ledger.objects("payout") == []
    fake.pay(12000, "usd", provider)  # 12000 − 960 application fee
    assert fake.ledger.payable(provider) == 11040
    fake.refund(fake.ledger.objects("charge")[-1]["id"], amount=1000)
    fake.payout(provider, 5000, outcome="failed")  # came back to the balance
    fake.payout(provider, 10000)
    assert fake.ledger.payable(provider) == 40
    events = len(fake.ledger.events)
    with pytest.raises(StripeError) as err:
        fake.payout(provider, 41)
    assert err.value.code == "balance_insufficient" and len(fake.ledger.events) == events
    assert fake.payout(provider, 40).payout["status"] == "paid"
    fake.pay(10000, "usd", transfer_data={"destination": provider})  # its payment py_… on the account, fee 800
    assert fake.ledger.payable(provider) == 9200


def test_customer_and_deauthorize(fake, provider):
    cus = fake.create_customer(metadata={"user_id": "u1"})
    assert cus.types == ["customer.created"] and "@" in cus.customer["email"]
    d = fake.deauthorize(provider)
    assert d.types == ["account.application.deauthorized"] and d.events[0]["account"] == provider
    assert d.events[0]["data"]["object"]["object"] == "application"


def test_unknown_operation_lists_supported(fake):
    with pytest.raises(UnknownName) as err:
        fake.perform("teleport")
    for name in ("pay", "refund", "dispute", "onboard", "payout", "cancel"):
        assert name in str(err.value)
    assert fake.perform("create_customer").types == ["customer.created"]
    assert set(OPERATIONS) >= {"pay", "refund", "dispute", "onboard", "payout", "cancel", "create_connected_account"}


def test_bad_parameters_name_the_param(fake, provider):
    cases = [
        (dict(amount=10, currency="usd"), "amount"),
        (dict(amount=5000, currency="xyz"), "currency"),
        (dict(amount=5000, currency="usd", application_fee_amount=6000), "application_fee_amount"),
        (dict(amount=5000, currency="usd", metadata={"k" * 41: "v"}), f"metadata[{'k' * 41}]"),
        (dict(amount=5000, currency="usd", outcome="maybe"), "outcome"),
        (dict(amount=5000, currency="usd", customer="cus_nope"), "customer"),
    ]
    n = len(fake.events)
    for kwargs, param in cases:
        with pytest.raises(StripeError) as err:
            fake.pay(account=provider, **kwargs)
        assert err.value.param == param, kwargs
    with pytest.raises(StripeError) as err:
        fake.pay(5000, "usd", None, application_fee_amount=100)
    assert err.value.param == "application_fee_amount"
    assert len(fake.events) == n


def test_nothing_half_applied_when_an_operation_fails_midway(fake, provider, monkeypatch):
    charge = fake.pay(10000, "usd", provider).charge
    before = dict(fake.ledger._objects)
    n = len(fake.events)

    def boom(*a, **k):
        raise RuntimeError("disk full")

    monkeypatch.setattr(fake.ledger.factory, "fee_refund", boom)
    with pytest.raises(RuntimeError):
        fake.refund(charge["id"], refund_application_fee=True)
    assert fake.ledger._objects == before and len(fake.events) == n


@pytest.mark.parametrize("event_type", EVENT_TYPES)
def test_trigger_every_event_type(fake, event_type):
    r = fake.trigger(event_type)
    assert event_type in r.types


def test_trigger_unknown_type_lists_supported(fake):
    with pytest.raises(UnknownName) as err:
        fake.trigger("payment_intent.teleported")
    assert "payment_intent.succeeded" in str(err.value) and "payout.failed" in str(err.value)


def test_trace_records_every_event(fake, provider, trace):
    r = fake.pay(5000, "usd", provider, metadata={"booking_id": "b9"})
    recs = trace.select("stripe", "event.created")
    assert [x["cid"] for x in recs][-5:] == [e["id"] for e in r.events]
    assert recs[-1]["details"]["type"] == "application_fee.created"
    assert recs[-2]["details"]["booking_id"] == "b9"
