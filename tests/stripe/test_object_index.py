"""The ledger's object index (`sim/stripe/object_index.py`): a filtered listing and a payout's
`payable` read through it give exactly what a scan of every object gives, in the same order,
after any flows, rolled-back operations and owner changes."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sim.clock import Clock
from sim.rng import Rng
from sim.stripe import FakeStripe
from sim.stripe.errors import StripeError
from sim.stripe.generate import FLOWS, Generator
from sim.stripe.object_index import ObjectIndex
from sim.stripe.payable import payable
from tests.stripe.conftest import START, played

SETTINGS = settings(max_examples=20, deadline=None, suppress_health_check=list(HealthCheck))


def scanned(ledger, kind, account):
    """What `objects(kind, account)` was before the index: every object, filtered."""
    return [o for i, o in ledger._objects.items()
            if (kind is None or o["object"] == kind) and (account is None or ledger._owner[i] == account)]


def assert_index_agrees(ledger):
    kinds = sorted({o["object"] for o in ledger._objects.values()}) + ["no_such_kind", None]
    accounts = sorted(set(ledger._owner.values())) + ["acct_nobody", None]
    for kind in kinds:
        for account in accounts:
            assert ledger.objects(kind, account) == scanned(ledger, kind, account), (kind, account)
    for account in ledger._owner.values():
        if account == ledger.platform_id:
            continue
        for currency in ("usd", "eur"):
            assert ledger.payable(account, currency) == payable(ledger._objects, ledger._owner, account, currency)


def _rolled_back_put(ledger, owner):
    """An operation that stores new objects and then fails: the journal takes them back."""
    now = ledger.now()
    with pytest.raises(RuntimeError), ledger._atomic():
        ledger._put(ledger.factory.payout(now, owner, amount=5, currency="usd", destination=None, metadata={},
                                          description=None, method="standard", balance_transaction=None), owner)
        raise RuntimeError("half-way")


@SETTINGS
@given(seed=st.integers(0, 2**16), flows=st.lists(st.sampled_from(FLOWS), min_size=1, max_size=14),
       rollbacks=st.lists(st.integers(0, 13), max_size=4))
def test_listings_and_payable_through_the_index_equal_a_full_scan(seed, flows, rollbacks):
    fake = FakeStripe(Clock(START), Rng(seed).child("stripe"))
    gen = Generator(fake.ledger, Rng(seed).child("gen"), advance=fake.advance)
    for step, flow in enumerate(flows):
        try:
            getattr(gen, f"_{flow}")()
        except StripeError:
            pass  # a refused call changes nothing (validated first, or rolled back)
        if step in rollbacks:
            owners = sorted(set(fake.ledger._owner.values()))
            _rolled_back_put(fake.ledger, owners[step % len(owners)])
        fake.advance(gen.rng.uniform(1, 30))
    assert_index_agrees(fake.ledger)


def test_a_rolled_back_object_leaves_the_index_and_a_later_one_keeps_the_ledger_order():
    fake = FakeStripe(Clock(START), Rng(1).child("stripe"))
    ledger = fake.ledger
    provider = fake.create_connected_account(enabled=True).account["id"]
    before = ledger.objects("payout", provider)
    _rolled_back_put(ledger, provider)
    assert ledger.objects("payout", provider) == before == []
    fake.pay(12000, "usd", provider)
    fake.payout(provider, 100)
    assert [p["amount"] for p in ledger.objects("payout", provider)] == [100]
    assert_index_agrees(ledger)


def test_an_object_stored_again_under_another_owner_moves_back_to_its_first_place():
    order = {"a": 0, "b": 1, "c": 2}
    index = ObjectIndex(order)
    index.add("a", "charge", "acct_1", None)
    index.add("b", "charge", "acct_2", None)
    index.add("c", "charge", "acct_2", None)
    index.add("a", "charge", "acct_2", "acct_1")
    assert list(index.ids(None, "acct_2")) == ["a", "b", "c"]
    assert list(index.ids(None, "acct_1")) == []
    assert list(index.ids("charge")) == ["a", "b", "c"]
    index.drop("b", "charge", "acct_2")
    assert list(index.ids("charge", "acct_2")) == ["a", "c"]
    assert index.ids() is None


def test_the_index_is_what_the_ledger_reads(monkeypatch):
    """Break the index on purpose: a listing and payable follow it (so the equality above is
    a real check, not a scan in disguise)."""
    fake = FakeStripe(Clock(START), Rng(2).child("stripe"))
    provider = fake.create_connected_account(enabled=True).account["id"]
    fake.pay(12000, "usd", provider)
    ledger = fake.ledger
    assert ledger.payable(provider) == 11040
    monkeypatch.setattr(ledger._index, "ids", lambda kind=None, owner=None: {})
    assert ledger.objects("charge", provider) == [] != scanned(ledger, "charge", provider)
    assert ledger.payable(provider) == 0


@SETTINGS
@given(seed=st.integers(0, 2**16), flows=st.lists(st.sampled_from(FLOWS), min_size=1, max_size=10),
       threshold=st.integers(0, 20000))
def test_latest_is_the_last_object_of_a_scan_that_passes(seed, flows, threshold):
    fake = played(seed, flows, pause=False)
    for kind in ("payment_intent", "charge", "no_such_kind"):
        def test(o):
            return int(o.get("amount") or 0) >= threshold
        passing = [o for o in scanned(fake.ledger, kind, None) if test(o)]
        assert fake.ledger.latest(kind, test) == (passing[-1] if passing else None)
