"""Products, prices and Checkout sessions through the real SDK: create, retrieve, list (filters
and paging), pay a session (the fake's test helper) or expire it, and the events they emit; every
object validates against Stripe's OpenAPI schema."""

from __future__ import annotations

import json

import pytest
import stripe

from sim.stripe import schema

URLS = {"success_url": "https://marketplace.example/ok", "cancel_url": "https://marketplace.example/back"}


def _opts(provider):
    return {"stripe_account": provider}


def _plain(obj) -> dict:
    """An SDK object as the API sent it (the SDK turns `unit_amount_decimal` into a Decimal)."""
    return json.loads(json.dumps(obj.to_dict(), default=str))


def _complete(client, session_id, provider=None, **params):
    """The fake's test helper: the customer pays on the hosted page."""
    headers = {"stripe_account": provider} if provider else {}
    raw = client.raw_request("post", f"/v1/test_helpers/checkout/sessions/{session_id}/complete", **params,
                             **headers)
    return json.loads(raw.body)


def test_products_and_prices_create_retrieve_list(client, fake):
    product = client.v1.products.create({"name": "Deep clean", "description": "Three hours",
                                         "metadata": {"serviceId": "s1"}})
    assert product.id.startswith("prod_") and product.active is True
    price = client.v1.prices.create({"currency": "usd", "unit_amount": 12000, "product": product.id})
    assert (price.product, price.unit_amount, price.type, str(price.unit_amount_decimal)) == \
        (product.id, 12000, "one_time", "12000")
    inline = client.v1.prices.create({"currency": "eur", "unit_amount": 900, "product_data": {"name": "Callout"}})
    assert client.v1.products.retrieve(inline.product).name == "Callout"
    assert client.v1.prices.retrieve(price.id).id == price.id
    for obj, kind in ((product, "product"), (price, "price"), (inline, "price")):
        assert schema.errors(_plain(obj), kind) == []
    types = [e["type"] for e in fake.ledger.events_for(None)]
    assert types == ["product.created", "price.created", "product.created", "price.created"]
    assert [p.id for p in client.v1.prices.list({"product": product.id}).data] == [price.id]
    assert [p.id for p in client.v1.prices.list({"currency": "eur"}).data] == [inline.id]
    assert len(client.v1.products.list({"active": True}).data) == 2
    assert client.v1.products.list({"active": False}).data == []
    page = client.v1.prices.list({"limit": 1})
    assert page.has_more and [p.id for p in page.auto_paging_iter()] == [inline.id, price.id]


def test_catalog_refusals(client):
    with pytest.raises(stripe.InvalidRequestError) as err:
        client.v1.products.create({})
    assert err.value.param == "name"
    with pytest.raises(stripe.InvalidRequestError) as err:
        client.v1.prices.create({"currency": "usd", "unit_amount": 100})
    assert err.value.param == "product"
    with pytest.raises(stripe.InvalidRequestError) as err:
        client.v1.prices.create({"currency": "usd", "unit_amount": 100, "product": "prod_missing"})
    assert (err.value.code, err.value.param) == ("resource_missing", "product")
    with pytest.raises(stripe.InvalidRequestError) as err:
        client.v1.prices.create({"currency": "usd", "unit_amount": 100, "product_data": {"name": "x"},
                                 "recurring": {"interval": "month"}})
    assert err.value.param == "recurring" and "not supported by this fake" in str(err.value)
    with pytest.raises(stripe.InvalidRequestError) as err:
        client.v1.products.create({"name": "x", "colour": "red"})
    assert err.value.param == "colour"


def test_checkout_session_create_pay_and_complete_event(client, fake, provider):
    price = client.v1.prices.create({"currency": "usd", "unit_amount": 6000, "product_data": {"name": "Plumbing"}})
    session = client.v1.checkout.sessions.create({
        "mode": "payment", **URLS, "client_reference_id": "b1", "metadata": {"bookingId": "b1"},
        "line_items": [{"price": price.id, "quantity": 2},
                       {"price_data": {"currency": "usd", "unit_amount": 1500, "product_data": {"name": "Parts"}},
                        "quantity": 1}],
        "payment_intent_data": {"application_fee_amount": 1080, "transfer_data": {"destination": provider},
                                "metadata": {"bookingId": "b1"}}})
    assert session.id.startswith("cs_test_") and len(session.id) == len("cs_test_") + 58
    assert (session.status, session.payment_status, session.amount_total, session.payment_intent) == \
        ("open", "unpaid", 13500, None)
    assert session.url.startswith(f"https://checkout.stripe.com/c/pay/{session.id}#")
    assert schema.errors(session.to_dict(), "checkout.session") == []
    items = client.v1.checkout.sessions.line_items.list(session.id)
    assert [(i.description, i.quantity, i.amount_total) for i in items.data] == \
        [("Plumbing", 2, 12000), ("Parts", 1, 1500)]
    for item in items.data:
        assert schema.errors(_plain(item), "item") == []
    assert not [e for e in fake.ledger.events if e["type"].startswith("checkout.")]  # none until paid

    paid = _complete(client, session.id)
    assert (paid["status"], paid["payment_status"]) == ("complete", "paid")
    assert paid["customer_details"]["email"] and paid["url"] is None
    pi = client.v1.payment_intents.retrieve(paid["payment_intent"])
    assert (pi.status, pi.amount, pi.application_fee_amount, pi.metadata["bookingId"]) == \
        ("succeeded", 13500, 1080, "b1")
    assert pi.transfer_data.destination == provider
    types = [e["type"] for e in fake.ledger.events_for(None)]
    assert types[-7:] == ["payment_intent.created", "charge.succeeded", "payment_intent.succeeded", "charge.updated",
                          "transfer.created", "application_fee.created", "checkout.session.completed"]
    completed = fake.ledger.events_for(None)[-1]
    assert completed["data"]["object"]["id"] == session.id and schema.errors(completed) == []
    retrieved = client.v1.checkout.sessions.retrieve(session.id)
    assert retrieved.status == "complete" and retrieved.payment_intent == pi.id
    with pytest.raises(stripe.InvalidRequestError):
        _complete(client, session.id)  # already paid


def test_a_declined_card_leaves_the_session_open(client, fake):
    session = client.v1.checkout.sessions.create({"mode": "payment", **URLS, "line_items": [
        {"price_data": {"currency": "usd", "unit_amount": 2500, "product_data": {"name": "Tutor"}}, "quantity": 1}]})
    answer = _complete(client, session.id, outcome="failed")
    assert (answer["status"], answer["payment_status"]) == ("open", "unpaid")
    assert fake.ledger.events_for(None)[-1]["type"] == "payment_intent.payment_failed"
    again = _complete(client, session.id)  # a second attempt succeeds, on the same payment intent
    assert again["status"] == "complete" and again["payment_intent"] == answer["payment_intent"]
    assert client.v1.payment_intents.retrieve(again["payment_intent"]).status == "succeeded"
    assert len(client.v1.payment_intents.list().data) == 1


def test_expire_and_list_sessions(client, fake, provider):
    line = [{"price_data": {"currency": "usd", "unit_amount": 4000, "product_data": {"name": "Walk"}}, "quantity": 1}]
    customer = client.v1.customers.create({"email": "c@example.com"}, _opts(provider))
    first = client.v1.checkout.sessions.create({"mode": "payment", **URLS, "line_items": line,
                                                "customer": customer.id}, _opts(provider))
    fake.clock.advance(60)
    second = client.v1.checkout.sessions.create({"mode": "payment", **URLS, "line_items": line}, _opts(provider))
    expired = client.v1.checkout.sessions.expire(second.id, options=_opts(provider))
    assert (expired.status, expired.url) == ("expired", None)
    event = fake.ledger.events_for(provider)[-1]
    assert (event["type"], event["account"], event["data"]["object"]["id"]) == \
        ("checkout.session.expired", provider, second.id)
    paid = _complete(client, first.id, provider)
    assert client.v1.payment_intents.retrieve(paid["payment_intent"], options=_opts(provider)).customer == customer.id
    sessions = client.v1.checkout.sessions.list(options=_opts(provider))
    assert sessions.url == "/v1/checkout/sessions" and [s.id for s in sessions.data] == [second.id, first.id]
    assert [s.id for s in client.v1.checkout.sessions.list({"status": "expired"}, _opts(provider)).data] == [second.id]
    assert [s.id for s in client.v1.checkout.sessions.list({"customer": customer.id}, _opts(provider)).data] == \
        [first.id]
    assert [s.id for s in client.v1.checkout.sessions.list({"payment_intent": paid["payment_intent"]},
                                                           _opts(provider)).data] == [first.id]
    assert client.v1.checkout.sessions.list().data == []  # the platform sees none of the provider's
    with pytest.raises(stripe.InvalidRequestError):
        client.v1.checkout.sessions.expire(second.id, options=_opts(provider))  # already expired
    for session in sessions.data:
        assert schema.errors(session.to_dict(), "checkout.session") == []


def test_checkout_session_refusals(client, provider):
    item = {"price_data": {"currency": "usd", "unit_amount": 1000, "product_data": {"name": "x"}}, "quantity": 1}
    cases = [
        ({"mode": "subscription", "line_items": [item]}, "mode"),
        ({"mode": "payment"}, "line_items"),
        ({"mode": "payment", "line_items": [{"price_data": item["price_data"]}]}, "line_items[0][quantity]"),
        ({"mode": "payment", "line_items": [{"quantity": 1}]}, "line_items[0][price]"),
        ({"mode": "payment", "line_items": [{"price": "price_missing", "quantity": 1}]}, "line_items[0][price]"),
        ({"mode": "payment", "line_items": [{**item, "colour": "red"}]}, "line_items[0][colour]"),
        ({"mode": "payment", "line_items": [item, {**item, "price_data": {**item["price_data"], "currency": "eur"}}]},
         "line_items"),
        ({"mode": "payment", "line_items": [item], "payment_intent_data": {"application_fee_amount": 100}},
         "payment_intent_data[application_fee_amount]"),
        ({"mode": "payment", "line_items": [item], "payment_intent_data": {"setup_future_usage": "on_session"}},
         "payment_intent_data[setup_future_usage]"),
        ({"mode": "payment", "line_items": [item], "expires_at": 1}, "expires_at"),
    ]
    for params, param in cases:
        with pytest.raises(stripe.InvalidRequestError) as err:
            client.v1.checkout.sessions.create(params)
        assert err.value.param == param, (params, err.value.param, str(err.value))
    assert client.v1.checkout.sessions.list().data == []  # nothing written by a refused create


def test_harness_operations_complete_and_expire(fake, provider):
    session = fake.create_checkout_session(
        line_items=[{"price_data": {"currency": "usd", "unit_amount": 3000, "product_data": {"name": "Yoga"}},
                     "quantity": 2}], account=provider).checkout_session
    done = fake.complete_checkout_session(session["id"])
    assert done.types[-1] == "checkout.session.completed" and done.charge["amount"] == 6000
    assert "application_fee" not in done.objects  # no payment_intent_data: no fee
    assert fake.trigger("checkout.session.expired").types == ["checkout.session.expired"]
    assert fake.trigger("checkout.session.completed").types[-1] == "checkout.session.completed"
