"""The ledger keeps a committed event only as its packed body and its `pending_webhooks`
(sim/stripe/eventlog.py): every reader sees what the committed dicts (as the ledger used to keep
them, decrements included) would show, keys in the same order, and the decrements reach readers."""

from __future__ import annotations

import json

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sim.clock import Clock
from sim.rng import Rng
from sim.stripe import FakeStripe, Fault
from sim.stripe.generate import FLOWS
from tests.stripe.conftest import SECRET, START, Recorder
from tests.stripe.test_properties import _run_flows


def _keep_committed(fake) -> list[dict]:
    """The dicts the ledger committed, held as the old ledger held them (its listeners get them)."""
    committed: list[dict] = []
    fake.ledger.listeners.insert(0, lambda event, body: committed.append(event))
    return committed


def _same(readback: list[dict], committed: list[dict]) -> None:
    assert readback == committed
    assert [json.dumps(e) for e in readback] == [json.dumps(e) for e in committed]  # key order too


def _check_every_reader(fake, committed: list[dict]) -> None:
    ledger = fake.ledger
    _same(list(ledger.events), committed)
    assert len(ledger.events) == len(committed)
    if committed:
        _same([ledger.events[-1], ledger.events[0]], [committed[-1], committed[0]])
        _same(ledger.events[1:3], committed[1:3])
        _same(list(reversed(ledger.events)), committed[::-1])
    for account in {e.get("account") for e in committed}:
        mine = [e for e in committed if e.get("account") == account]
        _same(list(ledger.events_for(account)), mine)
        for e in mine:
            _same([ledger.event(e["id"], as_account=account)], [e])
            assert ledger.body(e["id"]) == json.dumps({**e, "pending_webhooks": json.loads(
                ledger.body(e["id"]))["pending_webhooks"]}, ensure_ascii=False).encode("utf-8")


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(seed=st.integers(0, 2**32), flows=st.lists(st.sampled_from(FLOWS), min_size=1, max_size=8),
       drop=st.sampled_from([None, "payment_intent.*", "charge.*"]), down=st.integers(0, 3))
def test_events_read_back_equal_to_the_committed_dicts_at_every_point(seed, flows, drop, down):
    fake = FakeStripe(Clock(START), Rng(seed).child("stripe"))
    try:
        committed = _keep_committed(fake)
        fake.add_endpoint(Recorder(), secret=SECRET)
        fake.add_endpoint(Recorder(status=[500, 500, 200]), secret=SECRET, connect=True)
        fake.add_endpoint(Recorder(), secret=SECRET, connect=True)
        fake.add_fault(Fault("duplicate", match={"type": "charge.*"}, copies=2))
        if drop:
            fake.add_fault(Fault("drop", match={"type": drop}))
        if down:
            fake.add_fault(Fault("endpoint_down", times=down))
        _run_flows(fake, seed, flows)
        _check_every_reader(fake, committed)  # some delivered, some retrying, the last ones pending
        fake.drain()
        _check_every_reader(fake, committed)
        assert any(e["pending_webhooks"] == 0 for e in committed)
    finally:
        fake.close()


def test_pending_webhooks_decrements_reach_every_reader(fake, provider):
    fake.add_endpoint(Recorder(), secret=SECRET)
    failing = fake.add_endpoint(Recorder(status=500), secret=SECRET)
    r = fake.pay(5000, "usd", provider)
    fee = r.event("application_fee.created")  # a platform event: both platform endpoints
    eid = fee["id"]
    assert fee["pending_webhooks"] == 2 and fake.ledger.event(eid)["pending_webhooks"] == 2
    before = fake.ledger.events.frozen()
    fake.advance(5)
    # one endpoint received it, the other keeps failing
    assert fee["pending_webhooks"] == 1
    assert fake.ledger.event(eid)["pending_webhooks"] == 1
    assert fake.ledger.find_event(eid)["pending_webhooks"] == 1
    assert next(e for e in fake.events if e["id"] == eid)["pending_webhooks"] == 1
    assert fake.ledger.events_for(None)[-1]["pending_webhooks"] == 1
    assert next(e for e in before if e["id"] == eid)["pending_webhooks"] == 2  # a snapshot stays as it was
    status, _, body = fake.api.handle("GET", "/v1/events?delivery_success=false", {"Authorization": "Bearer sk_test_x"}, b"")
    assert status == 200 and [e["id"] for e in json.loads(body)["data"]] == [eid]
    assert json.loads(body)["data"][0]["pending_webhooks"] == 1
    failing.enabled = False
    fake.ledger.delivered(eid)  # as the channel does when an endpoint answers 2xx
    assert fee["pending_webhooks"] == 0 and fake.ledger.event(eid)["pending_webhooks"] == 0
    assert fake.ledger._log.entry(eid).live is None  # the committed dict is no longer kept
    status, _, body = fake.api.handle("GET", "/v1/events?delivery_success=false", {"Authorization": "Bearer sk_test_x"}, b"")
    assert json.loads(body)["data"] == []
    fake.ledger.delivered(eid)  # never below zero
    assert fake.ledger.event(eid)["pending_webhooks"] == 0


def test_a_read_is_a_fresh_copy(fake, provider):
    r = fake.pay(5000, "usd", provider)
    eid = r.events[0]["id"]
    fake.ledger.event(eid, as_account=provider)["type"] = "changed"
    assert fake.ledger.event(eid, as_account=provider)["type"] == r.events[0]["type"]
    assert fake.ledger.events[0] is not fake.ledger.events[0]


def test_events_api_pages_rebuild_only_the_page(fake, provider, monkeypatch):
    for _ in range(6):
        fake.pay(5000, "usd", provider)
    from sim.stripe import eventlog

    built = []
    real = eventlog.Entry.event
    monkeypatch.setattr(eventlog.Entry, "event", lambda self: built.append(self.id) or real(self))
    headers = {"Authorization": "Bearer sk_test_x", "Stripe-Account": provider}
    status, _, body = fake.api.handle("GET", "/v1/events?limit=3", headers, b"")
    page = json.loads(body)
    assert status == 200 and page["has_more"] and len(page["data"]) == 3 and len(built) == 3
    built.clear()
    after = page["data"][-1]["id"]
    status, _, body = fake.api.handle("GET", f"/v1/events?limit=3&starting_after={after}", headers, b"")
    assert [e["id"] for e in json.loads(body)["data"]] == built
    newest_first = [e["id"] for e in reversed(fake.ledger.events_for(provider))]
    assert [e["id"] for e in page["data"] + json.loads(body)["data"]] == newest_first[:6]


def test_a_storm_reads_back_what_it_committed(tmp_path, monkeypatch):
    from sim.scenario import observe
    from sim.scenario.runner import run_scenario
    from sim.storm import storm_scenario
    from sim.stripe.ledger import Ledger

    committed: dict[int, list[dict]] = {}
    real_commit, real_snapshot = Ledger._commit_event, observe.snapshot

    def commit(self, event):
        real_commit(self, event)
        committed.setdefault(id(self), []).append(event)

    checked = []

    def snapshot(world, run=None):
        ledger = world.stripe.ledger
        _same(list(ledger.events), committed[id(ledger)])
        checked.append(len(ledger.events))
        return real_snapshot(world, run)

    monkeypatch.setattr(Ledger, "_commit_event", commit)
    # every module that bound the name (imported here first, so none binds the patched one for good)
    from sim.scenario import checks_final
    from sim.scenario.steps import checks

    for module in (observe, checks_final, checks):
        monkeypatch.setattr(module, "snapshot", snapshot)
    path = tmp_path / "storm.yaml"
    path.write_text(yaml.safe_dump(storm_scenario(bookings=3, seed=11)), encoding="utf-8")
    result = run_scenario(str(path), run_seed=3)
    assert not result.failures and result.status == "passed"
    assert checked and checked[-1] > 10
