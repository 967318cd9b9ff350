"""webhook-authorizer — the AppSync Lambda authorizer for webhooks (docs/contracts.md §4).

Request: authorizationToken, requestContext {apiId, accountId, requestId, queryString, operationName,
variables {payload}}, requestHeaders (lower-case: stripe-signature, x-hub-signature-256,
x-shopify-hmac-sha256). The raw body is requestContext.variables.payload.
Response: {"isAuthorized", "resolverContext" (string values only), "deniedFields": [], "ttlOverride": 0}
— a signature decision is never cached.

Providers: Stripe (v1 HMAC-SHA256 of "{t}.{body}", any v1 against STRIPE_WEBHOOK_SECRET or
STRIPE_WEBHOOK_SECRET_PREVIOUS / STRIPE_CONNECT_WEBHOOK_SECRET, |now − t| ≤ WEBHOOK_TOLERANCE_SECONDS
(300) on both sides: the SDK lets future timestamps through, this does not), GitHub (sha256=hex,
GITHUB_WEBHOOK_SECRET), Shopify (base64, SHOPIFY_WEBHOOK_SECRET); all compared with
hmac.compare_digest. The dedup look-up (GetItem on ProcessedWebhooks) travels as
resolverContext {"provider", "eventId", "eventType", "dedupStatus": "NEW" | "PROCESSING" | "COMPLETED"
| "FAILED" | "SKIPPED" | "UNKNOWN", "signatureVerified": "true", "stripeSignature"}; it is advisory
(the processing function's conditional write decides). Malformed anything → isAuthorized false with
the reason logged; this function never raises.
"""

from __future__ import annotations

from typing import Any

from handlers.common import clock, webhook_body
from handlers.common.config import env, stripe_webhook_secrets, tolerance_seconds
from handlers.common.dedup import WebhookDeduplicationService
from handlers.common.log import correlation_id_from, get_logger, set_correlation_id
from handlers.common.signatures import MAX_HEADER, verify_github, verify_shopify, verify_stripe

MAX_PAYLOAD = webhook_body.MAX_PAYLOAD_BYTES  # bytes of UTF-8
_log = get_logger("webhook-authorizer")


def _response(authorized: bool, context: dict[str, str] | None = None) -> dict[str, Any]:
    return {"isAuthorized": authorized, "resolverContext": context or {}, "deniedFields": [], "ttlOverride": 0}


def _deny(reason: str, **fields: Any) -> dict[str, Any]:
    _log.warning("webhook denied", reason=reason, **fields)
    return _response(False)


def _headers(event: dict[str, Any]) -> dict[str, str]:
    raw = event.get("requestHeaders")
    if not isinstance(raw, dict):
        return {}
    return {str(k).lower(): v for k, v in raw.items() if isinstance(v, str) and len(v) <= MAX_HEADER}


def _dedup_status(event_id: str | None) -> str:
    if not event_id:
        return "UNKNOWN"
    try:
        record = WebhookDeduplicationService().check(event_id)
    except Exception as exc:  # noqa: BLE001 - advisory only
        _log.warning("dedup look-up failed", eventId=event_id, error=repr(exc))
        return "UNKNOWN"
    if record is None:
        return "NEW"
    status = record.get("status")
    return status if isinstance(status, str) else "UNKNOWN"


def _authorize(event: Any) -> dict[str, Any]:
    if not isinstance(event, dict):
        return _deny("the request is not an object")
    ctx = event.get("requestContext") if isinstance(event.get("requestContext"), dict) else {}
    variables = ctx.get("variables") if isinstance(ctx.get("variables"), dict) else {}
    payload = variables.get("payload")
    if not isinstance(payload, str) or not payload:
        return _deny("requestContext.variables.payload (the raw body) is missing")
    if webhook_body.too_large(payload, MAX_PAYLOAD):
        return _deny("payload too large")
    headers = _headers(event)
    info = {"operationName": ctx.get("operationName"), "requestId": ctx.get("requestId")}
    if "stripe-signature" in headers:
        header = headers["stripe-signature"]
        reason = verify_stripe(payload, header, stripe_webhook_secrets(), tolerance_seconds(), clock.now_s())
        if reason:
            return _deny(reason, provider="stripe", **info)
        try:
            body = webhook_body.parse(payload)
        except webhook_body.TooDeep:
            return _deny("payload is nested too deeply", provider="stripe", **info)
        except ValueError:
            return _deny("payload is not valid JSON", provider="stripe", **info)
        if not isinstance(body, dict) or not isinstance(body.get("id"), str) or not body["id"] \
                or not isinstance(body.get("type"), str):
            return _deny("payload is not a Stripe event", provider="stripe", **info)
        event_id, event_type = body["id"], body["type"]
        set_correlation_id(event_id[:200])
        context = {"provider": "stripe", "eventId": event_id, "eventType": event_type,
                   "dedupStatus": _dedup_status(event_id), "signatureVerified": "true", "stripeSignature": header}
    elif "x-hub-signature-256" in headers:
        reason = verify_github(payload, headers["x-hub-signature-256"], env("GITHUB_WEBHOOK_SECRET"))
        if reason:
            return _deny(reason, provider="github", **info)
        delivery = headers.get("x-github-delivery")
        event_id = f"github:{delivery}" if delivery else None
        context = {"provider": "github", "eventId": event_id or "", "eventType": headers.get("x-github-event", ""),
                   "dedupStatus": _dedup_status(event_id), "signatureVerified": "true"}
    elif "x-shopify-hmac-sha256" in headers:
        reason = verify_shopify(payload, headers["x-shopify-hmac-sha256"], env("SHOPIFY_WEBHOOK_SECRET"))
        if reason:
            return _deny(reason, provider="shopify", **info)
        webhook_id = headers.get("x-shopify-webhook-id") or headers.get("x-shopify-event-id")
        event_id = f"shopify:{webhook_id}" if webhook_id else None
        context = {"provider": "shopify", "eventId": event_id or "", "eventType": headers.get("x-shopify-topic", ""),
                   "dedupStatus": _dedup_status(event_id), "signatureVerified": "true"}
    else:
        return _deny("no signature header", **info)
    _log.info("webhook authorized", provider=context["provider"], eventId=context["eventId"],
              dedupStatus=context["dedupStatus"], **info)
    return _response(True, {k: str(v) for k, v in context.items()})


def handler(event, context):
    set_correlation_id(correlation_id_from(event, context))
    try:
        return _authorize(event)
    except Exception as exc:  # noqa: BLE001 - an authorizer fails closed, never raises
        return _deny(f"unexpected error: {type(exc).__name__}")
