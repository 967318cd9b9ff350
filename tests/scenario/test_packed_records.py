"""The snapshot's packed records read back as the records given, in order, every time, each
read a fresh copy; they compare equal to the list of them."""

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from sim.scenario.packed_records import CHUNK, PackedRecords
from sim.scenario.snapshot import BusEvent

RECORD = st.dictionaries(st.text(max_size=5), st.integers() | st.text(max_size=8) | st.none()
                         | st.decimals(allow_nan=False, allow_infinity=False).map(Decimal), max_size=4)


@given(st.lists(RECORD, max_size=3 * CHUNK + 5))
def test_records_read_back_as_given(records):
    packed = PackedRecords.of(iter(records))
    assert len(packed) == len(records) and bool(packed) == bool(records)
    assert list(packed) == records and list(packed) == records   # re-iterable
    assert packed == records and packed[1:7] == records[1:7]
    if records:
        assert packed[0] == records[0] and packed[-1] == records[-1]
        assert packed[len(records) // 2] == records[len(records) // 2]


def test_each_read_is_a_fresh_copy_and_bad_indexes_raise():
    packed = PackedRecords.of([{"id": "a", "n": Decimal("1.5")}, BusEvent("s", "t", {"k": 1})])
    first = next(iter(packed))
    first["id"] = "changed"
    assert packed[0] == {"id": "a", "n": Decimal("1.5")} and packed[1].detail == {"k": 1}
    assert packed != [{"id": "a"}] and packed != [1, 2, 3]
    with pytest.raises(IndexError):
        packed[2]
    with pytest.raises(IndexError):
        packed[-3]


def test_a_snapshot_of_a_world_keeps_tables_and_bus_events_packed():
    from sim.scenario.observe import snapshot
    from sim.world import World

    with World(seed=3, stripe=False) as w:
        w.client("events").put_events(Entries=[{"Source": "ecosystem.test", "DetailType": "Ping",
                                                 "Detail": "{\"n\": 1}", "EventBusName": w.stack.bus}])
        snap = snapshot(w)
        assert isinstance(snap.bus_events, PackedRecords) and isinstance(snap.table("Booking"), PackedRecords)
        assert [e.detail_type for e in snap.bus_events] == ["Ping"]
        assert snap.table("Booking") == w.table_items("Booking")
