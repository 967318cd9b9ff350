"""Where EventBridge deliveries go, and the scheduled rules that fire on virtual time.

`Targets.deliver(target, payload, info)` sends a (transformed) event to a rule target by ARN:
functions (asynchronous invocation with Lambda's retries), state machines (StartExecution on the
interpreter), SQS, SNS, CloudWatch Logs (kept in `world.logs`) or another bus. `Targets.schedule()`
arms every scheduled rule of the stack; each fires the AWS "Scheduled Event" envelope.
"""

from __future__ import annotations

import json
from typing import Any

from sim.aws.eventbridge.router import correlation_of
from sim.aws.schedule import next_fire


def _text(payload: Any) -> str:
    return payload if isinstance(payload, str) else json.dumps(payload)


class Targets:
    def __init__(self, world):
        self.world = world

    def deliver(self, target: dict, payload: Any, info: dict) -> None:
        w = self.world
        arn = target["Arn"]
        kind = arn.split(":")[2]
        if kind == "lambda":
            w.lambdas.invoke_async(arn.rsplit(":", 1)[-1], payload, correlation_id=correlation_of(info.get("event") or {}))
        elif kind == "states":
            w.services.start_execution_from_rule(arn, payload, info)
        elif kind == "sqs":
            with w.internal():
                url = w.client("sqs").get_queue_url(QueueName=arn.rsplit(":", 1)[-1])["QueueUrl"]
                w.client("sqs").send_message(QueueUrl=url, MessageBody=_text(payload))
        elif kind == "sns":
            with w.internal():
                w.client("sns").publish(TopicArn=arn, Message=_text(payload))
        elif kind == "logs":
            w.logs.append({"group": arn.split("log-group:", 1)[-1], "message": _text(payload), "time": w.now()})
        elif kind == "events":
            w.router.publish(arn.rsplit("/", 1)[-1], payload)

    def schedule(self) -> None:
        for rule in self.world.stack.rules:
            if rule.schedule:
                self._arm(rule)

    def _arm(self, rule) -> None:
        w = self.world
        w.scheduler.call_at(next_fire(rule.schedule, w.now()), self._fire, rule)

    def _fire(self, rule) -> None:
        w = self.world
        event = {"version": "0", "id": w.rng_for("schedule").uuid4(), "detail-type": "Scheduled Event",
                 "source": "aws.events", "account": w.account, "time": w.now().strftime("%Y-%m-%dT%H:%M:%SZ"),
                 "region": w.region, "resources": [w.stack.arn("events", f"rule/{rule.name}")], "detail": {}}
        w.trace.record("eventbridge", "schedule", None, rule=rule.name)
        for target in rule.targets:
            self.deliver({"Arn": w.stack.target_arn(target), "Id": target.id}, event, {"rule": rule.name, "event": event})
        self._arm(rule)
