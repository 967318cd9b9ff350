"""Fixtures for the webhook-path handlers (stripe-webhook, webhook-authorizer, webhook-reconciliation,
stripe-connect) and handlers/common, without the World.

`hx` is a Harness: moto's mock_aws with every table of sim/aws/stack.py, the bus (with a rule
capturing every marketplace.* event into SQS), the two SNS topics (with an SQS subscriber); the
fake Stripe (sim.stripe.FakeStripe) serving the real stripe SDK on 127.0.0.1; a virtual clock frozen
at START (time-machine); `hx.invoke(function, event)` runs a handler under that function's
environment from the stack. Tests may import `sim`; handlers never do.
"""

from __future__ import annotations

import importlib
import json
import os
import random
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any
from unittest import mock

import boto3
import pytest
from moto import mock_aws

from handlers.common import clients, stripe_client
from handlers.common.ddb import from_item, to_item
from sim.aws.appsync import authorizer_request, resolver_event
from sim.aws.deploy import table_spec
from sim.aws.stack import BUS_NAME, SIM_STRIPE_WEBHOOK_SECRET, TOPICS, marketplace_stack
from sim.clock import Clock
from sim.stripe.fake import FakeStripe
from sim.stripe.ledger import dumps_body
from sim.stripe.signing import stripe_signature

START = "2026-03-02T09:00:00Z"
REGION = "us-east-1"
SOURCES = ["marketplace.booking", "marketplace.payment", "marketplace.dispute", "marketplace.provider",
           "marketplace.workflow"]
AWS_ENV = {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing", "AWS_SESSION_TOKEN": "testing",
           "AWS_DEFAULT_REGION": REGION, "AWS_REGION": REGION, "LOG_LEVEL": "WARNING"}


@dataclass
class Harness:
    clock: Clock
    stripe: FakeStripe
    stack: Any
    queue_url: str
    alerts_url: str
    extra_env: dict[str, str] = field(default_factory=dict)
    _seen: list[dict] = field(default_factory=list)

    # -- environment and invocation ----------------------------------------------------------------
    def env(self, function: str) -> dict[str, str]:
        return {**self.stack.environment(self.stack.function(function)), **AWS_ENV, **self.extra_env}

    @contextmanager
    def as_function(self, function: str) -> Iterator[None]:
        with mock.patch.dict(os.environ, self.env(function)):
            yield

    def invoke(self, function: str, event: Any) -> Any:
        module = importlib.import_module(self.stack.function(function).handler.rsplit(".", 1)[0])
        with self.as_function(function):
            return module.handler(event, None)

    def client(self, service: str):
        return boto3.client(service, region_name=REGION)

    # -- time ------------------------------------------------------------------------------------------
    def now(self) -> int:
        return self.clock.timestamp()

    def advance(self, seconds: float) -> None:
        self.clock.unfreeze()
        self.clock.advance(seconds)
        self.clock.freeze()

    # -- Stripe webhooks -------------------------------------------------------------------------------
    def body(self, event: dict) -> str:
        return dumps_body(event).decode("utf-8")

    def sign(self, body: str, *, secrets: list[str] | None = None, t: int | None = None) -> str:
        return stripe_signature(body.encode("utf-8"), secrets or [SIM_STRIPE_WEBHOOK_SECRET],
                                self.now() if t is None else t)

    def webhook_event(self, body: str, header: str | None) -> dict:
        headers = {"stripe-signature": header} if header is not None else {}
        return resolver_event("stripeWebhook", {"payload": body}, headers=headers, resolver_context={})

    def deliver(self, event: dict, **sign_kwargs: Any) -> Any:
        """stripe-webhook with `event` signed now (the AppSync resolver event)."""
        body = self.body(event)
        return self.invoke("stripe-webhook", self.webhook_event(body, self.sign(body, **sign_kwargs)))

    def authorize(self, headers: dict[str, str], body: str) -> dict:
        return self.invoke("webhook-authorizer", authorizer_request(headers, body, request_id="req-1",
                                                                    account="123456789012"))

    # -- observation -----------------------------------------------------------------------------------
    def _drain(self, url: str) -> list[dict]:
        sqs, out = self.client("sqs"), []
        while True:
            got = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10).get("Messages", [])
            if not got:
                return out
            for m in got:
                out.append(json.loads(m["Body"]))
                sqs.delete_message(QueueUrl=url, ReceiptHandle=m["ReceiptHandle"])

    def events(self) -> list[dict]:
        """Every marketplace.* event put on the bus so far."""
        self._seen += [{"source": b["source"], "detail-type": b["detail-type"], "detail": b["detail"]}
                       for b in self._drain(self.queue_url)]
        return list(self._seen)

    def event_types(self) -> list[str]:
        return [e["detail-type"] for e in self.events()]

    def alerts(self) -> list[dict]:
        return self._drain(self.alerts_url)

    def table(self, name: str) -> list[dict]:
        ddb, items, kwargs = self.client("dynamodb"), [], {"TableName": name}
        while True:
            page = ddb.scan(**kwargs)
            items += [from_item(i) for i in page.get("Items", [])]
            if "LastEvaluatedKey" not in page:
                return sorted(items, key=lambda i: json.dumps(i, sort_keys=True, default=str))
            kwargs["ExclusiveStartKey"] = page["LastEvaluatedKey"]

    def get(self, table: str, key: str) -> dict | None:
        spec = self.stack.table(table)
        got = self.client("dynamodb").get_item(TableName=table, Key=to_item({spec.hash_key: key}))
        return from_item(got.get("Item"))

    def snapshot(self) -> dict[str, list[dict]]:
        return {t.name: self.table(t.name) for t in self.stack.tables}

    def clear(self, *tables: str) -> None:
        ddb = self.client("dynamodb")
        for name in tables:
            key = self.stack.table(name).hash_key
            for item in self.table(name):
                ddb.delete_item(TableName=name, Key=to_item({key: item[key]}))

    # -- seeding ---------------------------------------------------------------------------------------
    def put(self, table: str, item: dict) -> dict:
        self.client("dynamodb").put_item(TableName=table, Item=to_item(item))
        return item

    def provider(self, pid: str = "prov-1", *, enabled: bool = True) -> dict:
        account = self.stripe.create_connected_account(enabled=enabled, email=f"{pid}@example.com").account
        return self.put("UserProfile", {"id": pid, "email": f"{pid}@example.com", "userType": "provider",
                                        "profileOwner": pid, "stripeAccountId": account["id"]})

    def customer(self, cid: str = "cust-1") -> dict:
        return self.put("UserProfile", {"id": cid, "email": f"{cid}@example.com", "userType": "customer",
                                        "profileOwner": cid})

    def booking(self, bid: str, provider: dict, *, amount: int = 12000, pi: str | None = None, **extra) -> dict:
        item = {"id": bid, "serviceId": "svc-1", "customerId": "cust-1", "providerId": provider["id"],
                "startDateTime": "2026-03-05T10:00:00Z", "endDateTime": "2026-03-05T11:00:00Z",
                "status": "pending", "paymentStatus": "pending", "amount": amount, "currency": "usd", **extra}
        if pi:
            item["paymentIntentId"] = pi
        return self.put("Booking", item)

    def paid_booking(self, bid: str = "b1", provider: dict | None = None, amount: int = 12000, outcome: str = "succeeded"):
        """A pending booking and a direct charge for it in the fake Stripe; (booking, OpResult)."""
        provider = provider or self.provider()
        result = self.stripe.pay(amount, "usd", provider["stripeAccountId"], metadata={"bookingId": bid},
                                 outcome=outcome)
        booking = self.booking(bid, provider, amount=amount, pi=result.payment_intent["id"])
        return booking, result


def _deploy(stack) -> tuple[str, str]:
    ddb = boto3.client("dynamodb", region_name=REGION)
    for t in stack.tables:
        ddb.create_table(**table_spec(t))
    events = boto3.client("events", region_name=REGION)
    events.create_event_bus(Name=BUS_NAME)
    sqs = boto3.client("sqs", region_name=REGION)
    url = sqs.create_queue(QueueName="captured-events")["QueueUrl"]
    arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    events.put_rule(Name="capture-all", EventBusName=BUS_NAME, EventPattern=json.dumps({"source": SOURCES}))
    events.put_targets(Rule="capture-all", EventBusName=BUS_NAME, Targets=[{"Id": "q", "Arn": arn}])
    alerts = sqs.create_queue(QueueName="captured-alerts")["QueueUrl"]
    alerts_arn = sqs.get_queue_attributes(QueueUrl=alerts, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    sns = boto3.client("sns", region_name=REGION)
    for topic in TOPICS:
        topic_arn = sns.create_topic(Name=topic)["TopicArn"]
        sns.subscribe(TopicArn=topic_arn, Protocol="sqs", Endpoint=alerts_arn,
                      Attributes={"RawMessageDelivery": "true"})
    return url, alerts


@contextmanager
def harness(seed: int = 1, start: str = START) -> Iterator[Harness]:
    clock = Clock(start)
    fake = FakeStripe(clock, random.Random(seed))
    fake.start()
    try:
        stack = marketplace_stack(stripe_api_base=fake.url)
        with mock.patch.dict(os.environ, AWS_ENV), mock_aws():
            os.environ.pop("AWS_PROFILE", None)
            os.environ.pop("AWS_ENDPOINT_URL", None)
            clients.reset()
            stripe_client.reset()
            queue, alerts = _deploy(stack)
            clock.freeze()
            try:
                yield Harness(clock, fake, stack, queue, alerts)
            finally:
                clock.unfreeze()
                clients.reset()
                stripe_client.reset()
    finally:
        fake.close()


@pytest.fixture
def hx() -> Iterator[Harness]:
    with harness() as h:
        yield h
