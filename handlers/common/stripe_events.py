"""The one processing path for Stripe events (stripe-webhook and webhook-reconciliation share it).

process_stripe_event(event) → ProcessResult:
  validate the event's shape (InvalidEvent, nothing written) → WebhookDeduplicationService.acquire
  (DUPLICATE / IN_PROGRESS / RETRY_LIMIT stop here) → dispatch by type → every table write goes
  through `dedup.commit` (the business write and the record's effects.<step> in one transaction,
  compare-and-set on the attributes the reducer read, re-read and retried on a lost race) →
  the domain events derived from each write's transition are published, except those an earlier
  attempt already published (effects.published, recorded right after PutEvents; see dedup) →
  COMPLETED. Unknown
  types → SKIPPED. Any exception → FAILED (error; retryCount grows on the next takeover); one
  raised once every write was committed (publishing the domain events, or the COMPLETED write)
  leaves the record `publishPending`: it owes only domain events, so reconciliation's retry limit
  does not drop them (dedup.py).

Dispatch (handled types; every other type is SKIPPED):
  payment_intent.succeeded|payment_failed|canceled, charge.succeeded|failed|refunded → Booking
  charge.dispute.created|updated|closed|funds_withdrawn|funds_reinstated → Dispute + Booking
  account.updated → UserProfile; payout.paid|failed → Payout; application_fee.* → Booking
Bookings are found through PaymentIntentIndex, else the object's metadata.bookingId (a consistent
GetItem; a booking bound to another payment intent is left alone). Precedence: precedence.py.

Domain events (detail: origin "stripe-webhook", via "webhook"|"reconciliation", stripeEventId,
stripeEventType, plus the ids and amounts):
  marketplace.payment  Payment Succeeded (paymentType DIRECT; once: when the Stripe payment state first
                       reaches succeeded), Payment Failed (DIRECT when a failure wins and the booking's
                       paymentStatus is failed; PAYOUT when a payout becomes failed), Payout Completed
  marketplace.dispute  Dispute Created (the Dispute record is created), Dispute Resolved (it becomes
                       won / lost / warning_closed)
  marketplace.booking  Booking Confirmed / Booking Cancelled when status changes to that value,
                       Booking Updated when status changes otherwise or only paymentStatus changes
  marketplace.provider Provider Updated when the mirrored Connect status changes
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import stripe

from handlers.common import cancel_refunds, clock, deauthorization
from handlers.common.booking_events import transition_events
from handlers.common.dedup import (
    COMPLETED,
    DUPLICATE,
    FAILED,
    IN_PROGRESS,
    RETRY_LIMIT,
    SKIPPED,
    LockLost,
    WebhookDeduplicationService,
)
from handlers.common.events import DOMAIN_EVENT_ID, DomainEvent, PublishError, publish_all
from handlers.common.idgen import derived_id
from handlers.common.log import get_logger
from handlers.common.precedence import (
    ACCOUNT_VISIBLE,
    ACCOUNT_WATCH,
    BOOKING_WATCH,
    DISPUTE_RANK,
    DISPUTE_TERMINAL,
    PAYOUT_RANK,
    RECORD_WATCH,
    REFUND_RANK,
    PaymentFact,
    RecordFact,
    account_snapshot,
    reduce_account,
    reduce_booking,
    reduce_record,
)
from handlers.common.repositories import (
    BookingRepository,
    DisputeRepository,
    PayoutRepository,
    RefundRepository,
    UserProfileRepository,
)
from handlers.common.repositories.base import ConditionFailed, Repository
from handlers.common.stripe_client import stripe_client
from handlers.common.stripe_objects import object_id

ORIGIN = "stripe-webhook"
LOCK_LOST = "LOCK_LOST"
_MAX_CAS = 10
_log = get_logger("stripe_events")

BOOKING_VIEW = BOOKING_WATCH + ("id", "customerId", "providerId", "serviceId", "paymentIntentId")
RECORD_VIEW = RECORD_WATCH + ("id",)
ACCOUNT_VIEW = ACCOUNT_WATCH + ("id", "stripeAccountId")


class InvalidEvent(ValueError):
    """The payload is not a Stripe event."""


class BookingNotFound(RuntimeError):
    """The event names a booking that does not exist (yet): retryable."""


@dataclass
class ProcessResult:
    event_id: str
    event_type: str
    status: str                 # COMPLETED | SKIPPED | FAILED | DUPLICATE | IN_PROGRESS | RETRY_LIMIT | LOCK_LOST
    outcome: str | None = None  # the dedup acquisition outcome
    error: str | None = None
    published: list[str] = field(default_factory=list)
    result: dict[str, Any] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return {"eventId": self.event_id, "eventType": self.event_type, "status": self.status,
                "outcome": self.outcome, "error": self.error, "published": self.published, "result": self.result}


def validate_event(event: Any) -> dict[str, Any]:
    """The event dict if it has the shape of a Stripe event; InvalidEvent otherwise."""
    if not isinstance(event, dict):
        raise InvalidEvent("the payload is not a JSON object")
    eid, etype, created = event.get("id"), event.get("type"), event.get("created")
    if not isinstance(eid, str) or not eid or len(eid) > 255:
        raise InvalidEvent("the event has no id")
    if not isinstance(etype, str) or not etype or len(etype) > 255:
        raise InvalidEvent("the event has no type")
    if isinstance(created, bool) or not isinstance(created, int):
        raise InvalidEvent("the event has no integer created timestamp")
    data = event.get("data")
    if not isinstance(data, dict) or not isinstance(data.get("object"), dict):
        raise InvalidEvent("the event has no data.object")
    account = event.get("account")
    if account is not None and not isinstance(account, str):
        raise InvalidEvent("the event's account is not a string")
    return event


# ---------------------------------------------------------------------------------------------------
class _Run:
    """One attempt at one event: applies steps under the lock and collects domain events."""

    def __init__(self, event: dict[str, Any], lock, dedup: WebhookDeduplicationService | None, via: str):
        self.event, self.lock, self.dedup, self.via = event, lock, dedup, via
        self.id, self.type, self.at = event["id"], event["type"], int(event["created"])
        self.obj: dict[str, Any] = event["data"]["object"]
        self.account: str | None = event.get("account")
        self.events: list[DomainEvent] = []
        self.steps: list[str] = []
        self.notes: dict[str, Any] = {}

    def base_detail(self, **extra: Any) -> dict[str, Any]:
        detail = {"origin": ORIGIN, "via": self.via, "stripeEventId": self.id, "stripeEventType": self.type}
        detail.update({k: v for k, v in extra.items() if v is not None})
        return detail

    def apply(self, step: str, repo: Repository, key: str, reducer: Callable[[dict[str, Any] | None], dict],
              watch: tuple[str, ...], view: tuple[str, ...], *, create: bool = False) -> dict[str, Any] | None:
        """Apply `reducer` to the item `key` exactly once; the transition {from, to, created} or None."""
        self.steps.append(step)
        if self.lock is not None and step in self.lock.effects:  # committed by an earlier attempt (crash, then takeover)
            return self.lock.effects[step]
        for _ in range(_MAX_CAS):
            old = repo.get(key)
            if old is None and not create:
                return None
            changes = reducer(old)
            if not changes:
                snapshot = {k: (old or {}).get(k) for k in view}
                return {"from": snapshot, "to": snapshot, "created": False, "changed": False}
            new = {**(old or {}), **changes}
            stamp = {"updatedAt": clock.now_iso()}
            if old is None:
                stamp["createdAt"] = changes.get("createdAt") or clock.now_iso()
            transition = {"from": {k: (old or {}).get(k) for k in view}, "to": {k: new.get(k) for k in view},
                          "created": old is None, "changed": True}
            transition = _strip_none(transition)
            try:
                if self.lock is None:  # a repair outside any event: compare-and-set alone
                    repo.cas_update(key, old, {**stamp, **changes}, watch)
                    return transition
                self.dedup.commit(self.lock, step, transition, repo.cas_request(key, old, {**stamp, **changes}, watch))
            except ConditionFailed:
                continue
            return self.lock.effects[step]
        raise RuntimeError(f"too much contention on {step}")


def _strip_none(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _strip_none(v) for k, v in value.items() if v is not None}
    return value


def _int(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _metadata(obj: dict[str, Any]) -> dict[str, Any]:
    meta = obj.get("metadata")
    return meta if isinstance(meta, dict) else {}


def _find_booking(payment_intent_id: str | None, metadata: dict[str, Any]) -> str | None:
    repo = BookingRepository()
    if payment_intent_id:
        found = repo.by_payment_intent(payment_intent_id)
        if found:
            return sorted(b["id"] for b in found)[0]
    booking_id = metadata.get("bookingId")
    if isinstance(booking_id, str) and booking_id:
        booking = repo.get(booking_id)
        if booking is None:
            raise BookingNotFound(f"booking {booking_id} not found")
        bound = booking.get("paymentIntentId")
        if bound and payment_intent_id and bound != payment_intent_id:
            return None  # the booking has moved on to another payment intent
        return booking_id
    return None


# -- booking --------------------------------------------------------------------------------------------
def _booking_step(run: _Run, booking_id: str, fact: PaymentFact) -> None:
    tr = run.apply(f"booking:{booking_id}", BookingRepository(), booking_id, lambda old: reduce_booking(old, fact),
                   BOOKING_WATCH, BOOKING_VIEW)
    if tr is None:
        raise BookingNotFound(f"booking {booking_id} not found")
    if not tr.get("changed"):
        return
    old, new = tr["from"], tr["to"]
    common = run.base_detail(bookingId=booking_id, paymentIntentId=new.get("paymentIntentId"),
                             customerId=new.get("customerId"), providerId=new.get("providerId"),
                             serviceId=new.get("serviceId"), amount=new.get("amount"), currency=new.get("currency"))
    if (old.get("paymentRank") or -1) < 3 <= (new.get("paymentRank") or -1):
        run.events.append(DomainEvent("marketplace.payment", "Payment Succeeded", {
            **common, "paymentType": "DIRECT", "chargeId": new.get("chargeId"),
            "platformFee": new.get("platformFee"), "providerEarnings": new.get("providerEarnings")}))
    if (new.get("paymentStateEventId") != old.get("paymentStateEventId") and new.get("paymentState") == "failed"
            and new.get("paymentStatus") == "failed"):
        run.events.append(DomainEvent("marketplace.payment", "Payment Failed", {
            **common, "paymentType": "DIRECT", "reason": new.get("paymentFailureMessage")}))
    run.events += transition_events(old, new, common)
    if (old.get("paymentRank") or -1) < 3 <= (new.get("paymentRank") or -1) and old.get("status") == "cancelled" \
            and new.get("status") == "cancelled" and int(new.get("amountRefunded") or 0) < int(new.get("amount") or 0):
        # the payment landed after the booking was cancelled: Stripe has money we owe back
        run.events.append(cancel_refunds.refund_required(booking_id, reason="paid_after_cancellation",
                                                         origin=ORIGIN, stripeEventId=run.id,
                                                         paymentIntentId=new.get("paymentIntentId")))


def _on_payment_intent(run: _Run) -> None:
    pi = run.obj
    state = {"payment_intent.succeeded": "succeeded", "payment_intent.payment_failed": "failed",
             "payment_intent.canceled": "canceled"}[run.type]
    error = pi.get("last_payment_error") if isinstance(pi.get("last_payment_error"), dict) else {}
    fact = PaymentFact(run.id, run.at, state, charge_id=object_id(pi.get("latest_charge")) if state == "succeeded"
                       else None, amount=_int(pi.get("amount")), currency=pi.get("currency"), fee_known=True,
                       application_fee_amount=_int(pi.get("application_fee_amount")),
                       failure_message=error.get("message") if state == "failed" else None)
    _booking_for(run, object_id(pi.get("id")), _metadata(pi), fact)


def _booking_for(run: _Run, payment_intent_id: str | None, metadata: dict[str, Any], fact: PaymentFact) -> None:
    booking_id = _find_booking(payment_intent_id, metadata)
    if booking_id is None:
        run.notes["unmatched"] = f"no booking for payment intent {payment_intent_id}"
        return
    _booking_step(run, booking_id, fact)


def _on_charge(run: _Run) -> None:
    ch = run.obj
    kind = run.type.split(".", 1)[1]
    amount, fee = _int(ch.get("amount")), _int(ch.get("application_fee_amount"))
    if kind == "failed":
        fact = PaymentFact(run.id, run.at, "failed", amount=amount, currency=ch.get("currency"), fee_known=True,
                           application_fee_amount=fee, failure_message=ch.get("failure_message"))
    else:  # succeeded; refunded implies it succeeded
        fact = PaymentFact(run.id, run.at, "succeeded", charge_id=object_id(ch.get("id")), amount=amount,
                           currency=ch.get("currency"), fee_known=True, application_fee_amount=fee,
                           amount_refunded=_int(ch.get("amount_refunded")) if kind == "refunded" else None)
    pi_id = object_id(ch.get("payment_intent"))
    booking_id = _find_booking(pi_id, _metadata(ch))
    if kind == "refunded":
        refunds = ch.get("refunds") if isinstance(ch.get("refunds"), dict) else {}
        for refund in refunds.get("data") or []:
            if isinstance(refund, dict) and object_id(refund.get("id")):
                _refund_step(run, refund, booking_id, pi_id)
    if booking_id is None:
        run.notes["unmatched"] = f"no booking for payment intent {pi_id}"
        return
    _booking_step(run, booking_id, fact)


def _refund_step(run: _Run, refund: dict[str, Any], booking_id: str | None, pi_id: str | None) -> None:
    status = refund.get("status") if refund.get("status") in REFUND_RANK else "pending"
    created = _int(refund.get("created"))
    fact = RecordFact(run.id, run.at, status, REFUND_RANK[status], fields=(
        ("bookingId", booking_id), ("chargeId", object_id(refund.get("charge"))), ("paymentIntentId", pi_id),
        ("amount", _int(refund.get("amount"))), ("currency", refund.get("currency")),
        ("reason", refund.get("reason")), ("createdAt", clock.iso_from_s(created) if created else None)))
    run.apply(f"refund:{refund['id']}", RefundRepository(), refund["id"], lambda old: reduce_record(old, fact),
              RECORD_WATCH, RECORD_VIEW, create=True)


def _charge_info(charge_id: str | None, account: str | None) -> dict[str, Any]:
    """The charge from Stripe (for its payment_intent / metadata); {} when Stripe does not know it."""
    if not charge_id:
        return {}
    options = {"stripe_account": account} if account else {}
    try:
        charge = stripe_client().v1.charges.retrieve(charge_id, options=options)
    except stripe.InvalidRequestError:
        return {}
    return charge.to_dict() if hasattr(charge, "to_dict") else dict(charge)


def _on_dispute(run: _Run) -> None:
    dp = run.obj
    status = dp.get("status")
    if status not in DISPUTE_RANK or not object_id(dp.get("id")):
        raise InvalidEvent(f"dispute without a known status: {status!r}")
    charge_id, pi_id = object_id(dp.get("charge")), object_id(dp.get("payment_intent"))
    booking_id = _find_booking(pi_id, _metadata(dp)) if pi_id or _metadata(dp) else None
    if booking_id is None and charge_id:
        charge = _charge_info(charge_id, run.account)
        pi_id = pi_id or object_id(charge.get("payment_intent"))
        booking_id = _find_booking(pi_id, _metadata(charge)) if charge else None
    created, due = _int(dp.get("created")), None
    evidence = dp.get("evidence_details") if isinstance(dp.get("evidence_details"), dict) else {}
    if _int(evidence.get("due_by")):
        due = clock.iso_from_s(evidence["due_by"])
    flags = {"charge.dispute.funds_withdrawn": ("fundsWithdrawn",),
             "charge.dispute.funds_reinstated": ("fundsReinstated",)}.get(run.type, ())
    fact = RecordFact(run.id, run.at, status, DISPUTE_RANK[status], fields=(
        ("bookingId", booking_id), ("chargeId", charge_id), ("paymentIntentId", pi_id),
        ("amount", _int(dp.get("amount"))), ("currency", dp.get("currency")), ("reason", dp.get("reason")),
        ("createdAt", clock.iso_from_s(created) if created else None), ("evidenceDueBy", due),
        ("stripeAccountId", run.account)), flags=flags)
    tr = run.apply(f"dispute:{dp['id']}", DisputeRepository(), dp["id"], lambda old: reduce_record(old, fact),
                   RECORD_WATCH, RECORD_VIEW, create=True)
    if tr and tr.get("changed"):
        new, old = tr["to"], tr["from"]
        detail = run.base_detail(disputeId=dp["id"], bookingId=new.get("bookingId"), chargeId=charge_id,
                                 paymentIntentId=pi_id, amount=new.get("amount"), currency=new.get("currency"),
                                 reason=new.get("reason"), status=new.get("status"))
        if tr.get("created"):
            run.events.append(DomainEvent("marketplace.dispute", "Dispute Created", detail))
        if (old.get("statusRank") if old.get("statusRank") is not None else -1) < DISPUTE_TERMINAL \
                <= (new.get("statusRank") or 0):
            run.events.append(DomainEvent("marketplace.dispute", "Dispute Resolved", {**detail, "outcome": status}))
    if booking_id is None:
        run.notes["unmatched"] = f"no booking for dispute {dp['id']}"
        return
    _booking_step(run, booking_id, PaymentFact(run.id, run.at, "succeeded", charge_id=charge_id,
                                                dispute_id=dp["id"], dispute_status=status))


def _on_account(run: _Run) -> None:
    acct = run.obj
    account_id = object_id(acct.get("id")) or run.account
    if not account_id:
        raise InvalidEvent("account.updated without an account id")
    profile = UserProfileRepository().by_stripe_account(account_id)
    if profile is None:
        run.notes["unmatched"] = f"no profile for account {account_id}"
        return
    snapshot = account_snapshot(acct)
    tr = run.apply(f"profile:{profile['id']}", UserProfileRepository(), profile["id"],
                   lambda old: reduce_account(old or {}, snapshot, run.at, run.id), ACCOUNT_WATCH, ACCOUNT_VIEW)
    if tr and tr.get("changed") and any(tr["from"].get(k) != tr["to"].get(k) for k in ACCOUNT_VISIBLE):
        new = tr["to"]
        run.events.append(DomainEvent("marketplace.provider", "Provider Updated", run.base_detail(
            providerId=profile["id"], stripeAccountId=account_id, chargesEnabled=new.get("stripeChargesEnabled"),
            payoutsEnabled=new.get("stripePayoutsEnabled"), detailsSubmitted=new.get("stripeDetailsSubmitted"),
            accountStatus=new.get("stripeAccountStatus"), requirementsDue=new.get("stripeRequirementsDue"))))


def _on_payout(run: _Run) -> None:
    po = run.obj
    payout_id = object_id(po.get("id"))
    status = po.get("status") if po.get("status") in PAYOUT_RANK else run.type.split(".", 1)[1]
    if not payout_id or status not in PAYOUT_RANK:
        raise InvalidEvent("payout without an id or a known status")
    profile = UserProfileRepository().by_stripe_account(run.account) if run.account else None
    provider_id = profile["id"] if profile else None
    created, arrival = _int(po.get("created")), _int(po.get("arrival_date"))
    fact = RecordFact(run.id, run.at, status, PAYOUT_RANK[status], fields=(
        ("providerId", provider_id), ("stripeAccountId", run.account), ("amount", _int(po.get("amount"))),
        ("currency", po.get("currency")), ("arrivalDate", clock.iso_from_s(arrival) if arrival else None),
        ("createdAt", clock.iso_from_s(created) if created else None),
        ("failureCode", po.get("failure_code")), ("failureMessage", po.get("failure_message"))))
    tr = run.apply(f"payout:{payout_id}", PayoutRepository(), payout_id, lambda old: reduce_record(old, fact),
                   RECORD_WATCH, RECORD_VIEW, create=True)
    if not tr or not tr.get("changed") or tr["from"].get("status") == tr["to"].get("status"):
        return
    new = tr["to"]
    detail = run.base_detail(payoutId=payout_id, providerId=new.get("providerId"), stripeAccountId=run.account,
                             amount=new.get("amount"), currency=new.get("currency"), paymentType="PAYOUT",
                             status=new.get("status"))
    if new.get("status") == "paid":
        run.events.append(DomainEvent("marketplace.payment", "Payout Completed",
                                      {**detail, "arrivalDate": new.get("arrivalDate")}))
    elif new.get("status") == "failed":
        run.events.append(DomainEvent("marketplace.payment", "Payment Failed", {
            **detail, "failureCode": new.get("failureCode"), "reason": new.get("failureMessage")}))


def _on_application_fee(run: _Run) -> None:
    fee = run.obj
    fee_id = object_id(fee.get("id"))
    if not fee_id:
        raise InvalidEvent("application fee without an id")
    charge = _charge_info(object_id(fee.get("charge")), object_id(fee.get("account")))
    booking_id = _find_booking(object_id(charge.get("payment_intent")), _metadata(charge)) if charge else None
    if booking_id is None:
        run.notes["unmatched"] = f"no booking for application fee {fee_id}"
        return
    _booking_step(run, booking_id, PaymentFact(run.id, run.at, None, application_fee_id=fee_id,
                                                application_fee_amount=_int(fee.get("amount")),
                                                application_fee_refunded=_int(fee.get("amount_refunded"))))


DISPATCH: dict[str, Callable[[_Run], None]] = {
    "payment_intent.succeeded": _on_payment_intent,
    "payment_intent.payment_failed": _on_payment_intent,
    "payment_intent.canceled": _on_payment_intent,
    "charge.succeeded": _on_charge,
    "charge.failed": _on_charge,
    "charge.refunded": _on_charge,
    "charge.dispute.created": _on_dispute,
    "charge.dispute.updated": _on_dispute,
    "charge.dispute.closed": _on_dispute,
    "charge.dispute.funds_withdrawn": _on_dispute,
    "charge.dispute.funds_reinstated": _on_dispute,
    "account.updated": _on_account,
    deauthorization.EVENT_TYPE: deauthorization.on_deauthorized,
    "payout.paid": _on_payout,
    "payout.failed": _on_payout,
}


def handler_for(event_type: str) -> Callable[[_Run], None] | None:
    if event_type.startswith("application_fee."):
        return _on_application_fee
    return DISPATCH.get(event_type)


def apply_direct(booking_id: str, fact: PaymentFact, *, via: str = "reconciliation") -> list[DomainEvent]:
    """Apply a fact observed outside any event (a reconciliation repair); the domain events to publish."""
    pseudo = {"id": fact.event_id, "type": "reconciliation.repair", "created": fact.at, "data": {"object": {}}}
    run = _Run(pseudo, None, None, via)
    _booking_step(run, booking_id, fact)
    return run.events


def event_keys(events: list[DomainEvent]) -> list[str]:
    """A stable key per domain event of a run: the same transitions give the same keys on any
    attempt (webhook or reconciliation: `via` is left out), repeats numbered."""
    keys, seen = [], Counter()
    for ev in events:
        detail = {k: v for k, v in ev.detail.items() if k not in ("via", "correlationId", DOMAIN_EVENT_ID)}
        base = ev.detail.get(DOMAIN_EVENT_ID) or derived_id("de", ev.source, ev.detail_type,
                                                             json.dumps(detail, sort_keys=True, default=str))
        seen[base] += 1
        keys.append(base if seen[base] == 1 else f"{base}#{seen[base]}")
    return keys


def _publish_once(run: _Run, lock, dedup: WebhookDeduplicationService) -> list[str]:
    """Publish the run's domain events that no earlier holder published, then record them in
    effects.published (see dedup). Each event's detail carries its key as `domainEventId`, the
    id every consumer dedupes on (EventBridge is at-least-once, and a crash between PutEvents and
    the marker publishes again). When EventBridge keeps rejecting some entries, the ones it did
    accept are recorded before the error propagates, so Stripe's retry publishes only the others.
    A failed marker write is logged, not fatal: the COMPLETED (or FAILED) write that follows
    records them too. The detail-types published now."""
    todo = [(k, ev) for k, ev in zip(event_keys(run.events), run.events, strict=True) if k not in lock.published]
    if len(todo) < len(run.events):
        _log.info("domain events already published by an earlier attempt", eventId=run.id,
                  skipped=len(run.events) - len(todo))
    if not todo:
        return []
    try:
        publish_all([with_event_id(ev, k) for k, ev in todo])
    except PublishError as exc:
        accepted = [todo[i][0] for i in exc.accepted]
        if accepted:
            _record_published(run, lock, dedup, accepted)
        raise
    _record_published(run, lock, dedup, [k for k, _ in todo])
    return [ev.detail_type for _, ev in todo]


def with_event_id(ev: DomainEvent, key: str) -> DomainEvent:
    """The event with its stable key as `detail.domainEventId` (what consumers dedupe on)."""
    return DomainEvent(ev.source, ev.detail_type, {DOMAIN_EVENT_ID: key, **ev.detail}, ev.resources)


def _record_published(run: _Run, lock, dedup: WebhookDeduplicationService, keys: list[str]) -> None:
    lock.published |= set(keys)  # from here on every status write of this holder carries them
    try:
        dedup.mark_published(lock, keys)
    except LockLost:
        raise
    except Exception as exc:  # noqa: BLE001 - the status write carries the keys as well
        _log.warning("could not record the published domain events; the status write will", eventId=run.id,
                     error=repr(exc))


# ---------------------------------------------------------------------------------------------------
def process_stripe_event(event: Any, *, signature: str | None = None, via: str = "webhook",
                         max_retries: int | None = None,
                         dedup: WebhookDeduplicationService | None = None) -> ProcessResult:
    """Process one Stripe event exactly once (see the module docstring). InvalidEvent on a bad shape."""
    event = validate_event(event)
    dedup = dedup or WebhookDeduplicationService()
    eid, etype = event["id"], event["type"]
    acq = dedup.acquire(eid, source="stripe", signature=signature, event_type=etype, account=event.get("account"),
                        max_retries=max_retries)
    if not acq.acquired:
        status = {DUPLICATE: DUPLICATE, IN_PROGRESS: IN_PROGRESS, RETRY_LIMIT: RETRY_LIMIT}[acq.outcome]
        existing = (acq.record or {}).get("status")
        _log.info("stripe event not processed", eventId=eid, eventType=etype, outcome=acq.outcome, existing=existing)
        return ProcessResult(eid, etype, status, acq.outcome, result={"recordStatus": existing})
    lock = acq.lock
    fn = handler_for(etype)
    applied = False  # every write of the event committed: from here on only domain events are owed
    try:
        if fn is None:
            dedup.mark_skipped(lock, f"unhandled event type {etype}")
            return ProcessResult(eid, etype, SKIPPED, acq.outcome, result={"skipped": etype})
        run = _Run(event, lock, dedup, via)
        fn(run)
        applied = True
        published = _publish_once(run, lock, dedup)
        result = {"steps": run.steps, "published": published, **run.notes}
        dedup.mark_completed(lock, result)
        _log.info("stripe event processed", eventId=eid, eventType=etype, outcome=acq.outcome, published=published)
        return ProcessResult(eid, etype, COMPLETED, acq.outcome, published=published, result=result)
    except LockLost:
        _log.warning("webhook lock lost; another invocation owns the event", eventId=eid)
        return ProcessResult(eid, etype, LOCK_LOST, acq.outcome, error="lock lost")
    except Exception as exc:  # noqa: BLE001 - every failure is recorded as FAILED
        error = f"{type(exc).__name__}: {exc}"
        _log.error("stripe event failed", eventId=eid, eventType=etype, error=error)
        try:
            dedup.mark_failed(lock, error, publish_pending=applied)
        except LockLost:
            return ProcessResult(eid, etype, LOCK_LOST, acq.outcome, error=error)
        return ProcessResult(eid, etype, FAILED, acq.outcome, error=error)
