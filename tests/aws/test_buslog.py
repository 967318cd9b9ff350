"""The bus log keeps every accepted event packed and gives back equal entries, in order."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from sim.aws.eventbridge.buslog import BusLog

_json = st.recursive(st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(),
                     lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(), inner, max_size=4),
                     max_leaves=20)


@given(st.lists(st.dictionaries(st.text(), _json, max_size=5), max_size=8))
def test_entries_come_back_equal_in_order_with_their_keys_in_order(entries):
    log = BusLog()
    for entry in entries:
        log.append(entry)
    assert len(log) == len(entries) and bool(log) == bool(entries)
    assert list(log) == entries and log == entries
    assert [list(e) for e in log] == [list(e) for e in entries]
    assert log[1:3] == entries[1:3]
    if entries:
        assert log[-1] == entries[-1] and log[0] == entries[0]


def test_each_read_is_a_fresh_copy():
    log = BusLog()
    event = {"bus": "marketplace", "event": {"detail-type": "Payment Succeeded", "detail": {"bookingId": "b1"}}}
    log.append(event)
    event["event"]["detail"]["bookingId"] = "changed after publish"
    read = log[0]
    read["event"]["detail"].clear()
    assert log[0]["event"]["detail"] == {"bookingId": "b1"}
