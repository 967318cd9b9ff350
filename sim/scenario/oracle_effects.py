"""Exactly once where it matters: at each consumer of a domain event.

EventBridge delivers at least once and a publisher that dies between PutEvents and its marker
publishes again, so copies of one domain event are expected on the bus; what must not repeat is
their effect:
  * the payment-processing workflow started from the bus: one execution per booking's payment;
  * notifications: one Notification per (user, channel, fact);
  * payouts: a booking in at most one payout that is not failed or canceled.
Plus the alerting promise: a failed, timed-out or aborted workflow execution, and a
webhook-reconciliation run that failed on every one of Lambda's retries, reach
critical-system-alerts, and a Stripe event FAILED at the retry limit reaches
webhook-reconciliation-alerts (end of story only: the alert follows the failure).
"""

from __future__ import annotations

import json
from collections import Counter, defaultdict

from sim.scenario import vocabulary as V
from sim.scenario.oracle import _plural, invariant
from sim.scenario.snapshot import Snapshot
from sim.trace import of_components

CRITICAL_TOPIC = "critical-system-alerts"
RECONCILIATION_TOPIC = "webhook-reconciliation-alerts"
FAILED_EXECUTION = ("FAILED", "TIMED_OUT", "ABORTED")


@invariant("consumer-effect-once",
           "each domain event's effect happens once at every consumer: one bus-started payment workflow per "
           "booking, one notification per (user, channel, fact), a booking in at most one live payout")
def consumer_once(snap: Snapshot):
    problems = []
    started = Counter()
    for ex in snap.executions:
        data = ex.input if isinstance(ex.input, dict) else {}
        if ex.machine == V.PAYMENT_WORKFLOW and data.get("trigger") == "eventbridge" and data.get("bookingId"):
            started[str(data["bookingId"])] += 1
    problems += [f"booking {bid}: {n} payment-processing executions started from the bus"
                 for bid, n in sorted(started.items()) if n > 1]
    notes = Counter((n.get("userId"), n.get("channel"), n.get("dedupKey")) for n in snap.table("Notification")
                    if n.get("dedupKey"))
    problems += [f"notification {key} to {user} ({channel}) recorded {n} times"
                 for (user, channel, key), n in sorted(notes.items(), key=str) if n > 1]
    payouts: dict[str, set[str]] = defaultdict(set)
    for p in snap.table("Payout"):
        if p.get("status") in V.PAYOUT_LIVE:
            for bid in p.get("bookingIds") or []:
                payouts[str(bid)].add(str(p.get("id")))
    problems += [f"booking {bid}: in {len(ids)} live payouts ({', '.join(sorted(ids))})"
                 for bid, ids in sorted(payouts.items()) if len(ids) > 1]
    return problems, (f"{_plural(sum(started.values()), 'bus-started workflow')}, "
                      f"{_plural(len(notes), 'notification')}, {_plural(len(payouts), 'paid booking')}")


def _messages(snap: Snapshot, topic: str) -> list[str]:
    out = []
    for m in snap.sns_messages:
        if str(m.get("topic") or m.get("TopicArn") or "").rsplit(":", 1)[-1] == topic:
            out.append(m.get("message") if isinstance(m.get("message"), str) else json.dumps(m.get("message")))
    return out


def _reconciliation_exhausted(snap: Snapshot) -> list[str]:
    """Request ids of the last attempt of each webhook-reconciliation asynchronous invocation that
    failed on every one of Lambda's retries (from the trace)."""
    return [str((r.get("details") or {}).get("requestId")) for r in of_components(snap.trace, "lambda")
            if r.get("component") == "lambda" and r.get("kind") == "async.exhausted"
            and (r.get("details") or {}).get("function") == V.RECONCILIATION_FUNCTION]


@invariant("failures-alerted",
           "a failed, timed-out or aborted workflow execution, and a reconciliation run that failed on every "
           "retry, reach critical-system-alerts; a Stripe event FAILED at the retry limit reaches "
           "webhook-reconciliation-alerts", end_only=True)
def failures_alerted(snap: Snapshot):
    problems = []
    critical = "\n".join(_messages(snap, CRITICAL_TOPIC))
    failed = [ex for ex in snap.executions if ex.status in FAILED_EXECUTION]
    for ex in failed:
        if ex.arn not in critical:
            problems.append(f"{ex.arn.rsplit(':', 1)[-1]} ({ex.machine}) ended {ex.status}, no critical alert")
    limit = snap.reconciliation_max_retries
    stuck = [i for i in snap.table("ProcessedWebhooks") if V.at_retry_limit(i, limit)]
    alerts = "\n".join(_messages(snap, RECONCILIATION_TOPIC))
    for item in stuck:
        if str(item.get("eventId")) not in alerts:
            problems.append(f"{item.get('eventId')} FAILED at the retry limit ({limit}), no reconciliation alert")
    runs = _reconciliation_exhausted(snap)
    for request_id in runs:
        if request_id not in critical:
            problems.append(f"reconciliation run {request_id} failed on every retry, no critical alert")
    return problems, (f"{_plural(len(failed), 'failed execution')}, {_plural(len(stuck), 'event')} at the retry "
                      f"limit, {_plural(len(runs), 'reconciliation run')} failed on every retry")
