"""`stripe_api` faults: Stripe's API answers 429 (rate limited) or a 5xx for a period, or for a
number of requests, on the paths (glob, e.g. `/v1/refunds*`) and method given. Every caller of the
stripe SDK sees it: booking-processor, refund-processor, payout-manager, stripe-connect,
webhook-reconciliation. The fake Stripe's own injection (sim.stripe.api.ApiServer.inject) does
the answering; the step adds it and, with `for`/`until`, removes it when the period ends."""

from __future__ import annotations

from sim.clock import parse_instant
from sim.durations import parse_duration
from sim.scenario.context import Run, StepFailed

STATUSES = (429, 500, 502, 503, 504)


def add(run: Run, spec: dict):
    w = run.world
    api = getattr(getattr(w, "stripe", None), "api", None)
    if api is None:
        raise StepFailed("this world has no fake Stripe API")
    injection = api.inject(int(spec["status"]), spec.get("path", "*"), spec.get("method"),
                           times=spec.get("times"), should_retry=spec.get("should_retry"))
    until = None
    if "for" in spec:
        until = w.now() + parse_duration(spec["for"])
    elif "until" in spec:
        until = parse_instant(spec["until"])
    if until is not None:
        w.scheduler.call_at(until, _remove, run, injection)
    return injection


def _remove(run: Run, injection) -> None:
    api = run.world.stripe.api
    if injection in api.injections:
        api.injections.remove(injection)
        run.trace("fault.removed", None, fault="stripe_api", path=injection.path, served=injection.served)


def clear(run: Run) -> None:
    api = getattr(getattr(run.world, "stripe", None), "api", None)
    if api is not None:
        api.injections.clear()
