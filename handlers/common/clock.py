"""Time, only through time.time() (the harness makes it virtual)."""

from __future__ import annotations

import time
from datetime import UTC, datetime


def now_s() -> int:
    """Unix seconds."""
    return int(time.time())


def now_ms() -> int:
    """Unix milliseconds (the ProcessedWebhooks timestamps)."""
    return int(time.time() * 1000)


def now_iso() -> str:
    """ISO 8601 UTC with milliseconds, e.g. 2026-03-02T09:00:00.000Z."""
    return iso_ms_from_s(time.time())


def iso_ms_from_s(seconds: int | float) -> str:
    """now_iso's format for any instant (comparable as text with now_iso's values)."""
    return datetime.fromtimestamp(seconds, tz=UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def iso_from_s(seconds: int | float) -> str:
    return datetime.fromtimestamp(seconds, tz=UTC).isoformat(timespec="seconds").replace("+00:00", "Z")
