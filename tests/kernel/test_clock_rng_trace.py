"""The virtual clock, seeded RNG streams and the trace hash."""

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from sim.clock import Clock, parse_instant
from sim.durations import to_timedelta
from sim.errors import InputError
from sim.rng import Rng, derive_seed
from sim.trace import Trace


def test_clock_is_aware_utc_and_only_moves_forward():
    clock = Clock("2026-03-02T09:00:00Z")
    assert clock.now() == datetime(2026, 3, 2, 9, tzinfo=UTC)
    clock.advance(90)
    assert clock.now().minute == 1 and clock.now().second == 30
    with pytest.raises(ValueError):
        clock.set(datetime(2026, 1, 1, tzinfo=UTC))
    with pytest.raises(ValueError):
        clock.advance(-1)


def test_frozen_clock_drives_time_functions():
    import time

    clock = Clock("2026-03-02T09:00:00Z")
    clock.freeze()
    try:
        assert time.time() == clock.epoch()
        assert datetime.now(UTC) == clock.now()
        assert datetime.utcnow() == clock.now().replace(tzinfo=None)
        clock.advance(timedelta(hours=26))
        assert time.time() == clock.epoch()
        assert datetime.now(UTC).day == 3
    finally:
        clock.unfreeze()
    assert abs(time.time() - clock.epoch()) > 1000  # real time again


def test_parse_instant_accepts_z_and_naive():
    assert parse_instant("2026-03-02T09:00:00Z") == parse_instant("2026-03-02T09:00:00")
    assert parse_instant("2026-03-02T10:00:00+01:00") == datetime(2026, 3, 2, 9, tzinfo=UTC)


@given(st.integers(), st.text(min_size=1, max_size=20))
def test_child_streams_are_independent_of_use_order(seed, name):
    a = Rng(seed)
    first = a.child(name).random()
    b = Rng(seed)
    b.random()  # drawing from the parent must not shift a child
    b.child("other").random()
    assert b.child(name).random() == first


def test_derive_seed_is_stable():
    assert derive_seed(1, "stripe") == derive_seed(1, "stripe")
    assert derive_seed(1, "stripe") != derive_seed(2, "stripe")
    assert Rng(5).uuid4() == Rng(5).uuid4()


@given(st.lists(st.tuples(st.sampled_from(["lambda", "stripe"]), st.text(max_size=5), st.integers()), max_size=10))
def test_trace_hash_is_a_function_of_the_records(records):
    def build():
        clock = Clock()
        trace = Trace(clock)
        for component, kind, n in records:
            clock.advance(abs(n) % 100)
            trace.record(component, kind or "k", None, n=n)
        return trace

    one, two = build(), build()
    assert one.hash() == two.hash()
    assert one.to_jsonl() == two.to_jsonl()
    if records:
        clock = Clock()
        other = Trace(clock)
        other.record("x", "y", None)
        assert other.hash() != one.hash()


@pytest.mark.parametrize("text,seconds", [("90s", 90), ("1m", 60), ("26h", 93600), ("2d", 172800),
                                          ("1h30m", 5400), (45, 45), ("500ms", 0.5)])
def test_durations(text, seconds):
    assert to_timedelta(text).total_seconds() == seconds


@pytest.mark.parametrize("bad", ["three", "1x", "", "-5", -1, True])
def test_bad_durations_name_the_value(bad):
    with pytest.raises(InputError):
        to_timedelta(bad)
