"""Durations and times of day: parsing, formatting, the next HH:MM."""

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from sim.durations import format_duration, next_time_of_day, parse_clock, parse_duration


@pytest.mark.parametrize("text,seconds", [("90s", 90), ("1m", 60), ("26h", 93600), ("2d", 172800),
                                          ("1h30m", 5400), ("500ms", 0.5), ("1w", 604800), (45, 45),
                                          (2.5, 2.5), ("0s", 0)])
def test_known_durations(text, seconds):
    assert parse_duration(text) == timedelta(seconds=seconds)


@pytest.mark.parametrize("bad", ["three", "3 hours", "1x", "", "-5s", "h", True, None, -1, "1h-5m"])
def test_bad_durations_are_rejected(bad):
    with pytest.raises(ValueError):
        parse_duration(bad)


@given(st.integers(min_value=0, max_value=10**10))
def test_format_then_parse_roundtrips(ms):
    delta = timedelta(milliseconds=ms)
    assert parse_duration(format_duration(delta)) == delta


@given(st.lists(st.tuples(st.integers(0, 999), st.sampled_from(["ms", "s", "m", "h", "d", "w"])),
                min_size=1, max_size=5))
def test_compound_durations_add_up(parts):
    from sim.durations import UNITS

    text = "".join(f"{n}{u}" for n, u in parts)
    expected = sum(n * UNITS[u] for n, u in parts)
    assert abs(parse_duration(text).total_seconds() - expected) < 1e-6


@given(st.datetimes(min_value=datetime(2000, 1, 1), max_value=datetime(2100, 1, 1), timezones=st.just(UTC)),
       st.integers(0, 23), st.integers(0, 59))
def test_next_time_of_day_is_the_next_occurrence(now, hour, minute):
    target = next_time_of_day(now, f"{hour:02d}:{minute:02d}")
    assert target > now
    assert target - now <= timedelta(days=1)
    assert (target.hour, target.minute, target.second, target.microsecond) == (hour, minute, 0, 0)


def test_until_0200_from_the_morning_is_the_next_night():
    now = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
    assert next_time_of_day(now, "02:00") == datetime(2026, 3, 3, 2, 0, tzinfo=UTC)
    assert next_time_of_day(datetime(2026, 3, 3, 2, 0, tzinfo=UTC), "02:00") == datetime(2026, 3, 4, 2, 0,
                                                                                        tzinfo=UTC)


@pytest.mark.parametrize("bad", ["2am", "24:00", "2:00", "02:60", 200])
def test_bad_clock(bad):
    with pytest.raises(ValueError):
        parse_clock(bad)
