"""Step Functions executions started and stopped (through workflow-orchestrator's AppSync
operations, or the Step Functions API), and webhook-reconciliation on demand."""

from __future__ import annotations

import json

from sim.scenario.appsync_calls import call
from sim.scenario.context import ScenarioRun, StepFailed
from sim.scenario.steps import step
from sim.scenario.steps.appsync import caller_of

WORKFLOW_TYPES = {"booking-lifecycle": "BOOKING", "payment-processing": "PAYMENT",
                  "dispute-resolution": "DISPUTE", "provider-onboarding": "ONBOARDING"}


def machine_name(run: ScenarioRun, name: str) -> str:
    names = [sm.name for sm in run.world.stack.state_machines]
    for candidate in (name, f"ecosystem-{name}"):
        if candidate in names:
            return candidate
    raise StepFailed(f"no state machine {name!r}; the stack has: {', '.join(names)}")


@step("workflow")
def workflow(run: ScenarioRun, spec: dict) -> None:
    w = run.world
    via = spec.get("via", "orchestrator")  # the schema's default: the workflow-orchestrator's AppSync operations
    if "start" in spec:
        name = machine_name(run, spec["start"])
        payload = run.substitute(spec.get("input") or {})
        if via == "orchestrator":
            short = name.removeprefix("ecosystem-")
            user, kind = caller_of(run, spec, default="iam")
            result = call(run, "startWorkflow", {"workflowType": WORKFLOW_TYPES[short], "input": json.dumps(payload)},
                          user=user, caller=kind, expect_error=spec.get("expect_error"))
            arn = (result or {}).get("executionArn") if isinstance(result, dict) else None
            if spec.get("expect_error") and (spec["expect_error"] != "*" or not arn):
                run.trace("workflow.refused", None, machine=name)
                return
        else:
            with w.internal():
                arn = w.client("stepfunctions").start_execution(
                    stateMachineArn=w.stack.state_machine_arn(name), input=json.dumps(payload))["executionArn"]
        if not arn:
            raise StepFailed(f"starting {name} returned no executionArn")
        if spec.get("as"):
            run.name(spec["as"], "execution", arn)
        run.trace("workflow.start", arn, machine=name)
        run.settle()
        return
    arn = run.by_alias.get(spec["stop"])
    if via == "orchestrator":
        user, kind = caller_of(run, spec, default="iam")
        call(run, "stopWorkflow", {"executionArn": arn, "error": spec.get("error"), "cause": spec.get("cause")},
             user=user, caller=kind, expect_error=spec.get("expect_error"))
    else:
        kwargs = {k: spec[k] for k in ("error", "cause") if spec.get(k)}
        with w.internal():
            w.client("stepfunctions").stop_execution(executionArn=arn, **kwargs)
    run.trace("workflow.stop", arn)
    run.settle()


def scheduled_event(run: ScenarioRun) -> dict:
    """The event EventBridge Scheduler / a cron rule hands the reconciliation function."""
    w = run.world
    return {"version": "0", "id": run.rng.child("reconcile").uuid4(), "detail-type": "Scheduled Event",
            "source": "aws.events", "account": w.stack.account, "time": w.now().strftime("%Y-%m-%dT%H:%M:%SZ"),
            "region": w.stack.region,
            "resources": [w.stack.arn("events", "rule/webhook-reconciliation-daily")], "detail": {}}


@step("reconcile")
def reconcile(run: ScenarioRun, spec) -> None:
    from sim.aws.lambdas import LambdaError

    spec = spec or {}
    run.reconciliations.append(run.world.now())
    try:
        run.world.invoke("webhook-reconciliation", scheduled_event(run))
    except LambdaError as exc:
        expected = spec.get("expect_error")
        if not expected or (expected not in exc.error_type and expected not in exc.error_message):
            raise StepFailed(f"webhook-reconciliation failed: {exc.error_type}: {exc.error_message}",
                             expected=expected or "success", actual=exc.error_type) from None
