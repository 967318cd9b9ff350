"""WebhookDeduplicationService: new, duplicate, in progress, takeover after lock expiry, FAILED retry,
retry limit, fencing (a holder whose lock was taken over cannot write), atomic effects."""

import pytest

from handlers.common import dedup as d
from handlers.common.dedup import WebhookDeduplicationService
from handlers.common.repositories import BookingRepository, ConditionFailed


@pytest.fixture
def svc(hx):
    with hx.as_function("stripe-webhook"):
        yield WebhookDeduplicationService()


def test_new_event_is_acquired_with_the_documented_record(hx, svc):
    acq = svc.acquire("evt_1", source="stripe", signature="t=1,v1=x", event_type="charge.succeeded",
                      correlation="cid-1")
    assert acq.outcome == d.ACQUIRED and acq.lock.retry_count == 0
    rec = hx.get("ProcessedWebhooks", "evt_1")
    assert rec["status"] == "PROCESSING" and rec["retryCount"] == 0 and rec["source"] == "stripe"
    assert rec["processingStartedAt"] == rec["processedAt"] == hx.now() * 1000
    assert rec["ttl"] == hx.now() + 30 * 86400
    assert rec["correlationId"] == "cid-1" and rec["signature"] == "t=1,v1=x"


def test_completed_and_skipped_are_duplicates(hx, svc):
    svc.mark_completed(svc.acquire("evt_1", source="stripe").lock, {"ok": True})
    svc.mark_skipped(svc.acquire("evt_2", source="stripe").lock, "unknown type")
    assert svc.acquire("evt_1", source="stripe").outcome == d.DUPLICATE
    assert svc.acquire("evt_2", source="stripe").outcome == d.DUPLICATE
    rec = hx.get("ProcessedWebhooks", "evt_1")
    assert rec["status"] == "COMPLETED" and rec["result"] == {"ok": True} and "processingCompletedAt" in rec
    assert hx.get("ProcessedWebhooks", "evt_2")["status"] == "SKIPPED"


def test_fresh_lock_is_in_progress_and_expired_lock_is_taken_over(hx, svc):
    first = svc.acquire("evt_1", source="stripe").lock
    assert svc.acquire("evt_1", source="stripe").outcome == d.IN_PROGRESS
    hx.advance(svc.lock_timeout_ms / 1000 - 1)
    assert svc.acquire("evt_1", source="stripe").outcome == d.IN_PROGRESS
    hx.advance(2)
    second = svc.acquire("evt_1", source="stripe")
    assert second.outcome == d.TAKEN_OVER and second.lock.retry_count == 1
    assert second.lock.previous_status == "PROCESSING"
    # the first holder woke up: fenced off
    with pytest.raises(d.LockLost):
        svc.mark_completed(first)
    svc.mark_completed(second.lock)
    assert hx.get("ProcessedWebhooks", "evt_1")["status"] == "COMPLETED"


def test_failed_is_retried_at_once_and_counts(hx, svc):
    svc.mark_failed(svc.acquire("evt_1", source="stripe").lock, "boom")
    rec = hx.get("ProcessedWebhooks", "evt_1")
    assert rec["status"] == "FAILED" and rec["error"] == "boom" and rec["retryCount"] == 0
    retry = svc.acquire("evt_1", source="stripe")
    assert retry.outcome == d.TAKEN_OVER and retry.lock.previous_status == "FAILED"
    # a concurrent retry that read the same FAILED record loses the conditional update
    assert svc.acquire("evt_1", source="stripe").outcome == d.IN_PROGRESS
    svc.mark_failed(retry.lock, "again")
    assert hx.get("ProcessedWebhooks", "evt_1")["retryCount"] == 1


def test_retry_limit(hx, svc):
    svc.mark_failed(svc.acquire("evt_1", source="stripe").lock, "1")
    for _ in range(2):
        svc.mark_failed(svc.acquire("evt_1", source="stripe", max_retries=2).lock, "n")
    assert svc.acquire("evt_1", source="stripe", max_retries=2).outcome == d.RETRY_LIMIT
    assert svc.acquire("evt_1", source="stripe").outcome == d.TAKEN_OVER  # no limit given


def test_stripes_deliveries_do_not_spend_the_reconciliations_retries(hx, svc):
    # five failed webhook deliveries (retryCount 4): the reconciliation still gets its two retries
    svc.mark_failed(svc.acquire("evt_1", source="stripe").lock, "1")
    for _ in range(4):
        svc.mark_failed(svc.acquire("evt_1", source="stripe").lock, "webhook")
    rec = hx.get("ProcessedWebhooks", "evt_1")
    assert rec["retryCount"] == 4 and d.budgeted_retries(rec) == 0
    for n in (1, 2):
        acq = svc.acquire("evt_1", source="stripe", max_retries=2)
        assert acq.outcome == d.TAKEN_OVER and acq.lock.retry_count == 4 + n
        svc.mark_failed(acq.lock, "reconciliation")
        assert d.budgeted_retries(hx.get("ProcessedWebhooks", "evt_1")) == n
    assert svc.acquire("evt_1", source="stripe", max_retries=2).outcome == d.RETRY_LIMIT
    # a later webhook delivery may still take it over; it spends nothing of the budget
    svc.mark_failed(svc.acquire("evt_1", source="stripe").lock, "webhook")
    assert d.budgeted_retries(hx.get("ProcessedWebhooks", "evt_1")) == 2


def test_publish_pending_is_not_stopped_by_the_retry_limit(hx, svc):
    """A record whose writes are all committed owes only domain events: retried past the limit;
    the flag survives a later FAILED write and is gone once COMPLETED."""
    svc.mark_failed(svc.acquire("evt_1", source="stripe").lock, "PutEvents throttled", publish_pending=True)
    for _ in range(2):
        svc.mark_failed(svc.acquire("evt_1", source="stripe", max_retries=2).lock, "again")
    rec = hx.get("ProcessedWebhooks", "evt_1")
    assert rec["retryCount"] == 2 and rec["publishPending"] is True
    past = svc.acquire("evt_1", source="stripe", max_retries=2)
    assert past.outcome == d.TAKEN_OVER and past.lock.retry_count == 3
    svc.mark_completed(past.lock, {"ok": True})
    rec = hx.get("ProcessedWebhooks", "evt_1")
    assert rec["status"] == "COMPLETED" and d.PUBLISH_PENDING not in rec


def test_commit_is_atomic_and_replayed_after_takeover(hx, svc):
    hx.put("Booking", {"id": "b1", "status": "pending"})
    lock = svc.acquire("evt_1", source="stripe").lock
    repo = BookingRepository()
    with hx.as_function("stripe-webhook"):
        old = repo.get("b1")
        svc.commit(lock, "booking:b1", {"to": {"status": "confirmed"}},
                   repo.cas_request("b1", old, {"status": "confirmed"}, ["status"]))
        assert hx.get("Booking", "b1")["status"] == "confirmed"
        # a stale compare-and-set fails and records nothing
        with pytest.raises(ConditionFailed):
            svc.commit(lock, "booking:b2", {"x": 1}, repo.cas_request("b1", old, {"status": "x"}, ["status"]))
        assert "booking:b2" not in hx.get("ProcessedWebhooks", "evt_1")["effects"]
        hx.advance(svc.lock_timeout_ms / 1000 + 1)
        taken = svc.acquire("evt_1", source="stripe")
        assert taken.lock.effects == {"booking:b1": {"to": {"status": "confirmed"}}}
        # the old holder can no longer commit business writes either
        with pytest.raises(d.LockLost):
            svc.commit(lock, "booking:b3", {}, repo.cas_request("b1", repo.get("b1"), {"status": "y"}, ["status"]))
        assert hx.get("Booking", "b1")["status"] == "confirmed"


def test_empty_event_id_rejected(svc):
    with pytest.raises(ValueError):
        svc.acquire("", source="stripe")
