"""`FakeStripe`: the ledger, the delivery channel and the API server, wired for a world.

    stripe = FakeStripe(clock, rng.child("stripe"), trace=trace, scheduler=scheduler)
    endpoint = stripe.add_endpoint(ingress, secret="whsec_…")            # platform events
    stripe.add_endpoint(ingress, secret="whsec_…", connect=True)         # connected accounts' events
    stripe.add_fault(Fault("duplicate", match={"type": "payment_intent.succeeded"}, copies=3))
    acct = stripe.create_connected_account(enabled=True).account
    paid = stripe.pay(12000, "usd", acct["id"], metadata={"booking_id": "b1"})
    with stripe:                       # the HTTP API for the real SDK, on a free port
        client = stripe.client()       # stripe.StripeClient bound to it

Every ledger operation (`pay`, `refund`, `dispute`, `onboard`, `payout`, …) is available on the
facade; deliveries happen when the scheduler runs (`advance()` / `drain()` when we own it).
"""

from __future__ import annotations

import random
from datetime import timedelta

from sim.stripe.api import ApiServer
from sim.stripe.delivery import Channel, Endpoint
from sim.stripe.events import API_VERSION
from sim.stripe.faults import Fault
from sim.stripe.generate import Generator
from sim.stripe.ledger import Ledger
from sim.stripe.ops import OPERATIONS, OpResult
from sim.stripe.retry import RetrySchedule
from sim.stripe.streams import child
from sim.stripe.triggers import trigger


class FakeStripe:
    def __init__(self, clock, rng: random.Random, trace=None, scheduler=None, *, retry: RetrySchedule | None = None,
                 latency_s: float = 1.0, api_port: int = 0, api_version: str = API_VERSION,
                 platform_name: str = "Ecosystem Marketplace", faults=None):
        self.clock = clock
        self.trace = trace
        self._own_scheduler = scheduler is None
        if scheduler is None:
            from sim.scheduler import Scheduler
            scheduler = Scheduler(clock, child(rng, "scheduler"))
        self.scheduler = scheduler
        self.ledger = Ledger(clock, child(rng, "ledger"), trace=trace, api_version=api_version,
                             platform_name=platform_name)
        self.channel = Channel(self.ledger, scheduler, child(rng, "channel"), trace=trace, retry=retry,
                               latency_s=latency_s, faults=faults)
        self.faults = self.channel.plane  # the fault plane (a world's, or this fake's own)
        self.api = ApiServer(self.ledger, port=api_port, faults=self.faults)
        self.api.sleep = scheduler.sleep  # a timed-out SDK call waits on virtual time
        self._generator_rng = child(rng, "generate")
        self._generator: Generator | None = None

    # -- ledger operations ------------------------------------------------------------------
    def __getattr__(self, name: str):
        if name in OPERATIONS:
            return getattr(self.__dict__["ledger"], name)
        raise AttributeError(f"FakeStripe has no attribute {name!r} (operations: {', '.join(sorted(OPERATIONS))})")

    def perform(self, name: str, /, **kwargs) -> OpResult:
        return self.ledger.perform(name, **kwargs)

    def trigger(self, event_type: str, **kwargs) -> OpResult:
        return trigger(self.ledger, event_type, **kwargs)

    def generate(self, n_events: int, *, advance: bool = True) -> list[OpResult]:
        """A realistic mix of every flow until `n_events` more events exist (see generate.py)."""
        if self._generator is None:
            self._generator = Generator(self.ledger, self._generator_rng, self.advance if advance else None)
        return self._generator.run(n_events)

    @property
    def platform_id(self) -> str:
        return self.ledger.platform_id

    @property
    def events(self) -> list[dict]:
        return self.ledger.events

    # -- delivery ---------------------------------------------------------------------------
    def add_endpoint(self, target, secret: str | None = None, connect: bool = False, enabled_events=("*",),
                     description: str | None = None) -> Endpoint:
        return self.channel.add_endpoint(target, secret, connect, enabled_events, description)

    def add_fault(self, fault: Fault | dict) -> Fault:
        return self.channel.add_fault(fault)

    def advance(self, seconds: float | timedelta) -> None:
        """Run the scheduler up to `seconds` from now (deliveries and retries due by then)."""
        delta = seconds if isinstance(seconds, timedelta) else timedelta(seconds=seconds)
        self.channel.flush()
        self.scheduler.run_until(self.clock.now() + delta)

    def drain(self) -> None:
        """Run until nothing is scheduled: every delivery and retry has finished."""
        self.channel.flush()
        self.scheduler.run_all()

    # -- API --------------------------------------------------------------------------------
    @property
    def url(self) -> str:
        return self.api.url

    def start(self) -> FakeStripe:
        self.api.start()
        return self

    def close(self) -> None:
        self.api.close()
        if self._own_scheduler:
            self.scheduler.close()

    def __enter__(self) -> FakeStripe:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.close()

    def client(self, api_key: str = "sk_test_fake", **kwargs):
        """A real stripe.StripeClient pointed at this fake (no network retries unless asked)."""
        import stripe

        kwargs.setdefault("max_network_retries", 0)
        return stripe.StripeClient(api_key, base_addresses={"api": self.url}, **kwargs)
