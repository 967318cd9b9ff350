"""Webhook signature verification: Stripe, GitHub, Shopify. Constant-time (hmac.compare_digest).

verify_stripe(payload, header, secrets, tolerance, now) follows Stripe's check order — header
present, parse, a v1 present, a v1 matches one of the secrets (any of them: two v1 values travel
while a secret rotates, and STRIPE_WEBHOOK_SECRET_PREVIOUS may still be valid), then the age — and,
unlike the SDK, bounds the timestamp on BOTH sides: |now - t| ≤ tolerance. v0 is ignored.
verify_github: `sha256=<hex HMAC-SHA256(body)>`; verify_shopify: `<base64 HMAC-SHA256(body)>`.
Each returns None when valid, else the reason (a short string); none raises.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from collections.abc import Sequence

MAX_HEADER = 4096


def _bytes(payload: str | bytes) -> bytes:
    return payload.encode("utf-8") if isinstance(payload, str) else bytes(payload)


def _hmac(secret: str, message: bytes) -> bytes:
    return hmac.new(secret.encode("utf-8"), message, hashlib.sha256).digest()


def parse_stripe_header(header: str) -> tuple[int | None, list[str]]:
    """(t, [v1 ...]) from `t=...,v1=...,v1=...,v0=...`; t None when missing or not an integer."""
    timestamp: int | None = None
    v1: list[str] = []
    for part in header.split(","):
        key, sep, value = part.strip().partition("=")
        if not sep:
            continue
        if key == "t":
            try:
                timestamp = int(value)
            except ValueError:
                timestamp = None
        elif key == "v1" and value:
            v1.append(value.strip())
    return timestamp, v1


def verify_stripe(payload: str | bytes, header: str | None, secrets: Sequence[str], tolerance: int,
                  now: int) -> str | None:
    if not header or not isinstance(header, str):
        return "missing Stripe-Signature header"
    if len(header) > MAX_HEADER:
        return "Stripe-Signature header too long"
    if not secrets:
        return "no webhook secret configured"
    timestamp, candidates = parse_stripe_header(header)
    if timestamp is None:
        return "unable to extract timestamp from header"
    if not candidates:
        return "no signatures found with expected scheme v1"
    signed = str(timestamp).encode() + b"." + _bytes(payload)
    expected = [_hmac(s, signed).hex() for s in secrets]
    matched = False
    for candidate in candidates:
        for exp in expected:  # every comparison runs: no early exit leaks which secret matched
            matched = hmac.compare_digest(candidate.encode(), exp.encode()) or matched
    if not matched:
        return "no v1 signature matches the expected signature"
    if abs(now - timestamp) > tolerance:
        return "timestamp outside the tolerance zone"
    return None


def verify_github(payload: str | bytes, header: str | None, secret: str | None) -> str | None:
    if not secret:
        return "no GitHub webhook secret configured"
    if not header or not isinstance(header, str) or not header.startswith("sha256="):
        return "missing or malformed X-Hub-Signature-256 header"
    expected = "sha256=" + _hmac(secret, _bytes(payload)).hex()
    return None if hmac.compare_digest(header.strip().encode(), expected.encode()) else "GitHub signature mismatch"


def verify_shopify(payload: str | bytes, header: str | None, secret: str | None) -> str | None:
    if not secret:
        return "no Shopify webhook secret configured"
    if not header or not isinstance(header, str) or len(header) > MAX_HEADER:
        return "missing or malformed X-Shopify-Hmac-Sha256 header"
    expected = base64.b64encode(_hmac(secret, _bytes(payload))).decode("ascii")
    return None if hmac.compare_digest(header.strip().encode(), expected.encode()) else "Shopify signature mismatch"
