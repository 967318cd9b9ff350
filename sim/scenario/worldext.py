"""Scenario-side helpers over the World's public pieces:

- `endpoints(world)` / `endpoint(world, event)`: the Stripe webhook endpoints of the world's ingress.

(Mocked Task results are the fault plane's `TaskMock`: `world.faults.add(TaskMock(…))`.)
"""

from __future__ import annotations

from sim.scenario.context import StepFailed


def endpoints(world) -> list:
    """The Stripe webhook endpoints the world registered for its ingress (platform, Connect)."""
    eps = list(getattr(world, "stripe_endpoints", None) or [])
    if not eps and getattr(world, "stripe_endpoint", None) is not None:
        eps = [world.stripe_endpoint]
    if not eps:
        raise StepFailed("the world has no Stripe webhook endpoint")
    return eps


def endpoint(world, event: dict | None = None):
    """The endpoint that receives `event` (Connect for connected accounts' events)."""
    eps = endpoints(world)
    if event is None:
        return eps[-1]
    for ep in eps:
        if ("account" in event) == ep.connect:
            return ep
    return eps[0]
