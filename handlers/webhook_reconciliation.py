"""webhook-reconciliation — daily at 02:00 UTC (EventBridge schedule); any input is accepted.

1. Lists Stripe events through the SDK (auto_paging_iter) created in the last
   RECONCILIATION_WINDOW_HOURS (24) plus RECONCILIATION_OVERLAP_MINUTES (60) — or since the last
   complete run less the overlap when that is older (common/reconciliation_runs.py: a night whose
   run failed on every retry is covered by the next; with no complete run on record, all of Stripe's
   30-day retention) — for the platform and for each connected
   account (UserProfile items with a stripeAccountId, plus Stripe's accounts list).
2. Each event not in ProcessedWebhooks is MISSED and processed now through the same path as
   stripe-webhook (handlers.common.stripe_events.process_stripe_event, via "reconciliation", no
   signature). FAILED records and PROCESSING records whose lock expired (e.g. left by a run that
   crashed on Lambda's last retry) — in the window or found through StatusIndex (the event is then
   retrieved from Stripe) — are retried while the reconciliation's own retries of the event
   (reconciliationRetries, common/dedup.py; Stripe's deliveries are not counted) are below
   RECONCILIATION_MAX_RETRIES (3) — or past it when the record is `publishPending` (every write
   committed, only domain events owed: common/dedup.py); a retry that ends COMPLETED/SKIPPED is a
   SUCCESSFUL retry, the others are reported as exhausted.
3. Verifies the bookings of the payment intents seen against Stripe: the payment intent's status,
   the charge's amount_refunded, and each Dispute record's status. Stripe ahead of the database
   is repaired with the webhook's precedence rules (and its domain events published); the database
   ahead of Stripe (paid but not succeeded, more refunded than Stripe, a different amount, a
   dispute state Stripe does not have) is CRITICAL. A booking cancelled while Stripe kept its money
   ("cancelled but charged, no refund") is a discrepancy healed by publishing Booking Refund Required
   again (refund-processor refunds it once); if that cannot be published it is CRITICAL.
4. Heals the booking-event outbox (common/booking_events.py): every booking whose
   `statusEventPending` marker is older than BOOKING_EVENT_GRACE_SECONDS (600) (the bookings of
   every provider with a Stripe account, through ProviderBookingsIndex, and of the payment intents
   seen) — left by an
   invocation that died between its status write and the publication — has its event published
   through the same claim protocol as the writers (claim → PutEvents → clear on the token), so two
   concurrent healers, or a healer and a retried refund, publish it once. Reported as
   bookingEventsPending (stale markers found), bookingEventsHealed (published by this run) and
   bookingEventsHealedIds.
   A run that could not list some account's events because Stripe was unavailable (connection,
   rate limit, 5xx; not an account the platform lost access to), or retrieve the event of a FAILED
   record or an expired lock found through StatusIndex for the same reason (report
   unretrievedEvents), or that leaves an event of its window unsettled (no record, FAILED under
   the retry limit, or PROCESSING — e.g. its own crashed attempt's lock, not expired yet), raises ReconciliationIncomplete at the end (after everything
   else, metrics and alerts included): the invocation fails and Lambda retries it rather than
   passing for a complete reconciliation. A complete run moves the last-complete-run marker to its
   start. A run that fails on all of Lambda's retries reaches critical-system-alerts through the
   function's on-failure destination (the stack's asynchronous invocation config).
5. Puts WebhookReconciliation.EventsChecked / .MissedEvents / .FailedEvents / .SuccessfulRetries /
   .Discrepancies in ECOSYSTEMAWS/Webhooks, publishes an SNS alert to CRITICAL_ALERTS_TOPIC_ARN (else
   RECONCILIATION_ALERTS_TOPIC_ARN) when a critical discrepancy is found, and one to
   RECONCILIATION_ALERTS_TOPIC_ARN naming every Stripe event left FAILED at the retry limit
   (report: retryLimitReached, retryLimitAlerted), and returns the report.
"""

from __future__ import annotations

import json
from typing import Any

import stripe

from handlers.common import booking_events, cancel_refunds, clock, reconciliation_runs
from handlers.common.clients import client
from handlers.common.config import env, env_int, lock_timeout_seconds
from handlers.common.dedup import (
    BUDGETED_RETRIES,
    COMPLETED,
    FAILED,
    PROCESSING,
    SKIPPED,
    WebhookDeduplicationService,
    budgeted_retries,
)
from handlers.common.events import publish_all
from handlers.common.log import correlation_id_from, get_logger, set_correlation_id
from handlers.common.metrics import put_metrics
from handlers.common.precedence import DISPUTE_RANK, RECORD_WATCH, PaymentFact, RecordFact, reduce_record
from handlers.common.repositories import (
    BookingRepository,
    ConditionFailed,
    DisputeRepository,
    ProcessedWebhooksRepository,
    UserProfileRepository,
)
from handlers.common.stripe_client import stripe_client
from handlers.common.stripe_events import (
    InvalidEvent,
    apply_direct,
    event_keys,
    process_stripe_event,
    with_event_id,
)
from handlers.common.stripe_objects import object_id

_log = get_logger("webhook-reconciliation")
_SUCCEEDED_FAMILY = ("succeeded", "partially_refunded", "refunded")
_UNAVAILABLE = (stripe.APIConnectionError, stripe.RateLimitError, stripe.APIError)  # Stripe down, not "no such thing"


def _dict(obj: Any) -> dict[str, Any]:
    return obj.to_dict() if hasattr(obj, "to_dict") else dict(obj)


def _opts(account: str | None) -> dict[str, Any]:
    return {"stripe_account": account} if account else {}


class Reconciliation:
    def __init__(self) -> None:
        self.now = clock.now_s()
        self.window_h = env_int("RECONCILIATION_WINDOW_HOURS", 24)
        self.overlap_m = env_int("RECONCILIATION_OVERLAP_MINUTES", 60)
        self.max_retries = env_int("RECONCILIATION_MAX_RETRIES", 3)
        self.dedup = WebhookDeduplicationService()
        self.errors: list[str] = []
        self.last_complete = self._last_complete()
        self.since = reconciliation_runs.window_start(self.now, self.now - self.window_h * 3600 - self.overlap_m * 60,
                                                      self.overlap_m * 60, self.last_complete)
        self.checked = self.missed = self.failed = self.retried_ok = 0
        self.processed: list[dict[str, Any]] = []
        self.exhausted: list[str] = []
        self.discrepancies: list[dict[str, Any]] = []
        self.invalid: set[str] = set()  # events that can never be processed (reported, not retried)
        self.settled: set[str] = set()  # events whose record was COMPLETED or SKIPPED (final) when read
        self.events: dict[str, tuple[dict[str, Any], str | None]] = {}
        self.outbox_pending = 0
        self.outbox_healed: list[str] = []
        self.incomplete: list[str] = []  # accounts whose events could not be listed
        self.unretrieved: list[str] = []  # FAILED / expired PROCESSING events Stripe could not return now

    def _last_complete(self) -> int | None:
        try:
            return reconciliation_runs.last_complete_run()
        except Exception as exc:  # noqa: BLE001 - the default window, and say so
            self.errors.append(f"last complete run not readable: {type(exc).__name__}: {exc}")
            return None

    # -- 1. accounts and events ------------------------------------------------------------------
    def accounts(self) -> list[str]:
        found: set[str] = set()
        try:
            found |= {p["stripeAccountId"] for p in UserProfileRepository().with_stripe_accounts()
                      if isinstance(p.get("stripeAccountId"), str)}
        except Exception as exc:  # noqa: BLE001 - report and go on with Stripe's list
            self.errors.append(f"profiles scan failed: {exc!r}")
        try:
            for account in stripe_client().v1.accounts.list(params={"limit": 100}).auto_paging_iter():
                if account.id:
                    found.add(account.id)
        except stripe.StripeError as exc:
            self.errors.append(f"accounts list failed: {type(exc).__name__}")
        return sorted(found)

    def list_events(self) -> None:
        for account in [None, *self.accounts()]:
            try:
                page = stripe_client().v1.events.list(params={"created": {"gte": self.since}, "limit": 100},
                                                      options=_opts(account))
                for ev in page.auto_paging_iter():
                    data = _dict(ev)
                    if account and not data.get("account"):
                        data["account"] = account
                    self.events.setdefault(data["id"], (data, account))
            except stripe.StripeError as exc:
                self.errors.append(f"events list failed for {account or 'platform'}: {type(exc).__name__}: {exc}")
                if isinstance(exc, _UNAVAILABLE):
                    self.incomplete.append(account or "platform")  # Stripe is down, not the account gone

    # -- 2. missed and failed events -------------------------------------------------------------
    def _process(self, event: dict[str, Any], kind: str) -> str:
        try:
            result = process_stripe_event(event, via="reconciliation", max_retries=self.max_retries,
                                          dedup=self.dedup)
        except InvalidEvent as exc:
            self.errors.append(f"{event.get('id')}: {exc}")
            self.invalid.add(str(event.get("id")))
            return "INVALID"
        except Exception as exc:  # noqa: BLE001 - e.g. the lock's own write throttled: the others go on
            self.errors.append(f"{event.get('id')}: {type(exc).__name__}: {exc}")
            return "ERROR"
        self.processed.append({"eventId": result.event_id, "kind": kind, "status": result.status})
        if kind == "retry" and result.status in (COMPLETED, SKIPPED):
            self.retried_ok += 1
        elif kind == "retry" and result.status == "RETRY_LIMIT":
            self.exhausted.append(result.event_id)
        return result.status

    def _retryable(self, record: dict[str, Any]) -> bool:
        status = record.get("status")
        if status == FAILED:
            return True
        stale = int(record.get("processingStartedAt") or 0) < (self.now - lock_timeout_seconds()) * 1000
        return status == PROCESSING and stale

    def reprocess(self) -> None:
        ordered = sorted(self.events.values(), key=lambda pair: (int(pair[0].get("created") or 0), pair[0]["id"]))
        for event, _account in ordered:
            self.checked += 1
            record = self.dedup.check(event["id"])
            if record is not None and record.get("status") in (COMPLETED, SKIPPED):
                self.settled.add(event["id"])
            if record is None:
                self.missed += 1
                self._process(event, "missed")
            elif self._retryable(record):
                self.failed += 1
                self._process(event, "retry")
        repo = ProcessedWebhooksRepository()  # outside the window: FAILED, and locks of crashed runs
        for record in [*repo.by_status(FAILED), *repo.by_status(PROCESSING)]:
            if record["eventId"] in self.events or record.get("source") != "stripe" or not self._retryable(record):
                continue
            self.failed += 1
            try:
                event = _dict(stripe_client().v1.events.retrieve(record["eventId"],
                                                                 options=_opts(record.get("stripeAccount"))))
            except stripe.StripeError as exc:
                self.errors.append(f"event {record['eventId']} not retrievable: {type(exc).__name__}")
                if isinstance(exc, _UNAVAILABLE):  # a retry of the run may get it
                    self.unretrieved.append(record["eventId"])
                continue
            self._process(event, "retry")

    def unsettled(self) -> list[str]:
        """Events of the window this run did not settle and a retry of the run may: no record (its
        processing raised), FAILED under the retry limit, or PROCESSING (a crashed holder whose
        lock has not expired yet, or a webhook still at work). A record found COMPLETED or SKIPPED
        earlier in the run is not read again: those are final (every write to a record is
        conditional on PROCESSING), so the run reads each settled event's record once."""
        out = []
        for eid in sorted(set(self.events) - self.invalid - self.settled):
            try:
                record = self.dedup.check(eid)
            except Exception as exc:  # noqa: BLE001 - unknown is unsettled
                self.errors.append(f"{eid}: record not readable: {type(exc).__name__}")
                out.append(eid)
                continue
            status = (record or {}).get("status")
            if record is None or status == PROCESSING or (
                    status == FAILED and budgeted_retries(record) < self.max_retries):
                out.append(eid)
        return out

    # -- 3. verification -------------------------------------------------------------------------
    def _discrepancy(self, kind: str, critical: bool, repaired: bool = False, **detail: Any) -> None:
        self.discrepancies.append({"kind": kind, "critical": critical, "repaired": repaired, **detail})

    def payment_intents(self) -> dict[str, str | None]:
        out: dict[str, str | None] = {}
        for event, account in self.events.values():
            obj = (event.get("data") or {}).get("object") or {}
            etype = event.get("type", "")
            pi = obj.get("id") if etype.startswith("payment_intent.") else obj.get("payment_intent")
            if isinstance(pi, dict):
                pi = pi.get("id")
            if isinstance(pi, str) and pi:
                out.setdefault(pi, event.get("account") or account)
        return out

    def verify(self) -> None:
        for pi_id, account in sorted(self.payment_intents().items()):
            for booking in BookingRepository().by_payment_intent(pi_id):
                try:
                    self.verify_booking(booking, pi_id, account)
                except stripe.StripeError as exc:
                    self.errors.append(f"booking {booking['id']} unverifiable: {type(exc).__name__}")

    def verify_booking(self, booking: dict[str, Any], pi_id: str, account: str | None) -> None:
        bid = booking["id"]
        pi = _dict(stripe_client().v1.payment_intents.retrieve(pi_id, options=_opts(account)))
        status, db_status = pi.get("status"), booking.get("paymentStatus")
        if booking.get("amount") is not None and pi.get("amount") is not None and \
                int(booking["amount"]) != int(pi["amount"]):
            self._discrepancy("amount_mismatch", True, bookingId=bid, paymentIntentId=pi_id,
                              database=booking["amount"], stripe=pi["amount"])
        if status == "succeeded" and db_status not in _SUCCEEDED_FAMILY:
            self.repair(bid, "payment_not_recorded", PaymentFact(
                f"reconciliation:{pi_id}", self.now, "succeeded", charge_id=object_id(pi.get("latest_charge")),
                amount=pi.get("amount"), currency=pi.get("currency"), fee_known=True,
                application_fee_amount=pi.get("application_fee_amount")), paymentIntentId=pi_id,
                database=db_status, stripe=status)
        elif status == "canceled" and db_status in (None, "pending", "failed"):
            self.repair(bid, "cancellation_not_recorded", PaymentFact(
                f"reconciliation:{pi_id}", self.now, "canceled"), paymentIntentId=pi_id, database=db_status,
                stripe=status)
        elif status != "succeeded" and db_status in _SUCCEEDED_FAMILY:
            self._discrepancy("paid_in_database_not_in_stripe", True, bookingId=bid, paymentIntentId=pi_id,
                              database=db_status, stripe=status)
        charge_id = object_id(pi.get("latest_charge")) or booking.get("chargeId")
        if status == "succeeded" and charge_id:
            charge = _dict(stripe_client().v1.charges.retrieve(charge_id, options=_opts(account)))
            stripe_refunded, db_refunded = int(charge.get("amount_refunded") or 0), int(booking.get("amountRefunded") or 0)
            if stripe_refunded > db_refunded:
                self.repair(bid, "refund_not_recorded", PaymentFact(
                    f"reconciliation:{charge_id}", self.now, "succeeded", charge_id=charge_id,
                    amount_refunded=stripe_refunded), database=db_refunded, stripe=stripe_refunded)
            elif db_refunded > stripe_refunded:
                self._discrepancy("refund_in_database_not_in_stripe", True, bookingId=bid, chargeId=charge_id,
                                  database=db_refunded, stripe=stripe_refunded)
        if status == "succeeded" and charge_id:
            self.verify_cancelled_refund(bid, charge_id, account)
        for dispute in DisputeRepository().by_booking(bid):
            if str(dispute.get("id", "")).startswith("dp_"):
                self.verify_dispute(dispute, account)

    def verify_cancelled_refund(self, booking_id: str, charge_id: str, account: str | None) -> None:
        """Cancelled, yet Stripe kept (part of) the money: ask refund-processor again (the same
        domain event every publisher sends, common/cancel_refunds.py); if that cannot be sent, alert."""
        booking = BookingRepository().get(booking_id) or {}
        if booking.get("status") != "cancelled":
            return
        charge = _dict(stripe_client().v1.charges.retrieve(charge_id, options=_opts(account)))
        charged, refunded = int(charge.get("amount") or 0), int(charge.get("amount_refunded") or 0)
        if charge.get("status") != "succeeded" or refunded >= charged or charge.get("disputed"):
            return
        try:
            publish_all([cancel_refunds.refund_required(booking_id, reason="cancelled_but_charged",
                                                        origin="webhook-reconciliation", chargeId=charge_id)])
        except Exception as exc:  # noqa: BLE001 - not healed: critical, so an operator refunds it
            self._discrepancy("cancelled_but_charged", True, bookingId=booking_id, chargeId=charge_id,
                              charged=charged, refunded=refunded, error=repr(exc))
            return
        self._discrepancy("cancelled_but_charged", False, True, bookingId=booking_id, chargeId=charge_id,
                          charged=charged, refunded=refunded, published=[cancel_refunds.REFUND_REQUIRED])

    def verify_dispute(self, dispute: dict[str, Any], account: str | None) -> None:
        remote = _dict(stripe_client().v1.disputes.retrieve(dispute["id"], options=_opts(account)))
        remote_status, db_status = remote.get("status"), dispute.get("status")
        if remote_status == db_status or remote_status not in DISPUTE_RANK:
            return
        if DISPUTE_RANK[remote_status] >= DISPUTE_RANK.get(db_status, -1):
            fact = RecordFact(f"reconciliation:{dispute['id']}", self.now, remote_status, DISPUTE_RANK[remote_status])
            repo = DisputeRepository()
            for _ in range(5):
                old = repo.get(dispute["id"])
                changes = reduce_record(old, fact)
                if not changes:
                    break
                try:
                    repo.cas_update(dispute["id"], old, {**changes, "updatedAt": clock.now_iso()}, RECORD_WATCH)
                    break
                except ConditionFailed:
                    continue
            self._discrepancy("dispute_status_behind", False, True, disputeId=dispute["id"], database=db_status,
                              stripe=remote_status)
        else:
            self._discrepancy("dispute_status_ahead", True, disputeId=dispute["id"], database=db_status,
                              stripe=remote_status)

    def repair(self, booking_id: str, kind: str, fact: PaymentFact, **detail: Any) -> None:
        events = apply_direct(booking_id, fact)
        publish_all([with_event_id(ev, key) for key, ev in zip(event_keys(events), events, strict=True)])
        self._discrepancy(kind, False, True, bookingId=booking_id, published=[e.detail_type for e in events],
                          **detail)

    # -- 4. booking-event outbox ---------------------------------------------------------------
    def heal_outbox(self) -> None:
        grace = booking_events.grace_seconds()
        repo, bookings = BookingRepository(), {}
        try:  # the function may Scan UserProfile only: bookings through the providers' index
            providers = sorted({p["id"] for p in UserProfileRepository().with_stripe_accounts() if p.get("id")})
            for provider_id in providers:
                for booking in repo.by_provider(provider_id):
                    bookings[booking["id"]] = booking
            for pi_id in sorted(self.payment_intents()):
                for booking in repo.by_payment_intent(pi_id):
                    bookings[booking["id"]] = booking
        except Exception as exc:  # noqa: BLE001 - report and go on with what was found
            self.errors.append(f"booking outbox look-up failed: {exc!r}")
        for _bid, booking in sorted(bookings.items()):
            if not booking_events.is_stale(booking, grace):
                continue
            self.outbox_pending += 1
            try:
                published = booking_events.flush(booking, min_age_s=grace)
            except Exception as exc:  # noqa: BLE001 - one booking's failure does not stop the run
                self.errors.append(f"booking {booking.get('id')} outbox not published: {type(exc).__name__}: {exc}")
                continue
            if published:
                self.outbox_healed.append(booking["id"])
                _log.info("booking outbox healed", bookingId=booking["id"], published=published)

    # -- 5. report -------------------------------------------------------------------------------
    def report(self) -> dict[str, Any]:
        critical = [d for d in self.discrepancies if d["critical"]]
        last = self.last_complete
        return {"windowStart": clock.iso_from_s(self.since), "windowEnd": clock.iso_from_s(self.now),
                "lastCompleteRun": clock.iso_from_s(last) if last is not None else None,
                "eventsChecked": self.checked, "missedEvents": self.missed, "failedEvents": self.failed,
                "successfulRetries": self.retried_ok, "discrepancies": len(self.discrepancies),
                "criticalDiscrepancies": len(critical), "exhaustedRetries": self.exhausted,
                "bookingEventsPending": self.outbox_pending, "bookingEventsHealed": len(self.outbox_healed),
                "bookingEventsHealedIds": self.outbox_healed,
                "processed": self.processed, "details": self.discrepancies, "errors": self.errors}

    def metrics(self) -> None:
        put_metrics({"WebhookReconciliation.EventsChecked": self.checked,
                     "WebhookReconciliation.MissedEvents": self.missed,
                     "WebhookReconciliation.FailedEvents": self.failed,
                     "WebhookReconciliation.SuccessfulRetries": self.retried_ok,
                     "WebhookReconciliation.Discrepancies": len(self.discrepancies)})

    def at_retry_limit(self) -> list[dict[str, Any]]:
        """Stripe events left FAILED after the reconciliation's last retry: nobody retries them any
        more (except a `publishPending` one, which owes only domain events: every run retries it)."""
        try:
            records = ProcessedWebhooksRepository().by_status(FAILED)
        except Exception as exc:  # noqa: BLE001 - report and go on
            self.errors.append(f"FAILED records look-up failed: {exc!r}")
            return []
        return sorted((r for r in records if r.get("source") == "stripe"
                       and budgeted_retries(r) >= self.max_retries), key=lambda r: r["eventId"])

    def alert_retry_limit(self, stuck: list[dict[str, Any]]) -> bool:
        """One SNS message to RECONCILIATION_ALERTS_TOPIC_ARN naming every event stuck at the limit
        (sent by every run while they stay stuck: an operator must look at them)."""
        topic = env("RECONCILIATION_ALERTS_TOPIC_ARN")
        if not stuck or not topic:
            return False
        message = {"summary": f"{len(stuck)} Stripe event(s) FAILED at the retry limit ({self.max_retries})",
                   "events": [{"eventId": r["eventId"], "eventType": r.get("eventType"),
                               "retryCount": int(r.get("retryCount") or 0), BUDGETED_RETRIES: budgeted_retries(r),
                               "error": r.get("error")} for r in stuck]}
        client("sns").publish(TopicArn=topic, Subject="Webhook events failed at the retry limit",
                              Message=json.dumps(message, sort_keys=True, default=str)[:250_000])
        return True

    def alert(self, report: dict[str, Any]) -> bool:
        critical = [d for d in self.discrepancies if d["critical"]]
        topic = env("CRITICAL_ALERTS_TOPIC_ARN") or env("RECONCILIATION_ALERTS_TOPIC_ARN")
        if not critical or not topic:
            return False
        message = {"summary": f"{len(critical)} critical webhook reconciliation discrepancies",
                   "windowEnd": report["windowEnd"], "critical": critical}
        client("sns").publish(TopicArn=topic, Subject="CRITICAL: webhook reconciliation discrepancies",
                              Message=json.dumps(message, sort_keys=True, default=str)[:250_000])
        return True


def handler(event, context):
    set_correlation_id(correlation_id_from(event, context))
    run = Reconciliation()
    _log.info("reconciliation started", since=run.since, now=run.now)
    run.list_events()
    run.reprocess()
    run.heal_outbox()
    run.verify()
    report = run.report()
    run.metrics()
    report["alerted"] = run.alert(report)
    stuck = run.at_retry_limit()
    report["retryLimitReached"] = [r["eventId"] for r in stuck]
    report["retryLimitAlerted"] = run.alert_retry_limit(stuck)
    _log.info("reconciliation finished", **{k: report[k] for k in (
        "eventsChecked", "missedEvents", "failedEvents", "successfulRetries", "discrepancies",
        "criticalDiscrepancies", "bookingEventsPending", "bookingEventsHealed")})
    unsettled = run.unsettled()
    report["unsettledEvents"] = unsettled
    report["unretrievedEvents"] = run.unretrieved
    if run.incomplete or run.unretrieved or unsettled:  # not reconciled yet: fail, so Lambda retries the run
        _log.error("reconciliation incomplete", accounts=run.incomplete, unsettled=unsettled,
                   unretrieved=run.unretrieved, errors=report["errors"][:5])
        raise ReconciliationIncomplete("; ".join(filter(None, [
            run.incomplete and f"Stripe's events could not be listed for {', '.join(run.incomplete)}",
            run.unretrieved and f"{len(run.unretrieved)} event(s) not retrievable from Stripe now: "
                                f"{', '.join(run.unretrieved[:5])}",
            unsettled and f"{len(unsettled)} event(s) not settled: {', '.join(unsettled[:5])}",
        ])) + f"; what could be done was done (report: {report['errors'][:3]})")
    try:  # lost, the next run's window just starts at the previous marker
        report["lastCompleteRunRecorded"] = reconciliation_runs.record_complete_run(
            run.now, getattr(context, "aws_request_id", None))
    except Exception as exc:  # noqa: BLE001 - the run itself is complete
        report["lastCompleteRunRecorded"] = False
        report["errors"].append(f"last complete run not recorded: {type(exc).__name__}: {exc}")
    return report


class ReconciliationIncomplete(RuntimeError):
    """Some accounts' events could not be listed, some events of FAILED records or expired locks
    could not be retrieved, or an event of the window is unsettled: the run failed (Lambda retries
    it; an alarm on the function's errors sees it) even though everything else was reconciled."""
