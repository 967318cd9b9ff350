"""Webhook ingress: `POST /webhooks/stripe` (and `/webhooks/github`, `/webhooks/shopify`) — a real
HTTP request with the provider's signature header goes through webhook-authorizer and, for
Stripe, the stripe-webhook resolver, exactly as the world's own deliveries do (sim.aws.appsync).
A missing or bad signature is 401 in AppSync's error shape; the status otherwise is what the
resolver's outcome maps to (200, 429, 500, 504). `stripe listen --forward-to` and
`sim stripe serve --forward-to` can target it."""

from __future__ import annotations

from sim.serve.request import Request, Response, json_response

SIGNATURE_HEADERS = {"stripe": "stripe-signature", "github": "x-hub-signature-256",
                     "shopify": "x-shopify-hmac-sha256"}


def _error(status: int, error_type: str, message: str) -> Response:
    return json_response({"errors": [{"errorType": error_type, "message": message}]}, status)


def handle(world, req: Request) -> Response:
    provider = req.path.rstrip("/").rsplit("/", 1)[-1]
    header = SIGNATURE_HEADERS.get(provider)
    if header is None:
        return _error(404, "NotFoundException", f"no webhook ingress for {provider!r}; "
                                                f"use /webhooks/{{{','.join(SIGNATURE_HEADERS)}}}")
    if req.method != "POST":
        return _error(405, "MethodNotAllowedException", "webhooks are POSTed")
    if not req.header(header):
        return _error(401, "UnauthorizedException", f"the {header} header is missing")
    world.trace.record("serve", "webhook", None, provider=provider, bytes=len(req.body))
    if provider == "stripe":
        status = world.webhook_ingress(req.headers, req.body)
        if status == 401:
            return _error(401, "UnauthorizedException", "the webhook signature was not accepted")
        if status >= 300:
            return _error(status, "WebhookFailed", f"stripe-webhook answered {status}")
        return json_response({"received": True})
    return _other_provider(world, provider, req)


def _other_provider(world, provider: str, req: Request) -> Response:
    """GitHub / Shopify: the authorizer decides; the marketplace has no processing function for
    them, so an accepted delivery is acknowledged with what the authorizer found."""
    from sim.aws.appsync import authorizer_request

    text = req.body.decode("utf-8", "replace")
    request = authorizer_request(req.headers, text, request_id=world.rng_for("appsync").uuid4(),
                                 account=world.stack.account, operation=f"{provider}Webhook")
    inv = world.lambdas.invoke_detailed("webhook-authorizer", request)
    result = inv.result if inv.error is None and isinstance(inv.result, dict) else {}
    context = result.get("resolverContext") or {}
    if not result.get("isAuthorized") or context.get("provider") not in (None, provider):
        return _error(401, "UnauthorizedException", "the webhook signature was not accepted")
    return json_response({"received": True, "provider": provider, "resolverContext": context})
