"""The delivery channel: signed requests, faults, Stripe's retry schedule, the delivery log."""

from __future__ import annotations

import json
import threading
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest
import stripe

from sim.stripe import Fault, RetrySchedule, UnknownName
from tests.stripe.conftest import SECRET, Recorder

OLD_SECRET = SECRET


def _construct(headers, body, secret=SECRET, tolerance=None):
    return stripe.Webhook.construct_event(body, headers["Stripe-Signature"], secret, tolerance=tolerance)


@pytest.fixture
def hooks(fake):
    platform, connect = Recorder(), Recorder()
    fake.add_endpoint(platform, secret=SECRET)
    fake.add_endpoint(connect, secret=SECRET, connect=True)
    return platform, connect


def test_events_reach_platform_and_connect_endpoints_signed_in_order(fake, provider, hooks):
    platform, connect = hooks
    r = fake.pay(12000, "usd", provider, metadata={"booking_id": "b1"})
    assert connect.requests == []  # nothing before the scheduler runs
    fake.advance(5)
    assert connect.event_ids == [e["id"] for e in r.events if "account" in e]
    assert platform.event_ids == [r.event("application_fee.created")["id"]]
    for headers, body in connect.requests + platform.requests:
        assert headers["Content-Type"] == "application/json; charset=utf-8"
        assert headers["User-Agent"] == "Stripe/1.0 (+https://stripe.com/docs/webhooks)"
        event = _construct(headers, body)
        assert body == fake.ledger.body(event.id)
        assert int(headers["Stripe-Signature"].split(",")[0][2:]) == fake.clock.timestamp() - 4
    assert all(e["pending_webhooks"] == 0 for e in r.events)


def test_signature_checked_against_virtual_time(fake, provider, hooks, clock):
    platform, connect = hooks
    fake.add_fault(Fault("stale_timestamp", match={"type": "charge.succeeded"}, offset_s=600))
    fake.add_fault(Fault("future_timestamp", match={"type": "charge.updated"}, offset_s=3600))
    fake.pay(5000, "usd", provider)
    fake.advance(5)
    clock.freeze()
    try:
        by_type = {json.loads(b)["type"]: (h, b) for h, b in connect.requests}
        _construct(*by_type["payment_intent.created"], tolerance=300)
        with pytest.raises(stripe.SignatureVerificationError, match="tolerance"):
            _construct(*by_type["charge.succeeded"], tolerance=300)
        # the SDK lets the future through; the timestamp is an hour ahead of virtual now
        _construct(*by_type["charge.updated"], tolerance=300)
        t = int(by_type["charge.updated"][0]["Stripe-Signature"].split(",")[0][2:])
        assert t > clock.timestamp() + 3000
    finally:
        clock.unfreeze()


def test_duplicate_concurrent_copies_arrive_at_one_instant(fake, provider, hooks, trace):
    _, connect = hooks
    fake.add_fault(Fault("duplicate", match={"type": "payment_intent.succeeded"}, copies=3, concurrent=True))
    r = fake.pay(5000, "usd", provider)
    fake.advance(5)
    pi_evt = r.event("payment_intent.succeeded")["id"]
    assert connect.event_ids.count(pi_evt) == 3
    log = fake.channel.log(pi_evt)
    assert len(log) == 3 and len({a["at"] for a in log}) == 1 and sorted(a["copy"] for a in log) == [0, 1, 2]
    assert all(a["outcome"] == "succeeded" for a in log)
    assert r.event("payment_intent.succeeded")["pending_webhooks"] == 0
    attempts = [x for x in trace.select("stripe", "webhook.attempt") if x["cid"] == pi_evt]
    assert len(attempts) == 3 and attempts[0]["details"]["status"] == 200


def test_duplicate_spread(fake, provider, hooks):
    _, connect = hooks
    fake.add_fault({"duplicate": {"type": "charge.succeeded", "copies": 2, "concurrent": False, "spread_s": 90}})
    r = fake.pay(5000, "usd", provider)
    fake.advance(200)
    log = fake.channel.log(r.event("charge.succeeded")["id"])
    assert len(log) == 2
    assert log[1]["signed_at"] - log[0]["signed_at"] == 90


def test_drop_never_delivers_and_leaves_the_event_pending(fake, provider, hooks, trace):
    _, connect = hooks
    fake.add_fault(Fault.parse({"drop": {"type": "charge.*"}}))
    r = fake.pay(5000, "usd", provider)
    fake.drain()
    charge_ids = {e["id"] for e in r.events if e["type"].startswith("charge.")}
    assert charge_ids and not charge_ids & set(connect.event_ids)
    assert all(r.event(t)["pending_webhooks"] == 1 for t in ("charge.succeeded", "charge.updated"))
    assert r.event("payment_intent.succeeded")["pending_webhooks"] == 0
    assert len(trace.select("stripe", "webhook.dropped")) == 2


def test_reorder_within_a_window(fake, provider, hooks):
    _, connect = hooks
    fake.add_fault(Fault("reorder", match={"account": provider}, window_s=30))
    r = fake.pay(5000, "usd", provider)
    fake.advance(10)
    assert connect.requests == []
    fake.advance(60)
    sent = [e["id"] for e in r.events if "account" in e]
    assert sorted(connect.event_ids) == sorted(sent) and connect.event_ids != sent


def test_delay(fake, provider, hooks):
    _, connect = hooks
    fake.add_fault(Fault("delay", match={"type": "payment_intent.created"}, delay_s=120))
    r = fake.pay(5000, "usd", provider)
    fake.advance(60)
    assert r.events[0]["id"] not in connect.event_ids and len(connect.event_ids) == 3
    fake.advance(120)
    assert connect.event_ids[-1] == r.events[0]["id"]


def test_endpoint_down_then_up_follows_the_test_mode_schedule(fake, provider, hooks):
    _, connect = hooks
    fault = fake.add_fault(Fault("endpoint_down", match={"type": "payment_intent.created"}, status=503, times=2))
    r = fake.pay(5000, "usd", provider)
    evt = r.events[0]["id"]
    fake.drain()
    log = fake.channel.log(evt)
    assert [a["status"] for a in log] == [503, 503, 200]
    assert [a["signed_at"] - log[0]["signed_at"] for a in log] == [0, 3600, 3 * 3600]
    assert log[0]["next_retry_at"] and log[-1]["next_retry_at"] is None
    assert fault.applied == 2 and connect.event_ids.count(evt) == 1


def test_gives_up_after_the_last_attempt(fake, provider):
    down = Recorder(status=500)
    fake.add_endpoint(down, secret=SECRET, connect=True)
    r = fake.pay(5000, "usd", provider)
    fake.drain()
    log = fake.channel.log(r.events[0]["id"])
    assert [a["outcome"] for a in log] == ["failed"] * 3
    assert r.events[0]["pending_webhooks"] == 1


def test_timeouts_and_crashes_are_retried(fake, provider):
    calls = []

    def flaky(headers, body):
        calls.append(1)
        if len(calls) == 1:
            raise TimeoutError("read timed out")
        if len(calls) == 2:
            raise RuntimeError("handler bug")
        return 200

    fake.add_endpoint(flaky, secret=SECRET, connect=True, enabled_events=["payment_intent.created"])
    r = fake.pay(5000, "usd", provider)
    fake.drain()
    log = fake.channel.log(r.events[0]["id"])
    assert [a["outcome"] for a in log] == ["timeout", "error", "succeeded"]
    assert "handler bug" in log[1]["error"]


def test_endpoint_down_with_timeout_status(fake, provider, hooks):
    fake.add_fault(Fault("endpoint_down", status="timeout", times=1, match={"type": "payment_intent.created"}))
    r = fake.pay(5000, "usd", provider)
    fake.drain()
    assert [a["outcome"] for a in fake.channel.log(r.events[0]["id"])] == ["timeout", "succeeded"]


def test_live_mode_schedule_is_configurable(clock):
    live = RetrySchedule.live_mode()
    assert live.delays_s[:4] == (300, 600, 1200, 2400)
    assert max(live.delays_s) == 12 * 3600 and sum(live.delays_s) <= 72 * 3600
    assert live.max_attempts == 13 and live.delay_after(live.max_attempts) is None
    assert RetrySchedule.test_mode().max_attempts == 3
    with pytest.raises(ValueError):
        RetrySchedule((-1,))


def test_live_schedule_in_a_channel(clock):
    from sim.rng import Rng
    from sim.stripe import FakeStripe

    fs = FakeStripe(clock, Rng(3), retry=RetrySchedule.live_mode())
    fs.add_endpoint(Recorder(status=500), secret=SECRET)
    fs.create_customer()
    fs.drain()
    assert len(fs.channel.attempts) == 13
    span = fs.channel.attempts[-1].signed_at - fs.channel.attempts[0].signed_at
    assert span == 69 * 3600 + 15 * 60


def test_bad_signature(fake, provider, hooks):
    _, connect = hooks
    fake.add_fault(Fault("bad_signature", match={"type": "payment_intent.created"}))
    fake.pay(5000, "usd", provider)
    fake.advance(5)
    first, *rest = connect.requests
    with pytest.raises(stripe.SignatureVerificationError):
        _construct(*first)
    for req in rest:
        _construct(*req)


def test_rotated_secret_grace_and_expired(fake, provider, hooks):
    _, connect = hooks
    fake.add_fault(Fault("rotated_secret", match={"type": "payment_intent.created"}))
    fake.add_fault(Fault("rotated_secret", match={"type": "charge.succeeded"}, expired=True))
    fake.pay(5000, "usd", provider)
    fake.advance(5)
    by_type = {json.loads(b)["type"]: (h, b) for h, b in connect.requests}
    grace = by_type["payment_intent.created"]
    assert grace[0]["Stripe-Signature"].count("v1=") == 2
    _construct(*grace, secret=OLD_SECRET)  # receiver still on the old secret: accepted
    with pytest.raises(stripe.SignatureVerificationError):
        _construct(*by_type["charge.succeeded"], secret=OLD_SECRET)


def test_roll_secret_signs_with_both_until_the_grace_ends(fake, hooks, clock):
    platform, _ = hooks
    endpoint = fake.channel.endpoints[0]
    new = fake.channel.roll_secret(endpoint, grace_s=3600)
    fake.create_customer()
    fake.advance(5)
    h, b = platform.requests[-1]
    _construct(h, b, secret=new)
    _construct(h, b, secret=SECRET)
    fake.advance(7200)
    fake.create_customer()
    fake.advance(5)
    h, b = platform.requests[-1]
    assert h["Stripe-Signature"].count("v1=") == 1
    with pytest.raises(stripe.SignatureVerificationError):
        _construct(h, b, secret=SECRET)


def test_enabled_events_and_resend(fake, provider):
    only = Recorder()
    ep = fake.add_endpoint(only, secret=SECRET, connect=True, enabled_events=["charge.*"])
    r = fake.pay(5000, "usd", provider)
    fake.advance(5)
    assert {json.loads(b)["type"] for _, b in only.requests} == {"charge.succeeded", "charge.updated"}
    fake.channel.resend(r.event("charge.succeeded")["id"], ep)
    fake.advance(5)
    assert only.event_ids.count(r.event("charge.succeeded")["id"]) == 2


def test_fault_validation_lists_kinds():
    with pytest.raises(UnknownName, match="duplicate"):
        Fault("teleport")
    with pytest.raises(UnknownName, match="booking_id"):
        Fault.parse({"drop": {"colour": "red"}})
    with pytest.raises(ValueError, match="copies"):
        Fault("duplicate", copies=0)
    f = Fault.parse({"duplicate": {"type": "payment_intent.succeeded", "copies": 3, "times": 1}})
    assert f.match == {"type": "payment_intent.succeeded"} and f.copies == 3 and f.times == 1


def test_times_limits_a_fault(fake, provider, hooks):
    _, connect = hooks
    fake.add_fault(Fault("drop", match={"type": "payment_intent.created"}, times=1))
    first = fake.pay(5000, "usd", provider).events[0]["id"]
    second = fake.pay(5000, "usd", provider).events[0]["id"]
    fake.advance(5)
    assert first not in connect.event_ids and second in connect.event_ids


class _Receiver(BaseHTTPRequestHandler):
    received: list = []

    def do_POST(self):
        body = self.rfile.read(int(self.headers["Content-Length"]))
        self.received.append((dict(self.headers.items()), body))
        self.send_response(200)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *args):
        pass


def test_forward_to_a_url(fake, provider):
    received: list = []
    handler = type("H", (_Receiver,), {"received": received})
    httpd = HTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        url = f"http://127.0.0.1:{httpd.server_address[1]}/webhooks"
        fake.add_endpoint(url, secret=SECRET, connect=True)
        r = fake.pay(5000, "usd", provider)
        fake.advance(timedelta(seconds=5))
    finally:
        httpd.shutdown()
        httpd.server_close()
    assert [json.loads(b)["id"] for _, b in received] == [e["id"] for e in r.events if "account" in e]
    headers, body = received[0]
    assert stripe.Webhook.construct_event(body, headers["Stripe-Signature"], SECRET, tolerance=None).id
    assert headers["User-Agent"] == "Stripe/1.0 (+https://stripe.com/docs/webhooks)"


def test_unreachable_url_is_a_failed_attempt(fake, provider):
    import socket

    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    fake.add_endpoint(f"http://127.0.0.1:{port}/", secret=SECRET, connect=True,
                      enabled_events=["payment_intent.created"])
    fake.pay(5000, "usd", provider)
    fake.advance(5)
    assert fake.channel.attempts[0].outcome in ("error", "timeout")
    assert fake.channel.attempts[0].next_retry_at is not None


def test_bad_endpoint_arguments(fake):
    with pytest.raises(ValueError, match="whsec_"):
        fake.add_endpoint(Recorder(), secret="nope")
    with pytest.raises(ValueError, match="callable"):
        fake.add_endpoint("ftp://x")
    ep = fake.add_endpoint(Recorder())
    assert ep.secret.startswith("whsec_") and len(ep.secret) == 38 and ep.id.startswith("we_")


def test_sign_is_stripes_signing_or_the_asked_mistake(fake, hooks):
    from sim.stripe.delivery import Signing

    endpoint, body, now = fake.channel.endpoints[0], b'{"id": "evt_1"}', fake.ledger.now()
    headers, signed_at = fake.channel.sign(endpoint, body)
    assert signed_at == now and headers["Stripe-Signature"].startswith(f"t={now},v1=")
    _construct(headers, body)
    assert fake.channel.sign(endpoint, body, Signing(offset_s=-600))[1] == now - 600
    for how in (Signing(corrupt=True), Signing(secrets=("whsec_other",))):
        with pytest.raises(stripe.SignatureVerificationError):
            _construct(fake.channel.sign(endpoint, body, how)[0], body)
    assert "Stripe-Signature" not in fake.channel.sign(endpoint, body, Signing(unsigned=True))[0]


def test_waiting_lanes_share_the_ledgers_packed_body_and_a_different_body_gets_its_own(fake, provider, hooks):
    fake.add_fault(Fault("duplicate", match={"type": "payment_intent.succeeded"}, copies=2, concurrent=True))
    r = fake.pay(5000, "usd", provider)
    waiting = [lane for lane in fake.channel._lanes if lane.state == "scheduled"]
    entries = fake.ledger._log
    assert len(waiting) > 2 and all(lane.packed is entries.entry(lane.event["id"]).packed for lane in waiting)
    pi_evt = r.event("payment_intent.succeeded")
    other = b'{"id": "%s", "changed": true}' % pi_evt["id"].encode()
    fake.channel._schedule(pi_evt, other, fake.channel.endpoints[1], copy=9, delay=1)
    lane = fake.channel._lanes[-1]
    assert lane.packed is not entries.entry(pi_evt["id"]).packed and lane.body == other
    assert waiting[0].body == fake.ledger.body(waiting[0].event["id"])
