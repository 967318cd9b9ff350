"""AppSync, as the stack deploys it: the field → function routing of its Lambda resolvers, the
resolver event a function gets, the Lambda-authorizer request (docs/contracts.md §4), and the
webhook ingress (the HTTP status a caller, Stripe's delivery channel, sees).

    headers + raw body ─▶ webhook-authorizer ─(isAuthorized, resolverContext)─▶ stripe-webhook
"""

from __future__ import annotations

from typing import Any

API_ID = "simulatedmarketplaceapi"


def resolver_function(stack, field: str) -> str | None:
    """The function whose Lambda resolver serves `field` (its stack entry's `appsync_fields`)."""
    return next((fn.name for fn in stack.functions if field in fn.appsync_fields), None)


def resolved_fields(stack) -> list[str]:
    """Every field a function of the stack resolves, sorted."""
    return sorted(f for fn in stack.functions for f in fn.appsync_fields)


def lower_headers(headers: dict[str, str]) -> dict[str, str]:
    return {k.lower(): v for k, v in headers.items()}


def authorizer_request(headers: dict[str, str], body: str, *, request_id: str, account: str,
                       operation: str = "stripeWebhook") -> dict[str, Any]:
    hdrs = lower_headers(headers)
    return {
        "authorizationToken": hdrs.get("authorization") or hdrs.get("stripe-signature") or "",
        "requestContext": {
            "apiId": API_ID,
            "accountId": account,
            "requestId": request_id,
            "queryString": f"mutation {operation}($payload: String!) {{ {operation}(payload: $payload) }}",
            "operationName": operation,
            "variables": {"payload": body},
        },
        "requestHeaders": hdrs,
    }


def resolver_event(field: str, arguments: dict[str, Any], *, headers: dict[str, str] | None = None,
                   resolver_context: dict[str, str] | None = None, parent: str = "Mutation",
                   identity: dict[str, Any] | None = None) -> dict[str, Any]:
    """The event AppSync hands a Lambda resolver (direct Lambda resolver shape)."""
    if identity is None:
        identity = {"resolverContext": resolver_context} if resolver_context is not None else None
    return {
        "arguments": arguments,
        "identity": identity,
        "source": None,
        "request": {"headers": lower_headers(headers or {}), "domainName": None},
        "prev": None,
        "info": {"fieldName": field, "parentTypeName": parent, "variables": dict(arguments),
                 "selectionSetList": [], "selectionSetGraphQL": ""},
        "stash": {},
    }


def status_for(error_type: str | None) -> int:
    """The HTTP status a webhook sender sees for a resolver outcome."""
    if error_type is None:
        return 200
    if error_type in ("TooManyRequestsException",):
        return 429
    if error_type in ("Sandbox.Timedout",):
        return 504
    if error_type in ("Unauthorized", "UnauthorizedException", "UnauthorizedError"):
        return 401
    return 500


class WebhookIngress:
    """headers + raw body → authorizer → stripe-webhook; returns the HTTP status Stripe sees.
    The functions run on `lambdas` (as scheduler tasks); request ids are drawn from `rng`."""

    def __init__(self, *, lambdas, scheduler, trace, rng, account: str):
        self.lambdas = lambdas
        self.scheduler = scheduler
        self.trace = trace
        self.rng = rng
        self.account = account
        self.requests = 0

    def __call__(self, headers: dict[str, str], body: bytes | str) -> int:
        if not self.scheduler.in_task():
            task = self.scheduler.spawn(self, headers, body, name="webhook-ingress")
            return self.scheduler.run_until_complete(task)
        self.requests += 1
        text = body.decode("utf-8") if isinstance(body, (bytes, bytearray)) else body
        request_id = self.rng.uuid4()
        cid = _event_id(text)
        auth = self.lambdas.invoke_detailed("webhook-authorizer", authorizer_request(
            headers, text, request_id=request_id, account=self.account), correlation_id=cid)
        if auth.error is not None:
            status = 500 if auth.status != "throttled" else 429
            self.trace.record("appsync", "response", cid, status=status, stage="authorizer")
            return status
        result = auth.result if isinstance(auth.result, dict) else {}
        if not result.get("isAuthorized"):
            self.trace.record("appsync", "response", cid, status=401, stage="authorizer")
            return 401
        inv = self.lambdas.invoke_detailed("stripe-webhook", resolver_event(
            "stripeWebhook", {"payload": text}, headers=headers,
            resolver_context=result.get("resolverContext") or {}), correlation_id=cid)
        error_type = inv.error["errorType"] if inv.error else None
        if error_type is None and isinstance(inv.result, dict) and inv.result.get("errorType"):
            error_type = inv.result["errorType"]
        status = status_for(error_type)
        self.trace.record("appsync", "response", cid, status=status, stage="resolver")
        return status


def _event_id(text: str) -> str | None:
    import json

    try:
        value = json.loads(text)
    except (ValueError, TypeError):
        return None
    return value.get("id") if isinstance(value, dict) and isinstance(value.get("id"), str) else None
