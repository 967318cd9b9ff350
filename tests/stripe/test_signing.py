"""Signatures as the providers compute them, checked with the real stripe SDK's WebhookSignature."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time

import pytest
import stripe
from stripe import WebhookSignature

from sim.stripe import signing

BODY = json.dumps({"id": "evt_1", "object": "event", "type": "charge.succeeded"}, indent=2).encode()
SECRET = "whsec_abc123def456"
OLD = "whsec_old0000000000"


def _verify(header: str, secret: str, tolerance=None, payload: bytes = BODY):
    return WebhookSignature.verify_header(payload.decode(), header, secret, tolerance)


def test_sdk_accepts_our_signature():
    header = signing.stripe_signature(BODY, SECRET, 1772442000)
    assert header.startswith("t=1772442000,v1=")
    assert _verify(header, SECRET)
    event = stripe.Webhook.construct_event(BODY, header, SECRET, tolerance=None)
    assert event.id == "evt_1"


def test_matches_the_sdk_own_generator():
    ours = signing.stripe_signature(BODY, SECRET, 1772442000)
    assert ours == WebhookSignature.generate_signature_header(BODY.decode(), SECRET, timestamp=1772442000)
    assert signing.stripe_v1(BODY, SECRET, 1772442000) == hmac.new(
        SECRET.encode(), b"1772442000." + BODY, hashlib.sha256).hexdigest()


def test_rotated_secret_carries_two_v1_and_both_secrets_verify():
    header = signing.stripe_signature(BODY, [SECRET, OLD], 1772442000)
    assert header.count("v1=") == 2
    assert _verify(header, SECRET) and _verify(header, OLD)
    with pytest.raises(stripe.SignatureVerificationError):
        _verify(header, "whsec_someone_else")


def test_v0_is_ignored():
    header = signing.stripe_signature(BODY, SECRET, 1772442000, v0_secret=SECRET)
    assert ",v0=" in header and _verify(header, SECRET)
    only_v0 = "t=1772442000,v0=" + signing.stripe_v1(BODY, SECRET, 1772442000)
    with pytest.raises(stripe.SignatureVerificationError, match="No signatures found with expected scheme"):
        _verify(only_v0, SECRET)


def test_corrupted_signature_fails():
    header = signing.corrupt_stripe_signature(signing.stripe_signature(BODY, [SECRET, OLD], 1772442000))
    assert header.count("v1=") == 2
    for secret in (SECRET, OLD):
        with pytest.raises(stripe.SignatureVerificationError):
            _verify(header, secret)


def test_reserialised_body_fails():
    header = signing.stripe_signature(BODY, SECRET, 1772442000)
    with pytest.raises(stripe.SignatureVerificationError):
        _verify(header, SECRET, payload=json.dumps(json.loads(BODY)).encode())


def test_tolerance_is_the_sdk_age_check():
    # the SDK compares with the process clock; sign relative to it (no wall-clock assertion)
    now = int(time.time())
    assert _verify(signing.stripe_signature(BODY, SECRET, now - 200), SECRET, tolerance=300)
    with pytest.raises(stripe.SignatureVerificationError, match="tolerance"):
        _verify(signing.stripe_signature(BODY, SECRET, now - 10_000), SECRET, tolerance=300)
    # the SDK does not reject the future: authorizers must bound both sides themselves
    assert _verify(signing.stripe_signature(BODY, SECRET, now + 3600), SECRET, tolerance=300)


def test_webhook_headers_are_stripes():
    headers = signing.stripe_headers(BODY, SECRET, 1772442000)
    assert headers["Content-Type"] == "application/json; charset=utf-8"
    assert headers["User-Agent"] == "Stripe/1.0 (+https://stripe.com/docs/webhooks)"
    assert _verify(headers["Stripe-Signature"], SECRET)


def test_github_and_shopify():
    gh = signing.github_signature(BODY, "gh-secret")
    assert gh == "sha256=" + hmac.new(b"gh-secret", BODY, hashlib.sha256).hexdigest()
    shop = signing.shopify_signature(BODY, "shop-secret")
    assert base64.b64decode(shop) == hmac.new(b"shop-secret", BODY, hashlib.sha256).digest()
    assert signing.GITHUB_HEADER == "X-Hub-Signature-256" and signing.SHOPIFY_HEADER == "X-Shopify-Hmac-Sha256"
