"""The workflows with the real handlers in a World: a booking end to end (workflow, bus rules,
stripe-webhook, the payout workflow) and a dispute resolved a virtual day later."""

from __future__ import annotations

import time

import pytest

from handlers.common.ddb import to_item
from sim.authz.callers import IAM_IDENTITY

world_mod = pytest.importorskip("sim.world")
BUCKET = "ecosystem-marketplace-attachments"


def appsync(field: str, args: dict) -> dict:
    return {"arguments": args, "identity": IAM_IDENTITY, "source": None, "info": {"fieldName": field}}


@pytest.fixture
def world():
    with world_mod.World(seed=3) as w:
        s3 = w.client("s3")
        if BUCKET not in [b["Name"] for b in s3.list_buckets().get("Buckets", [])]:
            s3.create_bucket(Bucket=BUCKET)  # until the World deploys the stack's buckets
        ddb = w.client("dynamodb")
        acct = w.stripe.create_connected_account(enabled=True).account["id"]
        for item in ({"id": "prov-1", "email": "p@example.com", "userType": "provider", "stripeAccountId": acct},
                     {"id": "cust-1", "email": "c@example.com", "userType": "customer"}):
            ddb.put_item(TableName="UserProfile", Item=to_item(item))
        ddb.put_item(TableName="Service", Item=to_item({"id": "svc-1", "providerId": "prov-1", "title": "Massage"}))
        w.provider_account = acct
        yield w


def start(w, kind: str, payload: dict) -> str:
    return w.invoke("workflow-orchestrator", appsync("startWorkflow", {"workflowType": kind, "input": payload}))[
        "executionArn"]


def status(w, arn: str) -> dict:
    return w.invoke("workflow-orchestrator", appsync("getWorkflowStatus", {"executionArn": arn}))


def test_booking_end_to_end(world):
    arn = start(world, "BOOKING", {"action": "CREATE", "booking": {
        "customerId": "cust-1", "serviceId": "svc-1", "startDateTime": "2026-03-03T09:00:00Z",
        "endDateTime": "2026-03-03T10:00:00Z", "amount": 12000, "paymentMethodId": "pm_card_visa"}})
    world.advance(120)
    assert status(world, arn)["status"] == "SUCCEEDED"
    (booking,) = world.table_items("Booking")
    assert (booking["status"], booking["paymentStatus"], booking["platformFee"], booking["providerEarnings"]) == \
        ("confirmed", "succeeded", 960, 11040)
    assert booking["payoutStatus"] == "paid"
    types = [e["detail-type"] for e in world.bus_events]
    assert types.count("Booking Confirmed") == 1
    assert len(world.table_items("Notification")) == 6      # customer and provider × email, push, in-app
    assert [m["senderId"] for m in world.table_items("Message")] == ["system"]
    (payout,) = world.table_items("Payout")
    assert payout["amount"] == 11040 and payout["bookingIds"] == [booking["id"]]


def test_dispute_waits_a_virtual_day(world):
    ddb = world.client("dynamodb")
    acct = world.provider_account
    paid = world.stripe.pay(12000, "usd", acct, metadata={"bookingId": "b1"})
    ddb.put_item(TableName="Booking", Item=to_item({
        "id": "b1", "serviceId": "svc-1", "customerId": "cust-1", "providerId": "prov-1",
        "startDateTime": "2026-03-01T09:00:00.000Z", "endDateTime": "2026-03-01T10:00:00.000Z",
        "status": "completed", "paymentStatus": "succeeded", "amount": 12000, "currency": "usd",
        "platformFee": 960, "providerEarnings": 11040, "stripeAccountId": acct,
        "paymentIntentId": paid.payment_intent["id"]}))
    wall = time.monotonic()
    arn = start(world, "DISPUTE", {"bookingId": "b1", "disputeType": "REFUND_REQUEST", "amount": 6000})
    world.advance("23h")
    assert status(world, arn)["status"] == "RUNNING"
    world.advance("2h")
    assert status(world, arn)["status"] == "SUCCEEDED"
    assert time.monotonic() - wall < 60
    (dispute,) = world.table_items("Dispute")
    assert dispute["status"] == "RESOLVED" and dispute["resolution"]["refundAmount"] == 6000
    booking = [b for b in world.table_items("Booking") if b["id"] == "b1"][0]
    assert (booking["amountRefunded"], booking["platformFee"], booking["providerEarnings"]) == (6000, 480, 5520)
