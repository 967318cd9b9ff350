"""Stripe operations on the fake ledger: pay, fail, cancel, refund, dispute, close a dispute,
onboard, pay out, or `emit` a given event type (the operation that produces it). The events go to
the delivery channel as Stripe would send them; `as` names the operation's main event."""

from __future__ import annotations

from sim.scenario.context import ScenarioRun, StepFailed
from sim.scenario.loader import STRIPE_OPS
from sim.scenario.steps import step
from sim.scenario.stripe_events import EMITTERS, PRIMARY

CANCELLATION_REASONS = ("duplicate", "fraudulent", "requested_by_customer", "abandoned")


def ledger(run: ScenarioRun):
    if run.world.stripe is None:
        raise StepFailed("this world has no fake Stripe")
    return run.world.stripe.ledger


def payment_intent(run: ScenarioRun, booking_id: str) -> dict | None:
    """The booking's payment intent in Stripe: by the booking's paymentIntentId, else by metadata."""
    led = ledger(run)
    booking = run.booking(booking_id) or {}
    pi = led.find(booking.get("paymentIntentId") or "")
    if pi is not None:
        return pi
    return led.latest("payment_intent", lambda o: booking_id in ((o.get("metadata") or {}).get("bookingId"),
                                                                (o.get("metadata") or {}).get("booking_id")))


def _need_pi(run: ScenarioRun, booking_id: str) -> dict:
    pi = payment_intent(run, booking_id)
    if pi is None:
        raise StepFailed(f"booking {booking_id} has no payment intent in Stripe")
    return pi


def _charge_payment(run: ScenarioRun, booking_id: str, outcome: str):
    led = ledger(run)
    pi = payment_intent(run, booking_id)
    pm = "pm_card_visa" if outcome == "succeeded" else "pm_card_chargeDeclined"
    if pi is not None and pi["status"] in ("requires_payment_method", "requires_confirmation", "requires_action"):
        return led.confirm(pi["id"], outcome=outcome, payment_method=pm)
    if pi is not None:
        raise StepFailed(f"the payment intent {pi['id']} of booking {booking_id} is {pi['status']}; it cannot be "
                         f"{'paid' if outcome == 'succeeded' else 'declined'} again")
    booking = run.booking(booking_id) or {}
    if not booking:
        raise StepFailed(f"booking {booking_id} not found")
    return led.pay(int(booking["amount"]), booking.get("currency", "usd"), account=booking.get("stripeAccountId"),
                   metadata={"bookingId": booking_id}, outcome=outcome)


def _dispute_of(run: ScenarioRun, pi: dict) -> dict:
    open_ = [d for d in ledger(run).objects("dispute")
             if d.get("charge") == pi.get("latest_charge") and d.get("status") not in ("won", "lost")]
    if not open_:
        raise StepFailed(f"no open dispute on the charge of {pi['id']}")
    return open_[-1]


def _payout(led, provider, spec: dict):
    """A payout the provider asks Stripe for: `amount`, or `share` % of what their balance allows now
    (nothing allowed: no payout). One above the balance fails the step (Stripe refuses it with
    balance_insufficient): the story asked for money the provider does not have."""
    from sim.stripe.errors import StripeError
    from sim.stripe.ops import OpResult

    outcome = spec.get("outcome") or "paid"
    if "share" in spec:
        amount = led.payable(provider.stripe_id) * int(spec["share"]) // 100
        if amount < 1:
            return OpResult()
    else:
        amount = int(spec["amount"])
    try:
        return led.payout(provider.stripe_id, amount, outcome=outcome)
    except StripeError as exc:
        if exc.code != "balance_insufficient":
            raise
        raise StepFailed(f"Stripe refused payout: balance_insufficient: provider {provider.id}'s balance allows "
                         f"{led.payable(provider.stripe_id)}, not {amount}") from None


def perform(run: ScenarioRun, op: str, subject, spec: dict):
    """Run one operation; its OpResult."""
    led = ledger(run)
    if op in ("pay", "fail"):
        return _charge_payment(run, run.booking_id(subject), "succeeded" if op == "pay" else "failed")
    if op == "cancel":
        reason = spec.get("reason") if spec.get("reason") in CANCELLATION_REASONS else None
        return led.cancel(_need_pi(run, run.booking_id(subject))["id"], cancellation_reason=reason)
    if op == "refund":
        return led.refund(_need_pi(run, run.booking_id(subject))["id"], amount=spec.get("amount"),
                          refund_application_fee=spec.get("refund_fee", True), reason=spec.get("reason"))
    if op == "dispute":
        return led.dispute(_need_pi(run, run.booking_id(subject))["id"], outcome=spec.get("outcome"),
                           reason=spec.get("reason") or "fraudulent")
    if op == "close_dispute":
        pi = _need_pi(run, run.booking_id(subject))
        return led.close_dispute(_dispute_of(run, pi)["id"], spec.get("outcome") or "won")
    provider = run.entity(subject, "provider")
    if not provider.stripe_id:
        raise StepFailed(f"provider {provider.id} has no Connect account")
    if op == "onboard":
        return led.onboard(provider.stripe_id, spec.get("outcome") or "enabled")
    if op == "payout":
        return _payout(led, provider, spec)
    if op == "deauthorize":  # the provider disconnects the platform: account.application.deauthorized
        return led.deauthorize(provider.stripe_id)
    raise StepFailed(f"unknown Stripe operation {op}")


@step("stripe")
def stripe_step(run: ScenarioRun, spec: dict) -> None:
    from sim.stripe.errors import StripeError

    op = next(k for k in STRIPE_OPS if k in spec)
    if op == "emit":
        emitter = EMITTERS[spec["emit"]]
        want = spec["emit"]
        real_op, subject, options = emitter.op, spec["for"], {**emitter.options, **spec}
    else:
        real_op, subject, options = op, spec[op], spec
        want = PRIMARY[op]
        if op == "payout" and options.get("outcome") in ("failed", "canceled"):
            want = f"payout.{options['outcome']}"
    try:
        result = perform(run, real_op, subject, options)
    except StripeError as exc:
        raise StepFailed(f"Stripe refused {real_op}: {exc}") from None
    types = [e["type"] for e in result.events]
    run.trace("stripe.op", None, op=real_op, events=types)
    if "as" in spec:
        match = [e for e in result.events if e["type"] == want]
        if not match:
            raise StepFailed(f"{real_op} produced no {want} event (it produced: {', '.join(types) or 'none'})")
        run.name(spec["as"], "event", match[0]["id"])
    for etype, alias in (spec.get("name") or {}).items():  # the operation's other events, by type
        match = [e for e in result.events if e["type"] == etype]
        if not match:
            raise StepFailed(f"{real_op} produced no {etype} event to name {alias!r} (it produced: "
                             f"{', '.join(types) or 'none'})")
        run.name(alias, "event", match[0]["id"])
    run.settle()
