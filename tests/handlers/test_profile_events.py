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


def stream(new: dict, old: dict | None = None, name: str = "MODIFY") -> dict:
    image = lambda d: {k: SER.serialize(v) for k, v in d.items()}  # noqa: E731
    rec = {"eventID": "1", "eventName": name, "eventSource": "aws:dynamodb", "dynamodb": {"NewImage": image(new)}}
    if old is not None:
        rec["dynamodb"]["OldImage"] = image(old)
    return {"Records": [rec]}


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
