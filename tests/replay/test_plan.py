"""From an export to a plan: the world the events refer to, the timeline, the speeds, the YAML."""

from __future__ import annotations

import json

import pytest

from sim.replay import build_plan, load_export, parse_text, render_scenario
from sim.replay.timeline import compressor
from sim.scenario.loader import parse_scenario
from tests.replay.conftest import DELIVERIES, INCIDENT, event


@pytest.fixture(scope="module")
def export():
    return load_export([str(INCIDENT)], str(DELIVERIES))


def test_the_cast_keeps_recorded_ids(export):
    cast = build_plan(export).cast
    assert [p.account for p in cast.providers] == ["acct_1vsGci9kZxOpKQlZ", "acct_1vsGcipmiLNGRD87"]
    assert [(b.booking_id, b.amount, b.currency) for b in cast.bookings] == [
        ("bk_7Hq2mX4pLr9Ta1Vd", 12000, "usd"), ("bk_2Wd8nK5sQe3Yb7Gc", 8500, "usd"),
        ("bk_5Jt1rB8vNc6Zk2Hf", 15000, "usd")]
    assert all(b.payment_intent.startswith("pi_") for b in cast.bookings)
    assert all(c.stripe_id and c.stripe_id.startswith("cus_") for c in cast.customers)
    assert len(cast.services) == 2 and not cast.notes


def test_the_timeline_follows_the_delivery_log(export):
    plan = build_plan(export)
    kinds = [a.kind for a in plan.actions]
    assert kinds.count("import") == 20 and kinds.count("deliver") == 20 and kinds.count("unreached") == 20
    seen = set()
    for a in plan.actions:  # an event is imported before anything is delivered
        if a.kind == "import":
            seen.add(a.event_id)
        else:
            assert a.event_id in seen
    assert [a.at for a in plan.actions] == sorted(a.at for a in plan.actions)
    succeeded = [a for a in plan.deliveries if export.event(a.event_id).type == "payment_intent.succeeded"]
    first = succeeded[0].event_id
    assert [a.at for a in succeeded if a.event_id == first][1] - succeeded[0].at == pytest.approx(40 * 60 + 27)
    refunded = next(a.at for a in plan.deliveries if export.event(a.event_id).type == "charge.refunded")
    charge_b = [a.at for a in plan.deliveries if export.event(a.event_id).type == "charge.succeeded"][1]
    assert refunded < charge_b
    never = set(export.never_delivered)
    assert never and not any(a.event_id in never for a in plan.deliveries)


def test_without_a_log_each_event_is_delivered_once_a_second_later():
    plan = build_plan(parse_text(json.dumps([event(1, created=100), event(2, created=100)]), "e.json"))
    assert [(a.kind, a.at) for a in plan.actions] == [("import", 100), ("import", 100), ("deliver", 101),
                                                       ("deliver", 101)]


def test_compression_keeps_order_and_integer_created(export):
    plan = build_plan(export, speed="compressed", max_gap=1.0)
    recorded = build_plan(export)
    assert [a.event_id for a in plan.actions] == [a.event_id for a in recorded.actions]
    assert plan.end - plan.actions[0].at < 120 < recorded.end - recorded.actions[0].at
    assert all(isinstance(v, int) for v in plan.created.values())
    assert all(plan.event(r.id)["created"] == plan.created[r.id] for r in export.events)


def test_compressor_is_monotone_and_caps_gaps():
    shift = compressor([0, 0.5, 10, 10.25, 3600], 2.0)
    mapped = [shift(t) for t in (0, 0.5, 10, 10.25, 3600)]
    assert mapped == sorted(mapped) and mapped[0] == 0 and mapped[1] == 0.5
    assert all(b - a < 3 for a, b in zip(mapped, mapped[1:], strict=False))


def test_bad_speed_is_refused(export):
    with pytest.raises(ValueError, match="speed"):
        build_plan(export, speed="fast")


def test_the_emitted_yaml_is_a_valid_scenario(export):
    for reconcile in (True, False):
        text = render_scenario(build_plan(export, reconcile=reconcile))
        scenario = parse_scenario(text, "incident.yaml")
        kinds = [s.kind for s in scenario.steps]
        assert kinds.count("stripe_import") == 20 and kinds.count("book") == 3
        assert ("until" in kinds) is reconcile
        assert scenario.delivery["mode"] == "manual" and scenario.tags == ["replay", "incident"]


def test_booking_without_metadata_and_platform_payments_are_noted():
    ev = event(1)
    ev["data"]["object"]["metadata"] = {}
    plan = build_plan(parse_text(json.dumps([ev]), "e.json"))
    assert plan.cast.bookings[0].booking_id is None and plan.cast.providers[0].account is None
    assert any("no metadata.bookingId" in n for n in plan.cast.notes)
    assert any("not on a connected account" in n for n in plan.cast.notes)
    parse_scenario(render_scenario(plan), "x.yaml")
