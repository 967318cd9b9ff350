"""Where EventBridge deliveries go, and the scheduled rules that fire on virtual time.

`Targets.deliver(target, payload, info)` sends a (transformed) event to a rule target by ARN:
functions (asynchronous invocation with Lambda's retries), state machines (StartExecution on the
interpreter), SQS, SNS, CloudWatch Logs (kept in `world.logs`) or another bus. `Targets.schedule()`
arms every scheduled rule of the stack; each fires the AWS "Scheduled Event" envelope.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from sim.aws.eventbridge.router import correlation_of
from sim.aws.schedule import next_fire


def _text(payload: Any) -> str:
    return payload if isinstance(payload, str) else json.dumps(payload)


class Targets:
    """Delivery to rule targets; handed only what it uses (no reach-back into the world)."""

    def __init__(self, *, lambdas, start_execution: Callable[[str, Any, dict], None],
                 client: Callable[[str], Any], internal: Callable[[], Any], logs: list[dict],
                 publish: Callable[[str, Any], None], scheduler, stack, rng, trace, account: str, region: str):
        self.lambdas = lambdas
        self.start_execution = start_execution   # (state machine ARN, input, rule info) -> None
        self.client = client                     # boto3 client factory bound to the world's backend
        self.internal = internal                 # context manager: harness calls, not yield points
        self.logs = logs
        self.publish = publish                   # (bus name, event) -> None: the router's publish
        self.scheduler = scheduler
        self.clock = scheduler.clock
        self.stack = stack
        self.rng = rng                           # ids of scheduled events
        self.trace = trace
        self.account, self.region = account, region

    def deliver(self, target: dict, payload: Any, info: dict) -> None:
        arn = target["Arn"]
        kind = arn.split(":")[2]
        if kind == "lambda":
            self.lambdas.invoke_async(arn.rsplit(":", 1)[-1], payload,
                                      correlation_id=correlation_of(info.get("event") or {}))
        elif kind == "states":
            self.start_execution(arn, payload, info)
        elif kind == "sqs":
            with self.internal():
                url = self.client("sqs").get_queue_url(QueueName=arn.rsplit(":", 1)[-1])["QueueUrl"]
                self.client("sqs").send_message(QueueUrl=url, MessageBody=_text(payload))
        elif kind == "sns":
            with self.internal():
                self.client("sns").publish(TopicArn=arn, Message=_text(payload))
        elif kind == "logs":
            self.logs.append({"group": arn.split("log-group:", 1)[-1], "message": _text(payload),
                              "time": self.clock.now()})
        elif kind == "events":
            self.publish(arn.rsplit("/", 1)[-1], payload)

    def schedule(self) -> None:
        for rule in self.stack.rules:
            if rule.schedule:
                self._arm(rule)

    def _arm(self, rule) -> None:
        self.scheduler.call_at(next_fire(rule.schedule, self.clock.now()), self._fire, rule)

    def _fire(self, rule) -> None:
        now = self.clock.now()
        event = {"version": "0", "id": self.rng.uuid4(), "detail-type": "Scheduled Event",
                 "source": "aws.events", "account": self.account, "time": now.strftime("%Y-%m-%dT%H:%M:%SZ"),
                 "region": self.region, "resources": [self.stack.arn("events", f"rule/{rule.name}")], "detail": {}}
        self.trace.record("eventbridge", "schedule", None, rule=rule.name)
        for target in rule.targets:
            self.deliver({"Arn": self.stack.target_arn(target), "Id": target.id}, event,
                         {"rule": rule.name, "event": event})
        self._arm(rule)
