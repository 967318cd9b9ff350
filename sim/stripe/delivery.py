"""The webhook delivery channel: endpoints, signed requests, faults and Stripe's retry schedule.

Every event the ledger commits goes to each enabled endpoint that accepts it (platform endpoints
get platform events, Connect endpoints events with `account`, both filtered by `enabled_events`).
A delivery is a lane of attempts; each attempt runs as a scheduler task at its virtual time,
builds Stripe's headers over the event's raw body (`sign`: signed at that instant, or as a fault
says), and calls the target:
a Python callable `(headers, body) -> status` (the world's ingress) or a URL (HTTP POST). A 2xx
ends the lane; anything else (or an exception, or a timeout) schedules the next attempt by the
retry schedule. Deliveries scheduled at the same instant are spaced `spacing_s` apart so that,
without faults, endpoints see events in causal order. Every attempt is recorded (`attempts`,
`log()`), like the Dashboard's delivery log, and traced as `webhook.attempt`.
"""

from __future__ import annotations

import threading
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from datetime import timedelta

from sim.errors import InputError
from sim.faults.delivery import ATTEMPT_KINDS, KINDS, DeliveryFault
from sim.faults.plane import FaultPlane
from sim.packed import pack, unpack
from sim.stripe import signing
from sim.stripe.events import types_match
from sim.stripe.retry import RetrySchedule

Target = Callable[[dict[str, str], bytes], object] | str


@dataclass
class Endpoint:
    """A webhook endpoint: where to send, the signing secret, platform or Connect, which types."""

    id: str
    target: Target
    secret: str
    connect: bool = False
    enabled_events: tuple[str, ...] = ("*",)
    enabled: bool = True
    description: str | None = None
    previous_secrets: list[tuple[str, int]] = field(default_factory=list)  # (secret, valid until unix s)

    def accepts(self, event: dict) -> bool:
        return self.enabled and (("account" in event) == self.connect) and types_match(self.enabled_events,
                                                                                       event["type"])

    def signing_secrets(self, now: int) -> list[str]:
        """The current secret, then rolled ones still inside their grace period (two v1s)."""
        return [self.secret, *[s for s, until in self.previous_secrets if until > now]]

    @property
    def url(self) -> str | None:
        return self.target if isinstance(self.target, str) else None


@dataclass(frozen=True)
class Signing:
    """How a request is signed. The default is Stripe's: now, with the endpoint's signing secrets;
    the rest are the deliberate mistakes of delivery faults and of the scenario `deliver` step."""

    offset_s: int = 0                       # the timestamp's distance from now (< 0 stale, > 0 ahead)
    secrets: tuple[str, ...] | None = None  # None: the endpoint's signing secrets at that instant
    corrupt: bool = False                   # every v1 altered (a tampered request)
    unsigned: bool = False                  # no Stripe-Signature header at all


@dataclass(slots=True)
class Attempt:
    """One delivery attempt, as the Dashboard shows it."""

    event_id: str
    event_type: str
    endpoint: str
    delivery: int
    copy: int
    attempt: int
    at: str
    signed_at: int
    status: int | None
    outcome: str  # succeeded | failed | timeout | error
    faults: list[str]
    error: str | None = None
    next_retry_at: str | None = None

    def to_dict(self) -> dict:
        return asdict(self)


@dataclass(slots=True)
class _Lane:
    id: int
    event: dict | None  # released (None) with the body once the lane has ended
    packed: bytes | None  # the body, packed while the lane waits; released (None) once it has ended
    endpoint: Endpoint
    copy: int
    attempts: int = 0
    state: str = "scheduled"  # scheduled | succeeded | failed

    @property
    def body(self) -> bytes | None:
        """The bytes this lane delivers (None once it has ended: the ledger keeps them packed)."""
        return None if self.packed is None else unpack(self.packed)


class Channel:
    """Delivers the ledger's events to endpoints through faults, with retries, on the scheduler."""

    def __init__(self, ledger, scheduler, rng, *, trace=None, retry: RetrySchedule | None = None,
                 latency_s: float = 1.0, spacing_s: float = 0.001, http_timeout_s: float = 10.0,
                 faults: FaultPlane | None = None):
        self.ledger = ledger
        self.scheduler = scheduler
        self.rng = rng
        self.trace = trace
        self.retry = retry or RetrySchedule.test_mode()
        self.latency_s = latency_s
        self.spacing_s = spacing_s
        self.http_timeout_s = http_timeout_s
        self.endpoints: list[Endpoint] = []
        self.plane = faults if faults is not None else FaultPlane()  # consulted for DeliveryFault specs
        self.attempts: list[Attempt] = []
        self.received: list[tuple[str, str]] = []  # (event id, endpoint id) per 2xx answer
        self.dropped: list[tuple[str, str]] = []
        self._lanes: list[_Lane] = []
        self._succeeded: set[tuple[str, str]] = set()
        self._burst_at = None
        self._burst = 0
        self._reorder: dict[int, list] = {}
        self._rotated: dict[int, str] = {}
        self.observers: list[Callable[[Attempt], None]] = []
        # events committed on another thread (the API server while the scheduler runs in real
        # time, `sim stripe serve`) wait here until the scheduler's thread calls flush()
        self.defer_foreign_threads = False
        self._home_thread = threading.get_ident()
        self._inbox: list[tuple[dict, bytes]] = []
        self._inbox_lock = threading.Lock()
        ledger.listeners.append(self._on_event)
        ledger.pending_counter = self.count_targets

    # -- configuration ----------------------------------------------------------------------
    def add_endpoint(self, target: Target, secret: str | None = None, connect: bool = False,
                     enabled_events=("*",), description: str | None = None) -> Endpoint:
        if not (callable(target) or (isinstance(target, str) and target.startswith(("http://", "https://")))):
            raise InputError(f"an endpoint target is a callable (headers, body) -> status or an http(s) URL, "
                             f"got {target!r}")
        if secret is not None and not (isinstance(secret, str) and secret.startswith("whsec_")):
            raise InputError(f"an endpoint secret starts with 'whsec_', got {secret!r}")
        events = (enabled_events,) if isinstance(enabled_events, str) else tuple(enabled_events)
        now = self.ledger.now()
        endpoint = Endpoint(self.ledger.ids.new("we", now), target,
                            secret or self.ledger.ids.new("whsec", now), connect=connect,
                            enabled_events=events, description=description)
        self.endpoints.append(endpoint)
        return endpoint

    def roll_secret(self, endpoint: Endpoint, grace_s: float = 24 * 3600) -> str:
        """Roll the endpoint's secret; the old one keeps signing (a second v1) for `grace_s`."""
        now = self.ledger.now()
        endpoint.previous_secrets.insert(0, (endpoint.secret, now + int(grace_s)))
        endpoint.secret = self.ledger.ids.new("whsec", now)
        return endpoint.secret

    @property
    def faults(self) -> list[DeliveryFault]:
        """The delivery faults in force, in the order they are consulted."""
        return self.plane.of(DeliveryFault.KIND)

    def add_fault(self, fault: DeliveryFault | dict) -> DeliveryFault:
        return self.plane.add(fault if isinstance(fault, DeliveryFault) else DeliveryFault.parse(fault))

    def remove_fault(self, fault: DeliveryFault) -> None:
        self.plane.remove(fault)

    def clear_faults(self) -> None:
        self.plane.clear(KINDS)

    def count_targets(self, event: dict) -> int:
        return sum(1 for e in self.endpoints if e.accepts(event))

    # -- reading ----------------------------------------------------------------------------
    def log(self, event_id: str | None = None, endpoint: str | None = None) -> list[dict]:
        return [a.to_dict() for a in self.attempts
                if (event_id is None or a.event_id == event_id) and (endpoint is None or a.endpoint == endpoint)]

    def delivered_ok(self, event_id: str, endpoint: str | None = None) -> bool:
        return any(e == event_id and (endpoint is None or p == endpoint) for e, p in self._succeeded)

    @property
    def in_flight(self) -> int:
        return sum(1 for lane in self._lanes if lane.state == "scheduled") + sum(map(len, self._reorder.values()))

    # -- dispatch ---------------------------------------------------------------------------
    def _on_event(self, event: dict, body: bytes) -> None:
        if self.defer_foreign_threads and threading.get_ident() != self._home_thread:
            with self._inbox_lock:
                self._inbox.append((event, body))
            return
        self._route(event, body)

    def flush(self) -> None:
        """Schedule the deliveries of events committed on other threads (see defer_foreign_threads)."""
        with self._inbox_lock:
            inbox, self._inbox = self._inbox, []
        for event, body in inbox:
            self._route(event, body)

    def _route(self, event: dict, body: bytes) -> None:
        for endpoint in self.endpoints:
            if endpoint.accepts(event):
                self._dispatch(event, body, endpoint)

    def resend(self, event_id: str, endpoint: Endpoint | None = None) -> None:
        """A manual resend (Dashboard / `stripe events resend`): a new delivery, no faults."""
        event = self.ledger.find_event(event_id)
        if event is None:
            raise KeyError(event_id)
        for ep in [endpoint] if endpoint else [e for e in self.endpoints if e.accepts(event)]:
            self._schedule(event, self.ledger.body(event_id), ep, copy=0, delay=self._next_slot())

    def _dispatch(self, event: dict, body: bytes, endpoint: Endpoint, *, reordered: bool = False) -> None:
        plane, kind = self.plane, DeliveryFault.KIND
        if not reordered:  # a drop wins over every other fault, then a reorder holds it back
            fault = plane.match(kind, event, endpoint.id, ("drop",))
            if fault is not None:
                self.dropped.append((event["id"], endpoint.id))
                if self.trace is not None:
                    self.trace.record("stripe", "webhook.dropped", event["id"], event_id=event["id"],
                                      type=event["type"], endpoint=endpoint.id, fault=fault.label)
                return
            fault = plane.match(kind, event, endpoint.id, ("reorder",))
            if fault is not None:
                self._hold(fault, event, body, endpoint)
                return
        copies, concurrent, spread, delay = 1, True, 0.0, self._next_slot()
        for fault in plane.match_all(kind, event, endpoint.id, ("duplicate", "delay")):
            if fault.kind == "duplicate":
                copies, concurrent, spread = fault.copies, fault.concurrent, fault.spread_s
            elif fault.kind == "delay":
                delay += fault.delay_s
        for copy in range(copies):
            self._schedule(event, body, endpoint, copy=copy, delay=delay + (0 if concurrent else copy * spread))

    def _next_slot(self) -> float:
        now = self.scheduler.clock.now()
        if self._burst_at != now:
            self._burst_at, self._burst = now, 0
        slot = self.latency_s + self._burst * self.spacing_s
        self._burst += 1
        return slot

    def _hold(self, fault: DeliveryFault, event: dict, body: bytes, endpoint: Endpoint) -> None:
        key = id(fault)
        if key not in self._reorder:
            self._reorder[key] = []
            self.scheduler.call_later(fault.window_s, self._release, key)
        self._reorder[key].append((event, body, endpoint))

    def _release(self, key: int) -> None:
        held = self._reorder.pop(key, [])
        order = list(range(len(held)))
        if len(order) > 1:
            while order == sorted(order):
                self.rng.shuffle(order)
        for i in order:
            event, body, endpoint = held[i]
            self._dispatch(event, body, endpoint, reordered=True)

    def _schedule(self, event: dict, body: bytes, endpoint: Endpoint, *, copy: int, delay: float) -> None:
        packed = self.ledger.packed_body(event["id"], body) or pack(body)  # the ledger's copy when it is the same
        lane = _Lane(len(self._lanes), event, packed, endpoint, copy)
        self._lanes.append(lane)
        self.scheduler.call_later(delay, self._start, lane)

    def _start(self, lane: _Lane) -> None:
        self.scheduler.spawn(self._attempt, lane, name=f"webhook {lane.event['id']}#{lane.copy}")

    # -- signing ----------------------------------------------------------------------------
    def sign(self, endpoint: Endpoint, body: bytes, how: Signing = Signing()) -> tuple[dict[str, str], int]:
        """The headers of a request carrying `body` to `endpoint`, as Stripe sends them now (or
        signed as `how` says); and the timestamp signed."""
        now = self.ledger.now()
        signed_at = now + how.offset_s
        secrets = list(how.secrets) if how.secrets is not None else endpoint.signing_secrets(now)
        headers = signing.stripe_headers(body, secrets, signed_at)
        if how.corrupt:
            headers[signing.STRIPE_HEADER] = signing.corrupt_stripe_signature(headers[signing.STRIPE_HEADER])
        if how.unsigned:
            del headers[signing.STRIPE_HEADER]
        return headers, signed_at

    # -- one attempt ------------------------------------------------------------------------
    def _attempt(self, lane: _Lane) -> None:
        event, endpoint = lane.event, lane.endpoint
        lane.attempts += 1
        now = self.ledger.now()
        applied: list[str] = []
        down: DeliveryFault | None = None
        offset, secrets, corrupt = 0, None, False
        for fault in self.plane.match_all(DeliveryFault.KIND, event, endpoint.id, ATTEMPT_KINDS):
            applied.append(fault.label)
            if fault.kind == "endpoint_down":
                down = fault
            elif fault.kind == "bad_signature":
                corrupt = True
            elif fault.kind == "stale_timestamp":
                offset = -int(fault.offset_s)
            elif fault.kind == "future_timestamp":
                offset = int(fault.offset_s)
            elif fault.kind == "rotated_secret":
                new = self._rotated.setdefault(id(fault), self.ledger.ids.new("whsec", now))
                current = secrets if secrets is not None else tuple(endpoint.signing_secrets(now))
                secrets = (new,) if fault.expired else (new, *current)
        body = lane.body
        headers, signed_at = self.sign(endpoint, body, Signing(offset, secrets, corrupt))
        status, error = None, None
        if down is not None:
            status = None if down.status == "timeout" else down.status
            outcome = "timeout" if down.status == "timeout" else None
        else:
            status, outcome, error = self._call(endpoint, headers, body)
        if outcome is None:
            outcome = "succeeded" if status is not None and 200 <= status < 300 else "failed"
        next_at = None
        if outcome == "succeeded":
            lane.state = "succeeded"
            lane.packed = lane.event = None
            self.received.append((event["id"], endpoint.id))
            key = (event["id"], endpoint.id)
            if key not in self._succeeded:
                self._succeeded.add(key)
                self.ledger.delivered(event["id"])
        else:
            delay = self.retry.delay_after(lane.attempts)
            if delay is None:
                lane.state = "failed"
                lane.packed = lane.event = None
            else:
                when = self.scheduler.clock.now() + timedelta(seconds=delay)
                next_at = _iso(when)
                self.scheduler.call_at(when, self._start, lane)
        attempt = Attempt(event["id"], event["type"], endpoint.id, lane.id, lane.copy, lane.attempts,
                          _iso(self.scheduler.clock.now()), signed_at, status, outcome, applied, error, next_at)
        self.attempts.append(attempt)
        for observer in self.observers:
            observer(attempt)
        if self.trace is not None:
            self.trace.record("stripe", "webhook.attempt", event["id"], event_id=event["id"], type=event["type"],
                              endpoint=endpoint.id, attempt=lane.attempts, copy=lane.copy, status=status,
                              outcome=outcome, faults=applied, next_retry_at=next_at)

    def _call(self, endpoint: Endpoint, headers: dict[str, str], body: bytes):
        """(status, outcome or None, error) from the endpoint."""
        if isinstance(endpoint.target, str):
            request = urllib.request.Request(endpoint.target, data=body, headers=headers, method="POST")
            try:
                with urllib.request.urlopen(request, timeout=self.http_timeout_s) as response:
                    return response.status, None, None
            except urllib.error.HTTPError as exc:
                return exc.code, None, None
            except TimeoutError as exc:
                return None, "timeout", str(exc)
            except (urllib.error.URLError, OSError) as exc:
                reason = getattr(exc, "reason", exc)
                return None, "timeout" if isinstance(reason, TimeoutError) else "error", str(reason)
        try:
            answer = endpoint.target(dict(headers), body)
        except TimeoutError as exc:
            return None, "timeout", str(exc) or "timeout"
        except Exception as exc:  # noqa: BLE001 - an endpoint crash is a failed delivery, retried
            return None, "error", f"{type(exc).__name__}: {exc}"
        if answer is None:
            return 200, None, None
        if isinstance(answer, tuple):
            answer = answer[0]
        status = getattr(answer, "status_code", answer)
        if not isinstance(status, int):
            return None, "error", f"endpoint returned {answer!r}, not an HTTP status"
        return status, None, None


def _iso(dt) -> str:
    return dt.isoformat(timespec="milliseconds").replace("+00:00", "Z")
