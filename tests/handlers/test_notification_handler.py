"""notification-handler: bus events, workflow tasks and AppSync; preferences; dedup; history."""

from __future__ import annotations

import pytest

from handlers.common.appsync import UnauthorizedError, ValidationError
from tests.handlers.conftest_business import business_env


@pytest.fixture
def env():
    with business_env("notification-handler") as e:
        e.p = e.provider()
        e.customer()
        e.service()
        e.booking("b1", provider=e.p, pay=False)
        yield e


def by_user(env):
    out: dict[str, list[str]] = {}
    for n in env.table("Notification"):
        out.setdefault(n["userId"], []).append(n["channel"])
    return {k: sorted(v) for k, v in out.items()}


def test_booking_confirmed_notifies_both_parties_on_every_channel_once(env):
    detail = {"bookingId": "b1", "status": "confirmed", "origin": "booking-lifecycle"}
    env.bus("marketplace.booking", "Booking Confirmed", detail)
    env.bus("marketplace.booking", "Booking Confirmed", detail)  # redelivered
    booking = env.table("Booking")[0]
    env.task("sendBookingNotifications", {"event": "BOOKING_CONFIRMED", "booking": booking},
             workflow="booking-lifecycle")  # the workflow's own step: same facts, same records
    assert by_user(env) == {"cust-1": ["email", "in_app", "push"], "prov-1": ["email", "in_app", "push"]}
    email = [n for n in env.table("Notification") if n["channel"] == "email" and n["userId"] == "cust-1"][0]
    assert email["to"] == "cust-1@example.com" and email["status"] == "recorded" and "b1" in email["body"]


def test_preferences_are_honoured(env):
    env.put("NotificationPreference", {"userId": "cust-1", "email": False, "push": True, "inApp": True,
                                       "mutedTypes": ["DISPUTE_CREATED"]})
    env.bus("marketplace.booking", "Booking Cancelled", {"bookingId": "b1", "status": "cancelled"})
    env.bus("marketplace.dispute", "Dispute Created", {"disputeId": "d1", "bookingId": "b1"})
    got = {(n["userId"], n["type"], n["channel"]) for n in env.table("Notification")}
    assert ("cust-1", "BOOKING_CANCELLED", "email") not in got
    assert ("cust-1", "BOOKING_CANCELLED", "push") in got
    assert not any(u == "cust-1" and t == "DISPUTE_CREATED" for u, t, _ in got)
    assert ("prov-1", "DISPUTE_CREATED", "email") in got


def test_provider_events_and_welcome(env):
    env.task("sendWelcomeNotification", {"userId": "prov-1", "stripeAccountId": "acct_1"},
             workflow="provider-onboarding")
    env.bus("marketplace.provider", "Provider Onboarded", {"providerId": "prov-1", "stripeAccountId": "acct_1"})
    env.bus("marketplace.provider", "Provider Updated", {"providerId": "prov-1", "accountStatus": "active"})
    types = sorted({n["type"] for n in env.table("Notification")})
    assert types == ["PROVIDER_ONBOARDED", "PROVIDER_UPDATED"]
    assert len([n for n in env.table("Notification") if n["type"] == "PROVIDER_ONBOARDED"]) == 3


def test_send_and_get_history(env):
    sent = env.appsync("sendNotification", {"userId": "cust-1", "title": "Hi", "message": "Welcome!",
                                            "channels": ["in_app", "email"]}, sub="ops", groups=["admin"])
    assert len(sent["notifications"]) == 2
    got = env.appsync("getNotifications", {"unreadOnly": True, "markAsRead": True}, sub="cust-1")
    assert [n["channel"] for n in got["notifications"]] == ["in_app"]
    assert env.appsync("getNotifications", {"unreadOnly": True}, sub="cust-1")["notifications"] == []
    assert len(env.appsync("getNotifications", {}, sub="cust-1")["notifications"]) == 2


@pytest.mark.parametrize("args", [
    {"title": "x", "message": "y"},
    {"userId": "cust-1", "message": "y"},
    {"userId": "cust-1", "title": "x", "message": "y", "channels": ["pigeon"]},
    {"userId": "cust-1", "title": "x", "message": "y", "data": "{not json"},
])
def test_bad_send_writes_nothing(env, args):
    before = env.snapshot()
    with pytest.raises(ValidationError):
        env.appsync("sendNotification", args, sub=None)
    assert env.snapshot() == before


def test_authorisation_and_garbage(env):
    before = env.snapshot()
    with pytest.raises(UnauthorizedError):
        env.appsync("sendNotification", {"userId": "cust-1", "title": "x", "message": "y"}, sub="cust-1")
    with pytest.raises(UnauthorizedError):
        env.appsync("getNotifications", {"userId": "prov-1"}, sub="cust-1")
    with pytest.raises(ValidationError):
        env.bus("marketplace.booking", "Booking Exploded", {"bookingId": "b1"})
    with pytest.raises(ValidationError):
        env.bus("marketplace.provider", "Provider Updated", {})
    with pytest.raises(ValidationError):
        env.task("sendBookingNotifications", {"event": "BOOKING_CONFIRMED"})
    assert env.snapshot() == before
