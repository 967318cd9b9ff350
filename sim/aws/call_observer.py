"""The botocore-hook observer's own work around each boto3 call a task makes (the World keeps only
the yield point and the dispatch to the services it answers):

- `apply_faults(call, task, function)`: the fault plane's AWS-call faults, attempt by attempt —
  latency sleeps on virtual time, `crash_after` marks the call, retryable errors are retried as
  the calling client's SDK would (`sdk_retry`: its mode, max attempts and backoff, jitter from the
  world's `sdk-retry` stream); an error response when the attempts run out;
- `after(call, ok, internal)`: call telemetry — CloudWatch PutMetricData into `metrics`, SNS
  Publish into `sns_messages` (and the trace), rule changes invalidating the router's rule cache —
  and the crash of an invocation whose call was marked `crash_after` (it took effect, then the
  Lambda died).

It is handed only what it uses: the fault plane, the scheduler, the trace, an rng, the two lists
and a callback.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sim.aws import hooks, sdk_retry
from sim.faults.aws import AwsCallFault, LambdaCrash

RULE_CHANGES = ("PutRule", "DeleteRule", "PutTargets", "RemoveTargets", "EnableRule", "DisableRule")


class CallObserver:
    def __init__(self, *, faults, scheduler, trace, rng, metrics: list[dict], sns_messages: list[dict],
                 rules_changed: Callable[[], None]):
        self.faults = faults
        self.scheduler = scheduler
        self.clock = scheduler.clock
        self.trace = trace
        self.rng = rng
        self.metrics = metrics
        self.sns_messages = sns_messages
        self.rules_changed = rules_changed

    def apply_faults(self, call: hooks.AwsCall, task, function: str | None) -> tuple[Any, dict] | None:
        """Faults on this call (see the module docstring); an error response, or None to go on."""
        policy = None
        attempt = 1
        while True:
            fault = self.faults.match(AwsCallFault.KIND, call.name, call.params, function)
            if fault is None:
                return None
            self.trace.record("aws", "fault", task.meta.get("correlation_id"), call=call.name, function=function,
                              error=fault.error, latency=fault.latency, crash=fault.crash_after, attempt=attempt)
            if fault.latency:
                self.scheduler.sleep(fault.latency)
            if fault.crash_after:
                call.context["sim_crash"] = True
            if not fault.error:
                return None
            policy = policy or sdk_retry.policy_for(call.context, call.service)
            if attempt >= policy.max_attempts or not policy.retryable(fault.error, fault.status):
                return hooks.error_response(fault.error, fault.message or f"Injected {fault.error}", fault.status)
            self.scheduler.sleep(policy.delay(attempt, fault.error, self.rng))
            attempt += 1

    def after(self, call: hooks.AwsCall, ok: bool, internal: bool) -> None:
        """Telemetry of a finished call, then the crash a `crash_after` fault asked for."""
        p = call.params
        if ok and call.service == "cloudwatch" and call.operation == "PutMetricData":
            for datum in p.get("MetricData", []):
                self.metrics.append({"namespace": p.get("Namespace"), "name": datum.get("MetricName"),
                                     "value": datum.get("Value"), "unit": datum.get("Unit"),
                                     "dimensions": datum.get("Dimensions", []), "time": self.clock.now()})
        elif ok and call.service == "sns" and call.operation == "Publish":
            self.sns_messages.append({"topic": p.get("TopicArn"), "subject": p.get("Subject"),
                                      "message": p.get("Message"), "time": self.clock.now()})
            self.trace.record("sns", "publish", None, topic=p.get("TopicArn"), subject=p.get("Subject"))
        elif ok and call.service == "eventbridge" and call.operation in RULE_CHANGES:
            self.rules_changed()
        if call.context.pop("sim_crash", False) and not internal:
            raise LambdaCrash(call.name)
