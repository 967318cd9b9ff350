"""The list endpoints (customers, payment intents, charges, refunds, disputes, payouts, balance
transactions) with Stripe's filters and paging, updating a customer, through the real SDK; every
listed object validates against Stripe's OpenAPI schema."""

from __future__ import annotations

import pytest
import stripe

from sim.stripe import schema


def _opts(provider):
    return {"stripe_account": provider}


@pytest.fixture
def busy(fake, provider):
    """Four payments on the provider (one refunded, one disputed) and a payout."""
    paid = []
    for i in range(4):
        paid.append(fake.pay(1000 + i, "usd", provider, metadata={"bookingId": f"b{i}"}))
        fake.clock.advance(60)
    fake.refund(paid[0].charge)
    fake.dispute(paid[1].charge, outcome="lost")
    fake.payout(provider, 500, "usd")
    return paid


def test_lists_page_newest_first_and_validate(client, busy, provider):
    for resource, kind in (("charges", "charge"), ("payment_intents", "payment_intent"), ("refunds", "refund"),
                           ("disputes", "dispute"), ("payouts", "payout"),
                           ("balance_transactions", "balance_transaction")):
        page = getattr(client.v1, resource).list({"limit": 100}, _opts(provider))
        assert page.url == f"/v1/{resource}" and page.data, resource
        created = [o.created for o in page.data]
        assert created == sorted(created, reverse=True)
        for obj in page.data:
            assert schema.errors(obj.to_dict(), kind) == [], (kind, schema.errors(obj.to_dict(), kind)[:3])
    charges = client.v1.charges.list({"limit": 3}, _opts(provider))
    assert len(charges.data) == 3 and charges.has_more
    every = [c.id for c in charges.auto_paging_iter()]
    assert len(every) == 4 and len(set(every)) == 4
    assert every[-1] == busy[0].charge["id"]


def test_list_filters(client, busy, provider):
    first = busy[0]
    got = client.v1.charges.list({"payment_intent": first.payment_intent["id"]}, _opts(provider))
    assert [c.id for c in got.data] == [first.charge["id"]]
    assert [r.charge for r in client.v1.refunds.list({"charge": first.charge["id"]}, _opts(provider)).data] == \
        [first.charge["id"]]
    assert client.v1.refunds.list({"charge": busy[2].charge["id"]}, _opts(provider)).data == []
    assert [d.charge for d in client.v1.disputes.list({"payment_intent": busy[1].payment_intent["id"]},
                                                      _opts(provider)).data] == [busy[1].charge["id"]]
    payouts = client.v1.payouts.list({"status": "paid"}, _opts(provider)).data
    assert payouts and all(p.status == "paid" for p in payouts)
    txns = client.v1.balance_transactions.list({"type": "charge", "limit": 100}, _opts(provider)).data
    assert txns and all(t.type == "charge" for t in txns)
    since = busy[2].charge["created"]
    recent = client.v1.payment_intents.list({"created": {"gte": since}}, _opts(provider)).data
    assert {p.id for p in recent} == {busy[2].payment_intent["id"], busy[3].payment_intent["id"]}
    with pytest.raises(stripe.InvalidRequestError) as err:
        client.v1.charges.list({"colour": "red"}, _opts(provider))
    assert err.value.param == "colour"


def test_list_and_update_customers(client, fake):
    a = client.v1.customers.create({"email": "a@example.com", "name": "A"})
    client.v1.customers.create({"email": "b@example.com"})
    assert [c.id for c in client.v1.customers.list({"email": "a@example.com"}).data] == [a.id]
    assert len(client.v1.customers.list().data) == 2
    updated = client.v1.customers.update(a.id, {"name": "Ann", "metadata": {"tier": "gold"}})
    assert (updated.name, updated.metadata["tier"]) == ("Ann", "gold")
    assert schema.errors(updated.to_dict(), "customer") == []
    assert fake.ledger.events_for(None)[-1]["type"] == "customer.updated"
    with pytest.raises(stripe.InvalidRequestError) as err:
        client.v1.customers.update(a.id, {"shoe_size": "9"})
    assert err.value.param == "shoe_size"


def test_an_unsupported_endpoint_says_so(client):
    with pytest.raises(stripe.InvalidRequestError) as err:
        client.v1.invoices.list()
    assert "GET /v1/invoices is not supported by marketplace-sim's fake Stripe API" in str(err.value)
    assert err.value.code == "unsupported_by_fake"
