"""Expectations: items and attributes in any table, dedup records, bus events by detail-type,
workflow executions, CloudWatch metrics, SNS alerts, the Stripe ledger and log lines.

`evaluate(spec, snapshot, run)` returns one `Mismatch` per unmet expectation (empty: all hold).
The `eventually` step polls this while advancing virtual time.
"""

from __future__ import annotations

from dataclasses import dataclass

from sim.scenario.context import Entity, ScenarioRun, StepFailed
from sim.scenario.matchers import MISSING, is_matcher, mismatch, show
from sim.scenario.snapshot import Snapshot

HIDDEN_KEYS = ("absent",)


@dataclass(frozen=True)
class Mismatch:
    key: str
    message: str
    expected: str | None = None
    actual: str | None = None


def evaluate(spec: dict, snap: Snapshot, run: ScenarioRun) -> list[Mismatch]:
    out: list[Mismatch] = []
    spec = run.substitute(spec)  # {{alias}} in expected values
    for key, want in spec.items():
        head, _, rest = key.partition(".")
        try:
            if rest:
                out += _record(key, head, rest, want, snap, run)
            else:
                out += FIXED[key](key, want, snap, run)
        except (LookupError, StepFailed) as exc:
            out.append(Mismatch(key, str(exc).strip("'\"")))
    return out


# -- records -----------------------------------------------------------------------------------------
def _find(snap: Snapshot, table: str, key: str, value) -> dict | None:
    return next((i for i in snap.table(table) if str(i.get(key)) == str(value)), None)


def _entity(run: ScenarioRun, ref: str, kind: str) -> Entity:
    return run.entity(int(ref) if ref.isdigit() else ref, kind)


def _record(key, head, ref, want, snap: Snapshot, run: ScenarioRun) -> list[Mismatch]:
    if head == "booking":
        item = _find(snap, "Booking", "id", run.booking_id(ref))
    elif head in ("customer", "provider"):
        item = _find(snap, "UserProfile", "id", _entity(run, ref, head).id)
    elif head == "service":
        item = _find(snap, "Service", "id", _entity(run, ref, "service").id)
    elif head == "webhooks":
        item = _find(snap, "ProcessedWebhooks", "eventId", run.event_id(ref))
    elif head == "stripe":
        item = stripe_object(ref, snap, run)
    elif head == "table":
        return _table(key, ref, want, snap, run)
    else:
        raise LookupError(f"unknown expectation {key}")
    return attrs(key, want, item)


def attrs(key: str, want: dict, item: dict | None) -> list[Mismatch]:
    """Check expected attributes against an item (None: no such record)."""
    if want.get("absent") is True:
        return [] if item is None else [Mismatch(key, "expected no record", "absent", show(item))]
    if item is None:
        return [Mismatch(key, "no such record", _fmt(want), "(missing)")]
    out = []
    for attr, expected in want.items():
        if attr in HIDDEN_KEYS:
            continue
        actual = _path(item, attr)
        reason = mismatch(expected, actual)
        if reason:
            out.append(Mismatch(f"{key}.{attr}", reason, _fmt(expected), show(actual)))
    return out


def _path(item: dict, attr: str):
    """`a.b` digs into nested maps when the item has no attribute literally named `a.b`."""
    if attr in item:
        return item[attr]
    value = item
    for part in attr.split("."):
        if not isinstance(value, dict) or part not in value:
            return MISSING
        value = value[part]
    return value


def _fmt(value) -> str:
    if is_matcher(value):
        return ", ".join(f"{k} {show(v)}" for k, v in value.items())
    return show(value)


def stripe_object(ref: str, snap: Snapshot, run: ScenarioRun) -> dict | None:
    """A booking → its payment intent; an event alias → its object now; a provider → its account."""
    kind = run.alias_kind.get(ref)
    if kind == "booking":
        bid = run.booking_id(ref)
        booking = _find(snap, "Booking", "id", bid) or {}
        pi = snap.stripe_objects.get(booking.get("paymentIntentId") or "")
        if pi is None:
            pi = next((o for o in snap.stripe_objects.values() if o.get("object") == "payment_intent"
                       and (o.get("metadata") or {}).get("booking_id") == bid), None)
        if pi is not None and pi.get("latest_charge") in snap.stripe_objects:
            pi = {**pi, "charge": snap.stripe_objects[pi["latest_charge"]]}
        return pi
    if kind == "event":
        eid = run.event_id(ref)
        event = next((e for e in snap.stripe_events if e["id"] == eid), None)
        if event is None:
            return None
        obj = event["data"]["object"]
        return snap.stripe_objects.get(obj.get("id"), obj)
    ent = _entity(run, ref, "provider")
    return snap.stripe_objects.get(ent.stripe_id or "")


def _table(key, table, want, snap: Snapshot, run: ScenarioRun) -> list[Mismatch]:
    if table not in snap.tables:
        raise LookupError(f"no table {table}; tables: {', '.join(t.name for t in run.world.stack.tables)}")
    items = snap.table(table)
    where = want.get("where") or {}
    chosen = [i for i in items if all(mismatch(v, _path(i, k)) is None for k, v in where.items())]
    out = []
    if "count" in want:
        reason = _count(want["count"], len(chosen))
        if reason:
            out.append(Mismatch(f"{key}.count", reason, _fmt(want["count"]), str(len(chosen))))
    for j, expected in enumerate(want.get("items") or []):
        if not any(not attrs("", expected, i) for i in chosen):
            out.append(Mismatch(f"{key}.items[{j}]", "no item matches", _fmt(expected),
                                f"{len(chosen)} item(s)" + (f", e.g. {show(chosen[0])}" if chosen else "")))
    return out


def _count(expected, actual: int) -> str | None:
    return mismatch(expected, actual)


# -- fixed keys --------------------------------------------------------------------------------------
def bus_selector(key: str) -> tuple[str | None, str | None]:
    """`Booking Confirmed` → (None, detail-type); `marketplace.payment: Payment Succeeded` → (source,
    detail-type); `marketplace.booking: *` → (source, None): every detail-type of that source."""
    source, sep, dtype = key.partition(": ")
    if not sep:
        return None, key
    return source.strip(), None if dtype.strip() == "*" else dtype.strip()


def _bus(key, want, snap: Snapshot, run) -> list[Mismatch]:
    out = []
    for dtype_key, expected in want.items():
        source, dtype = bus_selector(dtype_key)
        n = sum(1 for e in snap.bus_events
                if (dtype is None or e.detail_type == dtype) and (source is None or e.source == source))
        dtype = dtype_key
        reason = _count(expected, n)
        if reason:
            seen = sorted({e.detail_type for e in snap.bus_events})
            out.append(Mismatch(f"bus[{dtype!r}]", reason, _fmt(expected),
                                f"{n} (bus saw: {', '.join(seen) or 'nothing'})"))
    return out


def _machine_matches(machine: str, name: str) -> bool:
    return machine == name or machine == f"ecosystem-{name}" or machine.removeprefix("ecosystem-") == name


def _workflows(key, want, snap: Snapshot, run) -> list[Mismatch]:
    out = []
    for j, spec in enumerate(want):
        label = f"workflows[{j}]({spec['workflow']})"
        execs = [e for e in snap.executions if _machine_matches(e.machine, spec["workflow"])]
        if spec.get("input"):
            execs = [e for e in execs if isinstance(e.input, dict)
                     and mismatch(spec["input"], e.input) is None]
        statuses = sorted(e.status for e in execs)
        if "status" in spec:
            matching = [e for e in execs if e.status == spec["status"]]
            if "count" not in spec and (not execs or len(matching) != len(execs)):
                out.append(Mismatch(f"{label}.status", "not every execution has this status", spec["status"],
                                    str(statuses or "no executions")))
            execs = matching
        if "count" in spec:
            reason = _count(spec["count"], len(execs))
            if reason:
                out.append(Mismatch(f"{label}.count", reason, _fmt(spec["count"]), f"{len(execs)} {statuses}"))
        for state in spec.get("visited") or []:
            missing = [e for e in execs if state not in e.states]
            if not execs or missing:
                out.append(Mismatch(f"{label}.visited", f"state {state} not entered",
                                    state, str(missing[0].states if missing else "no executions")))
        for state in spec.get("not_visited") or []:
            bad = [e for e in execs if state in e.states]
            if bad:
                out.append(Mismatch(f"{label}.not_visited", f"state {state} was entered", f"not {state}",
                                    str(bad[0].states)))
    return out


def _metrics(key, want, snap: Snapshot, run) -> list[Mismatch]:
    out = []
    for name, expected in want.items():
        values = [m.get("value") or 0 for m in snap.metrics
                  if m.get("name") == name or str(m.get("name", "")).endswith("." + name)]
        total = sum(values)
        reason = _count(expected, total)
        if reason:
            out.append(Mismatch(f"metrics.{name}", reason, _fmt(expected), f"{total:g} from {len(values)} datum(s)"))
    return out


def _topic_matches(arn: str | None, topic: str) -> bool:
    return topic == "*" or str(arn or "").rsplit(":", 1)[-1] == topic or arn == topic


def _alerts(key, want, snap: Snapshot, run) -> list[Mismatch]:
    out = []
    for topic, expected in want.items():
        spec = expected if isinstance(expected, dict) and not is_matcher(expected) else {"count": expected}
        msgs = [m for m in snap.sns_messages if _topic_matches(m.get("topic"), topic)]
        if spec.get("contains"):
            msgs = [m for m in msgs if spec["contains"] in f"{m.get('subject') or ''} {m.get('message') or ''}"]
        count = spec.get("count", {"gte": 1})
        reason = _count(count, len(msgs))
        if reason:
            topics = sorted({str(m.get("topic", "")).rsplit(":", 1)[-1] for m in snap.sns_messages})
            out.append(Mismatch(f"alerts.{topic}", reason, _fmt(count),
                                f"{len(msgs)} (topics with messages: {', '.join(topics) or 'none'})"))
    return out


def _stripe(key, want, snap: Snapshot, run) -> list[Mismatch]:
    out = []
    for etype, expected in (want.get("events") or {}).items():
        n = sum(1 for e in snap.stripe_events if e.get("type") == etype)
        reason = _count(expected, n)
        if reason:
            out.append(Mismatch(f"stripe.events[{etype!r}]", reason, _fmt(expected), str(n)))
    return out


def _logs(key, want, snap: Snapshot, run) -> list[Mismatch]:
    out = []
    for j, spec in enumerate(want):
        lines = [entry for entry in snap.logs if spec["contains"] in str(entry.get("message", ""))
                 and (not spec.get("function") or entry.get("function") == spec["function"])
                 and (not spec.get("group") or log_group(entry) == spec["group"])
                 and (not spec.get("level") or str(entry.get("level", "")).upper().startswith(
                     spec["level"].upper()[:4]))]
        count = spec.get("count", {"gte": 1})
        reason = _count(count, len(lines))
        if reason:
            out.append(Mismatch(f"logs[{j}]", f"{spec['contains']!r}: {reason}", _fmt(count), str(len(lines))))
    return out


def log_group(entry: dict) -> str | None:
    """The CloudWatch log group of a captured line: a function's /aws/lambda/<name>, or the group
    an EventBridge rule's logs target wrote to."""
    if entry.get("group"):
        return entry["group"]
    return f"/aws/lambda/{entry['function']}" if entry.get("function") else None


FIXED = {"bus": _bus, "workflows": _workflows, "metrics": _metrics, "alerts": _alerts, "stripe": _stripe,
         "logs": _logs}
