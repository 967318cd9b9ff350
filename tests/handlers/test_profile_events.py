"""profile-events: onboarding steps, Stripe account sync, DynamoDB stream → Provider Updated."""

from __future__ import annotations

import pytest
from boto3.dynamodb.types import TypeSerializer

from handlers.common.appsync import NotFoundError, ValidationError
from tests.handlers.conftest_business import business_env

SER = TypeSerializer()


@pytest.fixture
def env():
    with business_env("profile-events") as e:
        e.put("UserProfile", {"id": "prov-1", "email": "prov-1@example.com", "userType": "customer"})
        yield e


_SEQ = iter(range(1, 10_000))


def record(new: dict | None, old: dict | None = None, name: str | None = None, seq: int | None = None) -> dict:
    """One stream record exactly as Lambda's DynamoDB event source mapping sends it (NEW_AND_OLD_IMAGES,
    images in DynamoDB JSON)."""
    image = lambda d: {k: SER.serialize(v) for k, v in d.items()}  # noqa: E731
    seq = next(_SEQ) if seq is None else seq
    key = (new or old)["id"]
    body = {"ApproximateCreationDateTime": 1772442000, "Keys": {"id": {"S": key}},
            "SequenceNumber": f"{seq:021d}", "SizeBytes": 120, "StreamViewType": "NEW_AND_OLD_IMAGES"}
    if new is not None:
        body["NewImage"] = image(new)
    if old is not None:
        body["OldImage"] = image(old)
    name = name or ("INSERT" if old is None else "REMOVE" if new is None else "MODIFY")
    return {"eventID": f"{seq:032x}", "eventName": name, "eventVersion": "1.1", "eventSource": "aws:dynamodb",
            "awsRegion": "us-east-1", "dynamodb": body,
            "eventSourceARN": "arn:aws:dynamodb:us-east-1:123456789012:table/UserProfile/stream/"
                              "2026-01-01T00:00:00.000"}


def stream(new: dict, old: dict | None = None, name: str | None = None, seq: int | None = None) -> dict:
    return {"Records": [record(new, old, name, seq)]}


def test_create_account_is_reused_and_recorded(env):
    first = env.task("createStripeAccount", {"providerId": "prov-1", "country": "US"}, attempt="initial",
                     workflow="provider-onboarding")
    assert first["status"] == "CREATED" and first["accountId"].startswith("acct_")
    again = env.task("createStripeAccount", {"providerId": "prov-1"}, attempt="retry",
                     workflow="provider-onboarding")
    assert again["accountId"] == first["accountId"]
    (profile,) = env.table("UserProfile")
    assert profile["stripeAccountId"] == first["accountId"] and profile["userType"] == "provider"
    updated = env.task("updateProviderProfile", {"providerId": "prov-1", "stripeAccountId": first["accountId"]},
                       workflow="provider-onboarding")["profile"]
    assert updated["onboardingStatus"] == "ACCOUNT_CREATED" and updated["stripeAccountStatus"] in ("pending", "restricted")


def test_stripe_refusal_is_a_failed_result(env):
    env.put("UserProfile", {"id": "prov-2", "email": "prov-2@example.com"})
    out = env.task("createStripeAccount", {"providerId": "prov-2", "country": "ZZ"}, workflow="provider-onboarding")
    assert out["status"] == "FAILED" and out["accountId"] is None and out["error"]
    assert "stripeAccountId" not in [p for p in env.table("UserProfile") if p["id"] == "prov-2"][0]


def test_sync_and_stream_publish_provider_updated(env):
    acct = env.stripe.create_connected_account(enabled=True).account["id"]
    env.put("UserProfile", {"id": "prov-1", "email": "prov-1@example.com", "userType": "provider",
                            "stripeAccountId": acct})
    out = env.task("syncStripeAccount", {"providerId": "prov-1"})
    assert "stripeAccountStatus" in out["changed"] and out["profile"]["stripeAccountStatus"] == "active"
    assert env.task("syncStripeAccount", {"providerId": "prov-1"})["changed"] == []
    res = env.call(stream({"id": "prov-1", "userType": "provider", "stripeAccountId": acct, "firstName": "Bo"},
                          {"id": "prov-1", "userType": "provider", "stripeAccountId": acct}))
    assert res["processed"][0]["changed"] == ["firstName"]
    mirror_only = env.call(stream({"id": "prov-1", "userType": "provider", "stripeAccountStatus": "active"},
                                  {"id": "prov-1", "userType": "provider"}))
    assert mirror_only["processed"] == []  # our own mirror write: no loop
    types = env.event_types()
    assert types == ["Provider Updated", "Provider Updated"]
    assert env.events()[0]["detail"]["accountStatus"] == "active"


def test_stream_batch_in_aws_shape_publishes_once_per_change(env):
    """A hand-built batch in the exact shape Lambda receives: typed images (S, N, BOOL, L, M, NULL),
    INSERT / MODIFY / REMOVE, a customer, our own writes; then the batch again (Lambda retries a failed
    batch whole): nothing is announced twice."""
    acct = env.stripe.create_connected_account(enabled=True).account["id"]
    before = {"id": "prov-1", "userType": "provider", "stripeAccountId": acct, "email": "prov-1@example.com",
              "hourlyRate": 4500, "verified": False, "tags": ["yoga"], "address": {"city": "Oslo"}, "bio": None}
    env.put("UserProfile", before)
    after = {**before, "hourlyRate": 5000, "address": {"city": "Bergen"}}
    batch = {"Records": [
        record(after, before, seq=101),                                              # a provider's change
        record({**after, "stripeChargesEnabled": True, "updatedAt": "2026-03-02T09:00:01Z"}, after, seq=102),
        record({**after, "providerEventSequence": "101"}, after, seq=103),             # our own marker write
        record({"id": "cust-9", "userType": "customer", "email": "c@example.com"}, seq=104),  # a customer
        record({"id": "prov-2", "userType": "provider", "email": "p2@example.com"}, seq=105),  # INSERT: not an update
        record({"id": "prov-2", "userType": "provider", "email": "p2@new.example.com"},
               {"id": "prov-2", "userType": "provider", "email": "p2@example.com"}, seq=106),
        record(None, {"id": "prov-3", "userType": "provider"}, seq=107),               # REMOVE
    ]}
    env.put("UserProfile", {"id": "prov-2", "userType": "provider", "email": "p2@example.com"})
    out = env.call(batch)
    assert [(p["providerId"], p["changed"][:2]) for p in out["processed"]] == [
        ("prov-1", ["address", "hourlyRate"]), ("prov-2", ["email"])]
    assert out["ignored"] == 5
    updated = [e for e in env.events() if e["detail-type"] == "Provider Updated"]
    assert [(e["source"], e["detail"]["providerId"]) for e in updated] == [
        ("marketplace.provider", "prov-1"), ("marketplace.provider", "prov-2")]
    assert {"address", "hourlyRate"} <= set(updated[0]["detail"]["changed"])
    assert updated[0]["detail"]["accountStatus"] == "active"  # the mirror was synced from Stripe
    profiles = {p["id"]: p for p in env.table("UserProfile")}
    assert profiles["prov-1"]["providerEventSequence"] == "101"
    assert profiles["prov-2"]["providerEventSequence"] == "106"
    again = env.call(batch)  # the same batch delivered again
    assert again["processed"] == [] and len(env.events()) == 2


def test_own_writes_do_not_loop(env):
    """Feed back the records profile-events' own writes cause: none announces anything."""
    acct = env.stripe.create_connected_account(enabled=True).account["id"]
    old = {"id": "prov-1", "userType": "provider", "stripeAccountId": acct, "email": "prov-1@example.com"}
    env.put("UserProfile", old)
    changed = {**old, "displayName": "Bo"}
    env.put("UserProfile", changed)
    env.call(stream(changed, old, seq=7))
    assert env.event_types() == ["Provider Updated"]
    chain, previous = 0, changed
    (current,) = [p for p in env.table("UserProfile") if p["id"] == "prov-1"]
    while current != previous and chain < 5:  # each write it made is a record it receives next
        out = env.call(stream(current, previous, seq=8 + chain))
        assert out["processed"] == []
        previous = current
        (current,) = [p for p in env.table("UserProfile") if p["id"] == "prov-1"]
        chain += 1
    assert current == previous and env.event_types() == ["Provider Updated"]


@pytest.mark.parametrize("bad", [
    {"Records": [{"eventSource": "aws:dynamodb", "eventName": "MODIFY"}]},
    {"Records": [{"eventSource": "aws:dynamodb", "eventName": "UPSERT", "dynamodb": {}}]},
    {"Records": [{**record({"id": "prov-1", "userType": "provider"}), "dynamodb": {
        "NewImage": {"id": {"S": "prov-1"}, "userType": {"S": "provider"}}, "SequenceNumber": 12}}]},
    {"Records": [{**record({"id": "prov-1", "userType": "provider"}), "dynamodb": {
        "NewImage": {"id": "prov-1"}, "SequenceNumber": "12"}}]},
    {"Records": [{**record({"id": "prov-1", "userType": "provider"}), "dynamodb": {
        "NewImage": {"id": {"Q": "x"}}, "SequenceNumber": "12"}}]},
    {"Records": [record({"id": "prov-1", "userType": "provider"}), {"eventSource": "aws:sqs"}]},
    {"Records": []},
])
def test_malformed_stream_records_fail_closed(env, bad):
    before = env.snapshot()
    with pytest.raises(ValidationError):
        env.call(bad)
    assert env.snapshot() == before and env.events() == []


def test_garbage_fails_closed(env):
    before = env.snapshot()
    with pytest.raises(ValidationError):
        env.call({"Records": [{"eventSource": "aws:sqs"}]})
    with pytest.raises(ValidationError):
        env.task("createStripeAccount", {})
    with pytest.raises(NotFoundError):
        env.task("createStripeAccount", {"providerId": "ghost"})
    with pytest.raises(ValidationError):
        env.task("updateProviderProfile", {"providerId": "prov-1", "stripeAccountId": "acct_forged"})
    with pytest.raises(ValidationError):
        env.appsync("anything", {})
    assert env.snapshot() == before and env.events() == []


def test_through_the_world_stream_one_provider_updated_per_change():
    """With the UserProfile stream wired to profile-events in the World: a provider's change gives one
    Provider Updated; the writes profile-events makes in answer come back as records and stop there."""
    from handlers.common.ddb import to_item
    from sim.world import World

    with World(seed=3) as w:
        if not getattr(w, "streams", None) or "UserProfile" not in getattr(w.streams, "tables", {}):
            pytest.skip("this World has no UserProfile stream")
        acct = w.stripe.create_connected_account(enabled=True).account["id"]
        ddb = w.client("dynamodb")
        with w.internal():
            ddb.put_item(TableName="UserProfile", Item=to_item({"id": "prov-1", "userType": "provider",
                                                                 "email": "p@example.com", "stripeAccountId": acct}))
        w.advance("1m")
        with w.internal():
            ddb.update_item(TableName="UserProfile", Key={"id": {"S": "prov-1"}},
                            UpdateExpression="SET displayName = :n", ExpressionAttributeValues={":n": {"S": "Bo"}})
        w.advance("1m")
        updated = [e for e in w.bus_events if e.get("detail-type") == "Provider Updated"]
        assert [e["detail"]["changed"][0] for e in updated] == ["displayName"]  # the INSERT is not an update
        records = len(w.trace.select("dynamodb", "stream.record"))
        w.advance("10m")  # nothing more: no loop
        assert len([e for e in w.bus_events if e.get("detail-type") == "Provider Updated"]) == 1
        assert len(w.trace.select("dynamodb", "stream.record")) == records
        assert not w.streams.failures
