"""Recorded Stripe events (`sim replay`): `stripe_import: {event: {…}, as}` puts a real event, with
its id, into the fake Stripe at the current virtual time, without delivering it (`deliver` does)."""

from __future__ import annotations

from sim.scenario.context import ScenarioRun, StepFailed
from sim.scenario.steps import step
from sim.scenario.worldext import endpoints


@step("stripe_import")
def stripe_import(run: ScenarioRun, spec: dict) -> None:
    w = run.world
    if w.stripe is None:
        raise StepFailed("this world has no fake Stripe")
    event = spec["event"]
    pending = spec.get("pending")
    if pending is None:  # the endpoints that would receive it, enabled or not (manual delivery disables them)
        pending = sum(1 for ep in endpoints(w) if ("account" in event) == ep.connect)
    try:
        imported = w.stripe.ledger.import_event(event, pending=pending)
    except ValueError as exc:
        raise StepFailed(f"cannot import the event: {exc}") from None
    if "as" in spec:
        run.name(spec["as"], "event", imported["id"])
    run.trace("stripe.import", imported["id"], type=imported["type"], account=imported.get("account"))
