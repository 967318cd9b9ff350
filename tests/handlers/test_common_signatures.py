"""handlers.common.signatures: Stripe (both-sided tolerance, rotation), GitHub, Shopify."""

import stripe

from handlers.common.signatures import parse_stripe_header, verify_github, verify_shopify, verify_stripe
from sim.stripe.signing import (
    corrupt_stripe_signature,
    github_signature,
    shopify_signature,
    stripe_signature,
)

SECRET, OLD = "whsec_current", "whsec_previous"
BODY = '{"id": "evt_1", "type": "charge.succeeded"}'
NOW = 1_772_442_000


def sig(t=NOW, secrets=(SECRET,), body=BODY):
    return stripe_signature(body.encode(), list(secrets), t)


def test_valid_signature():
    assert verify_stripe(BODY, sig(), [SECRET], 300, NOW) is None


def test_agrees_with_the_sdk_on_a_valid_header():
    stripe.WebhookSignature.verify_header(BODY, sig(), SECRET, None)  # wall clock: no age check


def test_tampered_body_and_signature():
    assert verify_stripe(BODY + " ", sig(), [SECRET], 300, NOW)
    assert verify_stripe(BODY, corrupt_stripe_signature(sig()), [SECRET], 300, NOW)


def test_stale_and_future_timestamps_rejected_both_sides():
    assert verify_stripe(BODY, sig(NOW - 299), [SECRET], 300, NOW) is None
    assert verify_stripe(BODY, sig(NOW - 301), [SECRET], 300, NOW) == "timestamp outside the tolerance zone"
    assert verify_stripe(BODY, sig(NOW + 299), [SECRET], 300, NOW) is None
    assert verify_stripe(BODY, sig(NOW + 3600), [SECRET], 300, NOW) == "timestamp outside the tolerance zone"


def test_rotation_two_v1_values_and_previous_secret():
    both = sig(secrets=(SECRET, OLD))
    assert verify_stripe(BODY, both, [SECRET], 300, NOW) is None
    assert verify_stripe(BODY, both, [OLD], 300, NOW) is None
    assert verify_stripe(BODY, sig(secrets=(OLD,)), [SECRET, OLD], 300, NOW) is None
    assert verify_stripe(BODY, sig(secrets=(OLD,)), [SECRET], 300, NOW)


def test_malformed_headers():
    assert verify_stripe(BODY, None, [SECRET], 300, NOW) == "missing Stripe-Signature header"
    assert verify_stripe(BODY, "", [SECRET], 300, NOW)
    assert verify_stripe(BODY, "v1=abc", [SECRET], 300, NOW) == "unable to extract timestamp from header"
    assert verify_stripe(BODY, f"t={NOW},v0=abc", [SECRET], 300, NOW) == "no signatures found with expected scheme v1"
    assert verify_stripe(BODY, "t=x,v1=y", [SECRET], 300, NOW)
    assert verify_stripe(BODY, sig(), [], 300, NOW) == "no webhook secret configured"
    assert parse_stripe_header("garbage") == (None, [])


def test_github():
    good = github_signature(BODY.encode(), "gh")
    assert verify_github(BODY, good, "gh") is None
    assert verify_github(BODY, good, "other")
    assert verify_github(BODY, good.replace("sha256=", ""), "gh")
    assert verify_github(BODY, None, "gh")
    assert verify_github(BODY, good, None)


def test_shopify():
    good = shopify_signature(BODY.encode(), "sh")
    assert verify_shopify(BODY, good, "sh") is None
    assert verify_shopify(BODY + "x", good, "sh")
    assert verify_shopify(BODY, None, "sh")
    assert verify_shopify(BODY, good, "")
