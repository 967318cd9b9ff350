"""The fault plane: one registry of typed specs (add / match / count / clear), drawable from a seed."""

import pytest

from sim.errors import InputError
from sim.faults import (
    DRAW_KINDS,
    AwsCallFault,
    DeliveryFault,
    FaultPlane,
    LambdaFault,
    LambdaTimeoutFault,
    PutEventsFault,
    StripeApiFault,
    TaskMock,
    draw,
)
from sim.rng import Rng

EVENT = {"id": "evt_1", "type": "charge.succeeded", "data": {"object": {}}}


def every_kind() -> FaultPlane:
    plane = FaultPlane()
    plane.add(DeliveryFault("drop", match={"type": "charge.*"}, times=1))
    plane.add("dynamodb.UpdateItem", error="ThrottlingException", times=2)
    plane.add(LambdaTimeoutFault("stripe-webhook", 60))
    plane.add(LambdaFault("toy", "throttle", times=None))
    plane.add(LambdaFault("toy", "error", error="ImportModuleError"))
    plane.add(PutEventsFault(count=1))
    plane.add(TaskMock("payment-processing", "ProcessPayout", error="States.TaskFailed"))
    plane.add(StripeApiFault(429, path="/v1/events"))
    return plane


def test_one_registry_holds_every_kind_and_clear_removes_them_all():
    plane = every_kind()
    assert {s.scenario_kind for s in plane} == {"drop", "aws", "lambda", "putevents", "task", "stripe_api"}
    assert len(plane.clear()) == 8 and len(plane) == 0
    assert plane.match(LambdaFault.KIND, "toy", "throttle") is None
    assert plane.match(TaskMock.KIND, "ProcessPayout", "ecosystem-payment-processing") is None


def test_clear_by_scenario_kind_keeps_the_others():
    plane = every_kind()
    removed = plane.clear(["lambda", "task"])
    assert sorted(type(s).__name__ for s in removed) == ["LambdaFault", "LambdaFault", "LambdaTimeoutFault",
                                                          "TaskMock"]
    assert {s.scenario_kind for s in plane} == {"drop", "aws", "putevents", "stripe_api"}


def test_match_counts_fires_and_honours_times_and_after():
    plane = FaultPlane()
    fault = plane.add(AwsCallFault("events.PutEvents", error="InternalException", times=2, after=1))
    assert fault.call == "eventbridge.PutEvents"
    hits = [plane.match(AwsCallFault.KIND, "eventbridge.PutEvents", {}, "f") for _ in range(4)]
    assert hits == [None, fault, fault, None]
    assert plane.count("aws") == 2 and plane.counts() == {"aws": 2}
    plane.clear()
    assert plane.count("aws") == 2  # fires of cleared faults still count


def test_task_mocks_newest_first_and_delivery_faults_in_order():
    plane = FaultPlane()
    old = plane.add(TaskMock("payment-processing", "ProcessPayout", result={"old": True}))
    new = plane.add(TaskMock("payment-processing", "ProcessPayout", result={"new": True}, times=1))
    assert plane.match(TaskMock.KIND, "ProcessPayout", "ecosystem-payment-processing") is new
    assert plane.match(TaskMock.KIND, "ProcessPayout", "ecosystem-payment-processing") is old
    a = plane.add(DeliveryFault("duplicate", copies=2))
    b = plane.add(DeliveryFault("delay", delay_s=5))
    assert plane.match_all(DeliveryFault.KIND, EVENT, "we_1", ("duplicate", "delay")) == [a, b]
    assert plane.match(DeliveryFault.KIND, EVENT, "we_1", ("drop",)) is None


def test_putevents_fault_fails_count_matching_entries():
    plane = FaultPlane()
    plane.add(PutEventsFault(count=2, detail_type="Booking Confirmed"))
    entries = [{"DetailType": "Booking Confirmed"}, {"DetailType": "Other"}] * 2
    assert [plane.match(PutEventsFault.KIND, e) is not None for e in entries] == [True, False, True, False]
    assert plane.match(PutEventsFault.KIND, entries[0]) is None


def test_bad_specs_are_input_errors():
    with pytest.raises(InputError):
        AwsCallFault("UpdateItem", error="X")
    with pytest.raises(InputError):
        LambdaFault("toy", "explode")
    with pytest.raises(InputError):
        StripeApiFault(404)
    with pytest.raises(InputError):
        DeliveryFault("duplicate", copies=0)
    with pytest.raises(InputError):
        draw("nonsense", Rng(1), 0.5)
    with pytest.raises(InputError):
        draw("drop", Rng(1), 1.5)


@pytest.mark.parametrize("kind", DRAW_KINDS)
def test_every_kind_draws_deterministically_from_a_seed(kind):
    first = draw(kind, Rng(7).child(kind), 0.3, opportunities=50)
    again = draw(kind, Rng(7).child(kind), 0.3, opportunities=50)
    assert len(first) == 1 and [vars(s) for s in first] == [vars(s) for s in again]
    assert draw(kind, Rng(7), 0.0, opportunities=50) == []
    spec = first[0]
    assert spec.scenario_kind in {"aws", "lambda", "putevents", "task", "stripe_api"} | set(
        ("drop", "duplicate", "reorder", "delay", "endpoint_down", "bad_signature", "stale_timestamp",
         "future_timestamp", "rotated_secret"))


def test_drawn_specs_have_the_scenario_form_the_loader_accepts(tmp_path):
    import yaml

    from sim.scenario.loader import load_scenario

    rng = Rng(3)
    faults = [s.to_scenario() for kind in DRAW_KINDS for s in draw(kind, rng.child(kind), 0.5, opportunities=20)]
    faults = [f for f in faults if f is not None]
    assert len(faults) >= len(DRAW_KINDS) - 3  # endpoint_down, rotated_secret, stripe_api have no form
    path = tmp_path / "drawn.yaml"
    path.write_text(yaml.safe_dump({"name": "drawn", "tags": ["x"], "steps": [{"advance": "1m"}],
                                    "faults": faults}))
    assert len(load_scenario(path).faults) == len(faults)
