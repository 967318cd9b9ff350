"""webhook-authorizer (docs/contracts.md §4): Stripe (valid, tampered, stale, future, rotated, missing), GitHub,
Shopify, the dedup look-up in resolverContext, ttlOverride 0, never an exception."""

import json

import pytest

from handlers.common.dedup import WebhookDeduplicationService
from sim.aws.stack import SIM_GITHUB_WEBHOOK_SECRET, SIM_SHOPIFY_WEBHOOK_SECRET, SIM_STRIPE_WEBHOOK_SECRET
from sim.stripe.signing import github_signature, shopify_signature

EVENT = {"id": "evt_auth_1", "object": "event", "type": "payment_intent.succeeded", "created": 1,
         "data": {"object": {"id": "pi_1"}}}
BODY = json.dumps(EVENT, indent=2)


def assert_shape(resp):
    assert set(resp) == {"isAuthorized", "resolverContext", "deniedFields", "ttlOverride"}
    assert resp["ttlOverride"] == 0 and resp["deniedFields"] == []
    assert all(isinstance(v, str) for v in resp["resolverContext"].values())


def test_valid_stripe_signature_new_event(hx):
    resp = hx.authorize({"Stripe-Signature": hx.sign(BODY)}, BODY)
    assert_shape(resp)
    assert resp["isAuthorized"] is True
    ctx = resp["resolverContext"]
    assert (ctx["provider"], ctx["eventId"], ctx["eventType"], ctx["dedupStatus"]) == \
        ("stripe", "evt_auth_1", "payment_intent.succeeded", "NEW")
    assert ctx["stripeSignature"].startswith("t=")


def test_dedup_status_travels(hx):
    with hx.as_function("stripe-webhook"):
        svc = WebhookDeduplicationService()
        svc.mark_completed(svc.acquire("evt_auth_1", source="stripe").lock)
    resp = hx.authorize({"stripe-signature": hx.sign(BODY)}, BODY)
    assert resp["isAuthorized"] and resp["resolverContext"]["dedupStatus"] == "COMPLETED"


@pytest.mark.parametrize("case", ["tampered", "stale", "future", "wrong-secret", "garbage-header", "v0-only"])
def test_bad_stripe_signatures_denied(hx, case):
    headers = {
        "tampered": lambda: {"stripe-signature": hx.sign(BODY.replace("pi_1", "pi_2"))},
        "stale": lambda: {"stripe-signature": hx.sign(BODY, t=hx.now() - 301)},
        "future": lambda: {"stripe-signature": hx.sign(BODY, t=hx.now() + 301)},
        "wrong-secret": lambda: {"stripe-signature": hx.sign(BODY, secrets=["whsec_nope"])},
        "garbage-header": lambda: {"stripe-signature": "%%%"},
        "v0-only": lambda: {"stripe-signature": f"t={hx.now()},v0=00"},
    }[case]()
    resp = hx.authorize(headers, BODY)
    assert_shape(resp)
    assert resp["isAuthorized"] is False and resp["resolverContext"] == {}


def test_tolerance_edges(hx):
    assert hx.authorize({"stripe-signature": hx.sign(BODY, t=hx.now() - 300)}, BODY)["isAuthorized"]
    assert hx.authorize({"stripe-signature": hx.sign(BODY, t=hx.now() + 300)}, BODY)["isAuthorized"]


def test_rotation(hx):
    both = hx.sign(BODY, secrets=["whsec_brand_new", SIM_STRIPE_WEBHOOK_SECRET])
    assert hx.authorize({"stripe-signature": both}, BODY)["isAuthorized"]
    hx.extra_env["STRIPE_WEBHOOK_SECRET"] = "whsec_brand_new"
    hx.extra_env["STRIPE_WEBHOOK_SECRET_PREVIOUS"] = SIM_STRIPE_WEBHOOK_SECRET
    old_only = hx.sign(BODY)
    assert hx.authorize({"stripe-signature": old_only}, BODY)["isAuthorized"]
    hx.extra_env.pop("STRIPE_WEBHOOK_SECRET_PREVIOUS")
    assert not hx.authorize({"stripe-signature": old_only}, BODY)["isAuthorized"]


def test_stripe_signed_but_not_an_event(hx):
    for body in ("{not json", "[]", json.dumps({"type": "x"})):
        assert not hx.authorize({"stripe-signature": hx.sign(body)}, body)["isAuthorized"]


def test_github(hx):
    body = '{"action": "opened"}'
    good = {"x-hub-signature-256": github_signature(body.encode(), SIM_GITHUB_WEBHOOK_SECRET),
            "x-github-delivery": "d-1", "x-github-event": "issues"}
    resp = hx.authorize(good, body)
    assert_shape(resp)
    assert resp["isAuthorized"] and resp["resolverContext"]["provider"] == "github"
    assert resp["resolverContext"]["eventId"] == "github:d-1" and resp["resolverContext"]["dedupStatus"] == "NEW"
    bad = {**good, "x-hub-signature-256": github_signature(body.encode(), "other")}
    assert not hx.authorize(bad, body)["isAuthorized"]


def test_shopify(hx):
    body = '{"order": 1}'
    good = {"X-Shopify-Hmac-Sha256": shopify_signature(body.encode(), SIM_SHOPIFY_WEBHOOK_SECRET),
            "X-Shopify-Webhook-Id": "w-1", "X-Shopify-Topic": "orders/create"}
    resp = hx.authorize(good, body)
    assert resp["isAuthorized"] and resp["resolverContext"]["eventId"] == "shopify:w-1"
    assert not hx.authorize(good, body + " ")["isAuthorized"]


def test_missing_header_and_malformed_requests(hx):
    assert not hx.authorize({}, BODY)["isAuthorized"]
    for event in (None, "x", [], {}, {"requestContext": "x"}, {"requestContext": {"variables": {"payload": 5}}},
                  {"requestContext": {"variables": {"payload": BODY}}, "requestHeaders": "x"}):
        resp = hx.invoke("webhook-authorizer", event)
        assert_shape(resp)
        assert resp["isAuthorized"] is False


def test_dedup_lookup_failure_is_advisory(hx, monkeypatch):
    from handlers import webhook_authorizer

    def broken(self, event_id):
        raise RuntimeError("dynamodb down")

    monkeypatch.setattr(WebhookDeduplicationService, "check", broken)
    resp = hx.authorize({"stripe-signature": hx.sign(BODY)}, BODY)
    assert resp["isAuthorized"] and resp["resolverContext"]["dedupStatus"] == "UNKNOWN"
    assert webhook_authorizer.handler  # the module is the stack's handler path
