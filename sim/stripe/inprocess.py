"""The stripe SDK talking to the fake Stripe API in-process: the SDK's real request building
(form encoding, headers, idempotency keys, error mapping), without the socket.

`install()` makes every `stripe.StripeClient` created afterwards (the handlers create their own
and cache them) use `InProcessClient` — the SDK's default one, and one a handler builds itself
with `stripe.new_default_http_client(timeout=...)` — a `stripe.HTTPClient` that hands a request for a
registered fake's URL straight to its `ApiServer.handle()` (in a greenlet of its own, so the
scheduler sees what it saw from the server's thread: no current task) and answers anything else with the
SDK's default HTTP client. A request the fake leaves unanswered (an injected `timeout`) waits
the SDK client's configured timeout (80 s unless the handler set one) on the world's virtual clock and raises the SDK's own APIConnectionError.
`serve(api)` registers a fake for the life of a world; while nothing
is registered for a URL (or `enabled` is False) requests go over HTTP as before.
"""

from __future__ import annotations

from urllib.parse import urlsplit

import stripe

_servers: dict[str, object] = {}
DEFAULT_TIMEOUT_S = 80  # the stripe SDK's HTTP client timeout
_original = None
enabled = True


def _base(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


class InProcessClient(stripe.HTTPClient):
    name = "sim-inprocess"

    def __init__(self, fallback: stripe.HTTPClient, **kwargs):
        super().__init__(**kwargs)
        self._fallback = fallback

    def request(self, method, url, headers, post_data=None, **kwargs):
        server = _servers.get(_base(url)) if enabled else None
        if server is None:
            return self._fallback.request(method, url, headers, post_data, **kwargs)
        from requests.structures import CaseInsensitiveDict

        parts = urlsplit(url)
        target = parts.path + (f"?{parts.query}" if parts.query else "")
        body = post_data.encode("utf-8") if isinstance(post_data, str) else (post_data or b"")
        # in a greenlet of its own, as the server's thread would: not inside the caller's task
        from greenlet import greenlet

        from sim.stripe.api import RequestTimedOut

        try:
            status, out_headers, data = greenlet(server.handle).switch(method.upper(), target, dict(headers or {}),
                                                                       body)
        except RequestTimedOut as exc:
            self._time_out(server, exc)
        return data, status, CaseInsensitiveDict(out_headers)

    def _time_out(self, server, exc: Exception):
        """No answer: wait the SDK's own timeout on the world's clock, then fail as the SDK's HTTP
        client fails on a read timeout (its APIConnectionError, should_retry=True)."""
        import requests

        timeout = getattr(self._fallback, "_timeout", DEFAULT_TIMEOUT_S) or DEFAULT_TIMEOUT_S
        seconds = sum(timeout) if isinstance(timeout, tuple) else float(timeout)
        if server.sleep is not None:
            server.sleep(seconds)
        error = requests.exceptions.ReadTimeout(f"Read timed out. (read timeout={seconds:g}) {exc}")
        handle = getattr(self._fallback, "_handle_request_error", None)
        if handle is None:
            raise stripe.APIConnectionError(f"Unexpected error communicating with Stripe. ({error})",
                                            should_retry=True) from error
        handle(error)

    def request_stream(self, method, url, headers, post_data=None, **kwargs):
        return self._fallback.request_stream(method, url, headers, post_data, **kwargs)

    def close(self):
        self._fallback.close()


def install() -> None:
    """Idempotent: StripeClients created from now on get an InProcessClient."""
    global _original
    if _original is not None:
        return
    from stripe import _stripe_client

    _original = _stripe_client.new_default_http_client

    def new_default_http_client(*args, **kwargs):
        fallback = _original(*args, **kwargs)
        return InProcessClient(fallback, verify_ssl_certs=kwargs.get("verify_ssl_certs", True),
                               proxy=kwargs.get("proxy"))

    _stripe_client.new_default_http_client = new_default_http_client
    stripe.new_default_http_client = new_default_http_client  # a handler's own http_client=...


def serve(api) -> None:
    _servers[_base(api.url)] = api


def unserve(api) -> None:
    for base, found in list(_servers.items()):
        if found is api:
            del _servers[base]
