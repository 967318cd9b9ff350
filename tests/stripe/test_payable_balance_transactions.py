"""A connected account's balance transactions, each net of the application fee it paid, add up to
what the fake lets it pay out (`sim/stripe/payable.py`) after any flows: payout-manager's
`earnings.allowance` reads that list, so it and the fake's `balance_insufficient` judge one
model (charges, refunds, refunded fees, disputes, payouts and their failures)."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from handlers.common.earnings import _application_fee_paid
from sim.clock import Clock
from sim.rng import Rng
from sim.stripe import FakeStripe
from sim.stripe.generate import FLOWS
from tests.stripe.conftest import START, played

SETTINGS = settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck))


def position(ledger, account: str, currency: str) -> int:
    """What `earnings.allowance` sums: the account's balance transactions, application fees out."""
    return sum(t["amount"] - _application_fee_paid(t) for t in ledger.objects("balance_transaction", account)
               if t["currency"] == currency)


def connected(ledger) -> list[str]:
    return sorted({a for a in ledger._owner.values() if a != ledger.platform_id})


@SETTINGS
@given(seed=st.integers(0, 2**16), flows=st.lists(st.sampled_from(FLOWS), min_size=1, max_size=16))
def test_balance_transactions_net_of_application_fees_are_what_may_be_paid_out(seed, flows):
    fake = played(seed, flows)
    for account in connected(fake.ledger):
        for currency in ("usd", "eur"):
            assert position(fake.ledger, account, currency) == fake.ledger.payable(account, currency), account


def test_a_refunded_application_fee_goes_back_to_the_direct_charges_account():
    """The case the equality above caught: a direct charge's fee refund left no balance
    transaction on the connected account, so the account's list under-counted by the fee."""
    fake = FakeStripe(Clock(START), Rng(3).child("stripe"))
    provider = fake.create_connected_account(enabled=True).account["id"]
    charge = fake.pay(12000, "usd", provider, application_fee_amount=960).objects["charge"]
    fake.refund(charge["id"], amount=6000, refund_application_fee=True)
    kinds = [t["type"] for t in fake.ledger.objects("balance_transaction", provider)]
    assert kinds == ["charge", "refund", "application_fee_refund"]
    assert position(fake.ledger, provider, "usd") == fake.ledger.payable(provider, "usd") == 12000 - 960 - 6000 + 480


def test_the_stripe_fees_are_not_what_is_netted_out():
    """The rule takes out application fees only: netting every fee (Stripe's processing fee too)
    would no longer equal what the fake lets the account pay out."""
    fake = FakeStripe(Clock(START), Rng(4).child("stripe"))
    provider = fake.create_connected_account(enabled=True).account["id"]
    fake.pay(12000, "usd", provider, application_fee_amount=960)
    txns = fake.ledger.objects("balance_transaction", provider)
    assert sum(t["net"] for t in txns) != fake.ledger.payable(provider, "usd") == position(fake.ledger, provider, "usd")
