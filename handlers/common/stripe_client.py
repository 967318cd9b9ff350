"""The stripe client factory: one StripeClient per (secret key, API base), created lazily.

`stripe_client()` = stripe.StripeClient(STRIPE_SECRET_KEY, base_addresses={"api": STRIPE_API_BASE}
when that is set, else Stripe's default). STRIPE_MAX_NETWORK_RETRIES (default 0) sets the SDK's
own retries; STRIPE_TIMEOUT_SECONDS (default the SDK's 80 s) its HTTP client's network timeout —
the deployment sets it well below each function's Lambda timeout (sim/aws/stack.py), so a Stripe
that never answers ends in the handler's own APIConnectionError (a clean PaymentError), not in
Lambda killing the invocation mid-way. Use the v1 namespace: `stripe_client().v1.events.list(...)`.
`is_transient(exc)`: a StripeError worth retrying (network, rate limit, Stripe's 5xx, auth/permission
as configuration that may be fixed); `unavailable(exc)` the PaymentError callers raise for one.
"""

from __future__ import annotations

import threading

import stripe

from handlers.common.appsync import PaymentError
from handlers.common.config import env, env_float, env_int, require

DEFAULT_TIMEOUT_SECONDS = 80.0  # the stripe SDK's own HTTP client timeout

_CACHE: dict[tuple, stripe.StripeClient] = {}
_LOCK = threading.Lock()


def stripe_client() -> stripe.StripeClient:
    key, base = require("STRIPE_SECRET_KEY"), env("STRIPE_API_BASE")
    retries = env_int("STRIPE_MAX_NETWORK_RETRIES", 0)
    timeout = env_float("STRIPE_TIMEOUT_SECONDS", DEFAULT_TIMEOUT_SECONDS)
    cache_key = (key, base, retries, timeout)
    found = _CACHE.get(cache_key)
    if found is None:
        with _LOCK:
            found = _CACHE.get(cache_key)
            if found is None:
                kwargs = {"base_addresses": {"api": base}} if base else {}
                found = stripe.StripeClient(key, max_network_retries=retries,
                                            http_client=stripe.new_default_http_client(timeout=timeout), **kwargs)
                _CACHE[cache_key] = found
    return found


def is_transient(exc: stripe.StripeError) -> bool:
    return isinstance(exc, stripe.APIConnectionError | stripe.RateLimitError | stripe.APIError
                      | stripe.AuthenticationError | stripe.PermissionError)


def unavailable(exc: stripe.StripeError) -> PaymentError:
    """The error a caller raises (`raise unavailable(exc) from exc`) when Stripe is transiently down."""
    return PaymentError("the payment provider is unavailable; try again")


def call_plain(fn, *args, refused=None, **kwargs):
    """`fn(*args, **kwargs)` (an SDK call) as plain data. A transient StripeError raises
    `unavailable(exc)`; any other raises `refused(exc)` (an exception to raise) when given, else
    propagates."""
    from handlers.common.stripe_objects import plain

    try:
        return plain(fn(*args, **kwargs))
    except stripe.StripeError as exc:
        if is_transient(exc):
            raise unavailable(exc) from exc
        if refused is None:
            raise
        raise refused(exc) from exc


def reset() -> None:
    """Forget cached clients (tests)."""
    with _LOCK:
        _CACHE.clear()
