"""`expect_response` on a step: the step's response (an AppSync result, a function's return value,
e.g. the webhook-authorizer's `isAuthorized`) must match, with the expectation matchers (a mapping
matches as a subset, `a.b` digs in). A mismatch fails the step with expected and actual."""

from __future__ import annotations

from typing import Any

from sim.scenario.context import ScenarioRun, StepFailed
from sim.scenario.matchers import mismatch, show


def check(run: ScenarioRun, spec: dict, response: Any) -> None:
    want = spec.get("expect_response")
    if want is None:
        return
    want = run.substitute(want)
    reason = mismatch(want, response)
    if reason:
        raise StepFailed(f"response: {reason}", expected=show(want), actual=show(response), kind="expectation",
                         name="expect_response")
