"""Notification preferences written through AppSync (updateNotificationPreferences), as the app does."""

from __future__ import annotations

from sim.scenario.appsync_calls import call
from sim.scenario.context import ScenarioRun, StepFailed
from sim.scenario.steps import step
from sim.scenario.steps.appsync import caller_of


def _user(run: ScenarioRun, ref):
    for kind in ("customer", "provider"):
        try:
            return run.entity(ref, kind)
        except StepFailed:
            continue
    raise StepFailed(f"{ref!r} is neither a customer nor a provider")


@step("preferences")
def preferences(run: ScenarioRun, spec: dict) -> None:
    owner = _user(run, spec["user"])
    args = {"userId": owner.id}
    for key, name in (("email", "email"), ("push", "push"), ("in_app", "inApp"), ("muted", "mutedTypes")):
        if key in spec:
            args[name] = spec[key]
    user, kind = caller_of(run, spec, default=None) if "identity" in spec else (owner, None)
    call(run, "updateNotificationPreferences", args, user=user, caller=kind, expect_error=spec.get("expect_error"))
    run.trace("preferences", owner.id, changed=sorted(k for k in args if k != "userId"))
