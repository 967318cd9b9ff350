"""What a provider is owed for one booking, from Stripe's truth (not from our tables).

`owed(booking)` reads, on the provider's connected account, the booking's charge (through its
payment intent when the charge is not recorded yet), its application fee and its disputes:

    owed = charge.amount − charge.amount_refunded − (fee.amount − fee.amount_refunded)
           − the disputed funds Stripe withdrew + what it reinstated      (never below 0)

`allowance(account, currency)` caps a payout at the provider's whole position on Stripe (a
chargeback on one booking is taken from the others' earnings, as Stripe takes it from the
balance): the sum of the connected account's balance transactions in that currency — charges,
refunds, refunded application fees, disputed funds withdrawn and reinstated, payouts (the
marketplace's and any the provider made at Stripe directly) and their failures — each net of the
application fee it paid and not of Stripe's own fees (the marketplace does not charge providers
those). It is one paged list (`GET /v1/balance_transactions`, a page per 100 transactions), not
two reads per booking the provider ever had (which took longer than the function's timeout at
2,000 bookings), and a payout is right whatever order the refund, dispute and payment webhooks
arrived in, or whether they arrived at all. The disputed funds are the dispute's balance transactions (the
withdrawal is negative, a reinstatement after a won dispute positive), fees excluded. Stripe's
transient errors raise PaymentError (the caller retries later); a charge that is not succeeded
is owed nothing.
"""

from __future__ import annotations

from typing import Any

from handlers.common import stripe_client as stripe_factory
from handlers.common.appsync import PaymentError
from handlers.common.stripe_objects import object_id, plain


def _refused(exc) -> PaymentError:
    return PaymentError(f"Stripe refused to read the booking's payment: {getattr(exc, 'code', None)}")


def _call(fn, *args, **kwargs) -> dict[str, Any]:
    return stripe_factory.call_plain(fn, *args, refused=_refused, **kwargs)


def charge_of(booking: dict[str, Any]) -> dict[str, Any] | None:
    """The booking's charge on the provider's account (None when it has none yet)."""
    client, opts = stripe_factory.stripe_client(), {"stripe_account": booking.get("stripeAccountId")}
    charge_id = booking.get("chargeId")
    if not charge_id and booking.get("paymentIntentId"):
        pi = _call(client.v1.payment_intents.retrieve, booking["paymentIntentId"], options=opts)
        charge_id = object_id(pi.get("latest_charge"))
    if not charge_id:
        return None
    return _call(client.v1.charges.retrieve, charge_id, options=opts)


def disputed_net(charge: dict[str, Any], account: str | None) -> int:
    """Funds withdrawn by the charge's disputes minus funds reinstated (≥ 0 in practice)."""
    if not charge.get("disputed"):
        return 0
    listed = _call(stripe_factory.stripe_client().v1.disputes.list, params={"charge": charge["id"], "limit": 100},
                   options={"stripe_account": account})
    net = 0
    for dispute in listed.get("data") or []:
        for txn in dispute.get("balance_transactions") or []:
            if isinstance(txn, dict):
                net -= int(txn.get("amount") or 0)
    return net


def owed(booking: dict[str, Any]) -> int:
    """The provider's earnings on this booking that Stripe's balance can pay out now (≥ 0)."""
    return max(0, net(booking))


def net(booking: dict[str, Any]) -> int:
    """The booking's effect on the provider's Stripe balance (negative after a chargeback larger
    than what was left of the charge)."""
    charge = charge_of(booking) if booking.get("paymentIntentId") or booking.get("chargeId") else None
    if charge is None or charge.get("status") != "succeeded":
        return 0
    fee_id = object_id(charge.get("application_fee"))
    fee_left = 0
    if fee_id:
        fee = _call(stripe_factory.stripe_client().v1.application_fees.retrieve, fee_id)
        fee_left = int(fee.get("amount") or 0) - int(fee.get("amount_refunded") or 0)
    amount = int(charge.get("amount") or 0) - int(charge.get("amount_refunded") or 0)
    return amount - fee_left - disputed_net(charge, booking.get("stripeAccountId"))


def allowance(account: str, currency: str) -> int:
    """What the provider's Stripe balance allows paying out now in `currency` (can be negative
    after a chargeback): every balance transaction on the connected account, net of the
    application fee it paid."""
    client = stripe_factory.stripe_client()

    def listed() -> dict[str, Any]:
        pages = client.v1.balance_transactions.list(params={"currency": currency, "limit": 100},
                                                    options={"stripe_account": account})
        return {"data": [plain(txn) for txn in pages.auto_paging_iter()]}

    return sum(int(txn.get("amount") or 0) - _application_fee_paid(txn) for txn in _call(listed)["data"])


def _application_fee_paid(txn: dict[str, Any]) -> int:
    return sum(int(fee.get("amount") or 0) for fee in txn.get("fee_details") or []
               if isinstance(fee, dict) and fee.get("type") == "application_fee")
