"""Every object type the fake Stripe generates validates against Stripe's OpenAPI schema."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from sim.stripe import schema
from sim.stripe.events import EVENT_TYPES
from sim.stripe.schemas import derive

REFERENCE = Path(__file__).resolve().parents[2].parent / "shared" / "reference" / "stripe"
GENERATED_KINDS = {"account", "application", "application_fee", "balance_transaction", "bank_account", "capability",
                   "charge", "checkout.session", "customer", "dispute", "event", "fee_refund", "payment_intent",
                   "payout", "person", "price", "product", "refund", "transfer", "transfer_reversal", "balance",
                   "account_link", "item"}


@pytest.fixture(scope="module")
def world():
    """A ledger that has been through every flow (module-scoped: built once)."""
    from sim.clock import Clock
    from sim.rng import Rng
    from sim.stripe import FakeStripe

    fake = FakeStripe(Clock("2026-03-02T09:00:00Z"), Rng(11).child("stripe"))
    for event_type in EVENT_TYPES:
        fake.trigger(event_type)
    fake.generate(60, advance=False)
    yield fake
    fake.close()


def _objects(fake):
    ledger = fake.ledger
    yield from ledger._objects.values()
    yield from ledger._capabilities.values()
    yield from ledger.events
    acct = next(a["id"] for a in ledger.objects("account")
                if a["id"] != ledger.platform_id and a["id"] not in ledger.deauthorized)
    yield ledger.balance(acct)
    yield ledger.account_link(acct)
    yield ledger.application
    for session in ledger.objects("checkout.session"):
        yield from ledger.checkout_line_items(session["id"])


def test_every_generated_object_validates(world):
    seen = set()
    problems = []
    for obj in _objects(world):
        seen.add(obj["object"])
        problems += schema.errors(obj)
    assert problems == []
    assert seen >= GENERATED_KINDS


def test_every_event_data_object_validates_against_its_own_schema(world):
    kinds = set()
    for event in world.events:
        inner = event["data"]["object"]
        kinds.add(inner["object"])
        assert schema.errors(inner) == [], event["type"]
    assert kinds >= {"payment_intent", "charge", "refund", "dispute", "payout", "application_fee", "account",
                     "capability", "person", "bank_account", "customer", "application", "checkout.session",
                     "product", "price", "transfer"}


def test_destination_payments_and_reversals_are_generated_and_validate(world):
    """The py_ payment, pyr_ refund and trr_ reversal of a destination charge are in the world."""
    ids = [o["id"] for o in world.ledger._objects.values()]
    for prefix in ("py_", "pyr_", "trr_", "cs_test_", "prod_", "price_"):
        assert any(i.startswith(prefix) for i in ids), prefix
    session = next(iter(world.ledger.objects("checkout.session")))
    assert schema.errors({**session, "status": "paid"})  # a wrong status is caught
    assert schema.errors({**session, "cancel_url": 5})


def test_api_error_shape_validates():
    from sim.stripe.errors import missing

    assert schema.errors(missing("charge", "ch_x").to_dict("req_1"), "error") == []


def test_wrong_types_and_statuses_are_caught(world):
    pi = next(o for o in world.ledger._objects.values() if o["object"] == "payment_intent")
    assert schema.errors({**pi, "status": "teleported"})
    assert schema.errors({**pi, "amount": "12"})
    charge = next(o for o in world.ledger._objects.values() if o["object"] == "charge")
    assert schema.errors({**charge, "refunds": None})
    event = next(e for e in world.events if e["type"] == "payment_intent.created")
    bad = {**event, "data": {"object": {**event["data"]["object"], "created": "yesterday"}}}
    assert any(p.startswith("event.data.") for p in schema.errors(bad))


def test_newer_extra_fields_are_allowed(world):
    charge = next(o for o in world.ledger._objects.values() if o["object"] == "charge")
    assert schema.errors({**charge, "a_field_from_2026": {"x": 1}}) == []


def test_derived_schemas_are_in_tree_and_compact():
    data = json.loads(schema.SCHEMA_FILE.read_text())
    assert set(data["roots"]) >= GENERATED_KINDS - {"balance"} | {"balance"}
    assert schema.SCHEMA_FILE.stat().st_size < 400_000
    assert '"nullable"' not in schema.SCHEMA_FILE.read_text()


@pytest.mark.skipif(not (REFERENCE / "spec3.json").exists(), reason="Stripe's spec is not beside the clone")
def test_derived_file_is_up_to_date_with_the_spec():
    spec = json.loads((REFERENCE / "spec3.json").read_text())
    assert derive.derive(spec) == json.loads(schema.SCHEMA_FILE.read_text())


@pytest.mark.skipif(not (REFERENCE / "fixtures3.json").exists(), reason="Stripe's fixtures are not beside the clone")
def test_stripe_fixtures_validate_with_the_derived_schemas():
    fixtures = json.loads((REFERENCE / "fixtures3.json").read_text())["resources"]
    for kind in schema.kinds():
        if kind in fixtures:
            assert schema.errors(fixtures[kind], kind) == [], kind
