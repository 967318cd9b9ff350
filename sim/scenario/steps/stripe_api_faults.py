"""`stripe_api` faults for a period: Stripe's API answers 429 (rate limited) or a 5xx — or nothing
at all (`status: timeout`, the caller's SDK times out; `applied: true`: after taking effect) — on the paths
(glob, e.g. `/v1/refunds*`) and method given, for a number of requests (`times`) and/or a period
(`for` / `until`), seen by every caller of the stripe SDK (booking-processor, refund-processor,
payout-manager, stripe-connect, webhook-reconciliation). The fault is a StripeApiFault on the
world's fault plane (sim/faults); a period ends by removing it from the plane."""

from __future__ import annotations

from sim.clock import parse_instant
from sim.durations import parse_duration
from sim.faults import StripeApiFault
from sim.faults.stripe_api import TIMEOUT
from sim.scenario.context import ScenarioRun


def add(run: ScenarioRun, spec: dict) -> StripeApiFault:
    w = run.world
    status = spec["status"] if spec["status"] == TIMEOUT else int(spec["status"])
    fault = w.faults.add(StripeApiFault(status, spec.get("path", "*"), spec.get("method"), spec.get("times"),
                                        spec.get("should_retry"), bool(spec.get("applied", False))))
    until = None
    if "for" in spec:
        until = w.now() + parse_duration(spec["for"])
    elif "until" in spec:
        until = parse_instant(spec["until"])
    if until is not None:
        w.scheduler.call_at(until, _remove, run, fault)
    return fault


def _remove(run: ScenarioRun, fault: StripeApiFault) -> None:
    if fault in run.world.faults.of(StripeApiFault.KIND):
        run.world.faults.remove(fault)
        run.trace("fault.removed", None, fault="stripe_api", path=fault.path, served=fault.served)
