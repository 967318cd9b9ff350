"""WebhookDeduplicationService: the ProcessedWebhooks lock, exactly as the architecture document.

Record (ProcessedWebhooks, key eventId): status PROCESSING | COMPLETED | FAILED | SKIPPED;
processedAt (ms, last status change; the StatusIndex range key), processingStartedAt (ms, start of
the current attempt), processingCompletedAt (ms); retryCount (attempts after the first: +1 on each
takeover, so it is also the lock's fencing token); reconciliationRetries (the takeovers made under a
retry budget — the reconciliation's —, so Stripe's own deliveries never spend that budget); ttl
(epoch SECONDS, now + WEBHOOK_TTL_DAYS, default 30); correlationId; signature; source ("stripe", "github", "shopify"); result; error;
eventType; stripeAccount; effects (the writes this event already committed, see below).

acquire(event_id, ...):
  1. PutItem status=PROCESSING, retryCount=0 with `attribute_not_exists(eventId)` → ACQUIRED.
  2. Otherwise read the record (consistent): COMPLETED or SKIPPED → DUPLICATE; PROCESSING started
     less than the lock timeout ago (WEBHOOK_LOCK_TIMEOUT_SECONDS, default 120 > the 60 s Lambda
     timeout) → IN_PROGRESS; FAILED with reconciliationRetries ≥ max_retries (when given: the
     caller's retry budget) → RETRY_LIMIT, unless the record is `publishPending` (below). The
     budget counts only the retries made under it: an event whose every webhook delivery failed
     (retryCount 2 after Stripe's three test-mode attempts, 12 in live mode) still gets all of the
     reconciliation's retries.
  3. Else take over with UpdateItem (status=PROCESSING, retryCount+1, processingStartedAt=now, and
     reconciliationRetries+1 when under a budget) under
     `attribute_exists(eventId) AND ((#status = PROCESSING AND processingStartedAt < :lockExpiry)
     OR (#status = FAILED AND retryCount = :seen))` — the document's lock-expiry condition, narrowed
     to PROCESSING so a COMPLETED record is never reprocessed, plus an immediate retry of a FAILED
     record fenced on the retryCount that was read → TAKEN_OVER. A lost race re-reads and decides
     again (bounded).
Every later write (mark_completed / mark_failed / mark_skipped / commit) is conditional on
`#status = PROCESSING AND retryCount = <mine>`: a holder whose lock was taken over gets LockLost
and stops. commit(lock, step, transition, write) runs the business write and the record's
`effects.<step> = transition` in ONE TransactWriteItems, so after a crash the next holder knows
which writes already happened (and their transitions, to publish their domain events) and never
applies a write twice.

Domain events: right after PutEvents accepted them, mark_published(lock, keys) records their keys
in `effects.published` (a fenced UpdateItem; mark_completed / mark_failed write it again, so a
failed marker write is repaired by the status write). A later holder (takeover of an expired
lock, the retry of a FAILED record) gets them in `Lock.published` and publishes only the others.
Left open: a process that dies (or whose three writes all fail) after PutEvents returned and
before any of these writes landed; its events are published again by the next holder, with the
same detail.domainEventId, on which every consumer is idempotent (docs/handlers.md, "Exactly once").

`publishPending`: mark_failed(lock, error, publish_pending=True) by a holder that had committed every
write of the event and failed only at publishing its domain events (or after). Such a record owes
nothing but events that are safe to publish again (each once, by `effects.published` and
domainEventId), so it is not a poison event: the retry limit does not stop it (acquire takes it
over whatever its retryCount) and the next holder publishes what is still owed. It stays set
through later FAILED writes (every write is still committed) and is removed by mark_completed.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from botocore.exceptions import ClientError

from handlers.common import clock
from handlers.common.clients import client
from handlers.common.config import lock_timeout_seconds, webhook_ttl_seconds
from handlers.common.ddb import Expr, cancellation_codes
from handlers.common.log import correlation_id, get_logger
from handlers.common.repositories.base import ConditionFailed
from handlers.common.repositories.processed_webhooks import ProcessedWebhooksRepository


class RecordStatus(StrEnum):
    """ProcessedWebhooks.status (the stored values)."""

    PROCESSING = "PROCESSING"
    COMPLETED = "COMPLETED"
    FAILED = "FAILED"
    SKIPPED = "SKIPPED"


class Outcome(StrEnum):
    """What `acquire` decided for an event."""

    ACQUIRED = "ACQUIRED"
    TAKEN_OVER = "TAKEN_OVER"
    DUPLICATE = "DUPLICATE"
    IN_PROGRESS = "IN_PROGRESS"
    RETRY_LIMIT = "RETRY_LIMIT"


PROCESSING, COMPLETED, FAILED, SKIPPED = RecordStatus
PUBLISHED = "published"  # effects.published: the keys of the domain events already published (never a step name)
PUBLISH_PENDING = "publishPending"  # FAILED with every write committed: only domain events owed (no retry limit)
STATUSES = tuple(RecordStatus)
ACQUIRED, TAKEN_OVER, DUPLICATE, IN_PROGRESS, RETRY_LIMIT = Outcome
BUDGETED_RETRIES = "reconciliationRetries"  # takeovers made under a retry budget (max_retries)
_MAX_TEXT = 1000
_log = get_logger("dedup")


def budgeted_retries(record: dict[str, Any] | None) -> int:
    """How many of a record's retries were made under a retry budget (the reconciliation's): what
    its RECONCILIATION_MAX_RETRIES is compared with."""
    return int((record or {}).get(BUDGETED_RETRIES) or 0)


class LockLost(Exception):
    """Another invocation took the lock over; this one must stop writing."""


@dataclass
class Lock:
    event_id: str
    retry_count: int                    # the fencing token
    started_at: int                     # ms
    effects: dict[str, Any] = field(default_factory=dict)
    previous_status: str | None = None  # None on a first acquisition
    published: set[str] = field(default_factory=set)  # keys of the domain events already on the bus


@dataclass
class Acquisition:
    outcome: str                        # ACQUIRED | TAKEN_OVER | DUPLICATE | IN_PROGRESS | RETRY_LIMIT
    lock: Lock | None
    record: dict[str, Any] | None

    @property
    def acquired(self) -> bool:
        return self.lock is not None


def _clip(text: Any) -> str:
    return str(text)[:_MAX_TEXT]


class WebhookDeduplicationService:
    def __init__(self, repo: ProcessedWebhooksRepository | None = None, *, lock_timeout_s: int | None = None,
                 ttl_s: int | None = None):
        self.repo = repo or ProcessedWebhooksRepository()
        self._lock_timeout_s = lock_timeout_s
        self._ttl_s = ttl_s

    @property
    def lock_timeout_ms(self) -> int:
        return (self._lock_timeout_s if self._lock_timeout_s is not None else lock_timeout_seconds()) * 1000

    # -- reads -----------------------------------------------------------------------------------
    def check(self, event_id: str) -> dict[str, Any] | None:
        """The record, or None (what the authorizer looks up)."""
        return self.repo.get(event_id)

    # -- lock ------------------------------------------------------------------------------------
    def acquire(self, event_id: str, *, source: str, signature: str | None = None, event_type: str | None = None,
                account: str | None = None, max_retries: int | None = None,
                correlation: str | None = None) -> Acquisition:
        if not isinstance(event_id, str) or not event_id:
            raise ValueError("event_id is required")
        now = clock.now_ms()
        cid = correlation or correlation_id()
        record = {"eventId": event_id, "status": PROCESSING, "processedAt": now, "processingStartedAt": now,
                  "retryCount": 0, "ttl": clock.now_s() + (self._ttl_s or webhook_ttl_seconds()),
                  "source": source, "correlationId": cid, "signature": signature and _clip(signature),
                  "eventType": event_type, "stripeAccount": account, "effects": {}}
        if self.repo.create(record):
            return Acquisition(ACQUIRED, Lock(event_id, 0, now), record)
        for _ in range(5):
            existing = self.repo.get(event_id)
            if existing is None:  # expired and deleted between the two calls: start afresh
                if self.repo.create(record):
                    return Acquisition(ACQUIRED, Lock(event_id, 0, now), record)
                continue
            status = existing.get("status")
            seen = int(existing.get("retryCount") or 0)
            started = int(existing.get("processingStartedAt") or 0)
            if status in (COMPLETED, SKIPPED):
                return Acquisition(DUPLICATE, None, existing)
            if status == PROCESSING and started >= now - self.lock_timeout_ms:
                return Acquisition(IN_PROGRESS, None, existing)
            budgeted = budgeted_retries(existing)
            if status == FAILED and max_retries is not None and budgeted >= max_retries \
                    and not existing.get(PUBLISH_PENDING):
                return Acquisition(RETRY_LIMIT, None, existing)
            taken = self._take_over(event_id, seen, now, cid, signature,
                                    budgeted + 1 if max_retries is not None else None)
            if taken is not None:
                _log.info("webhook lock taken over", eventId=event_id, previousStatus=status, retryCount=seen + 1)
                effects = dict(taken.get("effects") or {})
                published = effects.pop(PUBLISHED, None) or []
                return Acquisition(TAKEN_OVER, Lock(event_id, seen + 1, now, effects, previous_status=status,
                                                    published=set(published)), taken)
        existing = self.repo.get(event_id)
        return Acquisition(IN_PROGRESS, None, existing)

    def _take_over(self, event_id: str, seen: int, now: int, cid: str | None, signature: str | None,
                   budgeted: int | None) -> dict[str, Any] | None:
        e = Expr()
        st, started, rc = e.name("status"), e.name("processingStartedAt"), e.name("retryCount")
        condition = (f"attribute_exists({e.name('eventId')}) AND "
                     f"(({st} = {e.value(PROCESSING)} AND (attribute_not_exists({started}) OR "
                     f"{started} < {e.value(now - self.lock_timeout_ms)})) OR "
                     f"({st} = {e.value(FAILED)} AND {rc} = {e.value(seen)}))")
        fields: dict[str, Any] = {"status": PROCESSING, "processingStartedAt": now, "processedAt": now,
                                  "retryCount": seen + 1, "correlationId": cid}
        if signature:
            fields["signature"] = _clip(signature)
        if budgeted is not None:  # read with retryCount = seen; a concurrent takeover changes both
            fields[BUDGETED_RETRIES] = budgeted
        try:
            return self.repo.update(event_id, fields, condition=condition, expr=e)
        except ConditionFailed:
            return None

    def _owned(self, lock: Lock, e: Expr) -> str:
        return (f"{e.name('status')} = {e.value(PROCESSING)} AND "
                f"{e.name('retryCount')} = {e.value(lock.retry_count)}")

    def _finish(self, lock: Lock, fields: dict[str, Any], remove: tuple[str, ...] = ()) -> None:
        now = clock.now_ms()
        fields = {**fields, "processedAt": now, "processingCompletedAt": now}
        e = Expr()
        try:
            self.repo.update(lock.event_id, fields, remove=remove, condition=self._owned(lock, e), expr=e)
        except ConditionFailed as exc:
            raise LockLost(lock.event_id) from exc

    def _published_fields(self, lock: Lock) -> dict[str, Any]:
        if not lock.published:
            return {}
        return {"effects": {**lock.effects, PUBLISHED: sorted(lock.published)}}

    def mark_completed(self, lock: Lock, result: Any = None) -> None:
        self._finish(lock, {"status": COMPLETED, "result": result if result is not None else {},
                            **self._published_fields(lock)}, ("error", PUBLISH_PENDING))

    def mark_failed(self, lock: Lock, error: Any, *, publish_pending: bool = False) -> None:
        """FAILED with `error`; `publish_pending`: every write of the event is committed, only its
        domain events may be owed (see the module docstring: no retry limit)."""
        pending = {PUBLISH_PENDING: True} if publish_pending else {}
        self._finish(lock, {"status": FAILED, "error": _clip(error), **pending, **self._published_fields(lock)})

    def mark_published(self, lock: Lock, keys: list[str]) -> None:
        """Record (fenced, like every write of the holder) that the domain events `keys` are on the
        bus, so that a later holder of this event (takeover, Stripe's retry of a FAILED record)
        does not publish them again. `lock.published` grows first, so even when this write fails
        the status write (mark_completed / mark_failed) carries the keys. LockLost if the lock was
        taken over."""
        lock.published |= set(keys)
        keys = sorted(lock.published)
        e = Expr()
        try:
            self.repo.update(lock.event_id, {"effects": {**lock.effects, PUBLISHED: keys}},
                             condition=self._owned(lock, e), expr=e)
        except ConditionFailed as exc:
            raise LockLost(lock.event_id) from exc

    def mark_skipped(self, lock: Lock, reason: str) -> None:
        self._finish(lock, {"status": SKIPPED, "result": {"skipped": _clip(reason)}}, ("error",))

    # -- effects ---------------------------------------------------------------------------------
    def commit(self, lock: Lock, step: str, transition: dict[str, Any], write: dict[str, Any]) -> None:
        """Apply `write` (a TransactWriteItems element) and record effects.<step> atomically.

        ConditionFailed: the business write's condition failed (re-read and retry).
        LockLost: this invocation no longer holds the lock.
        """
        e = Expr()
        record = {"Update": {
            "TableName": self.repo.table, "Key": self.repo._key(lock.event_id),
            "UpdateExpression": f"SET {e.name('effects')}.{e.name(step)} = {e.value(transition)}",
            "ConditionExpression": self._owned(lock, e) + f" AND attribute_exists({e.name('effects')})",
            **e.kwargs()}}
        try:
            client("dynamodb").transact_write_items(TransactItems=[write, record])
        except ClientError as exc:
            codes = cancellation_codes(exc)
            if len(codes) > 1 and codes[1] == "ConditionalCheckFailed":
                raise LockLost(lock.event_id) from exc
            if codes and codes[0] == "ConditionalCheckFailed":
                raise ConditionFailed(str(exc)) from exc
            raise
        lock.effects[step] = transition
