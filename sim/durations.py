"""Durations (`90s`, `1m`, `26h`, `2d`, `1h30m`, `500ms`) and wall-clock targets (`until: "02:00"`).

All arithmetic is on aware UTC datetimes from the world clock; nothing here reads real time.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

from sim.errors import InputError

UNITS = {"ms": 0.001, "s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604800}
_PART = r"(?:\d+(?:\.\d+)?)(?:ms|s|m|h|d|w)"
DURATION_PATTERN = rf"^(?:{_PART})+$"
_DURATION_RE = re.compile(DURATION_PATTERN)
_PART_RE = re.compile(r"(\d+(?:\.\d+)?)(ms|s|m|h|d|w)")
CLOCK_PATTERN = r"^([01]\d|2[0-3]):[0-5]\d(:[0-5]\d)?$"
_CLOCK_RE = re.compile(CLOCK_PATTERN)


def parse_duration(value: str | int | float | timedelta) -> timedelta:
    """A duration: `90s`, `1m`, `26h`, `2d`, compounds like `1h30m`, or a number of seconds.

    Raises ValueError (with the offending text) for anything else, including negatives.
    """
    if isinstance(value, timedelta):
        if value < timedelta(0):
            raise InputError(f"a duration cannot be negative: {value}")
        return value
    if isinstance(value, bool):
        raise InputError(f"expected a duration like 90s, 1m, 26h or 2d, got {value!r}")
    if isinstance(value, (int, float)):
        if value < 0:
            raise InputError(f"a duration cannot be negative: {value}")
        return timedelta(seconds=value)
    if not isinstance(value, str):
        raise InputError(f"expected a duration like 90s, 1m, 26h or 2d, got {value!r}")
    text = value.strip()
    if not _DURATION_RE.match(text):
        raise InputError(f"expected a duration like 90s, 1m, 26h or 2d, got {value!r}")
    total_ms = 0
    for number, unit in _PART_RE.findall(text):
        total_ms += round(float(number) * UNITS[unit] * 1000)
    return timedelta(milliseconds=total_ms)


def format_duration(delta: timedelta | float) -> str:
    """The shortest canonical text for a duration (`1d2h`, `90s` → `1m30s`, `0s`)."""
    ms = round((delta.total_seconds() if isinstance(delta, timedelta) else float(delta)) * 1000)
    if ms < 0:
        raise InputError("a duration cannot be negative")
    if ms == 0:
        return "0s"
    parts = []
    for unit, size in (("d", 86_400_000), ("h", 3_600_000), ("m", 60_000), ("s", 1000), ("ms", 1)):
        count, ms = divmod(ms, size)
        if count:
            parts.append(f"{count}{unit}")
    return "".join(parts)


def to_timedelta(value: str | int | float | timedelta) -> timedelta:
    """`parse_duration` for user input: bad values raise InputError (exit status 2)."""
    try:
        return parse_duration(value)
    except ValueError as exc:
        raise InputError(str(exc)) from None


def parse_clock(value: str) -> tuple[int, int, int]:
    """`"02:00"` or `"23:59:30"` as (hour, minute, second)."""
    if not isinstance(value, str) or not _CLOCK_RE.match(value.strip()):
        raise InputError(f'expected a UTC time of day like "02:00", got {value!r}')
    parts = [int(p) for p in value.strip().split(":")]
    return parts[0], parts[1], parts[2] if len(parts) > 2 else 0


def next_time_of_day(now: datetime, value: str) -> datetime:
    """The next instant strictly after `now` whose UTC time of day is `value` (e.g. the next 02:00)."""
    hour, minute, second = parse_clock(value)
    now = now.astimezone(UTC)
    target = now.replace(hour=hour, minute=minute, second=second, microsecond=0)
    if target <= now:
        target += timedelta(days=1)
    return target
