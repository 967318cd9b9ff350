"""The last-complete-run marker of webhook-reconciliation.

One ProcessedWebhooks item, key RUN_MARKER_KEY, source "reconciliation", eventType
"reconciliation.run", status COMPLETED (a record like the others; reconciliation lists only FAILED and PROCESSING
through StatusIndex), no `ttl` (it never expires): `lastCompleteRunAt` (epoch seconds) is the
start of the latest run that finished complete — every account's events listed, every event of its
window settled. A run's window starts at that instant (less the overlap) when it is older than the
default 24 h, so a night whose run failed on every retry is covered by the next night's run; at most
Stripe's event retention (STRIPE_EVENT_RETENTION_DAYS, 30 days: events.list returns no older ones).
No marker (no run ever finished complete — e.g. the first night after a deployment failed on every
retry — or the marker could not be read) means nothing is known to be reconciled: the window is then
all of Stripe's retention, not the default 24 h, which would leave every older event unreconciled
for good (and a complete run would then move the marker past them).
The write only moves the marker forward (a conditional UpdateItem), so a late retry of an older run
never moves it back.
"""

from __future__ import annotations

from handlers.common import clock
from handlers.common.ddb import Expr
from handlers.common.dedup import COMPLETED
from handlers.common.repositories import ConditionFailed, ProcessedWebhooksRepository

RUN_MARKER_KEY = "reconciliation:last-complete-run"
RUN_EVENT_TYPE = "reconciliation.run"
STRIPE_EVENT_RETENTION_DAYS = 30


def last_complete_run() -> int | None:
    """Epoch seconds of the latest complete run's start, or None (never ran complete)."""
    item = ProcessedWebhooksRepository().get(RUN_MARKER_KEY)
    value = (item or {}).get("lastCompleteRunAt")
    return int(value) if value is not None else None


def window_start(now: int, default_since: int, overlap_s: int, last_complete: int | None) -> int:
    """The run's window start: the default, or earlier, back to the last complete run (less the
    overlap), never further back than Stripe keeps events; all it keeps when no run is known complete."""
    floor = now - STRIPE_EVENT_RETENTION_DAYS * 86400
    if last_complete is None:
        return floor
    return max(floor, min(default_since, last_complete - overlap_s))


def record_complete_run(started_at: int, request_id: str | None = None) -> bool:
    """Move the marker to `started_at`; False when it already is there or later."""
    e = Expr()
    at = e.name("lastCompleteRunAt")
    try:
        ProcessedWebhooksRepository().update(
            RUN_MARKER_KEY, {"lastCompleteRunAt": started_at, "status": COMPLETED, "processedAt": clock.now_ms(),
                             "source": "reconciliation", "eventType": RUN_EVENT_TYPE, "requestId": request_id},
            condition=f"attribute_not_exists({at}) OR {at} < {e.value(started_at)}", expr=e)
    except ConditionFailed:
        return False
    return True
