"""One vocabulary of Stripe event types: the fake emits `sim.stripe.events.EVENT_TYPES`; the scenario
steps can emit only those; stripe-webhook dispatches each one or skips it on purpose (listed here,
with why). A type added to the fake without a decision here fails this test."""

from handlers.common.stripe_events import handler_for
from sim.scenario.stripe_events import EMITTERS, PRIMARY
from sim.stripe.events import EVENT_TYPES
from sim.stripe.triggers import SUPPORTED

# types the marketplace deliberately does not act on (stripe-webhook records them SKIPPED)
SKIPPED_ON_PURPOSE = {
    "account.external_account.created": "bank accounts are Stripe's concern; account.updated carries the status",
    "capability.updated": "account.updated carries charges/payouts enabled",
    "charge.updated": "charge.succeeded / failed / refunded carry the payment state",
    "checkout.session.completed": "bookings are paid through payment intents; the payment_intent / charge events "
                                  "of a session's payment carry the state",
    "checkout.session.expired": "an unpaid session leaves no payment to mirror (its booking stays unpaid)",
    "customer.created": "customers are created by the platform itself",
    "customer.updated": "no customer fields are mirrored",
    "payment_intent.created": "the booking is created before the payment intent",
    "payment_intent.requires_action": "the client handles 3-D Secure; the outcome event follows",
    "payout.canceled": "not modelled by the Payout table",
    "payout.created": "payout.paid / failed carry the outcome",
    "payout.updated": "payout.paid / failed carry the outcome",
    "person.created": "people are Stripe's KYC concern",
    "person.updated": "people are Stripe's KYC concern",
    "price.created": "the catalog is Stripe-side configuration; bookings carry their own amounts",
    "product.created": "the catalog is Stripe-side configuration; bookings carry their own amounts",
    "refund.created": "charge.refunded carries the refunded amount",
    "refund.failed": "refund failures surface through charge.refunded / reconciliation",
    "refund.updated": "refund failures surface through charge.refunded / reconciliation",
    "transfer.created": "destination-charge transfers are Stripe's bookkeeping; the charge events carry the "
                        "booking's payment state",
    "transfer.reversed": "a destination charge's reversal follows its refund; charge.refunded carries the "
                         "booking's payment state",
}


def test_stripe_webhook_dispatches_or_deliberately_skips_every_type_the_fake_emits():
    undecided = [t for t in EVENT_TYPES if handler_for(t) is None and t not in SKIPPED_ON_PURPOSE]
    assert not undecided, f"event types the fake emits with no handler and no reason to skip: {undecided}"


def test_every_skip_reason_names_a_type_the_fake_emits():
    assert set(SKIPPED_ON_PURPOSE) <= set(EVENT_TYPES)


def test_scenario_steps_and_triggers_use_the_fakes_vocabulary():
    assert set(EMITTERS) <= set(EVENT_TYPES), set(EMITTERS) - set(EVENT_TYPES)
    assert set(PRIMARY.values()) <= set(EVENT_TYPES)
    assert set(SUPPORTED) == set(EVENT_TYPES)
