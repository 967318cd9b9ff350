"""Ledger.import_event / import_account / import_customer: recorded ids, the Events API, delivery."""

from __future__ import annotations

import json
import random

import pytest

from sim.clock import Clock
from sim.stripe.api import ApiServer
from sim.stripe.ledger import Ledger
from tests.replay.conftest import event


@pytest.fixture
def ledger():
    return Ledger(Clock("2026-02-17T09:00:00Z"), random.Random(3))


def get(ledger, path, account=None):
    headers = {"Authorization": "Bearer sk_test_x"}
    if account:
        headers["Stripe-Account"] = account
    status, _, body = ApiServer(ledger).handle("GET", path, headers)
    return status, json.loads(body)


def test_an_imported_event_is_listed_and_retrievable(ledger):
    acct = ledger.import_account("acct_1RecordedAcct01")["id"]
    ev = event(1, created=1_771_318_931, account=acct)
    ledger.import_event(ev, pending=1)
    status, page = get(ledger, "/v1/events?delivery_success=false", account=acct)
    assert status == 200 and [e["id"] for e in page["data"]] == ["evt_1"]
    assert get(ledger, "/v1/events/evt_1", account=acct)[1]["type"] == "payment_intent.succeeded"
    assert get(ledger, "/v1/payment_intents/pi_1", account=acct)[1]["amount"] == 12000
    assert get(ledger, "/v1/payment_intents/pi_1")[0] == 404  # on the connected account, like Stripe
    assert ledger.is_imported("evt_1") and json.loads(ledger.body("evt_1"))["id"] == "evt_1"
    ledger.delivered("evt_1")
    assert get(ledger, "/v1/events?delivery_success=false", account=acct)[1]["data"] == []


def test_later_imports_replace_the_object_version(ledger):
    ledger.import_event(event(1, created=100))
    later = event(2, "charge.refunded", created=200)
    later["data"]["object"] = {**later["data"]["object"], "id": "pi_1", "amount": 5}
    ledger.import_event(later)
    assert ledger.find("pi_1")["amount"] == 5
    assert ledger.event("evt_1")["data"]["object"]["amount"] == 12000


def test_imports_are_not_handed_to_the_channel_unless_asked(ledger):
    seen = []
    ledger.listeners.append(lambda ev, body: seen.append(ev["id"]))
    ledger.import_event(event(1))
    ledger.import_event(event(2), notify=True)
    assert seen == ["evt_2"]


@pytest.mark.parametrize("bad, message", [
    ({"id": "ch_1"}, "evt_"), ({"created": "x"}, "integer created"), ({"data": {}}, "data.object"),
    ({"account": "x"}, "acct_"),
])
def test_malformed_imports_are_refused(ledger, bad, message):
    with pytest.raises(ValueError, match=message):
        ledger.import_event({**event(1), **bad})


def test_a_second_import_of_one_id_is_refused(ledger):
    ledger.import_event(event(1))
    with pytest.raises(ValueError, match="already"):
        ledger.import_event(event(1))


def test_imported_accounts_and_customers_keep_their_ids(ledger):
    acct = ledger.import_account("acct_1RecordedAcct01", email="a@example.com")
    assert acct["charges_enabled"] and ledger.owner(acct["id"]) == acct["id"]
    assert ledger.import_account("acct_1RecordedAcct01") is ledger.find("acct_1RecordedAcct01")
    cus = ledger.import_customer("cus_RecordedCus001", email="c@example.com")
    assert cus["id"] == "cus_RecordedCus001" and cus["email"] == "c@example.com"
    with pytest.raises(ValueError):
        ledger.import_customer("acct_x")
