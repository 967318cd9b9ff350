"""The fake Stripe: a stateful ledger with Connect, realistic objects, Stripe-exact webhook
signatures, a delivery channel with faults and retries, and an HTTP API for the real SDK.

See docs/stripe.md. Entry point: `FakeStripe(clock, rng, trace=None, scheduler=None)`.
"""

from sim.stripe.delivery import Attempt, Channel, Endpoint
from sim.stripe.errors import StripeError, UnknownName
from sim.stripe.events import API_VERSION, EVENT_TYPES
from sim.stripe.fake import FakeStripe
from sim.stripe.faults import Fault
from sim.stripe.ledger import Ledger
from sim.stripe.ops import OPERATIONS, OpResult
from sim.stripe.retry import RetrySchedule

__all__ = ["API_VERSION", "EVENT_TYPES", "OPERATIONS", "Attempt", "Channel", "Endpoint", "FakeStripe", "Fault",
           "Ledger", "OpResult", "RetrySchedule", "StripeError", "UnknownName"]
