"""Stripe delivery faults (the `stripe.delivery` kind of the fault plane): a small declarative description of what goes wrong on the way to an endpoint.

    Fault("duplicate", match={"type": "payment_intent.succeeded"}, copies=3, concurrent=True)
    Fault.parse({"drop": {"type": "charge.refunded"}})          # the scenario form

Match keys (all must hold; a value may be a list): `type` (Stripe `*` wildcards), `event` (id),
`account` (connected account id, or None for platform events), `endpoint` (endpoint id),
`booking_id` (the object's metadata). `times` limits how often the fault applies (None: always).

Kinds, by when they act:
- per delivery (event x endpoint): `drop` (never delivered), `duplicate` (`copies` deliveries in
  all, `concurrent` at one instant or `spread_s` apart), `reorder` (matching events collected for
  `window_s` then delivered shuffled), `delay` (`delay_s` later);
- per attempt: `endpoint_down` (answers `status`, an HTTP code or "timeout", without reaching the
  endpoint), `bad_signature` (v1 altered), `stale_timestamp` / `future_timestamp` (signed
  correctly with t = now ∓ `offset_s`), `rotated_secret` (the endpoint secret was rolled: the
  request carries v1 for the new and the old secret, or only the new one when `expired`).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sim.errors import InputError, UnknownName
from sim.faults.plane import FaultSpec
from sim.stripe.events import types_match

DELIVERY_KINDS = ("drop", "duplicate", "reorder", "delay")
ATTEMPT_KINDS = ("endpoint_down", "bad_signature", "stale_timestamp", "future_timestamp", "rotated_secret")
KINDS = DELIVERY_KINDS + ATTEMPT_KINDS
MATCH_KEYS = ("type", "event", "account", "endpoint", "booking_id")
OPTION_KEYS = ("times", "copies", "concurrent", "spread_s", "window_s", "delay_s", "status", "offset_s",
               "expired", "name")


@dataclass(eq=False)
class DeliveryFault(FaultSpec):
    KIND = "stripe.delivery"

    kind: str
    match: dict = field(default_factory=dict)
    times: int | None = None
    copies: int = 2
    concurrent: bool = True
    spread_s: float = 30.0
    window_s: float = 5.0
    delay_s: float = 60.0
    status: int | str = 503
    offset_s: float | None = None
    expired: bool = False
    name: str | None = None
    applied: int = field(default=0, init=False)

    def __post_init__(self):
        if self.kind not in KINDS:
            raise UnknownName("fault kind", self.kind, KINDS)
        for key in self.match:
            if key not in MATCH_KEYS:
                raise UnknownName("fault match key", key, MATCH_KEYS)
        if self.times is not None and (not isinstance(self.times, int) or self.times < 0):
            raise InputError(f"fault {self.kind}: times must be a non-negative integer, got {self.times!r}")
        if not isinstance(self.copies, int) or self.copies < 1:
            raise InputError(f"fault {self.kind}: copies must be an integer ≥ 1, got {self.copies!r}")
        for key in ("spread_s", "window_s", "delay_s"):
            value = getattr(self, key)
            if not isinstance(value, (int, float)) or value < 0:
                raise InputError(f"fault {self.kind}: {key} must be a non-negative number, got {value!r}")
        if not (self.status == "timeout" or (isinstance(self.status, int) and 100 <= self.status <= 599)):
            raise InputError(f"fault {self.kind}: status must be an HTTP status or 'timeout', got {self.status!r}")
        if self.offset_s is None:
            self.offset_s = 3600.0 if self.kind == "future_timestamp" else 600.0

    @classmethod
    def parse(cls, spec: dict) -> DeliveryFault:
        """`{"kind": "drop", "type": …}` or the scenario form `{"drop": {"type": …, "times": 1}}`."""
        if not isinstance(spec, dict):
            raise InputError(f"a fault is a mapping, got {spec!r}")
        if "kind" in spec:
            kind, body = spec["kind"], {k: v for k, v in spec.items() if k != "kind"}
        elif len(spec) == 1:
            kind, body = next(iter(spec.items()))
            body = dict(body or {})
        else:
            raise InputError(f"a fault names one kind ({', '.join(KINDS)}), got keys {sorted(spec)}")
        if kind not in KINDS:
            raise UnknownName("fault kind", kind, KINDS)
        match = dict(body.pop("match", {}) or {})
        options = {}
        for key, value in body.items():
            if key in MATCH_KEYS:
                match[key] = value
            elif key in OPTION_KEYS:
                options[key] = value
            else:
                raise UnknownName(f"{kind} fault field", key, MATCH_KEYS + OPTION_KEYS)
        return cls(kind, match=match, **options)

    @property
    def fired(self) -> int:
        return self.applied

    @property
    def scenario_kind(self) -> str:
        return self.kind

    @property
    def label(self) -> str:
        return self.name or self.kind

    def matches(self, event: dict, endpoint_id: str) -> bool:
        if self.times is not None and self.applied >= self.times:
            return False
        for key, want in self.match.items():
            wants = want if isinstance(want, (list, tuple, set)) else [want]
            if key == "type":
                if not types_match(wants, event["type"]):
                    return False
            elif key == "event":
                if event["id"] not in wants:
                    return False
            elif key == "account":
                if event.get("account") not in wants:
                    return False
            elif key == "endpoint":
                if endpoint_id not in wants:
                    return False
            elif key == "booking_id":
                meta = event["data"]["object"].get("metadata")
                if not isinstance(meta, dict) or meta.get("booking_id") not in wants:
                    return False
        return True

    def take(self, event: dict, endpoint_id: str, kinds: tuple[str, ...] | None = None) -> bool:
        """True (and counted) when the fault (of one of `kinds`, if given) applies to this event at
        this endpoint now."""
        if (kinds is None or self.kind in kinds) and self.matches(event, endpoint_id):
            self.applied += 1
            return True
        return False

    def to_scenario(self) -> dict | None:
        """The scenario form (`{"drop": {"type": …, "times": 2}}`) when the fault has one: matching by
        type only, and a kind the scenario language names (not rotated_secret)."""
        if set(self.match) - {"type"} or self.kind == "rotated_secret" or self.kind == "endpoint_down":
            return None
        body: dict = {}
        if "type" in self.match:
            want = self.match["type"]
            if not isinstance(want, str):
                return None
            body["type"] = want
        if self.times is not None:
            body["times"] = self.times
        if self.kind == "duplicate":
            body.update(copies=self.copies, concurrent=self.concurrent)
        elif self.kind == "delay":
            body["by"] = seconds_text(self.delay_s)
        elif self.kind == "reorder":
            body["window"] = seconds_text(self.window_s)
        elif self.kind in ("stale_timestamp", "future_timestamp"):
            body["by"] = seconds_text(self.offset_s)
        return {self.kind: body}


def seconds_text(seconds: float) -> str:
    """A duration in the scenario language: `90s`, `1.5s`."""
    return f"{int(seconds)}s" if float(seconds).is_integer() else f"{seconds}s"
