"""What the fake keeps for a long time is kept packed (sim/packed.py) and read back exactly:
event bodies, saved idempotent answers; delivery lanes let go of their body once they end."""

from __future__ import annotations

import json

from sim.stripe.ledger import dumps_body
from tests.stripe.conftest import SECRET

AUTH = {"Authorization": "Bearer sk_test_x", "Idempotency-Key": "k-1"}


def test_bodies_are_stored_packed_and_read_back_byte_for_byte(fake, provider):
    r = fake.pay(12000, "usd", provider, metadata={"booking_id": "b1"})
    assert r.events
    for event in r.events:
        body = fake.ledger.body(event["id"])
        stored = fake.ledger._log.entry(event["id"]).packed
        assert body == dumps_body({**event, "pending_webhooks": json.loads(body)["pending_webhooks"]})
        assert stored != body and len(stored) < len(body)


def test_an_idempotent_replay_answers_the_same_bytes_and_a_changed_request_is_refused(fake, provider):
    headers = {**AUTH, "Stripe-Account": provider}
    form = b"amount=5000&currency=usd&metadata[booking_id]=b7"
    status, _, first = fake.api.handle("POST", "/v1/payment_intents", headers, form)
    n = len(fake.events)
    again, out, second = fake.api.handle("POST", "/v1/payment_intents", headers, form)
    assert (status, again) == (200, 200) and second == first and out["Idempotent-Replayed"] == "true"
    assert len(fake.events) == n
    saved_fp, _, packed, _ = fake.api._idempotent[(provider, "k-1")]
    assert len(saved_fp) == 32 and packed != first and len(packed) < len(first)
    status, _, body = fake.api.handle("POST", "/v1/payment_intents", headers, form.replace(b"5000", b"6000"))
    assert status == 400 and json.loads(body)["error"]["type"] == "idempotency_error"


def test_a_lane_keeps_its_body_while_it_retries_and_drops_it_when_it_ends(fake, provider):
    seen: list[bytes] = []

    def flaky(headers, body):  # every event fails twice, then is accepted
        seen.append(body)
        return 200 if seen.count(body) > 2 else 500

    fake.add_endpoint(flaky, secret=SECRET, connect=True)
    r = fake.pay(5000, "usd", provider)
    fake.advance(5)
    first = r.events[0]["id"]
    lane = next(lane for lane in fake.channel._lanes if lane.event["id"] == first)
    assert lane.state == "scheduled" and lane.body == fake.ledger.body(first)
    assert len(lane.packed) < len(lane.body)   # a waiting lane keeps its body packed
    fake.advance(3 * 3600)
    assert seen.count(fake.ledger.body(first)) == 3
    assert fake.channel._lanes and all(lane.state == "succeeded" and lane.body is None
                                       for lane in fake.channel._lanes)
