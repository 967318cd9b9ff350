"""Any AppSync operation (routed to the function serving its field) and direct invocations."""

from __future__ import annotations

from sim.scenario import response_check
from sim.scenario.appsync_calls import call
from sim.scenario.context import Run, StepFailed
from sim.scenario.steps import step


@step("appsync")
def appsync(run: Run, spec: dict) -> None:
    user = None
    if "identity" in spec:
        ref = spec["identity"]
        for kind in ("customer", "provider"):
            try:
                user = run.entity(ref, kind)
                break
            except StepFailed:
                continue
    elif run.entities["customer"]:
        user = run.entities["customer"][0]
    args = run.substitute(spec.get("arguments") or {})
    result = call(run, spec["field"], args, user=user, expect_error=spec.get("expect_error"))
    response_check.check(run, spec, result)
    if spec.get("as"):
        run.name(spec["as"], "response", result)


@step("invoke")
def invoke(run: Run, spec: dict) -> None:
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
