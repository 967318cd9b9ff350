"""The domain event publisher: PutEvents on MARKETPLACE_EVENT_BUS_ARN (else EVENT_BUS_NAME).

`publish(source, detail_type, detail)` / `publish_all([DomainEvent, ...])`. Entries go in batches
of 10; entries reported failed (FailedEntryCount > 0) are sent again, only those, up to
MAX_ATTEMPTS attempts in all; what still fails raises PublishError (the caller decides whether
that fails its unit of work; `PublishError.accepted` lists the positions of the events EventBridge
did accept before giving up, so the caller can record them as published). The current correlation id is added to each detail as
`correlationId` unless the detail already has one.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from handlers.common import clock
from handlers.common.clients import client
from handlers.common.config import event_bus
from handlers.common.log import correlation_id, get_logger

MAX_ATTEMPTS = 3
DOMAIN_EVENT_ID = "domainEventId"  # detail key: the event's stable id, the same on every republication
_BATCH = 10
_log = get_logger("events")


class PublishError(RuntimeError):
    """Some entries were still rejected after MAX_ATTEMPTS."""

    def __init__(self, message: str, failed: list[dict[str, Any]], accepted: list[int] | None = None):
        super().__init__(message)
        self.failed = failed
        self.accepted = accepted or []  # positions (in the events given to publish_all) that were accepted


@dataclass(frozen=True)
class DomainEvent:
    source: str          # e.g. "marketplace.payment"
    detail_type: str     # e.g. "Payment Succeeded"
    detail: dict[str, Any]
    resources: tuple[str, ...] = field(default_factory=tuple)


def _entry(ev: DomainEvent, bus: str) -> dict[str, Any]:
    detail = dict(ev.detail)
    cid = correlation_id()
    if cid and "correlationId" not in detail:
        detail["correlationId"] = cid
    entry = {"Source": ev.source, "DetailType": ev.detail_type, "EventBusName": bus,
             "Detail": json.dumps(detail, sort_keys=True, default=str),
             "Time": datetime.fromtimestamp(clock.now_s(), tz=UTC)}
    if ev.resources:
        entry["Resources"] = list(ev.resources)
    return entry


def publish_all(events: list[DomainEvent]) -> list[str]:
    """Publish every event; the EventBridge ids, in order. PublishError if entries keep failing."""
    if not events:
        return []
    bus = event_bus()
    ids: list[str] = []
    accepted: list[int] = []
    for start in range(0, len(events), _BATCH):
        try:
            ids += _publish_batch([_entry(ev, bus) for ev in events[start:start + _BATCH]])
        except PublishError as exc:
            raise PublishError(str(exc), exc.failed, accepted + [start + i for i in exc.accepted]) from None
        except Exception as exc:  # noqa: BLE001 - the batches before this one are on the bus
            if accepted or start:
                raise PublishError(f"PutEvents failed: {exc!r}", [], list(range(start))) from exc
            raise
        accepted += range(start, start + min(_BATCH, len(events) - start))
    return ids


def _publish_batch(entries: list[dict[str, Any]]) -> list[str]:
    ids: list[str | None] = [None] * len(entries)
    pending = list(range(len(entries)))
    last_errors: list[dict[str, Any]] = []
    for attempt in range(1, MAX_ATTEMPTS + 1):
        response = client("events").put_events(Entries=[entries[i] for i in pending])
        results = response.get("Entries", [])
        still: list[int] = []
        last_errors = []
        for pos, index in enumerate(pending):
            result = results[pos] if pos < len(results) else {}
            if result.get("EventId") and not result.get("ErrorCode"):
                ids[index] = result["EventId"]
            else:
                still.append(index)
                last_errors.append({"DetailType": entries[index]["DetailType"],
                                    "ErrorCode": result.get("ErrorCode"), "ErrorMessage": result.get("ErrorMessage")})
        if not still:
            break
        _log.warning("PutEvents rejected entries", attempt=attempt, failed=len(still),
                     failedEntryCount=response.get("FailedEntryCount"), errors=last_errors)
        pending = still
    else:
        raise PublishError(f"{len(pending)} event(s) rejected after {MAX_ATTEMPTS} attempts", last_errors,
                           [i for i, eid in enumerate(ids) if eid is not None])
    return [i for i in ids if i is not None]


def publish(source: str, detail_type: str, detail: dict[str, Any], *, resources: tuple[str, ...] = ()) -> str:
    """Publish one event; its EventBridge id."""
    return publish_all([DomainEvent(source, detail_type, detail, resources)])[0]
