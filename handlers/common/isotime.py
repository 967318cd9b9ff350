"""ISO 8601 timestamps as the Booking table stores them: UTC, "2026-03-02T09:00:00.000Z".

`parse_iso(value, field)` accepts "Z" or an offset (a naive value is taken as UTC) and raises
ValueError naming the field; `to_iso(dt)` writes the stored form, which sorts as time does.
"""

from __future__ import annotations

import time
from datetime import UTC, datetime


def parse_iso(value: object, field: str) -> datetime:
    if not isinstance(value, str) or not value.strip():
        raise ValueError(f"{field} is required (an ISO 8601 date-time)")
    text = value.strip()
    if text.endswith(("Z", "z")):
        text = text[:-1] + "+00:00"
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError as exc:
        raise ValueError(f"{field} must be an ISO 8601 date-time, got {value!r}") from exc
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    return parsed.astimezone(UTC)


def to_iso(dt: datetime) -> str:
    return dt.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def now_utc() -> datetime:
    return datetime.fromtimestamp(time.time(), tz=UTC)
