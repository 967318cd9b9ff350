"""A small Stripe API on 127.0.0.1 for the real `stripe` SDK.

`ApiServer(ledger)` answers what the handlers and reconciliation call (see `routes.py`), with
Stripe's conventions: form-encoded bodies, the `Stripe-Account` header (direct charges, per-account
events), `Idempotency-Key` replays (same answer, `Idempotent-Replayed: true`; other parameters
→ 400 idempotency_error), Stripe's error shapes, and injectable 429/5xx answers or timeouts. `handle()` is the
whole request → response logic, usable without sockets; `start()`/`close()` (or `with`) run it on
a free port in a background thread. Requests are served one at a time under the ledger's lock.

Every answer is Stripe-shaped JSON, also for what never reaches a route: a body that is not UTF-8,
a bad or negative `Content-Length` (400, connection closed), a body over `MAX_BODY` (413), a method
we do not serve (PUT, PATCH, OPTIONS; HEAD gets the headers only) and a malformed request line.
Nothing echoes the API key. The listen backlog is 128 (many SDK clients connecting at once).
Saved idempotent answers are kept packed, with a digest of the request they answered
(`sim/packed.py`): a replay gets the same bytes, a different request the same 400.

    stripe.StripeClient("sk_test_…", base_addresses={"api": server.url})
"""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit

from sim.faults.plane import FaultPlane
from sim.faults.stripe_api import StripeApiFault
from sim.packed import digest, pack, unpack
from sim.stripe import errors, forms, routes


def injected_error(fault: StripeApiFault) -> errors.StripeError:
    """The answer to a request an injected fault hits: Stripe's 429 or a 5xx api_error."""
    if fault.status == 429:
        err = errors.StripeError("Request rate limit exceeded. You can learn more about rate limits here "
                                 "https://stripe.com/docs/rate-limits.", http_status=429, code="rate_limit")
    else:
        err = errors.StripeError("An unknown error occurred", http_status=fault.status, type="api_error")
    if fault.should_retry is not None:
        err.headers["Stripe-Should-Retry"] = "true" if fault.should_retry else "false"
    return err


class RequestTimedOut(Exception):
    """An injected `timeout`: the request gets no answer (raised by `handle`; the in-process client
    waits the SDK's timeout and raises its APIConnectionError, the HTTP server closes the connection)."""


class ApiServer:
    """The fake Stripe API over a ledger."""

    def __init__(self, ledger, *, host: str = "127.0.0.1", port: int = 0, faults: FaultPlane | None = None):
        self.ledger = ledger
        self.host = host
        self.port = port
        self.faults = faults if faults is not None else FaultPlane()  # consulted for StripeApiFault specs
        self.requests: list[dict] = []  # (method, path, status, request id) log; a storm's world bounds it
        # (account, key) -> (digest of the request, status, packed answer, original request id)
        self._idempotent: dict[tuple[str, str], tuple[bytes, int, bytes, str]] = {}
        self._httpd: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None
        self.sleep = None  # (seconds) -> None on the world's virtual time: a timed-out caller's wait

    # -- lifecycle --------------------------------------------------------------------------
    @property
    def url(self) -> str:
        if self._httpd is None:
            raise RuntimeError("the fake Stripe API is not started (use start() or `with`)")
        return f"http://{self.host}:{self.port}"

    def start(self) -> ApiServer:
        if self._httpd is not None:
            return self
        self._httpd = _Server((self.host, self.port), _Handler)
        self._httpd.app = self
        self.port = self._httpd.server_address[1]
        self._thread = threading.Thread(target=self._httpd.serve_forever, kwargs={"poll_interval": 0.05},
                                        name=f"fake-stripe-{self.port}", daemon=True)
        self._thread.start()
        return self

    def close(self) -> None:
        if self._httpd is not None:
            self._httpd.shutdown()
            self._httpd.server_close()
            self._thread.join()
            self._httpd = self._thread = None

    def __enter__(self) -> ApiServer:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.close()

    def inject(self, status: int, path: str = "*", method: str | None = None, times: int | None = 1,
               should_retry: bool | None = None, applied: bool = False) -> StripeApiFault:
        return self.faults.add(StripeApiFault(status, path, method, times, should_retry, applied))

    @property
    def injections(self) -> list[StripeApiFault]:
        return self.faults.of(StripeApiFault.KIND)

    # -- request → response -----------------------------------------------------------------
    def handle(self, method: str, target: str, headers: dict[str, str], body: bytes = b"") -> tuple[int, dict, bytes]:
        """One request: (status, response headers, JSON body bytes)."""
        headers = {k.lower(): v for k, v in headers.items()}
        parts = urlsplit(target)
        path = parts.path
        with self.ledger.lock:
            request_id = self.ledger.ids.new("req", self.ledger.now())
            out_headers = {"Content-Type": "application/json", "Request-Id": request_id,
                           "Stripe-Version": headers.get("stripe-version", self.ledger.api_version)}
            key = headers.get("idempotency-key")
            if key is not None:
                out_headers["Idempotency-Key"] = key
            injected = self.faults.match(StripeApiFault.KIND, method, path)
            try:
                if injected is not None and not injected.timeout:
                    raise injected_error(injected)
                if injected is not None and not injected.applied:
                    raise RequestTimedOut(f"{method} {path}")
                status, payload = self._dispatch(method, path, parts.query, headers, body, request_id, key,
                                                 out_headers)
            except RequestTimedOut:
                self.requests.append({"method": method, "path": path, "status": "timeout",
                                      "request_id": request_id, "account": headers.get("stripe-account")})
                raise
            except errors.StripeError as exc:
                out_headers.update(exc.headers)
                status, payload = exc.http_status, exc.to_dict(request_id)
            except Exception:  # noqa: BLE001 - a bug in a route is Stripe's 500, never a dropped connection
                status, payload = 500, errors.StripeError("An unknown error occurred", http_status=500,
                                                          type="api_error").to_dict(request_id)
            data = payload if isinstance(payload, bytes) else json.dumps(payload, indent=2).encode()
            self.requests.append({"method": method, "path": path, "status": status, "request_id": request_id,
                                  "account": headers.get("stripe-account"),
                                  **({"answer": "lost"} if injected is not None and injected.timeout else {})})
            if injected is not None and injected.timeout:  # applied, then the answer never came back
                raise RequestTimedOut(f"{method} {path}")
            return status, out_headers, data

    def _dispatch(self, method, path, query, headers, body, request_id, key, out_headers):
        auth = headers.get("authorization", "")
        api_key = auth[7:] if auth.startswith("Bearer ") else ""
        if not api_key.startswith(("sk_test_", "rk_test_")):
            raise errors.StripeError("You did not provide an API key. You need to provide your API key in the "
                                     "Authorization header, using Bearer auth (e.g. 'Authorization: Bearer "
                                     "YOUR_SECRET_KEY').", http_status=401)
        found = routes.route(method, path)
        if found is None:
            raise errors.unsupported(method, path)
        handler, ids = found
        try:
            text = body.decode("utf-8") if method == "POST" else query
        except UnicodeDecodeError:
            raise errors.StripeError("Invalid request body: the form-encoded body is not UTF-8.",
                                     http_status=400) from None
        params = forms.decode(text or "")
        account = headers.get("stripe-account") or None
        if account is not None:
            acct = self.ledger.find(account)
            if acct is None or acct["object"] != "account" or account in self.ledger.deauthorized:
                raise errors.StripeError(
                    f"The provided key does not have access to account '{account}' (or that "
                    "account does not exist). Application access may have been revoked.",
                    http_status=403, code="account_invalid")
            if account == self.ledger.platform_id:
                account = None
        replay_key = (account or "", key) if (key is not None and method == "POST") else None
        fingerprint = digest(json.dumps([method, path, params], sort_keys=True))
        if replay_key is not None and replay_key in self._idempotent:
            saved_fp, status, packed, original = self._idempotent[replay_key]
            if saved_fp != fingerprint:
                raise errors.StripeError(
                    f"Keys for idempotent requests can only be used with the same parameters they were first "
                    f"used with. Try using a key other than '{key}' if you meant to execute a different request.",
                    type="idempotency_error", http_status=400)
            out_headers["Idempotent-Replayed"] = "true"
            out_headers["Original-Request"] = original
            return status, unpack(packed)
        call = routes.Call(method, path, params, account, key, request_id, self.ledger)
        with self.ledger.request_context(request_id, key):
            status, payload = handler(call, *ids)
        data = json.dumps(payload, indent=2).encode()
        if replay_key is not None:
            self._idempotent[replay_key] = (fingerprint, status, pack(data), request_id)
        return status, data


MAX_BODY = 1024 * 1024


def _error_body(message: str) -> bytes:
    return json.dumps(errors.StripeError(message).to_dict(), indent=2).encode()


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False
    allow_reuse_address = True
    request_queue_size = 128
    app: ApiServer


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True  # headers and body go out in two writes: no 40 ms delayed-ACK stall
    timeout = 60  # a client that announces a body and never sends it frees its thread (socket timeout)
    server: _Server

    def _body(self) -> bytes | None:
        """The request body; None (after a Stripe-shaped 4xx, closing) when its length is unusable."""
        raw = self.headers.get("Content-Length")
        if raw is None or raw.strip() == "":
            return b""
        try:
            length = int(raw.strip(), 10)
        except ValueError:
            length = -1
        if length < 0:
            self._reply(400, {}, _error_body("Invalid Content-Length header: expected a non-negative integer."),
                        close=True)
            return None
        if length > MAX_BODY:
            self._reply(413, {}, _error_body(f"Request body too large: at most {MAX_BODY} bytes."), close=True)
            return None
        return self.rfile.read(length) if length else b""

    def _serve(self) -> None:
        body = self._body()
        if body is None:
            return
        try:
            status, headers, data = self.server.app.handle(self.command, self.path, dict(self.headers.items()), body)
        except RequestTimedOut:
            self.close_connection = True  # no answer at all: the client sees the connection dropped
            return
        self._reply(status, headers, data)

    def _reply(self, status: int, headers: dict, data: bytes, close: bool = False) -> None:
        self.send_response(status)
        if "Content-Type" not in headers:
            self.send_header("Content-Type", "application/json")
        for name, value in headers.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(data)))
        if close:
            self.send_header("Connection", "close")
            self.close_connection = True
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(data)

    def send_error(self, code, message=None, explain=None) -> None:
        """The stdlib's own errors (malformed request line, header too long, …) in Stripe's shape."""
        self.close_connection = True
        if getattr(self, "request_version", "HTTP/0.9") == "HTTP/0.9":
            self.request_version = "HTTP/1.0"  # answer with a status line and headers, never bare HTTP/0.9
        text = message or self.responses.get(code, ("Bad request",))[0]
        self._reply(code, {}, _error_body(f"{text}." if not text.endswith(".") else text), close=True)

    do_GET = do_POST = do_DELETE = do_PUT = do_PATCH = do_HEAD = do_OPTIONS = _serve

    def log_message(self, format, *args) -> None:  # noqa: A002 - the stdlib's signature
        pass
