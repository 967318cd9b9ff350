"""stripe-connect: Express accounts, account links, direct-charge payment intents (8 % fee), account
status; bad input → a clear AppSync error and nothing written."""

import pytest

from handlers.common.appsync import NotFoundError, UnauthorizedError, ValidationError


def call(hx, args, sub="prov-1", groups=None):
    return hx.invoke("stripe-connect", {"arguments": args, "identity": {"sub": sub, "groups": groups or []},
                                        "info": {"fieldName": "stripeConnect"}, "source": None})


def test_create_account_is_express_and_idempotent(hx):
    hx.put("UserProfile", {"id": "prov-1", "email": "p1@example.com", "userType": "provider"})
    first = call(hx, {"action": "createAccount"})
    assert first["created"] is True and first["accountId"].startswith("acct_")
    acct = hx.stripe.ledger._objects[first["accountId"]]
    assert acct["type"] == "express" and acct["metadata"]["userId"] == "prov-1"
    assert hx.get("UserProfile", "prov-1")["stripeAccountId"] == first["accountId"]
    again = call(hx, {"action": "CREATE_ACCOUNT"})
    assert again == {"action": "CREATE_ACCOUNT", "accountId": first["accountId"], "userId": "prov-1",
                     "created": False}


def test_account_link(hx):
    hx.provider()
    link = call(hx, {"action": "createAccountLink", "refreshUrl": "https://m.example/refresh",
                     "returnUrl": "https://m.example/return"})
    assert link["url"].startswith("http") and link["accountId"].startswith("acct_")


def test_payment_intent_is_a_direct_charge_with_the_fee(hx):
    provider = hx.provider()
    hx.customer()
    hx.booking("b1", provider, amount=12345)
    out = call(hx, {"action": "createPaymentIntent", "bookingId": "b1", "amount": 12345, "currency": "USD"},
               sub="cust-1")
    assert (out["platformFee"], out["providerEarnings"], out["connectedAccountId"]) == \
        (988, 11357, provider["stripeAccountId"])
    pi = hx.stripe.ledger._objects[out["paymentIntentId"]]
    assert pi["application_fee_amount"] == 988 and pi["metadata"]["bookingId"] == "b1"
    assert hx.stripe.ledger._owner[pi["id"]] == provider["stripeAccountId"]   # Stripe-Account header
    assert out["clientSecret"]


def test_account_status_syncs_profile(hx):
    provider = hx.provider(enabled=True)
    out = call(hx, {"action": "getAccountStatus"})
    assert out["status"] == "active" and out["chargesEnabled"] is True
    p = hx.get("UserProfile", "prov-1")
    assert p["stripeAccountStatus"] == "active" and p["stripeAccountId"] == provider["stripeAccountId"]
    assert [e["detail-type"] for e in hx.events()] == ["Provider Updated"]
    call(hx, {"action": "getAccountStatus"})
    assert len(hx.events()) == 1                                    # unchanged: no new event


@pytest.mark.parametrize("args, error", [
    ({"action": "explode"}, ValidationError),
    ({}, ValidationError),
    ({"action": 5}, ValidationError),
    ({"action": "createPaymentIntent", "amount": 0, "providerId": "prov-1"}, ValidationError),
    ({"action": "createPaymentIntent", "amount": -100, "providerId": "prov-1"}, ValidationError),
    ({"action": "createPaymentIntent", "amount": "ten", "providerId": "prov-1"}, ValidationError),
    ({"action": "createPaymentIntent", "amount": 100}, ValidationError),
    ({"action": "createPaymentIntent", "amount": 100, "providerId": "prov-1", "currency": "dollars"},
     ValidationError),
    ({"action": "createPaymentIntent", "amount": 100, "bookingId": "nope"}, NotFoundError),
    # the caller (prov-1) is the booking's provider, not its customer: refused before any validation
    ({"action": "createPaymentIntent", "amount": 999, "bookingId": "b1"}, UnauthorizedError),
    ({"action": "createPaymentIntent", "amount": 100, "connectedAccountId": "bogus"}, ValidationError),
    ({"action": "createAccountLink", "refreshUrl": "ftp://x", "returnUrl": "https://x"}, ValidationError),
    ({"action": "createAccount", "userId": "someone-else"}, UnauthorizedError),
    ({"action": "getAccountStatus", "userId": "ghost"}, UnauthorizedError),
])
def test_bad_input_is_an_appsync_error_and_nothing_written(hx, args, error):
    provider = hx.provider()
    hx.booking("b1", provider, amount=12000)
    before, stripe_events = hx.snapshot(), len(hx.stripe.events)
    with pytest.raises(error):
        call(hx, args)
    assert hx.snapshot() == before and len(hx.stripe.events) == stripe_events and hx.events() == []


def test_unknown_profile(hx):
    with pytest.raises(NotFoundError):
        call(hx, {"action": "createAccount"}, sub="nobody")
    with pytest.raises(ValidationError):
        hx.invoke("stripe-connect", "garbage")


def test_admin_may_act_for_another_user(hx):
    hx.put("UserProfile", {"id": "prov-9", "email": "p9@example.com"})
    out = call(hx, {"action": "createAccount", "userId": "prov-9"}, sub="admin-1", groups=["admin"])
    assert out["created"] is True
