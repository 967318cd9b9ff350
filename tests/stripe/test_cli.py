"""`sim stripe serve`: generates, signs and forwards events like `stripe listen`, then exits."""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest
import stripe

from sim.cli import main

SECRET = "whsec_cli_test_secret_0001"


@pytest.fixture
def receiver():
    received: list = []

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):
            body = self.rfile.read(int(self.headers["Content-Length"]))
            received.append((dict(self.headers.items()), body))
            self.send_response(200)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *args):
            pass

    httpd = HTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}/webhooks", received
    httpd.shutdown()
    httpd.server_close()


def test_serve_generates_and_forwards_signed_events(receiver, capsys, tmp_path):
    url, received = receiver
    trace = tmp_path / "trace.jsonl"
    code = main(["stripe", "serve", "--port", "0", "--seed", "3", "--generate", "200", "--forward-to", url,
                 "--secret", SECRET, "--once", "--trace", str(trace)])
    out = capsys.readouterr().out
    assert code == 0
    assert "listening on http://127.0.0.1:" in out and SECRET in out
    assert "--> payment_intent.created [evt_" in out and "<--  [200] POST " + url in out
    assert len(received) >= 200
    types = set()
    for headers, body in received:
        event = stripe.Webhook.construct_event(body, headers["Stripe-Signature"], SECRET, tolerance=None)
        types.add(event.type)
    assert {"payment_intent.succeeded", "charge.refunded", "charge.dispute.closed", "payout.paid",
            "account.updated"} <= types
    lines = trace.read_text().splitlines()
    assert any(json.loads(x)["kind"] == "webhook.attempt" for x in lines)


def test_serve_is_deterministic(receiver, capsys):
    url, received = receiver
    for _ in range(2):
        assert main(["stripe", "serve", "--port", "0", "--seed", "8", "--generate", "20", "--forward-to", url,
                     "--secret", SECRET, "--once", "--start", "2026-01-01T00:00:00Z"]) == 0
    half = len(received) // 2
    assert [b for _, b in received[:half]] == [b for _, b in received[half:]]
    capsys.readouterr()


def test_serve_answers_the_sdk_for_a_duration(capsys):
    assert main(["stripe", "serve", "--port", "0", "--generate", "5", "--duration", "0"]) == 0
    assert "listening" in capsys.readouterr().out


@pytest.mark.parametrize("argv,where", [
    (["--port", "70000"], "--port"),
    (["--generate", "-1"], "--generate"),
    (["--secret", "sk_nope"], "--secret"),
    (["--forward-to", "localhost:3000"], "--forward-to"),
    (["--start", "yesterday"], "--start"),
])
def test_bad_arguments_exit_2(argv, where, capsys):
    assert main(["stripe", "serve", *argv, "--once"]) == 2
    assert where in capsys.readouterr().err


def test_stripe_without_a_verb_prints_help(capsys):
    assert main(["stripe"]) == 2
    assert "serve" in capsys.readouterr().out


def test_serve_signs_with_the_real_time_by_default(receiver, capsys, monkeypatch):
    from datetime import UTC, datetime

    import sim.cli.stripe as stripe_cli

    monkeypatch.setattr(stripe_cli, "wall_clock_now", lambda: datetime(2027, 5, 4, 3, 2, 1, tzinfo=UTC))
    url, received = receiver
    assert main(["stripe", "serve", "--port", "0", "--generate", "60", "--forward-to", url, "--secret", SECRET,
                 "--once"]) == 0
    stamp = int(datetime(2027, 5, 4, 3, 2, 1, tzinfo=UTC).timestamp())
    signed = [int(h["Stripe-Signature"].split(",")[0][2:]) for h, _ in received]
    assert len(signed) >= 60
    # never ahead of the real time (the authorizer's ±300 s tolerance), never stale either
    assert all(stamp - 300 < t <= stamp for t in signed), (min(signed) - stamp, max(signed) - stamp)
