"""Deliveries of Stripe events to the webhook endpoint as signed requests (authorizer, then
stripe-webhook), under the scenario's control: copies, at once, order, delay, spacing and the
signature (valid, bad, stale, future, missing, old secret: signed by the delivery channel's one
signing path, `Channel.sign`). Also the secret rotation."""

from __future__ import annotations

from datetime import timedelta

from sim.durations import parse_duration
from sim.scenario.context import ScenarioRun, StepFailed
from sim.scenario.steps import deliver_other, step
from sim.scenario.worldext import endpoint, endpoints
from sim.stripe.delivery import Endpoint, Signing
from sim.stripe.events import types_match

NOT_THE_SECRET = "whsec_not_the_endpoint_secret"  # `old_secret` for an endpoint that never rolled one


def signing_for(signature: str, age: float, ep: Endpoint) -> Signing:
    """The channel's signing for a `signature:` mode (valid, bad, stale, future, missing, old_secret)."""
    if signature in ("stale", "future"):
        return Signing(offset_s=-int(age) if signature == "stale" else int(age))
    if signature == "old_secret":
        return Signing(secrets=tuple(s for s, _ in ep.previous_secrets) or (NOT_THE_SECRET,))
    return Signing(corrupt=signature == "bad", unsigned=signature == "missing")


def _ledger(run: ScenarioRun):
    if run.world.stripe is None:
        raise StepFailed("this world has no fake Stripe")
    return run.world.stripe.ledger


def _about(run: ScenarioRun, event: dict, ref) -> bool:
    kind, subject = run.subject(ref)
    obj = event["data"]["object"]
    if kind == "provider":
        return event.get("account") == subject.stripe_id
    meta = obj.get("metadata") or {}
    if meta.get("bookingId") == subject or meta.get("booking_id") == subject:
        return True
    booking = run.booking(subject) or {}
    pi = booking.get("paymentIntentId")
    return bool(pi) and (obj.get("id") == pi or obj.get("payment_intent") == pi)


def select(run: ScenarioRun, spec: dict) -> list[dict]:
    led = _ledger(run)
    if "event" in spec:
        return [_event(led, run.event_id(spec["event"]))]
    if "events" in spec:
        return [_event(led, run.event_id(a)) for a in spec["events"]]
    candidates = list(led.events)
    if "type" in spec:
        chosen = [e for e in candidates if types_match([spec["type"]], e["type"])]
        if "for" in spec:
            chosen = [e for e in chosen if _about(run, e, spec["for"])]
        return chosen
    delivered = run.delivered_ids | {eid for eid, _ in run.world.stripe.channel.received}
    return [e for e in candidates if e["id"] not in delivered]


def _event(led, event_id: str) -> dict:
    found = led.find_event(event_id)
    if found is None:
        raise StepFailed(f"no Stripe event {event_id}")
    return found


def send(run: ScenarioRun, event: dict, *, signature: str = "valid", age: float = 600.0, copy: int = 0) -> int:
    """One signed request to the ingress (call inside a task); the HTTP status it answered."""
    w = run.world
    led = _ledger(run)
    ep = endpoint(w, event)
    body = led.body(event["id"])
    headers, _ = w.stripe.channel.sign(ep, body, signing_for(signature, age, ep))
    status = w.webhook_ingress(headers, body)
    run.deliveries.append({"event": event["id"], "type": event["type"], "copy": copy, "status": status,
                           "signature": signature})
    if 200 <= int(status) < 300:
        run.delivered_ids.add(event["id"])
        if led.is_imported(event["id"]):  # a recorded event (sim replay): Stripe now counts it delivered
            led.delivered(event["id"])
    w.trace.record("stripe", "webhook.manual", event["id"], event_id=event["id"], type=event["type"], copy=copy,
                   status=status, signature=signature)
    return status


@step("deliver")
def deliver(run: ScenarioRun, spec: dict) -> None:
    if any(p in spec for p in deliver_other.PROVIDERS):  # GitHub / Shopify: the authorizer's answer
        deliver_other.deliver(run, spec)
        return
    w = run.world
    events = select(run, spec)
    if not events:
        raise StepFailed("no events match this delivery")
    order = spec.get("order", "given")
    if order == "reversed":
        events = events[::-1]
    elif order == "shuffled":
        run.rng.child(f"deliver-{run.item.index if run.item else 0}").shuffle(events)
    copies = int(spec.get("copies", 1))
    signature = spec.get("signature", "valid")
    age = parse_duration(spec.get("age", "10m")).total_seconds()
    spacing = parse_duration(spec.get("spacing", 0)).total_seconds()
    delay = parse_duration(spec.get("delay", 0)).total_seconds()
    jobs = [(e, c) for e in events for c in range(copies)]
    sched = w.scheduler
    run.trace("deliver", None, events=[e["id"] for e in events], copies=copies, signature=signature,
              concurrent=bool(spec.get("concurrent")), delay=delay)

    def spawn(event, copy):
        return sched.spawn(send, run, event, signature=signature, age=age, copy=copy,
                           name=f"deliver {event['id']}#{copy}")

    if delay:
        for i, (event, copy) in enumerate(jobs):
            sched.call_later(timedelta(seconds=delay + i * spacing), spawn, event, copy)
        return
    if spec.get("concurrent"):
        statuses = run.wait_all([spawn(e, c) for e, c in jobs])
    else:
        statuses = []
        for i, (event, copy) in enumerate(jobs):
            if i and spacing:
                w.advance(spacing)
            statuses += run.wait_all([spawn(event, copy)])
    _check_statuses(spec.get("expect_status"), statuses)


def _check_statuses(expected, statuses: list[int]) -> None:
    if expected is None:
        return
    if isinstance(expected, list):
        ok = statuses == expected
    else:
        ok = all(s == expected for s in statuses)
    if not ok:
        raise StepFailed("the endpoint answered other statuses", expected=expected, actual=statuses,
                         kind="expectation", name="expect_status")


@step("rotate_secret")
def rotate_secret(run: ScenarioRun, spec: dict) -> None:
    w = run.world
    grace = parse_duration(spec.get("grace", 0)).total_seconds()
    new = spec.get("new")
    for ep in endpoints(w):
        rolled = w.stripe.channel.roll_secret(ep, grace_s=grace)
        new = new or rolled
        ep.secret = new
    if spec.get("deploy", True):
        w.set_env("STRIPE_WEBHOOK_SECRET", new)
    run.trace("secret.rotated", None, deployed=spec.get("deploy", True), grace_s=grace)
