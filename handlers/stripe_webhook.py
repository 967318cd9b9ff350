"""stripe-webhook — the `stripeWebhook` mutation (behind the webhook-authorizer).

Input: the raw Stripe body as `arguments.payload` (or `requestContext.variables.payload`, or
`body`), the Stripe-Signature header from `request.headers["stripe-signature"]` (or
`requestHeaders`, `arguments.signature`, or the authorizer's `identity.resolverContext.stripeSignature`).
The signature is verified again (defence in depth): our own check (any v1 of any valid secret, the
timestamp within WEBHOOK_TOLERANCE_SECONDS on BOTH sides) and stripe.WebhookSignature.verify_header
from the SDK; then handlers.common.stripe_events.process_stripe_event runs the event through the
dedup service and the dispatch (tables, domain events, COMPLETED / FAILED / SKIPPED).

PRECEDENCE (full text in handlers/common/precedence.py): each Stripe fact has the key
(rank, event created, event id) and is written only if it beats the stored key, with a DynamoDB
compare-and-set on the attributes read, so the stored state is the maximum over all facts in any
delivery order and concurrent deliveries cannot regress it. Payment ranks pending < failed <
canceled < succeeded (a refund or a dispute implies succeeded: "refund before success" and
"dispute before the charge" converge; "failure after success" loses); dispute ranks
warning_* < needs_response < under_review < won/lost/warning_closed; payout pending < in_transit <
paid < failed/canceled; amountRefunded only grows; Connect account snapshots: newest created wins.
Booking status: pending → confirmed on success; pending/confirmed → cancelled on a canceled payment
intent or a full refund; completed/cancelled are never changed by Stripe.

Errors (AppSync convention of handlers.common.appsync: the exception class name is the errorType):
ValidationError (no payload, malformed JSON, not a Stripe event) and UnauthorizedError (bad
signature) write nothing; WebhookInProgressError (another delivery holds the lock) and
WebhookProcessingError (recorded FAILED) are raised so that Stripe delivers again later.
Success returns {"received": true, "eventId", "eventType", "status", "duplicate"}.
"""

from __future__ import annotations

from typing import Any

import stripe

from handlers.common import authz, clock, webhook_body
from handlers.common.appsync import AppSyncError, UnauthorizedError, ValidationError, resolver
from handlers.common.config import stripe_webhook_secrets, tolerance_seconds
from handlers.common.dedup import COMPLETED, DUPLICATE, SKIPPED
from handlers.common.log import get_logger, set_correlation_id
from handlers.common.signatures import verify_stripe
from handlers.common.stripe_events import InvalidEvent, process_stripe_event

MAX_PAYLOAD = webhook_body.MAX_PAYLOAD_BYTES  # bytes of UTF-8
_log = get_logger("stripe-webhook")


class WebhookInProgressError(AppSyncError):
    """Another delivery of this event holds the processing lock; deliver again later."""


class WebhookProcessingError(AppSyncError):
    """Processing failed and was recorded FAILED; deliver again later (or reconciliation retries)."""


def _dig(obj: Any, *path: str) -> Any:
    for key in path:
        if not isinstance(obj, dict):
            return None
        obj = obj.get(key)
    return obj


def _payload(raw: dict[str, Any]) -> str:
    for candidate in (_dig(raw, "arguments", "payload"), _dig(raw, "requestContext", "variables", "payload"),
                      raw.get("body")):
        if candidate is not None:
            if not isinstance(candidate, str) or not candidate:
                raise ValidationError("payload must be the raw webhook body as a string")
            if webhook_body.too_large(candidate, MAX_PAYLOAD):
                raise ValidationError(f"payload too large (more than {MAX_PAYLOAD} bytes)")
            return candidate
    raise ValidationError("payload is required (the raw webhook body)")


def _signature(raw: dict[str, Any], headers: dict[str, str]) -> str | None:
    request_headers = raw.get("requestHeaders") if isinstance(raw.get("requestHeaders"), dict) else {}
    lowered = {str(k).lower(): v for k, v in request_headers.items()}
    for candidate in (headers.get("stripe-signature"), lowered.get("stripe-signature"),
                      _dig(raw, "arguments", "signature"),
                      _dig(raw, "identity", "resolverContext", "stripeSignature")):
        if isinstance(candidate, str) and candidate:
            return candidate
    return None


def _sdk_verifies(payload: str, header: str, secrets: list[str], tolerance: int) -> bool:
    for secret in secrets:
        try:
            stripe.WebhookSignature.verify_header(payload, header, secret, tolerance)
            return True
        except stripe.SignatureVerificationError:
            continue
    return False


def verify_and_parse(payload: str, header: str | None) -> dict[str, Any]:
    """The event dict of a correctly signed payload; UnauthorizedError / ValidationError otherwise."""
    secrets, tolerance = stripe_webhook_secrets(), tolerance_seconds()
    reason = verify_stripe(payload, header, secrets, tolerance, clock.now_s())
    if reason is None and not _sdk_verifies(payload, header or "", secrets, tolerance):
        reason = "rejected by stripe.WebhookSignature"
    if reason is not None:
        _log.warning("webhook signature rejected", reason=reason)
        raise UnauthorizedError(f"invalid Stripe signature: {reason}")
    try:
        event = webhook_body.parse(payload)
    except webhook_body.TooDeep as exc:
        raise ValidationError(str(exc)) from None
    except ValueError as exc:
        raise ValidationError("payload is not valid JSON") from exc
    return event


@resolver("stripe-webhook")
def handler(ev, context):
    authz.authorize("stripeWebhook", authz.principal_of(ev))
    payload = _payload(ev.raw)
    header = _signature(ev.raw, ev.headers)
    event = verify_and_parse(payload, header)
    if isinstance(event, dict) and isinstance(event.get("id"), str) and event["id"]:
        set_correlation_id(event["id"][:200])  # the harness and the logs trace a webhook by its event id
    try:
        result = process_stripe_event(event, signature=header, via="webhook")
    except InvalidEvent as exc:
        raise ValidationError(f"not a Stripe event: {exc}") from exc
    if result.status in (COMPLETED, DUPLICATE, SKIPPED):
        return {"received": True, "eventId": result.event_id, "eventType": result.event_type,
                "status": result.status, "duplicate": result.status == DUPLICATE}
    if result.status == "FAILED":
        raise WebhookProcessingError(f"processing of {result.event_id} failed: {result.error}")
    raise WebhookInProgressError(f"event {result.event_id} is being processed by another delivery")
