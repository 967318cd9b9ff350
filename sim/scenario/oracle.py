"""The oracle: invariants that must hold after every scenario (and after every step with
`--check-every-step`), whatever the scenario's own expectations say.

Each invariant is a small named function over a `Snapshot` (tables, Stripe ledger, bus events,
executions, trace) returning a list of violations; `check(snapshot)` runs them all and returns
one `InvariantResult(name, ok, detail)` per invariant, in a fixed order.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta

from sim.scenario import vocabulary as V
from sim.scenario.snapshot import (
    Snapshot,
    booking_id_of,
    event_booking_id,
    stripe_event_id_of,
    to_datetime,
)
from sim.trace import of_components

MAX_SHOWN = 3


@dataclass(frozen=True)
class InvariantResult:
    name: str
    ok: bool
    detail: str

    def as_dict(self) -> dict:
        return {"name": self.name, "ok": self.ok, "detail": self.detail}


@dataclass(frozen=True)
class Invariant:
    name: str
    description: str
    check: Callable[[Snapshot], tuple[list[str], str]]  # (violations, what was checked)
    end_only: bool = False  # only meaningful once the story is over (not checked after every step)


INVARIANTS: list[Invariant] = []


def invariant(name: str, description: str, *, end_only: bool = False):
    def register(fn):
        INVARIANTS.append(Invariant(name, description, fn, end_only))
        return fn
    return register


def domain_event_id(ev) -> str:
    """The stable id of a domain event (every republication of one event shares it), else the
    EventBridge id (an event published once has no other copies)."""
    value = ev.detail.get(V.DOMAIN_EVENT_ID)
    if value:
        return str(value)
    return f"eb:{ev.id}" if ev.id else f"copy:{id(ev)}"


def check(snapshot: Snapshot, names: list[str] | None = None) -> list[InvariantResult]:
    """Every invariant (or those named) against one snapshot."""
    snapshot.derived.clear()  # indexes are built once per check: the snapshot may have changed since
    out = []
    for inv in INVARIANTS:
        if names is not None and inv.name not in names:
            continue
        try:
            violations, checked = inv.check(snapshot)
        except Exception as exc:  # noqa: BLE001 - a crashing check is a failed check, not a crash
            violations, checked = [f"the check itself failed: {type(exc).__name__}: {exc}"], ""
        if violations:
            shown = "; ".join(violations[:MAX_SHOWN])
            more = len(violations) - MAX_SHOWN
            out.append(InvariantResult(inv.name, False, shown + (f"; and {more} more" if more > 0 else "")))
        else:
            out.append(InvariantResult(inv.name, True, checked))
    return out


def _plural(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


def _obj(event: dict) -> dict:
    return (event.get("data") or {}).get("object") or {}


def _processed(snap: Snapshot) -> dict[str, dict]:
    """The ProcessedWebhooks records by event, built once per `check` (`_settled` asks per booking;
    the snapshot's tables are packed and rebuilt on every read)."""
    if "processed" not in snap.derived:
        snap.derived["processed"] = {_event_key(i): i for i in snap.table("ProcessedWebhooks")}
    return snap.derived["processed"]


def _event_key(item: dict) -> str:
    raw = str(item.get("eventId") or item.get("id") or "")
    for sep in (":", "#"):
        if sep in raw and "evt_" in raw:
            raw = next((p for p in raw.split(sep) if p.startswith("evt_")), raw)
    return raw


def _payment_intent_of(event: dict) -> str | None:
    obj = _obj(event)
    if obj.get("object") == "payment_intent":
        return obj.get("id")
    pi = obj.get("payment_intent")
    return pi.get("id") if isinstance(pi, dict) else pi


# -- 1 ------------------------------------------------------------------------------------------
@invariant("stripe-event-applied-once",
           "the effect of each Stripe event is applied exactly once: one domain event per (event, kind) — "
           "copies of one domain event (the same domainEventId: EventBridge is at-least-once) are judged at "
           "the consumers (consumer-effect-once) — and every Refund record names a refund Stripe made once")
def applied_once(snap: Snapshot):
    problems = []
    distinct: dict[tuple[str, str], set[str]] = defaultdict(set)
    for ev in snap.bus_events:
        eid = stripe_event_id_of(ev.detail)
        if eid:
            distinct[(eid, ev.detail_type)].add(domain_event_id(ev))
    for (eid, dtype), ids in sorted(distinct.items()):
        if len(ids) > 1:
            problems.append(f"{eid}: {dtype!r} published as {len(ids)} distinct domain events")
    refunds = Counter()
    for item in snap.table("Refund"):
        refunds[str(item.get("id"))] += 1
        obj = snap.stripe_objects.get(str(item.get("id")))
        if obj is None or obj.get("object") != "refund":
            problems.append(f"Refund record {item.get('id')} names no refund in Stripe")
    by_request = Counter()
    for obj in snap.stripe_objects.values():
        if obj.get("object") == "refund" and obj.get("status") in V.REFUND_LIVE:
            meta = obj.get("metadata") or {}
            if meta.get("requestKey"):
                by_request[str(meta["requestKey"])] += 1
    for key, n in sorted(by_request.items()):
        if n > 1:
            problems.append(f"refund request {key}: {n} refunds made in Stripe")
    checked = f"{_plural(len(snap.stripe_events), 'Stripe event')}, {_plural(len(distinct), 'event effect')}"
    return problems, checked


# -- 2 ------------------------------------------------------------------------------------------
@invariant("no-event-lost-after-reconciliation",
           "once reconciliation has run, every Stripe event created in its window before it is COMPLETED "
           "or SKIPPED", end_only=True)
def none_lost(snap: Snapshot):
    if not snap.reconciliations:
        return [], "reconciliation did not run"
    last = max(snap.reconciliations)
    since = last - timedelta(seconds=snap.reconciliation_window_s)
    processed = _processed(snap)
    problems, checked = [], 0
    for ev in snap.stripe_events:
        created = to_datetime(ev.get("created"))
        if created is None or created >= last or created < since:
            continue
        checked += 1
        item = processed.get(ev["id"])
        status = str(item.get("status", "")).upper() if item else None
        if status not in V.WEBHOOK_DONE:
            problems.append(f"{ev['id']} ({ev.get('type')}) is {status or 'missing'} after the reconciliation "
                            f"at {last.isoformat()}")
    return problems, f"{_plural(checked, 'event')} before the last reconciliation"


# -- 3 ------------------------------------------------------------------------------------------
PENDING_PI = {"requires_payment_method", "requires_confirmation", "requires_action", "processing",
              "requires_capture"}


def _events_about(snap: Snapshot) -> tuple[dict[str, list[dict]], dict[str, list[dict]]]:
    """Each Stripe event's id and created, by the booking it is about and by its payment intent,
    built once per `check` (the ledger rebuilds an event when it is read: scanning them all per
    booking would cost a rebuild of every event per booking)."""
    if "events_about" not in snap.derived:
        by_booking: dict[str, list[dict]] = {}
        by_pi: dict[str, list[dict]] = {}
        for e in snap.stripe_events:
            head = {"id": e["id"], "created": e.get("created")}
            booking, pi = event_booking_id(e), _payment_intent_of(e)
            if booking is not None:
                by_booking.setdefault(booking, []).append(head)
            if isinstance(pi, str) and pi:
                by_pi.setdefault(pi, []).append(head)
        snap.derived["events_about"] = (by_booking, by_pi)
    return snap.derived["events_about"]


def _settled(snap: Snapshot, booking_id: str, pi_id: str | None) -> bool:
    """Has the system had every chance to learn this booking's payment state from Stripe?"""
    processed = _processed(snap)
    by_booking, by_pi = _events_about(snap)
    relevant = by_booking.get(booking_id, []) + (by_pi.get(pi_id, []) if isinstance(pi_id, str) and pi_id else [])
    if not relevant:
        return False
    last_rec = max(snap.reconciliations) if snap.reconciliations else None
    for ev in relevant:
        item = processed.get(ev["id"])
        done = item is not None and str(item.get("status", "")).upper() in V.WEBHOOK_DONE
        created = to_datetime(ev.get("created"))
        healed = last_rec is not None and created is not None and created < last_rec
        if not (done or healed):
            return False
    return True


def expected_payment_statuses(pi: dict, charge: dict | None) -> set[str] | None:
    """Booking paymentStatus values (handlers' vocabulary) consistent with a payment intent and its
    charge; None: any."""
    status = pi.get("status")
    if status == "succeeded":
        if charge and (charge.get("refunded") or (charge.get("amount_refunded") or 0) >= (charge.get("amount") or 1)):
            allowed = {"refunded"}
        elif charge and charge.get("amount_refunded"):
            allowed = {"partially_refunded"}
        else:
            allowed = {"succeeded"}
    elif status == "canceled":
        allowed = {"canceled"}
    elif status in PENDING_PI:
        allowed = {"pending", "failed"}
    else:
        return None
    return allowed & set(V.PAYMENT_STATUSES)


@invariant("payment-status-agrees-with-stripe",
           "once every Stripe event about a booking was processed (or reconciled), its paymentStatus "
           "agrees with the payment intent in Stripe")
def agrees(snap: Snapshot):
    problems, checked = [], 0
    for booking in snap.table("Booking"):
        pi_id = booking.get("paymentIntentId")
        pi = snap.stripe_objects.get(pi_id) if pi_id else None
        if pi is None or not _settled(snap, str(booking.get("id")), pi_id):
            continue
        charge = snap.stripe_objects.get(pi.get("latest_charge") or "")
        allowed = expected_payment_statuses(pi, charge)
        if allowed is None:
            continue
        checked += 1
        have = booking.get("paymentStatus")
        if have not in allowed:
            detail = f"charge refunded {charge.get('amount_refunded')}" if charge and charge.get("amount_refunded") \
                else ""
            problems.append(f"booking {booking.get('id')}: paymentStatus {have!r}, Stripe says {pi.get('status')}"
                            + (f" ({detail})" if detail else "") + f"; expected one of {sorted(map(str, allowed))}")
    return problems, f"{_plural(checked, 'settled booking')}"


# -- 4 ------------------------------------------------------------------------------------------
def _int(value):
    try:
        return int(round(float(value)))
    except (TypeError, ValueError):
        return None


def charge_of_booking(snap: Snapshot, booking: dict) -> dict | None:
    """The booking's charge in Stripe's ledger (through its payment intent), or None."""
    pi = snap.stripe_objects.get(str(booking.get("paymentIntentId") or ""))
    charge = snap.stripe_objects.get(str((pi or {}).get("latest_charge") or booking.get("chargeId") or ""))
    return charge if charge and charge.get("object") == "charge" else None


@invariant("money-adds-up",
           "per booking platformFee + providerEarnings = amount − refunds (Stripe's amount_refunded on the "
           "booking's charge once the system had every chance to learn it — its Stripe events processed or "
           "reconciled —, the booking's own amountRefunded before); refunds never exceed the charge; "
           "application fee refunds are proportional")
def money(snap: Snapshot):
    problems, checked = [], 0
    for b in snap.items_by_id("Booking").values():
        amount, fee, earn = (_int(b.get(k)) for k in ("amount", "platformFee", "providerEarnings"))
        if amount is None or fee is None or earn is None:
            continue
        checked += 1
        charge = charge_of_booking(snap, b)
        stripe = charge is not None and charge.get("status") == "succeeded" \
            and _settled(snap, str(b.get("id")), b.get("paymentIntentId"))
        back = int(charge.get("amount_refunded") or 0) if stripe else _int(b.get("amountRefunded")) or 0
        if amount - back != fee + earn:
            problems.append(f"booking {b.get('id')}: platformFee {fee} + providerEarnings {earn} = {fee + earn}, "
                            f"but amount {amount} − refunds {back} ({'Stripe' if stripe else 'the booking'}) = "
                            f"{amount - back}")
        if fee < 0 or earn < 0:
            problems.append(f"booking {b.get('id')}: negative split (fee {fee}, earnings {earn})")
        if back > amount:
            problems.append(f"booking {b.get('id')}: refunds {back} exceed the amount {amount}")
    for obj in snap.stripe_objects.values():
        if obj.get("object") == "charge":
            if (obj.get("amount_refunded") or 0) > (obj.get("amount") or 0):
                problems.append(f"charge {obj['id']}: refunded {obj['amount_refunded']} > amount {obj['amount']}")
            fee = snap.stripe_objects.get(obj.get("application_fee") or "")
            if fee and fee.get("amount_refunded"):
                expected = fee["amount"] * obj.get("amount_refunded", 0) / max(1, obj.get("amount") or 1)
                if abs(fee["amount_refunded"] - expected) > 1 + len((fee.get("refunds") or {}).get("data") or []):
                    problems.append(f"fee {fee['id']}: refunded {fee['amount_refunded']}, proportional share of "
                                    f"{obj.get('amount_refunded')}/{obj.get('amount')} is {expected:.0f}")
    return problems, f"{_plural(checked, 'booking')}"


# -- 5 ------------------------------------------------------------------------------------------
LEGAL = {status: set(after) for status, after in V.BOOKING_TRANSITIONS.items()}


@invariant("legal-booking-transitions",
           "bookings only move along the lifecycle (pending → confirmed → completed; cancellations and "
           "refunds from the right states; never back)")
def transitions(snap: Snapshot):
    problems, moves = [], 0
    for bid, history in sorted(snap.status_history.items()):
        seq = [s for s in history if s is not None]
        for a, b in zip(seq, seq[1:], strict=False):
            if a == b:
                continue
            moves += 1
            if a not in LEGAL:
                problems.append(f"booking {bid}: unknown status {a!r}")
            elif b not in LEGAL:
                problems.append(f"booking {bid}: unknown status {b!r} (after {a})")
            elif b not in LEGAL[a]:
                problems.append(f"booking {bid}: illegal transition {a} → {b}")
        if seq and seq[0] not in LEGAL:
            problems.append(f"booking {bid}: unknown status {seq[0]!r}")
    return sorted(set(problems), key=problems.index), f"{_plural(moves, 'transition')}"


# -- 6 ------------------------------------------------------------------------------------------
TRANSITION_EVENTS = V.TRANSITION_EVENTS


def owed_status_events(snap: Snapshot) -> set[tuple[str, str]]:
    """(booking id, status) whose transition's domain event is still owed by a durable, retryable
    outbox, so the next reconciliation run publishes it: a booking's `statusEventPending` marker, or
    a Stripe event FAILED below the retry limit — or `publishPending` (every write committed, only
    domain events owed: no retry limit, common/dedup.py) — whose committed effects moved the
    booking there (its next holder re-derives and publishes the events of those effects,
    common/stripe_events.py). An event a COMPLETED record, a FAILED one at the retry limit that is
    not publishPending, or a cleared marker dropped is not owed: the oracle still fires."""
    owed = set()
    for b in snap.table("Booking"):
        marker = b.get(V.OUTBOX)
        if isinstance(marker, dict) and marker.get("detailType") in TRANSITION_EVENTS:
            owed.add((str(b.get("id")), TRANSITION_EVENTS[marker["detailType"]]))
    for rec in snap.table("ProcessedWebhooks"):
        if str(rec.get("status")) != V.FAILED:
            continue
        if V.at_retry_limit(rec, snap.reconciliation_max_retries) and rec.get(V.PUBLISH_PENDING) is not True:
            continue
        for step, eff in (rec.get("effects") or {}).items():
            if step.startswith("booking:") and isinstance(eff, dict):
                before, after = (eff.get("from") or {}).get("status"), (eff.get("to") or {}).get("status")
                if after and after != before:
                    owed.add((step.split(":", 1)[1], str(after)))
    return owed


@invariant("domain-event-once-per-transition",
           "each booking transition publishes its domain event once: no duplicates, none missing "
           "(an event still owed by a retryable outbox is pending, not missing)")
def once_per_transition(snap: Snapshot):
    problems = []
    distinct: dict[tuple[str, str], set[str]] = defaultdict(set)
    for ev in snap.bus_events:
        if ev.detail_type in TRANSITION_EVENTS:
            bid = booking_id_of(ev.detail)
            if bid:
                distinct[(bid, ev.detail_type)].add(domain_event_id(ev))
    published = Counter({k: len(v) for k, v in distinct.items()})
    owed = owed_status_events(snap)
    for bid, history in sorted(snap.status_history.items()):
        seq = [s for s in history if s is not None]
        entered = Counter(b for a, b in zip([None, *seq], seq, strict=False) if a != b)
        for dtype, status in TRANSITION_EVENTS.items():
            n, want = published[(bid, dtype)], entered[status]
            if n > max(want, 1) or (want and n > want):
                problems.append(f"booking {bid}: {dtype!r} published {n} times for {_plural(want, 'transition')}")
            elif want and not n and status != (seq[0] if seq else None) and (bid, status) not in owed:
                problems.append(f"booking {bid}: became {status} but {dtype!r} was never published")
    return problems, f"{_plural(sum(published.values()), 'domain event')}"


# -- 7 ------------------------------------------------------------------------------------------
@invariant("no-execution-past-timeout", "no Step Functions execution is RUNNING past its TimeoutSeconds")
def executions(snap: Snapshot):
    problems = []
    for ex in snap.executions:
        if ex.timeout_s is None or ex.start is None:
            continue
        deadline = ex.start + timedelta(seconds=ex.timeout_s)
        if ex.status == "RUNNING" and snap.now > deadline:
            problems.append(f"{ex.arn.rsplit(':', 1)[-1]} ({ex.machine}) RUNNING {(snap.now - ex.start)} after "
                            f"start; timeout {ex.timeout_s:g} s")
        elif ex.stop is not None and ex.status != "TIMED_OUT" and ex.stop > deadline + timedelta(seconds=1):
            problems.append(f"{ex.arn.rsplit(':', 1)[-1]} ({ex.machine}) ended {ex.status} after its timeout")
    return problems, f"{_plural(len(snap.executions), 'execution')}"


# -- 8 ------------------------------------------------------------------------------------------
@invariant("no-stale-processing-lock",
           "no ProcessedWebhooks record is left PROCESSING past the lock expiry once something had to take it "
           "over: a webhook-reconciliation run that succeeded, or a delivery of the event Stripe saw succeed, "
           "after the lock expired", end_only=True)
def stale_locks(snap: Snapshot):
    problems, held = [], 0
    runs = _reconciliation_successes(snap)
    deliveries = _successful_deliveries(snap)
    for item in snap.table("ProcessedWebhooks"):
        if str(item.get("status", "")).upper() != V.PROCESSING:
            continue
        held += 1
        eid = str(item.get("eventId"))
        started = to_datetime(item.get("processingStartedAt") or item.get("processedAt"))
        if started is None:
            problems.append(f"{eid}: PROCESSING without processingStartedAt")
            continue
        expiry = started + timedelta(seconds=snap.lock_timeout_s)
        late = [("the webhook-reconciliation run of", t) for t in runs if t > expiry]
        late += [("Stripe's delivery (2xx) at", t) for t in deliveries.get(_event_key(item), []) if t > expiry]
        if late:
            what, when = min(late, key=lambda pair: pair[1])
            problems.append(f"{eid}: PROCESSING since {started.isoformat()} (lock expiry {snap.lock_timeout_s:g} s), "
                            f"still after {what} {when.isoformat()}, which had to take it over")
    return problems, f"{_plural(held, 'lock')} held"


def _reconciliation_successes(snap: Snapshot) -> list:
    """Start times of the webhook-reconciliation invocations that succeeded: each takes over every
    expired Stripe lock (its window, and StatusIndex beyond it). A lock left by a holder that died
    while no run succeeded since (every attempt of the night failed: alerted, `failures-alerted`)
    waits for the next run, and is no defect by itself."""
    starts, out = {}, []
    for r in of_components(snap.trace, "lambda"):
        d = r.get("details") or {}
        if r.get("component") != "lambda" or d.get("function") != V.RECONCILIATION_FUNCTION:
            continue
        if r.get("kind") == "invoke.start":
            starts[d.get("requestId")] = to_datetime(r["t"])
        elif r.get("kind") == "invoke.end" and d.get("status") == "succeeded" and d.get("requestId") in starts:
            out.append(starts[d["requestId"]])
    return out


def _successful_deliveries(snap: Snapshot) -> dict[str, list]:
    """Event id → times Stripe saw a delivery of it answered 2xx: stripe-webhook answers so only
    once the event is COMPLETED, SKIPPED or a duplicate of one, so it took an expired lock over."""
    out: dict[str, list] = defaultdict(list)
    for r in of_components(snap.trace, "stripe"):
        d = r.get("details") or {}
        if r.get("component") == "stripe" and r.get("kind") == "webhook.attempt" and d.get("outcome") == "succeeded":
            out[str(d.get("event_id"))].append(to_datetime(r["t"]))
    return out


from sim.scenario import invariant_authz as _authz  # noqa: E402,F401 - registers writes-authorized
from sim.scenario import oracle_effects as _effects  # noqa: E402,F401 - registers its invariants
from sim.scenario import oracle_money as _money  # noqa: E402,F401 - registers its invariants
from sim.scenario import oracle_refunds as _refunds  # noqa: E402,F401 - registers its invariant

NAMES = [inv.name for inv in INVARIANTS]
END_ONLY = frozenset(inv.name for inv in INVARIANTS if inv.end_only)
