"""The fake Stripe API under hostile HTTP: every answer is Stripe-shaped JSON, nothing echoes the
API key, the connection is never just dropped, and 50 clients at once are all served."""

from __future__ import annotations

import http.client
import json
import socket
import threading

import pytest

KEY = "sk_test_SECRETKEYCHARS0123456789"


def _raw(server, request: bytes) -> tuple[int, dict, bytes]:
    """Send raw bytes, read one HTTP response (status, headers, body)."""
    host, port = server.url.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=10) as sock:
        sock.sendall(request)
        response = http.client.HTTPResponse(sock, method="HEAD" if request.startswith(b"HEAD") else None)
        response.begin()
        body = response.read()
        return response.status, {k.lower(): v for k, v in response.getheaders()}, body


def _stripe_error(body: bytes) -> dict:
    error = json.loads(body)["error"]
    assert isinstance(error["type"], str) and isinstance(error["message"], str)
    return error


def _post(path: str, body: bytes, length: str | None = None, extra: str = "") -> bytes:
    length = str(len(body)) if length is None else length
    return (f"POST {path} HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {KEY}\r\n"
            f"Content-Type: application/x-www-form-urlencoded\r\nContent-Length: {length}\r\n{extra}\r\n"
            ).encode() + body


def test_non_utf8_form_body_is_a_400(server):
    status, headers, body = _raw(server, _post("/v1/customers", b"name=caf\xe9"))
    assert status == 400 and headers["content-type"] == "application/json"
    assert "not UTF-8" in _stripe_error(body)["message"]


@pytest.mark.parametrize("length", ["abc", "-1", "1e3", "99999999999"])
def test_bad_content_length_is_a_stripe_error_and_closes(server, length):
    status, headers, body = _raw(server, _post("/v1/customers", b"name=x", length=length))
    assert status in (400, 413) and headers["connection"] == "close"
    assert "Content-Length" in _stripe_error(body)["message"] or "too large" in _stripe_error(body)["message"]


@pytest.mark.parametrize("method", ["PUT", "PATCH", "OPTIONS", "DELETE"])
def test_unserved_methods_get_stripe_json(server, method):
    status, headers, body = _raw(server, f"{method} /v1/customers HTTP/1.1\r\nHost: x\r\nAuthorization: "
                                         f"Bearer {KEY}\r\nContent-Length: 0\r\n\r\n".encode())
    assert status == 404 and headers["content-type"] == "application/json"
    error = _stripe_error(body)
    assert error["type"] == "invalid_request_error" and "not supported by marketplace-sim" in error["message"]


def test_head_gets_headers_only(server):
    status, headers, body = _raw(server, f"HEAD /v1/balance HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {KEY}"
                                         "\r\n\r\n".encode())
    assert status == 404 and headers["content-type"] == "application/json" and body == b""
    assert int(headers["content-length"]) > 0


def test_malformed_request_line_is_stripe_json(server):
    status, headers, body = _raw(server, b"GARBAGE\r\n\r\n")
    assert status == 400 and headers["content-type"] == "application/json"
    _stripe_error(body)


def test_403_does_not_echo_the_key(server):
    status, _, body = _raw(server, f"GET /v1/events HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {KEY}\r\n"
                                   "Stripe-Account: acct_1nothere000000\r\n\r\n".encode())
    assert status == 403
    message = _stripe_error(body)["message"]
    assert "SECRET" not in message and KEY[:8] not in message and "sk_test" not in message


def test_deep_form_keys_are_a_400(server):
    status, _, body = _raw(server, _post("/v1/customers", b"metadata" + b"[a]" * 5000 + b"=1"))
    assert status == 400 and "nested deeper" in _stripe_error(body)["message"]


def test_fifty_concurrent_clients_are_all_served(server):
    results: list[int] = []
    lock = threading.Lock()
    start = threading.Barrier(50, timeout=30)

    def one_client() -> None:
        host, port = server.url.removeprefix("http://").split(":")
        start.wait()
        conn = http.client.HTTPConnection(host, int(port), timeout=30)
        try:
            for _ in range(3):
                conn.request("GET", "/v1/balance", headers={"Authorization": f"Bearer {KEY}"})
                response = conn.getresponse()
                response.read()
                with lock:
                    results.append(response.status)
        finally:
            conn.close()

    threads = [threading.Thread(target=one_client) for _ in range(50)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert not any(t.is_alive() for t in threads)
    assert results == [200] * 150
