"""The fake Stripe: a stateful ledger with Connect, realistic objects, Stripe-exact webhook
signatures, a delivery channel with faults and retries, and an HTTP API for the real SDK.

See docs/stripe.md. Entry point: `FakeStripe(clock, rng, trace=None, scheduler=None)`.

The names below are imported on first use, so `sim.stripe.events` (the event-type vocabulary) and
`sim.stripe.errors` can be imported by lower layers (the fault plane) without loading the fake.
"""

from __future__ import annotations

from sim.lazy import exports

_EXPORTS = {
    "Attempt": "sim.stripe.delivery", "Channel": "sim.stripe.delivery", "Endpoint": "sim.stripe.delivery",
    "StripeError": "sim.stripe.errors", "UnknownName": "sim.stripe.errors",
    "API_VERSION": "sim.stripe.events", "EVENT_TYPES": "sim.stripe.events",
    "FakeStripe": "sim.stripe.fake", "Fault": "sim.stripe.faults", "Ledger": "sim.stripe.ledger",
    "OPERATIONS": "sim.stripe.ops", "OpResult": "sim.stripe.ops", "RetrySchedule": "sim.stripe.retry",
}

__all__ = sorted(_EXPORTS)


__getattr__, __dir__ = exports(__name__, globals(), _EXPORTS)
