"""Webhook signatures exactly as the providers compute them.

Stripe: `Stripe-Signature: t=<unix seconds>,v1=<hex>[,v1=<hex>…]`, each v1 an HMAC-SHA256 keyed
with the whole endpoint secret (the `whsec_` prefix included) over `"{t}.{raw body}"`; a second v1
while a rolled secret is still valid; `v0` is a legacy test scheme that verifiers ignore.
GitHub: `X-Hub-Signature-256: sha256=<hex HMAC-SHA256 of the body>`.
Shopify: `X-Shopify-Hmac-Sha256: <base64 HMAC-SHA256 of the body>`.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from collections.abc import Sequence

STRIPE_HEADER = "Stripe-Signature"
GITHUB_HEADER = "X-Hub-Signature-256"
SHOPIFY_HEADER = "X-Shopify-Hmac-Sha256"


def stripe_v1(payload: bytes, secret: str, timestamp: int) -> str:
    signed = str(timestamp).encode() + b"." + payload
    return hmac.new(secret.encode("utf-8"), signed, hashlib.sha256).hexdigest()


def stripe_signature(payload: bytes, secrets: str | Sequence[str], timestamp: int, *,
                     v0_secret: str | None = None) -> str:
    """The Stripe-Signature header value: one v1 per secret (newest first), optionally a v0."""
    if isinstance(secrets, str):
        secrets = [secrets]
    if not secrets:
        raise ValueError("stripe_signature needs at least one secret")
    parts = [f"t={int(timestamp)}"]
    parts += [f"v1={stripe_v1(payload, s, timestamp)}" for s in secrets]
    if v0_secret is not None:
        parts.append(f"v0={stripe_v1(payload, v0_secret, timestamp)}")
    return ",".join(parts)


def corrupt_stripe_signature(header: str) -> str:
    """The same header with every v1 signature altered (a tampered or mis-keyed request)."""
    out = []
    for part in header.split(","):
        key, _, value = part.partition("=")
        if key == "v1" and value:
            flipped = format(int(value[0], 16) ^ 0x1, "x")
            value = flipped + value[1:]
        out.append(f"{key}={value}")
    return ",".join(out)


def github_signature(payload: bytes, secret: str) -> str:
    return "sha256=" + hmac.new(secret.encode("utf-8"), payload, hashlib.sha256).hexdigest()


def shopify_signature(payload: bytes, secret: str) -> str:
    return base64.b64encode(hmac.new(secret.encode("utf-8"), payload, hashlib.sha256).digest()).decode("ascii")


def stripe_headers(payload: bytes, secrets: str | Sequence[str], timestamp: int) -> dict[str, str]:
    """The headers of a Stripe webhook request, as Stripe sends them."""
    return {"Content-Type": "application/json; charset=utf-8",
            "Cache-Control": "no-cache",
            "User-Agent": "Stripe/1.0 (+https://stripe.com/docs/webhooks)",
            "Accept": "*/*; q=0.5, application/xml",
            STRIPE_HEADER: stripe_signature(payload, secrets, timestamp)}
