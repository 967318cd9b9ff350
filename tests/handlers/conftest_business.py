"""Test support for the business handlers (not a conftest: import `business_env` explicitly).

`business_env(function)` gives a small world for one handler without the World: moto's
`mock_aws` with the stack's tables, bus and attachments bucket; a rule sending every
marketplace.* event on the bus to an SQS queue (`env.events()` reads them); the fake Stripe
(sim.stripe.FakeStripe) serving the real stripe SDK on 127.0.0.1; a virtual clock frozen at a
fixed instant (time-machine), so handler code sees deterministic time; and the function's
environment from sim/aws/stack.py. boto3 clients (the handlers' cached ones too) live for the
worker's life: moto's stubber serves whichever mock is active, and building clients is the
expensive part of a test. `env.call(event)` invokes the handler; `env.appsync(field,
args, sub=...)` and `env.task(action, input, workflow=...)` and `env.bus(source, detail_type,
detail)` build the three event shapes. Seeding helpers put profiles, services and bookings.
"""

from __future__ import annotations

import importlib
import json
import os
import random
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any
from unittest import mock

import boto3
from moto import mock_aws

from handlers.common import stripe_client
from handlers.common.isotime import to_iso
from handlers.common.money import split
from sim.aws.deploy import table_spec
from sim.aws.stack import ATTACHMENTS_BUCKET, BUS_NAME, marketplace_stack
from sim.clock import Clock
from sim.stripe.fake import FakeStripe

START = "2026-03-02T09:00:00Z"
REGION = "us-east-1"
SOURCES = ["marketplace.booking", "marketplace.payment", "marketplace.dispute", "marketplace.provider",
           "marketplace.workflow"]


IAM_IDENTITY = {"accountId": "123456789012", "userArn": "arn:aws:iam::123456789012:role/marketplace-backend",
                "username": "AROAEXAMPLEBACKEND:backend", "sourceIp": ["10.0.0.1"]}


@dataclass
class BusinessEnv:
    function: str
    module: Any
    clock: Clock
    stripe: FakeStripe
    queue_url: str
    _seen: list[dict] = field(default_factory=list)

    # -- clients and time ------------------------------------------------------------------------
    def client(self, service: str):
        return _client(service)

    def now(self):
        return self.clock.now()

    def advance(self, seconds: float) -> None:
        self.clock.unfreeze()
        self.clock.advance(seconds)
        self.clock.freeze()

    def iso(self, **delta: float) -> str:
        return to_iso(self.clock.now() + timedelta(**delta))

    # -- invocation ------------------------------------------------------------------------------
    def call(self, event: Any) -> Any:
        return self.module.handler(event, None)

    def appsync(self, field_name: str, args: dict, *, sub: str | None = None, groups: list[str] | None = None,
                identity: dict | None = None):
        """An AppSync call by the user `sub` (in `groups`), else by the backend (an IAM identity)."""
        if identity is None:
            identity = {"sub": sub, "username": sub, "groups": groups or []} if sub else IAM_IDENTITY
        return self.call({"arguments": args, "identity": identity, "source": None,
                          "info": {"fieldName": field_name, "parentTypeName": "Mutation"}})

    def task(self, action: str, input: Any, *, workflow: str = "test-workflow", **extra: Any):
        return self.call({"action": action, "workflow": workflow,
                          "executionArn": "arn:aws:states:us-east-1:123456789012:execution:test:1",
                          "input": input, **extra})

    def bus(self, source: str, detail_type: str, detail: dict) -> Any:
        return self.call({"version": "0", "id": f"ev-{len(self._seen)}", "detail-type": detail_type,
                          "source": source, "account": "123456789012", "time": to_iso(self.now()),
                          "region": REGION, "resources": [], "detail": detail})

    # -- observation -----------------------------------------------------------------------------
    def events(self) -> list[dict]:
        """Every event published on the bus so far (source, detail-type, detail)."""
        sqs = self.client("sqs")
        while True:
            got = sqs.receive_message(QueueUrl=self.queue_url, MaxNumberOfMessages=10).get("Messages", [])
            if not got:
                break
            for m in got:
                body = json.loads(m["Body"])
                self._seen.append({"source": body["source"], "detail-type": body["detail-type"],
                                   "detail": body["detail"]})
                sqs.delete_message(QueueUrl=self.queue_url, ReceiptHandle=m["ReceiptHandle"])
        return list(self._seen)

    def event_types(self) -> list[str]:
        return [e["detail-type"] for e in self.events()]

    def table(self, name: str) -> list[dict]:
        from handlers.common.ddb import from_item

        ddb = self.client("dynamodb")
        items, kwargs = [], {"TableName": name}
        while True:
            page = ddb.scan(**kwargs)
            items += [from_item(i) for i in page.get("Items", [])]
            if "LastEvaluatedKey" not in page:
                return sorted(items, key=lambda i: json.dumps(i, sort_keys=True, default=str))
            kwargs["ExclusiveStartKey"] = page["LastEvaluatedKey"]

    def snapshot(self) -> dict[str, list[dict]]:
        """Every table's items and the bucket's keys: compare before/after to prove nothing was written."""
        out = {t.name: self.table(t.name) for t in marketplace_stack().tables}
        listing = self.client("s3").list_objects_v2(Bucket=ATTACHMENTS_BUCKET).get("Contents", [])
        out["s3"] = sorted(o["Key"] for o in listing)
        return out

    # -- seeding ---------------------------------------------------------------------------------
    def put(self, table: str, item: dict) -> dict:
        from handlers.common.ddb import to_item

        self.client("dynamodb").put_item(TableName=table, Item=to_item(item))
        return item

    def provider(self, pid: str = "prov-1", *, enabled: bool = True, account: bool = True, **extra) -> dict:
        item = {"id": pid, "email": f"{pid}@example.com", "userType": "provider", "profileOwner": pid, **extra}
        if account:
            item["stripeAccountId"] = self.stripe.create_connected_account(enabled=enabled,
                                                                          email=item["email"]).account["id"]
        return self.put("UserProfile", item)

    def customer(self, cid: str = "cust-1", **extra) -> dict:
        return self.put("UserProfile", {"id": cid, "email": f"{cid}@example.com", "userType": "customer",
                                        "profileOwner": cid, **extra})

    def service(self, sid: str = "svc-1", provider: str = "prov-1", **extra) -> dict:
        return self.put("Service", {"id": sid, "providerId": provider, "title": "Deep tissue massage",
                                    "price": 12000, "currency": "usd", **extra})

    def booking(self, bid: str, *, provider: dict, customer: str = "cust-1", amount: int = 12000,
                status: str = "confirmed", payment_status: str = "succeeded", start_h: float = 24,
                pay: bool = True, **extra) -> dict:
        """A booking, paid through the fake Stripe (a direct charge) when `pay`."""
        fees = split(amount)
        item = {"id": bid, "serviceId": "svc-1", "customerId": customer, "providerId": provider["id"],
                "startDateTime": self.iso(hours=start_h), "endDateTime": self.iso(hours=start_h + 1),
                "status": status, "paymentStatus": payment_status, "amount": amount, "currency": "usd",
                "platformFee": fees.platform_fee, "providerEarnings": fees.provider_earnings,
                "stripeAccountId": provider["stripeAccountId"], "createdAt": self.iso(), **extra}
        if pay:
            paid = self.stripe.pay(amount, "usd", provider["stripeAccountId"], metadata={"bookingId": bid})
            item["paymentIntentId"] = paid.payment_intent["id"]
        return self.put("Booking", item)


_SESSION = boto3.session.Session()
_CLIENTS: dict[str, Any] = {}


def _client(service: str):
    """Clients are cached for the worker's life (building one costs ~0.15 s of model loading); moto's
    stubber is registered when moto is imported, so every client reaches the active mock."""
    if service not in _CLIENTS:
        _CLIENTS[service] = _SESSION.client(service, region_name=REGION, aws_access_key_id="testing",
                                            aws_secret_access_key="testing")
    return _CLIENTS[service]


def _deploy(queue_name: str = "captured-events") -> str:
    stack = marketplace_stack()
    ddb = _client("dynamodb")
    for t in stack.tables:
        ddb.create_table(**table_spec(t))
    _client("s3").create_bucket(Bucket=ATTACHMENTS_BUCKET)
    events = _client("events")
    events.create_event_bus(Name=BUS_NAME)
    sqs = _client("sqs")
    url = sqs.create_queue(QueueName=queue_name)["QueueUrl"]
    arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    events.put_rule(Name="capture-all", EventBusName=BUS_NAME, EventPattern=json.dumps({"source": SOURCES}))
    events.put_targets(Rule="capture-all", EventBusName=BUS_NAME, Targets=[{"Id": "q", "Arn": arn}])
    return url


@contextmanager
def business_env(function: str, *, seed: int = 1, start: str = START,
                 extra_env: dict[str, str] | None = None) -> Iterator[BusinessEnv]:
    clock = Clock(start)
    fake = FakeStripe(clock, random.Random(seed))
    fake.start()
    try:
        stack = marketplace_stack(stripe_api_base=fake.url)
        fn = stack.function(function)
        env = {**stack.environment(fn), "AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing",
               "AWS_DEFAULT_REGION": REGION, "AWS_REGION": REGION, "LOG_LEVEL": "WARNING",
               **(extra_env or {})}
        env.setdefault("AWS_ENDPOINT_URL", "")
        with mock.patch.dict(os.environ, env), mock_aws():
            os.environ.pop("AWS_PROFILE", None)
            stripe_client.reset()
            queue = _deploy()
            module = importlib.import_module(fn.handler.rsplit(".", 1)[0])
            clock.freeze()
            try:
                yield BusinessEnv(function, module, clock, fake, queue)
            finally:
                clock.unfreeze()
                stripe_client.reset()
    finally:
        fake.close()
