"""`deliver: {github: {...}}` / `deliver: {shopify: {...}}` — a GitHub or Shopify webhook, signed by
the harness with the secret deployed to the webhook-authorizer (GITHUB_WEBHOOK_SECRET:
`X-Hub-Signature-256: sha256=<hex>`; SHOPIFY_WEBHOOK_SECRET: `X-Shopify-Hmac-Sha256: <base64>`),
sent to the authorizer as AppSync's Lambda-authorizer request (docs/contracts.md §4). The marketplace has
no resolver for these providers, so the step's response is the authorizer's (isAuthorized,
resolverContext); check it with `expect_response`. `signature: bad | missing` sends a corrupted or
no signature."""

from __future__ import annotations

import json

from sim.aws.appsync import authorizer_request
from sim.scenario import response_check
from sim.scenario.context import ScenarioRun, StepFailed
from sim.stripe import signing

PROVIDERS = ("github", "shopify")


def _headers(provider: str, spec: dict, body: bytes, secret: str, signature: str) -> dict[str, str]:
    if provider == "github":
        headers = {"X-GitHub-Event": spec.get("event", "push"), "X-GitHub-Delivery": spec.get("id", "gh-delivery-1"),
                   "X-Hub-Signature-256": signing.github_signature(body, secret)}
        sig_header = "X-Hub-Signature-256"
    else:
        headers = {"X-Shopify-Topic": spec.get("event", "orders/create"),
                   "X-Shopify-Webhook-Id": spec.get("id", "shopify-webhook-1"),
                   "X-Shopify-Hmac-Sha256": signing.shopify_signature(body, secret)}
        sig_header = "X-Shopify-Hmac-Sha256"
    if signature == "bad":
        value = headers[sig_header]
        headers[sig_header] = value[:-2] + ("AA" if not value.endswith("AA") else "BB")
    elif signature == "missing":
        del headers[sig_header]
    return headers


def deliver(run: ScenarioRun, spec: dict) -> None:
    provider = next(p for p in PROVIDERS if p in spec)
    inner = run.substitute(spec[provider] or {})
    w = run.world
    secret = w.env("webhook-authorizer").get("GITHUB_WEBHOOK_SECRET" if provider == "github"
                                             else "SHOPIFY_WEBHOOK_SECRET")
    if not secret:
        raise StepFailed(f"the webhook-authorizer has no {provider} secret deployed")
    payload = inner.get("payload", {})
    body = (payload if isinstance(payload, str) else json.dumps(payload, sort_keys=True)).encode("utf-8")
    headers = _headers(provider, inner, body, secret, spec.get("signature", "valid"))
    request = authorizer_request(headers, body.decode("utf-8"), request_id=w.rng_for("appsync").uuid4(),
                                 account=w.stack.account, operation=f"{provider}Webhook")
    result = w.invoke("webhook-authorizer", request)
    run.trace("deliver.webhook", None, provider=provider, event=inner.get("event"),
              authorized=bool((result or {}).get("isAuthorized")))
    response_check.check(run, spec, result)
    if spec.get("as"):
        run.name(spec["as"], "response", result)
