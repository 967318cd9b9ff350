"""Any AppSync operation (routed to the function serving its field) and direct invocations."""

from __future__ import annotations

from sim.scenario import response_check
from sim.scenario.appsync_calls import CALLER_KINDS, call
from sim.scenario.context import Entity, ScenarioRun, StepFailed
from sim.scenario.steps import step


def caller_of(run: ScenarioRun, spec: dict, default: str | None = "customer") -> tuple[Entity | None, str | None]:
    """(user, caller kind) of a step's `identity`: a customer or provider (index or alias), or one
    of admin, none, api_key, iam, webhook; without `identity` the first customer (default
    "customer") or the caller kind `default`."""
    if "identity" not in spec:
        if default == "customer" and run.entities["customer"]:
            return run.entities["customer"][0], None
        return None, (default if default != "customer" else "none")
    ref = spec["identity"]
    if ref in CALLER_KINDS and ref not in run.by_alias:
        return None, ref
    for kind in ("customer", "provider"):
        try:
            return run.entity(ref, kind), None
        except StepFailed:
            continue
    raise StepFailed(f"identity {ref!r} is neither a customer, a provider nor one of {', '.join(CALLER_KINDS)}")


@step("appsync")
def appsync(run: ScenarioRun, spec: dict) -> None:
    user, kind = caller_of(run, spec)
    args = run.substitute(spec.get("arguments") or {})
    result = call(run, spec["field"], args, user=user, caller=kind, expect_error=spec.get("expect_error"))
    response_check.check(run, spec, result)
    if spec.get("as"):
        run.name(spec["as"], "response", result)


@step("invoke")
def invoke(run: ScenarioRun, spec: dict) -> None:
    from sim.aws.lambdas import LambdaError

    event = run.substitute(spec.get("event") or {})
    expect_error = spec.get("expect_error")
    try:
        result = run.world.invoke(spec["function"], event)
    except LambdaError as exc:
        if expect_error and (expect_error in exc.error_type or expect_error in exc.error_message):
            result = {"errorType": exc.error_type, "errorMessage": exc.error_message}
        else:
            raise StepFailed(f"{spec['function']} failed: {exc.error_type}: {exc.error_message}",
                             expected=expect_error or "success", actual=exc.error_type) from None
    else:
        if expect_error:
            raise StepFailed(f"{spec['function']} succeeded; expected {expect_error!r}", expected=expect_error,
                             actual="success")
    response_check.check(run, spec, result)
    if spec.get("as"):
        run.name(spec["as"], "response", result)
