"""POST /webhooks/stripe with Stripe's headers: webhook-authorizer → stripe-webhook as in
production; a signed payment_intent.succeeded confirms the booking, a bad signature is 401."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from datetime import datetime

from sim.aws.stack import SIM_GITHUB_WEBHOOK_SECRET
from sim.stripe.signing import stripe_signature


def _now(served) -> int:
    return int(datetime.fromisoformat(served.get("/_sim/health")["now"].replace("Z", "+00:00")).timestamp())


def _pending_booking(served, catalogue) -> dict:
    user = served.user("webhook-customer")
    query = ('mutation($s: ID) { processBooking(action: "create", serviceId: $s, startDateTime: '
             '"2026-03-12T10:00:00.000Z", endDateTime: "2026-03-12T11:00:00.000Z", amount: 12000) }')
    status, body = served.post("/graphql", {"query": query, "variables": {"s": catalogue["services"][2]["id"]}},
                               {"Authorization": user["idToken"]})
    assert status == 200 and "errors" not in body, body
    booking = json.loads(body["data"]["processBooking"])
    assert booking["status"] == "pending" and booking["paymentIntentId"]
    return booking


def _event(booking: dict, now: int, event_id: str) -> bytes:
    return json.dumps({
        "id": event_id, "object": "event", "type": "payment_intent.succeeded", "created": now, "livemode": False,
        "api_version": "2024-06-20", "data": {"object": {
            "id": booking["paymentIntentId"], "object": "payment_intent", "amount": 12000, "currency": "usd",
            "status": "succeeded", "application_fee_amount": 960, "latest_charge": "ch_ingress_1",
            "metadata": {"bookingId": booking["id"]}}}}).encode()


def _booking(served, booking_id: str) -> dict:
    return next(b for b in served.state()["tables"]["Booking"] if b["id"] == booking_id)


def test_signed_webhook_changes_the_booking_and_a_bad_signature_is_401(served, catalogue):
    booking = _pending_booking(served, catalogue)
    now = _now(served)
    body = _event(booking, now, "evt_ingress_1")
    status, answer = served.post("/webhooks/stripe", body, {
        "Stripe-Signature": stripe_signature(body, "whsec_not_the_secret", now), "Content-Type": "application/json"})
    assert status == 401 and answer["errors"][0]["errorType"] == "UnauthorizedException"
    assert _booking(served, booking["id"])["status"] == "pending"
    stale = stripe_signature(body, served.health["webhookSecret"], now - 3600)
    assert served.post("/webhooks/stripe", body, {"Stripe-Signature": stale})[0] == 401
    good = stripe_signature(body, served.health["webhookSecret"], now)
    status, answer = served.post("/webhooks/stripe", body, {"Stripe-Signature": good,
                                                            "Content-Type": "application/json"})
    assert (status, answer) == (200, {"received": True})
    stored = _booking(served, booking["id"])
    assert stored["status"] == "confirmed" and stored["paymentStatus"] == "succeeded"
    # the same delivery again is acknowledged and applied once
    assert served.post("/webhooks/stripe", body, {"Stripe-Signature": good})[0] == 200
    records = [w for w in served.state()["tables"]["ProcessedWebhooks"] if w.get("eventId") == "evt_ingress_1"]
    assert len(records) == 1 and records[0]["status"] == "COMPLETED"


def test_missing_signature_unknown_provider_and_github(served):
    status, body = served.post("/webhooks/stripe", b"{}")
    assert status == 401 and body["errors"][0]["errorType"] == "UnauthorizedException"
    assert served.post("/webhooks/paypal", b"{}", {"Stripe-Signature": "t=1,v1=0"})[0] == 404
    payload = b'{"zen": "Keep it logically awesome."}'
    sig = "sha256=" + hmac.new(SIM_GITHUB_WEBHOOK_SECRET.encode(), payload, hashlib.sha256).hexdigest()
    status, body = served.post("/webhooks/github", payload, {"X-Hub-Signature-256": sig, "X-GitHub-Event": "ping",
                                                             "X-GitHub-Delivery": "d-1"})
    assert status == 200 and body["provider"] == "github"
    assert served.post("/webhooks/github", payload, {"X-Hub-Signature-256": "sha256=00"})[0] == 401
    shopify = base64.b64encode(hmac.new(b"wrong", payload, hashlib.sha256).digest()).decode()
    assert served.post("/webhooks/shopify", payload, {"X-Shopify-Hmac-Sha256": shopify})[0] == 401


def test_the_fake_stripe_api_is_wired_to_the_same_world(served, catalogue):
    """A front end confirming the PaymentIntent at the fake Stripe API (its own port): Stripe's
    events reach the world's webhook endpoint and the booking is confirmed."""
    import stripe

    user = served.user("stripe-api-customer")
    query = ('mutation($s: ID) { processBooking(action: "create", serviceId: $s, startDateTime: '
             '"2026-03-13T10:00:00.000Z", endDateTime: "2026-03-13T11:00:00.000Z", amount: 12000) }')
    service = catalogue["services"][0]
    status, body = served.post("/graphql", {"query": query, "variables": {"s": service["id"]}},
                               {"Authorization": user["idToken"]})
    booking = json.loads(body["data"]["processBooking"])
    assert booking["status"] == "pending"
    client = stripe.StripeClient("sk_test_frontend", base_addresses={"api": served.health["urls"]["stripe"]},
                                 max_network_retries=0)
    pi = client.v1.payment_intents.confirm(booking["paymentIntentId"], {"payment_method": "pm_card_visa"},
                                           options={"stripe_account": booking["stripeAccountId"]})
    assert pi.status == "succeeded"
    served.post("/_sim/advance", {"seconds": 30})  # the channel delivers after Stripe's latency
    stored = _booking(served, booking["id"])
    assert stored["status"] == "confirmed" and stored["paymentStatus"] == "succeeded"


def test_sim_stripe_serve_forwards_to_the_ingress(served):
    """`sim stripe serve --forward-to …/webhooks/stripe` (like `stripe listen --forward-to`):
    every event's first delivery passes the authorizer (no 401) and is recorded."""
    import re
    import subprocess
    import sys

    from tests.serve.serving import ROOT

    out = subprocess.run([sys.executable, "-m", "sim", "stripe", "serve", "--port", "0", "--forward-to",
                          served.url + "/webhooks/stripe", "--secret", served.health["webhookSecret"],
                          "--generate", "4", "--once", "--retry", "none", "--start", served.health["now"]],
                         capture_output=True, text=True, timeout=300, cwd=ROOT, env={"PYTHONPATH": str(ROOT)})
    assert out.returncode == 0, out.stderr[-2000:]
    first: dict[str, str] = {}
    for status, event in re.findall(r"<--\s+\[(\d+)\] POST \S+ \[(evt_\w+)\]", out.stdout):
        first.setdefault(event, status)
    assert first and "401" not in first.values(), out.stdout[-3000:]
    recorded = {w.get("eventId") for w in served.state()["tables"]["ProcessedWebhooks"]}
    assert set(first) <= recorded


def test_webhook_secret_option_for_stripe_listen():
    from tests.serve.serving import serving

    secret = "whsec_printed_by_stripe_listen"
    with serving("--webhook-secret", secret) as served:
        assert served.health["webhookSecret"] == secret
        now = _now(served)
        body = json.dumps({"id": "evt_listen_1", "object": "event", "type": "customer.created", "created": now,
                           "data": {"object": {"id": "cus_listen", "object": "customer"}}}).encode()
        old = stripe_signature(body, "whsec_simulated_marketplace_secret", now)
        assert served.post("/webhooks/stripe", body, {"Stripe-Signature": old})[0] == 401
        assert served.post("/webhooks/stripe", body, {"Stripe-Signature": stripe_signature(body, secret, now)})[0] \
            == 200
