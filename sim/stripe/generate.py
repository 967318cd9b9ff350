"""Generate a realistic mix of marketplace activity: every flow, until N events exist.

Used by `sim stripe serve --generate N`, the benchmark and the property tests. Providers are
onboarded Connect accounts (some rejected), customers pay for bookings whose metadata carries
booking, customer, provider and service ids; some payments fail, need authentication (then
succeed or are canceled), are refunded (fully, partially, with or without the application fee,
or the refund fails), disputed (won or lost); providers are paid out (paid, failed, paid then
failed, canceled). `advance(seconds)` moves virtual time between operations (so deliveries and
retries interleave with new activity).
"""

from __future__ import annotations

import random
import uuid
from collections.abc import Callable

from sim.stripe.ops import OpResult

FLOWS = ("pay", "pay_failed", "pay_3ds_then_succeed", "pay_3ds_then_cancel", "refund_full", "refund_partial",
         "refund_with_fee", "refund_failed", "dispute_won", "dispute_lost", "dispute_open", "onboard_enabled",
         "onboard_rejected", "payout_paid", "payout_failed", "payout_paid_then_failed", "payout_canceled",
         "customer")
WEIGHTS = (30, 4, 3, 2, 4, 3, 3, 1, 2, 2, 1, 3, 1, 4, 1, 1, 1, 3)
CURRENCIES = (("usd", "US", 8), ("eur", "DE", 1), ("gbp", "GB", 1))


class Generator:
    def __init__(self, ledger, rng: random.Random, advance: Callable[[float], None] | None = None):
        self.ledger = ledger
        self.rng = rng
        self.advance = advance or (lambda s: None)
        self.providers: list[dict] = []
        self.customers: list[dict] = []
        self.charges: list[str] = []

    def booking_metadata(self, provider: str, customer: str) -> dict:
        return {"booking_id": str(uuid.UUID(int=self.rng.getrandbits(128), version=4)),
                "customer_id": customer, "provider_id": provider,
                "service_id": str(uuid.UUID(int=self.rng.getrandbits(128), version=4))}

    def run(self, n_events: int, *, gap_s: tuple[float, float] = (5, 600)) -> list[OpResult]:
        """Operations until at least `n_events` events were emitted; every flow appears once
        `n_events` is large enough (the first operations walk through FLOWS in order)."""
        results: list[OpResult] = []
        start = len(self.ledger.events)
        step = 0
        while len(self.ledger.events) - start < n_events:
            flow = FLOWS[step] if step < len(FLOWS) else self.rng.choices(FLOWS, WEIGHTS)[0]
            step += 1
            result = getattr(self, f"_{flow}")()
            results.append(result)
            self.advance(self.rng.uniform(*gap_s))
        return results

    # -- building blocks --------------------------------------------------------------------
    def _provider(self) -> dict:
        if len(self.providers) < 3 or self.rng.random() < 0.05:
            currency, country, _ = self.rng.choices(CURRENCIES, [c[2] for c in CURRENCIES])[0]
            acct = self.ledger.create_connected_account(country=country, enabled=True).account
            self.providers.append({"id": acct["id"], "currency": currency})
        return self.rng.choice(self.providers)

    def _customer_id(self) -> str:
        if len(self.customers) < 5 or self.rng.random() < 0.1:
            self.customers.append(self.ledger.create_customer().customer)
        return self.rng.choice(self.customers)["id"]

    def _pay(self, outcome: str = "succeeded", provider: dict | None = None, amount: int | None = None) -> OpResult:
        provider = provider or self._provider()
        customer = self._customer_id()
        amount = amount or self.rng.randrange(25, 500) * 100
        result = self.ledger.pay(amount, provider["currency"], provider["id"],
                                 metadata=self.booking_metadata(provider["id"], customer), customer=customer,
                                 outcome=outcome, description="Service booking")
        if outcome == "succeeded":
            self.charges.append(result.charge["id"])
        return result

    def _succeeded_charge(self) -> tuple[OpResult, str]:
        result = self._pay()
        return result, result.charge["id"]

    # -- flows ------------------------------------------------------------------------------
    def _pay_failed(self):
        return self._pay("failed")

    def _pay_3ds_then_succeed(self):
        result = self._pay("requires_action")
        return _merge(result, self.ledger.confirm(result.payment_intent["id"]))

    def _pay_3ds_then_cancel(self):
        result = self._pay("requires_action")
        return _merge(result, self.ledger.cancel(result.payment_intent["id"], "abandoned"))

    def _refund(self, **kwargs):
        result, charge = self._succeeded_charge()
        return _merge(result, self.ledger.refund(charge, **kwargs))

    def _refund_full(self):
        return self._refund()

    def _refund_partial(self):
        result, charge = self._succeeded_charge()
        amount = result.charge["amount"] // 2
        return _merge(result, self.ledger.refund(charge, amount=amount))

    def _refund_with_fee(self):
        return self._refund(refund_application_fee=True, reason="requested_by_customer")

    def _refund_failed(self):
        return self._refund(outcome="failed")

    def _dispute_won(self):
        result, charge = self._succeeded_charge()
        return _merge(result, self.ledger.dispute(charge, "won"))

    def _dispute_lost(self):
        result, charge = self._succeeded_charge()
        return _merge(result, self.ledger.dispute(charge, "lost", reason="product_not_received"))

    def _dispute_open(self):
        result, charge = self._succeeded_charge()
        return _merge(result, self.ledger.dispute(charge))

    def _onboard(self, outcome):
        acct = self.ledger.create_connected_account().account
        return self.ledger.onboard(acct["id"], outcome)

    def _onboard_enabled(self):
        return self._onboard("enabled")

    def _onboard_rejected(self):
        return self._onboard("rejected")

    def _payout(self, outcome):
        """A payout the provider's balance covers (Stripe refuses one above it): a payment first when short."""
        provider = self._provider()
        amount = self.rng.randrange(10, 200) * 100
        short = amount - self.ledger.payable(provider["id"], provider["currency"])  # < 0 after a chargeback
        if short > 0:
            paid = self._pay(provider=provider, amount=2 * short)  # the application fee is 8 %
            return _merge(paid, self.ledger.payout(provider["id"], amount, provider["currency"], outcome=outcome))
        return self.ledger.payout(provider["id"], amount, provider["currency"], outcome=outcome)

    def _payout_paid(self):
        return self._payout("paid")

    def _payout_failed(self):
        return self._payout("failed")

    def _payout_paid_then_failed(self):
        return self._payout("paid_then_failed")

    def _payout_canceled(self):
        return self._payout("canceled")

    def _customer(self):
        return self.ledger.create_customer(metadata={"user_id": str(uuid.UUID(int=self.rng.getrandbits(128),
                                                                              version=4))})


def _merge(a: OpResult, b: OpResult) -> OpResult:
    a.objects.update(b.objects)
    a.events.extend(b.events)
    return a
