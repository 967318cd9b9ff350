"""`trigger(event_type)`: run the flow that makes Stripe emit an event type, like `stripe trigger`.

Each supported type maps to the shortest causal chain containing it (a payment for
`charge.succeeded`, a payment then a refund for `charge.refunded`, a Checkout session then its
payment for `checkout.session.completed`, …); unknown types fail with the list of supported ones (a
payout on an account that has not earned its amount yet is preceded by a payment, as Stripe
refuses it otherwise). Keyword arguments go to the payment (amount, currency, account, metadata,
customer, …) or, for account and payout flows, to those operations.
"""

from __future__ import annotations

from sim.stripe import events
from sim.stripe.errors import UnknownName
from sim.stripe.ops import OpResult

FAILED = {"payment_intent.payment_failed", "charge.failed"}
REFUND = {"refund.created", "charge.refunded"}
REFUND_FAILED = {"refund.updated", "refund.failed"}
DISPUTE_OPEN = {"charge.dispute.created", "charge.dispute.funds_withdrawn"}
DISPUTE_LOST = {"charge.dispute.updated", "charge.dispute.closed"}

SUPPORTED = tuple(sorted(events.EVENT_TYPES))


def _merge(total: OpResult, part: OpResult) -> OpResult:
    total.objects.update(part.objects)
    total.events.extend(part.events)
    return total


def trigger(ledger, event_type: str, **kwargs) -> OpResult:
    if event_type not in SUPPORTED:
        raise UnknownName("event type", event_type, SUPPORTED)
    with ledger.lock, ledger._atomic():
        return _run(ledger, event_type, kwargs)


def _account(ledger, kwargs) -> str:
    if kwargs.get("account") is not None:
        return kwargs.pop("account")
    kwargs.pop("account", None)
    return ledger.create_connected_account(enabled=True).account["id"]


def _run(ledger, t: str, kw: dict) -> OpResult:
    out = OpResult()
    if t.startswith(("account.", "capability.", "person.")):
        outcome = kw.pop("outcome", "enabled")
        acct = _merge(out, ledger.create_connected_account(**kw)).account["id"]
        if t == "account.application.deauthorized":
            return _merge(out, ledger.deauthorize(acct))
        return _merge(out, ledger.onboard(acct, outcome))
    if t.startswith("payout."):
        acct = _account(ledger, kw)
        outcome = {"payout.failed": "failed", "payout.canceled": "canceled"}.get(t, "paid")
        kw.setdefault("amount", 5000)
        short = kw["amount"] - ledger.payable(acct, kw.get("currency"))  # Stripe pays out only what was earned
        if short > 0:
            _merge(out, ledger.pay(2 * short, kw.get("currency") or "usd", acct))
        return _merge(out, ledger.payout(acct, outcome=kw.pop("outcome", outcome), **kw))
    if t.startswith("customer."):
        cus = _merge(out, ledger.create_customer(**kw)).customer
        if t == "customer.updated":
            _merge(out, ledger.update_customer(cus["id"], name=f"{cus['name']} Jr."))
        return out
    if t.startswith(("product.", "price.", "checkout.session.")):
        return _catalog(ledger, t, kw, out)
    kw.setdefault("amount", 10000)
    if t in ("transfer.created", "transfer.reversed"):  # a destination charge (refunded, the transfer reversed)
        destination = _account(ledger, kw)
        charge = _merge(out, ledger.pay(transfer_data={"destination": destination}, **kw)).charge
        if t == "transfer.reversed":
            _merge(out, ledger.refund(charge["id"], reverse_transfer=True))
        return out
    kw["account"] = _account(ledger, kw)
    if t in FAILED:
        return _merge(out, ledger.pay(outcome="failed", **kw))
    if t in ("payment_intent.requires_action", "payment_intent.canceled"):
        pi = _merge(out, ledger.pay(outcome="requires_action", **kw)).payment_intent
        if t == "payment_intent.canceled":
            _merge(out, ledger.cancel(pi["id"], "requested_by_customer"))
        return out
    charge = _merge(out, ledger.pay(**kw)).charge
    if t in REFUND or t == "application_fee.refunded":
        return _merge(out, ledger.refund(charge["id"], refund_application_fee=t == "application_fee.refunded"))
    if t in REFUND_FAILED:
        return _merge(out, ledger.refund(charge["id"], outcome="failed"))
    if t in DISPUTE_OPEN:
        return _merge(out, ledger.dispute(charge["id"]))
    if t in DISPUTE_LOST or t == "charge.dispute.funds_reinstated":
        return _merge(out, ledger.dispute(charge["id"], "won" if t.endswith("reinstated") else "lost"))
    return out


def _catalog(ledger, t: str, kw: dict, out: OpResult) -> OpResult:
    """product.created, price.created, and a Checkout session paid or expired (`amount`, `currency`
    price its one line item; the other keyword arguments go to the session)."""
    if t == "product.created":
        return _merge(out, ledger.create_product(**{"name": "Home cleaning", **kw}))
    item = {"currency": kw.pop("currency", "usd"), "unit_amount": kw.pop("amount", 10000),
            "product_data": {"name": "Home cleaning"}}
    if t == "price.created":
        return _merge(out, ledger.create_price(**item, **kw))
    kw.setdefault("success_url", "https://marketplace.example/bookings/success")
    kw.setdefault("cancel_url", "https://marketplace.example/bookings/cancel")
    session = _merge(out, ledger.create_checkout_session(line_items=[{"price_data": item, "quantity": 1}],
                                                         **kw)).checkout_session
    if t == "checkout.session.expired":
        return _merge(out, ledger.expire_checkout_session(session["id"]))
    return _merge(out, ledger.complete_checkout_session(session["id"]))
