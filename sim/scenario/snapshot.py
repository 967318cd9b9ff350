"""What the oracle and the expectations look at: a plain-data picture of the world at one instant.

`Snapshot` is built from a live world by `sim.scenario.observe.snapshot(world, …)`; tests build
it by hand. Every field is plain Python (dicts, lists, datetimes), with normalisers for the
shapes different producers may use (bus envelopes, epoch seconds vs milliseconds vs ISO text).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from sim.aws.items import plain  # noqa: F401 - re-exported for the oracle and reports


@dataclass
class Execution:
    """A Step Functions execution as the oracle sees it."""

    arn: str
    machine: str
    status: str
    start: datetime | None = None
    stop: datetime | None = None
    timeout_s: float | None = None
    states: list[str] = field(default_factory=list)
    input: Any = None
    output: Any = None
    error: str | None = None


@dataclass
class BusEvent:
    """An event put on the marketplace bus, normalised from any envelope shape."""

    source: str
    detail_type: str
    detail: dict
    time: str | None = None
    bus: str | None = None
    id: str | None = None


@dataclass
class Snapshot:
    now: datetime
    tables: dict[str, list[dict]] = field(default_factory=dict)
    stripe_events: list[dict] = field(default_factory=list)       # every ledger event, oldest first
    stripe_objects: dict[str, dict] = field(default_factory=dict)  # id -> current version
    stripe_owners: dict[str, str] = field(default_factory=dict)    # object id -> the account that holds it
    bus_events: list[BusEvent] = field(default_factory=list)
    executions: list[Execution] = field(default_factory=list)
    trace: list[dict] = field(default_factory=list)
    reconciliations: list[datetime] = field(default_factory=list)  # when reconciliation runs started
    status_history: dict[str, list[str]] = field(default_factory=dict)  # booking id -> observed statuses
    sns_messages: list[dict] = field(default_factory=list)   # {topic, subject, message}
    metrics: list[dict] = field(default_factory=list)        # {namespace, name, value, dimensions}
    logs: list[dict] = field(default_factory=list)           # {function, level, message}
    lock_timeout_s: float = 300.0
    reconciliation_window_s: float = 25 * 3600.0
    fee_percent: float = 8.0
    reconciliation_max_retries: int = 3
    derived: dict = field(default_factory=dict, repr=False, compare=False)  # indexes built once per oracle.check

    def table(self, name: str) -> list[dict]:
        try:
            return self.tables[name]
        except KeyError:
            return []

    def items_by_id(self, name: str, key: str = "id") -> dict[str, dict]:
        return {str(i.get(key)): i for i in self.table(name)}


# -- normalisers ------------------------------------------------------------------------------

def to_datetime(value) -> datetime | None:
    """Epoch seconds, epoch milliseconds, ISO text or a datetime → aware UTC datetime."""
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=UTC)
    if isinstance(value, Decimal):
        value = float(value)
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        seconds = value / 1000 if value > 10_000_000_000 else value
        return datetime.fromtimestamp(seconds, UTC)
    if isinstance(value, str):
        text = value.strip()
        try:
            return to_datetime(float(text))
        except ValueError:
            pass
        if text.endswith(("Z", "z")):
            text = text[:-1] + "+00:00"
        try:
            return to_datetime(datetime.fromisoformat(text))
        except ValueError:
            return None
    return None


def bus_event(raw: dict) -> BusEvent:
    """PutEvents entries ({Source, DetailType, Detail}) or delivered events ({source, detail-type, detail})."""
    get = lambda *names: next((raw[n] for n in names if n in raw), None)  # noqa: E731
    detail = get("detail", "Detail") or {}
    if isinstance(detail, (str, bytes)):
        try:
            detail = json.loads(detail)
        except ValueError:
            detail = {"raw": detail}
    time = get("time", "Time")
    return BusEvent(source=str(get("source", "Source") or ""), detail_type=str(get("detail-type", "DetailType") or ""),
                    detail=plain(detail) if isinstance(detail, dict) else {"value": detail},
                    time=time.isoformat() if isinstance(time, datetime) else time,
                    bus=get("EventBusName", "event-bus", "bus"), id=get("id", "Id"))


def booking_id_of(detail: dict) -> str | None:
    """The booking a domain event is about, whatever the producer called the field."""
    for key in ("bookingId", "booking_id", "BookingId"):
        if detail.get(key):
            return str(detail[key])
    booking = detail.get("booking")
    if isinstance(booking, dict) and booking.get("id"):
        return str(booking["id"])
    return None


def stripe_event_id_of(detail: dict) -> str | None:
    for key in ("stripeEventId", "stripe_event_id", "sourceEventId", "eventId", "webhookEventId"):
        value = detail.get(key)
        if isinstance(value, str) and value.startswith("evt_"):
            return value
    return None


def event_booking_id(event: dict) -> str | None:
    """The booking a Stripe event is about (metadata.booking_id / bookingId on its object)."""
    obj = (event.get("data") or {}).get("object") or {}
    meta = obj.get("metadata") or {}
    for key in ("booking_id", "bookingId"):
        if isinstance(meta, dict) and meta.get(key):
            return str(meta[key])
    return None


def norm_status(value) -> str | None:
    if value is None:
        return None
    text = str(value).strip().lower().replace("-", "_")
    return {"canceled": "cancelled"}.get(text, text)
