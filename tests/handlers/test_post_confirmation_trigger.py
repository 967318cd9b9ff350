"""post-confirmation-trigger: Cognito event → UserProfile, user type, idempotency, bad events."""

from __future__ import annotations

import copy

import pytest

from handlers.common.appsync import ValidationError
from tests.handlers.conftest_business import business_env


@pytest.fixture
def env():
    with business_env("post-confirmation-trigger") as e:
        yield e


def cognito(sub="u-1", email="Ana@Example.com", trigger="PostConfirmation_ConfirmSignUp", **attrs):
    return {"version": "1", "region": "us-east-1", "userPoolId": "us-east-1_pool", "userName": "ana",
            "callerContext": {"awsSdkVersion": "aws-sdk-js-3", "clientId": "client"}, "triggerSource": trigger,
            "request": {"userAttributes": {"sub": sub, "email": email, "given_name": "Ana", "family_name": "Lima",
                                           "cognito:user_status": "CONFIRMED", **attrs}},
            "response": {}}


def test_creates_the_profile_and_returns_the_event(env):
    event = cognito(**{"custom:userType": "Provider"})
    assert env.call(copy.deepcopy(event)) == event
    (profile,) = env.table("UserProfile")
    assert profile == {"id": "u-1", "email": "ana@example.com", "firstName": "Ana", "lastName": "Lima",
                       "userType": "provider", "profileOwner": "u-1::ana", "createdAt": "2026-03-02T09:00:00.000Z"}


@pytest.mark.parametrize("request_extra,expected", [
    ({"groupConfiguration": {"groupsToOverride": ["Admins"]}}, "admin"),
    ({"groups": ["providers"]}, "provider"),
    ({}, "customer"),
])
def test_user_type_from_groups(env, request_extra, expected):
    event = cognito()
    event["request"].update(request_extra)
    env.call(event)
    assert env.table("UserProfile")[0]["userType"] == expected


def test_idempotent_and_never_overwrites(env):
    env.call(cognito())
    env.advance(60)
    env.call(cognito(email="other@example.com", **{"custom:userType": "admin"}))
    (profile,) = env.table("UserProfile")
    assert profile["email"] == "ana@example.com" and profile["userType"] == "customer"
    assert profile["createdAt"] == "2026-03-02T09:00:00.000Z"


def test_forgot_password_writes_nothing(env):
    event = cognito(trigger="PostConfirmation_ConfirmForgotPassword")
    assert env.call(event) == event and env.table("UserProfile") == []


@pytest.mark.parametrize("event", [
    cognito(sub=""), cognito(email="not-an-email"), {**cognito(), "request": {}},
    {**cognito(), "triggerSource": "PreSignUp_SignUp"}, {"arguments": {}, "info": {"fieldName": "x"}}, None,
])
def test_garbage_fails_closed(env, event):
    with pytest.raises(ValidationError):
        env.call(event)
    assert env.table("UserProfile") == []
