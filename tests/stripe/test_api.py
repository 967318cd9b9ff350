"""The HTTP API, driven by the real stripe SDK (StripeClient pointed at 127.0.0.1)."""

from __future__ import annotations

import json
import random
import urllib.request

import pytest
import stripe

from sim.stripe import forms
from sim.stripe.sdk import deterministic_idempotency_keys


def _acct(client, provider):
    return {"stripe_account": provider}


def test_events_list_and_auto_paging_both_ways(fake, client, provider):
    for _ in range(4):
        fake.pay(5000, "usd", provider)
        fake.clock.advance(60)
    mine = [e["id"] for e in fake.ledger.events_for(provider)]
    page = client.v1.events.list({"limit": 3}, _acct(client, provider))
    assert page.url == "/v1/events" and page.has_more is True and len(page.data) == 3
    assert [e.id for e in page.data] == mine[::-1][:3]  # newest first
    assert [e.id for e in page.auto_paging_iter()] == mine[::-1]
    oldest_first = client.v1.events.list({"limit": 5, "ending_before": mine[0]}, _acct(client, provider))
    assert [e.id for e in oldest_first.data] == mine[1:6][::-1]
    assert [e.id for e in oldest_first.auto_paging_iter()] == mine[1:]
    platform = [e.id for e in client.v1.events.list({"limit": 100}).auto_paging_iter()]
    assert platform == [e["id"] for e in fake.ledger.events_for(None)][::-1]
    assert all(e.get("account") is None for e in fake.ledger.events_for(None))


def test_events_filters(fake, client, provider):
    t0 = fake.clock.timestamp()
    fake.pay(5000, "usd", provider)
    fake.clock.advance(100)
    r = fake.refund(fake.pay(5000, "usd", provider).charge)
    opts = _acct(client, provider)
    got = client.v1.events.list({"type": "charge.*", "limit": 100}, opts)
    assert {e.type for e in got.data} == {"charge.succeeded", "charge.updated", "charge.refunded"}
    got = client.v1.events.list({"types": ["refund.created", "payment_intent.created"]}, opts)
    assert sorted(e.type for e in got.data) == ["payment_intent.created", "payment_intent.created",
                                                 "refund.created"]
    got = client.v1.events.list({"created": {"gt": t0}, "limit": 100}, opts)
    assert {e.id for e in got.data} == {e["id"] for e in fake.ledger.events_for(provider) if e["created"] > t0}
    got = client.v1.events.list({"created": {"gte": t0, "lte": t0}, "limit": 100}, opts)
    assert all(e.created == t0 for e in got.data) and len(got.data) == 4
    assert len(client.v1.events.list({"created": t0 + 100, "limit": 100}, opts).data) == 6
    assert r.events[0]["id"] in {e.id for e in client.v1.events.list({"type": "refund.created"}, opts).data}
    with pytest.raises(stripe.InvalidRequestError) as err:
        client.v1.events.list({"type": "a", "types": ["b"]})
    assert err.value.param == "types"
    with pytest.raises(stripe.InvalidRequestError) as err:
        client.v1.events.list({"limit": 101})
    assert err.value.param == "limit"


def test_delivery_success_filter(fake, client, provider):
    from sim.stripe import Fault
    from tests.stripe.conftest import Recorder

    fake.add_endpoint(Recorder(), connect=True)
    fake.add_fault(Fault("drop", match={"type": "charge.succeeded"}))
    r = fake.pay(5000, "usd", provider)
    fake.advance(10)
    opts = _acct(client, provider)
    missed = client.v1.events.list({"delivery_success": False}, opts)
    assert [e.id for e in missed.data] == [r.event("charge.succeeded")["id"]]
    assert missed.data[0].pending_webhooks == 1
    assert len(client.v1.events.list({"delivery_success": True}, opts).data) == 3


def test_event_retrieve_and_404(fake, client, provider):
    e = fake.pay(5000, "usd", provider).events[0]
    got = client.v1.events.retrieve(e["id"], options=_acct(client, provider))
    assert got.id == e["id"] and got.data.object.object == "payment_intent" and got.account == provider
    with pytest.raises(stripe.InvalidRequestError) as err:
        client.v1.events.retrieve(e["id"])  # it is the connected account's event
    assert err.value.code == "resource_missing" and err.value.http_status == 404
    with pytest.raises(stripe.InvalidRequestError, match="No such event"):
        client.v1.events.retrieve("evt_nope", options=_acct(client, provider))


def test_accounts_links_and_onboarding(fake, client):
    acct = client.v1.accounts.create({"type": "express", "country": "US", "email": "pro@example.com",
                                      "capabilities": {"card_payments": {"requested": True},
                                                       "transfers": {"requested": True}},
                                      "business_profile": {"url": "https://pro.example.com"},
                                      "metadata": {"provider_id": "p1"}})
    assert acct.id.startswith("acct_") and acct.charges_enabled is False and acct.metadata["provider_id"] == "p1"
    assert acct.business_profile.url == "https://pro.example.com"
    link = client.v1.account_links.create({"account": acct.id, "type": "account_onboarding",
                                           "refresh_url": "https://x/r", "return_url": "https://x/d"})
    assert link.object == "account_link" and acct.id in link.url
    fake.onboard(acct.id)
    again = client.v1.accounts.retrieve(acct.id)
    assert again.charges_enabled is True and again.payouts_enabled is True
    updated = client.v1.accounts.update(acct.id, {"metadata": {"tier": "gold"}})
    assert updated.metadata.to_dict() == {"provider_id": "p1", "tier": "gold"}
    assert fake.events[-1]["type"] == "account.updated"
    assert fake.events[-1]["data"]["previous_attributes"] == {"metadata": {"tier": None}}
    with pytest.raises(stripe.InvalidRequestError) as err:
        client.v1.account_links.create({"account": acct.id})
    assert err.value.param == "type"
    with pytest.raises(stripe.InvalidRequestError) as err:
        client.v1.accounts.create({"type": "martian"})
    assert err.value.param == "type"


def test_direct_charge_through_the_sdk(fake, client, provider):
    cus = client.v1.customers.create({"email": "c@example.com", "name": "Cee"})
    opts = {"stripe_account": provider, "idempotency_key": "book-b1"}
    pi = client.v1.payment_intents.create({"amount": 12000, "currency": "usd", "application_fee_amount": 960,
                                           "customer": cus.id, "metadata": {"booking_id": "b1"},
                                           "payment_method_types": ["card"]}, opts)
    assert pi.status == "requires_payment_method" and pi.metadata["booking_id"] == "b1"
    done = client.v1.payment_intents.confirm(pi.id, {"payment_method": "pm_card_visa"},
                                             {"stripe_account": provider})
    assert done.status == "succeeded" and done.latest_charge.startswith("ch_")
    charge = client.v1.charges.retrieve(done.latest_charge, options={"stripe_account": provider})
    assert charge.application_fee_amount == 960 and charge.payment_method_details.card.last4 == "4242"
    fees = client.v1.application_fees.list({"charge": charge.id})
    assert [f.amount for f in fees.data] == [960] and fees.data[0].account == provider
    assert client.v1.application_fees.retrieve(fees.data[0].id).charge == charge.id
    created = fake.ledger.events_for(provider)[0]
    assert created["request"]["idempotency_key"] == "book-b1"
    # the platform cannot see a connected account's objects without Stripe-Account
    with pytest.raises(stripe.InvalidRequestError) as err:
        client.v1.payment_intents.retrieve(pi.id)
    assert err.value.code == "resource_missing"
    got = client.v1.payment_intents.retrieve(pi.id, options={"stripe_account": provider})
    assert got.status == "succeeded"


def test_declined_card_is_a_402_card_error(fake, client, provider):
    with pytest.raises(stripe.CardError) as err:
        client.v1.payment_intents.create({"amount": 5000, "currency": "usd", "confirm": True,
                                          "payment_method": "pm_card_chargeDeclined"}, {"stripe_account": provider})
    assert err.value.code == "card_declined" and err.value.http_status == 402
    types = [e["type"] for e in fake.ledger.events_for(provider)]
    assert types == ["payment_intent.created", "charge.failed", "payment_intent.payment_failed"]


def test_3ds_then_cancel(fake, client, provider):
    opts = {"stripe_account": provider}
    pi = client.v1.payment_intents.create({"amount": 5000, "currency": "usd", "confirm": True,
                                           "payment_method": "pm_card_authenticationRequired"}, opts)
    assert pi.status == "requires_action" and pi.next_action.type == "use_stripe_sdk"
    canceled = client.v1.payment_intents.cancel(pi.id, {"cancellation_reason": "abandoned"}, opts)
    assert canceled.status == "canceled"
    with pytest.raises(stripe.InvalidRequestError) as err:
        client.v1.payment_intents.cancel(pi.id, options=opts)
    assert err.value.code == "payment_intent_unexpected_state"


def test_refunds_payouts_disputes(fake, client, provider):
    opts = {"stripe_account": provider}
    r = fake.pay(10000, "usd", provider)
    refund = client.v1.refunds.create({"payment_intent": r.payment_intent["id"], "amount": 4000,
                                       "refund_application_fee": True}, opts)
    assert refund.amount == 4000 and refund.status == "succeeded"
    assert client.v1.refunds.retrieve(refund.id, options=opts).charge == r.charge["id"]
    with pytest.raises(stripe.InvalidRequestError) as err:
        client.v1.refunds.create({"charge": r.charge["id"], "amount": 999999}, opts)
    assert err.value.param == "amount"
    payout = client.v1.payouts.create({"amount": 2000, "currency": "usd"}, opts)
    assert payout.status == "paid"
    assert client.v1.payouts.retrieve(payout.id, options=opts).amount == 2000
    dp = fake.dispute(fake.pay(7000, "usd", provider).charge, "lost").dispute
    assert client.v1.disputes.retrieve(dp["id"], options=opts).status == "lost"
    bal = client.v1.balance.retrieve(options=opts)
    assert bal.object == "balance"
    # earned 10000 − 800, refunded 4000 (fee share 320 back), paid out 2000, 7000 − 560 charged back 7000
    assert fake.ledger.payable(provider) == 10000 - 800 - 4000 + 320 - 2000 + 7000 - 560 - 7000 == 2960
    with pytest.raises(stripe.InvalidRequestError) as err:
        client.v1.payouts.create({"amount": 2961, "currency": "usd"}, opts)
    assert (err.value.code, err.value.http_status) == ("balance_insufficient", 400)


def test_customers(client):
    cus = client.v1.customers.create({"email": "a@b.co", "metadata": {"user_id": "u1"}, "description": "vip"})
    got = client.v1.customers.retrieve(cus.id)
    assert got.email == "a@b.co" and got.metadata["user_id"] == "u1" and got.description == "vip"
    with pytest.raises(stripe.InvalidRequestError) as err:
        client.v1.customers.retrieve("cus_missing")
    assert err.value.http_status == 404 and "No such customer" in str(err.value)


def test_idempotency_replays_and_conflicts(fake, client, provider):
    opts = {"stripe_account": provider, "idempotency_key": "same-key"}
    params = {"amount": 5000, "currency": "usd", "metadata": {"booking_id": "b7"}}
    first = client.v1.payment_intents.create(params, opts)
    n = len(fake.events)
    again = client.v1.payment_intents.create(params, opts)
    assert again.id == first.id and len(fake.events) == n
    assert again.last_response.headers["Idempotent-Replayed"] == "true"
    with pytest.raises(stripe.IdempotencyError):
        client.v1.payment_intents.create({**params, "amount": 6000}, opts)
    # the same key on another account is another request
    other = fake.create_connected_account(enabled=True).account["id"]
    third = client.v1.payment_intents.create(params, {"stripe_account": other, "idempotency_key": "same-key"})
    assert third.id != first.id


def test_validation_errors_name_the_param_and_write_nothing(fake, client, provider):
    n = len(fake.events)
    opts = {"stripe_account": provider}
    for params, param in [
        ({"currency": "usd"}, "amount"),
        ({"amount": 5000}, "currency"),
        ({"amount": "lots", "currency": "usd"}, "amount"),
        ({"amount": 5000, "currency": "usd", "colour": "red"}, "colour"),
        ({"amount": 5000, "currency": "usd", "application_fee_amount": 9000}, "application_fee_amount"),
        ({"amount": 5000, "currency": "usd", "payment_method": "pm_bogus", "confirm": True}, "payment_method"),
    ]:
        with pytest.raises(stripe.InvalidRequestError) as err:
            client.v1.payment_intents.create(params, opts)
        assert err.value.param == param, params
    with pytest.raises(stripe.InvalidRequestError) as err:
        client.v1.payment_intents.create({"amount": 5000, "currency": "usd", "application_fee_amount": 1})
    assert err.value.param == "application_fee_amount"
    assert len(fake.events) == n


def test_injected_429_and_500(fake, server, provider):
    client = server.client()
    server.api.inject(429, path="/v1/events", times=1)
    with pytest.raises(stripe.RateLimitError):
        client.v1.events.list()
    assert client.v1.events.list().object == "list"
    server.api.inject(500, path="/v1/payment_intents", method="POST", times=1)
    with pytest.raises(stripe.APIError):
        client.v1.payment_intents.create({"amount": 5000, "currency": "usd"}, {"stripe_account": provider})
    assert fake.ledger.events_for(provider) == []


def test_sdk_retries_an_injected_500_with_its_idempotency_key(fake, server, provider, monkeypatch):
    client = server.client(max_network_retries=2)
    monkeypatch.setattr(stripe._http_client.HTTPClient, "_sleep_time_seconds", lambda self, n, r=None: 0)
    server.api.inject(500, path="/v1/payment_intents", method="POST", times=1)
    with deterministic_idempotency_keys(random.Random(1)):
        pi = client.v1.payment_intents.create({"amount": 5000, "currency": "usd"}, {"stripe_account": provider})
    assert pi.status == "requires_payment_method"
    assert [r["status"] for r in server.api.requests if r["path"] == "/v1/payment_intents"] == [500, 200]
    b = random.Random(1).getrandbits(128).to_bytes(16, "big")
    expected = f"{b[0:4].hex()}-{b[4:6].hex()}-{b[6:8].hex()}-{b[8:10].hex()}-{b[10:].hex()}"
    assert fake.ledger.events_for(provider)[0]["request"]["idempotency_key"] == expected


def test_auth_and_unknown_routes(server):
    bad = stripe.StripeClient("pk_live_nope", base_addresses={"api": server.url}, max_network_retries=0)
    with pytest.raises(stripe.AuthenticationError):
        bad.v1.events.list()
    req = urllib.request.Request(server.url + "/v1/teleports", headers={"Authorization": "Bearer sk_test_x"})
    with pytest.raises(urllib.error.HTTPError) as err:
        urllib.request.urlopen(req, timeout=5)
    assert err.value.code == 404
    body = json.loads(err.value.read())
    assert body["error"]["type"] == "invalid_request_error" and "not supported by marketplace-sim" in body["error"]["message"]


def test_unknown_stripe_account_header_is_403(client):
    with pytest.raises(stripe.PermissionError):
        client.v1.events.list(options={"stripe_account": "acct_1nothere000000"})


def test_form_decoding():
    assert forms.decode("metadata[booking_id]=b1&types[0]=a&types[1]=b&created[gte]=5&expand[]=x&expand[]=y") == {
        "metadata": {"booking_id": "b1"}, "types": ["a", "b"], "created": {"gte": "5"}, "expand": ["x", "y"]}
    assert forms.decode("a[b][c]=1") == {"a": {"b": {"c": "1"}}}
    assert forms.decode("") == {}


def test_handle_without_sockets(fake, provider):
    status, headers, body = fake.api.handle("GET", "/v1/events?limit=2", {"Authorization": "Bearer sk_test_x",
                                                                         "Stripe-Account": provider})
    assert status == 200 and headers["Request-Id"].startswith("req_")
    assert json.loads(body) == {"object": "list", "data": [], "has_more": False, "url": "/v1/events"}


def test_start_close_and_free_port(fake):
    fake.start()
    url = fake.url
    assert url.startswith("http://127.0.0.1:")
    fake.close()
    with pytest.raises(RuntimeError):
        _ = fake.url


def test_injected_timeout_over_http_drops_the_connection(fake, server, provider):
    client = server.client()
    server.api.inject("timeout", path="/v1/events", times=1)
    with pytest.raises(stripe.APIConnectionError):
        client.v1.events.list()
    assert client.v1.events.list().object == "list"
    assert [r["status"] for r in server.api.requests if r["path"] == "/v1/events"] == ["timeout", 200]


def test_injected_timeout_in_process_waits_the_sdks_timeout_on_virtual_time(fake, server, provider):
    from sim.stripe import inprocess

    inprocess.install()
    inprocess.serve(server.api)
    try:
        client = stripe.StripeClient("sk_test_x", base_addresses={"api": server.url}, max_network_retries=0)
        server.api.inject("timeout", path="/v1/payment_intents", method="POST", times=1)
        before = fake.clock.now()
        with pytest.raises(stripe.APIConnectionError) as err:
            client.v1.payment_intents.create({"amount": 5000, "currency": "usd"}, {"stripe_account": provider})
        assert (fake.clock.now() - before).total_seconds() == inprocess.DEFAULT_TIMEOUT_S
        assert err.value.should_retry is True and "Read timed out" in str(err.value)
        assert fake.ledger.events_for(provider) == []        # it never reached Stripe
        server.api.inject("timeout", path="/v1/payment_intents", method="POST", times=1, applied=True)
        with pytest.raises(stripe.APIConnectionError):
            client.v1.payment_intents.create({"amount": 5000, "currency": "usd"}, {"stripe_account": provider})
        created = [e["type"] for e in fake.ledger.events_for(provider)]
        assert created == ["payment_intent.created"]          # it took effect; only the answer was lost
        assert server.api.requests[-1]["answer"] == "lost"
    finally:
        inprocess.unserve(server.api)


def test_injected_timeout_waits_the_timeout_the_client_was_configured_with(fake, server, provider):
    from sim.stripe import inprocess

    inprocess.install()
    inprocess.serve(server.api)
    try:
        # as handlers/common/stripe_client.py builds it: its own HTTP client with STRIPE_TIMEOUT_SECONDS
        client = stripe.StripeClient("sk_test_x", base_addresses={"api": server.url}, max_network_retries=0,
                                     http_client=stripe.new_default_http_client(timeout=7))
        server.api.inject("timeout", path="/v1/payment_intents", method="POST", times=1)
        before = fake.clock.now()
        with pytest.raises(stripe.APIConnectionError) as err:
            client.v1.payment_intents.create({"amount": 5000, "currency": "usd"}, {"stripe_account": provider})
        assert (fake.clock.now() - before).total_seconds() == 7
        assert "read timeout=7" in str(err.value)
    finally:
        inprocess.unserve(server.api)


def test_applied_is_only_for_a_timeout():
    from sim.errors import InputError
    from sim.faults.stripe_api import StripeApiFault

    with pytest.raises(InputError, match="applied is for a timeout"):
        StripeApiFault(500, applied=True)
    with pytest.raises(InputError, match="or timeout"):
        StripeApiFault(418)
