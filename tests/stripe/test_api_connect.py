"""Destination charges through the real SDK: the transfer, the `py_` payment on the connected
account, the application fee taken back from it, refunds that reverse the transfer and refund the
fee, and the transfers list; every object validates against Stripe's OpenAPI schema."""

from __future__ import annotations

import pytest
import stripe

from sim.stripe import schema


def _opts(provider):
    return {"stripe_account": provider}


def _pending(fake, account):
    return fake.ledger.balance(account)["pending"][0]["amount"]


def _available(fake, account):
    return fake.ledger.balance(account)["available"][0]["amount"]


def _destination_charge(client, provider, amount=10000, fee=800, **extra):
    return client.v1.payment_intents.create({"amount": amount, "currency": "usd", "application_fee_amount": fee,
                                             "transfer_data": {"destination": provider},
                                             "payment_method": "pm_card_visa", "confirm": True, **extra})


def test_destination_charge_transfers_to_the_connected_account(client, fake, provider):
    before = _pending(fake, provider)
    pi = _destination_charge(client, provider)
    assert pi.status == "succeeded" and pi.transfer_data.destination == provider
    charge = client.v1.charges.retrieve(pi.latest_charge)
    assert charge.transfer_data.destination == provider and charge.transfer.startswith("tr_")
    assert charge.transfer_group == f"group_{pi.id}" and charge.application_fee.startswith("fee_")
    platform_events = fake.ledger.events_for(None)
    assert [e["type"] for e in platform_events[-5:]] == ["charge.succeeded", "payment_intent.succeeded",
                                                         "charge.updated", "transfer.created",
                                                         "application_fee.created"]
    transfer = platform_events[-2]["data"]["object"]
    # the whole amount is transferred; the fee comes back to the platform as an application fee
    assert (transfer["id"], transfer["amount"], transfer["destination"], transfer["source_transaction"]) == \
        (charge.transfer, 10000, provider, charge.id)
    for event in platform_events:
        assert schema.errors(event) == [], event["type"]
    assert _pending(fake, provider) == before + 9200
    txns = client.v1.balance_transactions.list({"type": "transfer"}).data
    assert [t.amount for t in txns] == [-10000] and txns[0].source == charge.transfer


def test_the_py_payment_lives_on_the_connected_account(client, fake, provider):
    pi = _destination_charge(client, provider)
    transfer = client.v1.transfers.retrieve(client.v1.charges.retrieve(pi.latest_charge).transfer)
    payment_id = transfer.destination_payment
    assert payment_id.startswith("py_")
    with pytest.raises(stripe.InvalidRequestError):  # not the platform's
        client.v1.charges.retrieve(payment_id)
    payment = client.v1.charges.retrieve(payment_id, options=_opts(provider))
    assert (payment.amount, payment.source_transfer, payment.payment_method_details.type) == \
        (10000, transfer.id, "stripe_account")
    assert schema.errors(payment.to_dict(), "charge") == []
    txn = client.v1.balance_transactions.retrieve(payment.balance_transaction, options=_opts(provider))
    assert (txn.type, txn.amount, txn.fee, txn.net, txn.source) == ("payment", 10000, 800, 9200, payment_id)
    assert [c.id for c in client.v1.charges.list(options=_opts(provider)).data] == [payment_id]


def test_destination_charge_fee_is_an_application_fee_object(client, fake, provider):
    pi = _destination_charge(client, provider, fee=750)
    charge = client.v1.charges.retrieve(pi.latest_charge)
    fees = client.v1.application_fees.list().data
    assert [f.id for f in fees] == [charge.application_fee]
    fee = fees[0]
    payment_id = client.v1.transfers.retrieve(charge.transfer).destination_payment
    assert (fee.amount, fee.account, fee.charge, fee.originating_transaction) == (750, provider, payment_id, charge.id)
    assert schema.errors(fee.to_dict(), "application_fee") == []
    assert [f.id for f in client.v1.application_fees.list({"charge": payment_id}).data] == [fee.id]
    txn = client.v1.balance_transactions.retrieve(fee.balance_transaction)
    assert (txn.type, txn.amount) == ("application_fee", 750)
    created = [e for e in fake.ledger.events_for(None) if e["type"] == "application_fee.created"]
    assert [e["data"]["object"]["id"] for e in created] == [fee.id]


def test_without_a_fee_there_is_no_application_fee(client, fake, provider):
    pi = client.v1.payment_intents.create({"amount": 5000, "currency": "usd",
                                           "transfer_data": {"destination": provider, "amount": 4000},
                                           "payment_method": "pm_card_visa", "confirm": True})
    charge = client.v1.charges.retrieve(pi.latest_charge)
    assert charge.application_fee is None and client.v1.application_fees.list().data == []
    assert client.v1.transfers.retrieve(charge.transfer).amount == 4000


def test_refund_reversing_the_transfer_and_refunding_the_fee(client, fake, provider):
    pi = _destination_charge(client, provider)
    charge = client.v1.charges.retrieve(pi.latest_charge)
    provider_before, platform_before = _available(fake, provider), _available(fake, None)
    refund = client.v1.refunds.create({"charge": charge.id, "amount": 4000, "reverse_transfer": True,
                                       "refund_application_fee": True})
    assert refund.transfer_reversal.startswith("trr_")
    types = [e["type"] for e in fake.ledger.events_for(None)[-4:]]
    assert types == ["refund.created", "charge.refunded", "transfer.reversed", "application_fee.refunded"]
    transfer = client.v1.transfers.retrieve(charge.transfer)
    assert (transfer.amount_reversed, transfer.reversed) == (4000, False)
    reversal = transfer.reversals.data[0]
    assert (reversal.id, reversal.amount, reversal.source_refund) == (refund.transfer_reversal, 4000, refund.id)
    assert reversal.destination_payment_refund.startswith("pyr_")
    assert schema.errors(reversal.to_dict(), "transfer_reversal") == []
    fee = client.v1.application_fees.retrieve(charge.application_fee)
    assert (fee.amount_refunded, fee.refunds.data[0].id[:3]) == (320, "fr_")  # 800 × 4000 / 10000
    # the connected account gives back the reversal and gets the refunded fee
    assert _available(fake, provider) == provider_before - 4000 + 320
    assert _available(fake, None) == platform_before - 4000 + 4000 - 320
    for event in fake.ledger.events_for(None):
        assert schema.errors(event) == [], event["type"]
    # the rest: the whole transfer and fee are reversed once the charge is fully refunded
    client.v1.refunds.create({"charge": charge.id, "reverse_transfer": True, "refund_application_fee": True})
    transfer = client.v1.transfers.retrieve(charge.transfer)
    assert (transfer.amount_reversed, transfer.reversed, len(transfer.reversals.data)) == (10000, True, 2)
    assert client.v1.application_fees.retrieve(charge.application_fee).refunded is True
    payment = client.v1.charges.retrieve(transfer.destination_payment, options=_opts(provider))
    assert (payment.amount_refunded, payment.refunded) == (10000, True)
    assert _pending(fake, provider) + _available(fake, provider) == 0
    reversals = client.v1.transfers.reversals.list(charge.transfer, {"limit": 1})
    assert reversals.has_more and reversals.url == f"/v1/transfers/{charge.transfer}/reversals"
    assert [r.amount for r in reversals.auto_paging_iter()] == [6000, 4000]
    fee_refunds = client.v1.application_fees.refunds.list(charge.application_fee)
    assert [r.amount for r in fee_refunds.data] == [480, 320]


def test_refund_without_reverse_transfer_leaves_the_transfer(client, fake, provider):
    pi = _destination_charge(client, provider)
    charge = client.v1.charges.retrieve(pi.latest_charge)
    refund = client.v1.refunds.create({"charge": charge.id})
    assert refund.transfer_reversal is None
    assert client.v1.transfers.retrieve(charge.transfer).amount_reversed == 0
    assert "transfer.reversed" not in [e["type"] for e in fake.ledger.events]
    with pytest.raises(stripe.InvalidRequestError) as err:
        client.v1.refunds.create({"charge": charge.id, "reverse_transfer": "maybe"})
    assert err.value.param == "reverse_transfer"


def test_transfers_list_filters_and_pages(client, fake, provider):
    other = fake.create_connected_account(enabled=True).account["id"]
    ids = []
    for n, dest in enumerate((provider, other, provider)):
        pi = _destination_charge(client, dest, amount=2000 + n, fee=100)
        ids.append(client.v1.charges.retrieve(pi.latest_charge).transfer)
        fake.clock.advance(60)
    page = client.v1.transfers.list()
    assert page.url == "/v1/transfers" and [t.id for t in page.data] == ids[::-1]
    for transfer in page.data:
        assert schema.errors(transfer.to_dict(), "transfer") == []
    assert [t.id for t in client.v1.transfers.list({"destination": provider}).data] == [ids[2], ids[0]]
    first = client.v1.transfers.list({"limit": 1})
    assert first.has_more and [t.id for t in first.data] == [ids[2]]
    assert [t.id for t in first.auto_paging_iter()] == ids[::-1]
    since = client.v1.transfers.retrieve(ids[1]).created
    assert [t.id for t in client.v1.transfers.list({"created": {"gte": since}}).data] == [ids[2], ids[1]]
    group = client.v1.charges.retrieve(client.v1.transfers.retrieve(ids[0]).source_transaction).transfer_group
    assert [t.id for t in client.v1.transfers.list({"transfer_group": group}).data] == [ids[0]]
    with pytest.raises(stripe.InvalidRequestError) as err:
        client.v1.transfers.retrieve("tr_nope")
    assert err.value.code == "resource_missing"
    with pytest.raises(stripe.InvalidRequestError) as err:
        client.v1.transfers.list({"colour": "red"})
    assert err.value.param == "colour"


def test_destination_charge_refusals(client, fake, provider):
    with pytest.raises(stripe.InvalidRequestError) as err:
        client.v1.payment_intents.create({"amount": 1000, "currency": "usd",
                                          "transfer_data": {"destination": provider}}, _opts(provider))
    assert err.value.param == "transfer_data"
    with pytest.raises(stripe.InvalidRequestError) as err:
        client.v1.payment_intents.create({"amount": 1000, "currency": "usd",
                                          "transfer_data": {"destination": provider, "amount": 2000}})
    assert err.value.param == "transfer_data[amount]"
    pending = fake.create_connected_account(enabled=False).account["id"]
    with pytest.raises(stripe.InvalidRequestError) as err:
        client.v1.payment_intents.create({"amount": 1000, "currency": "usd", "transfer_data": {"destination": pending}})
    assert err.value.param == "transfer_data[destination]"
