"""The parsed export: recorded events (with where each came from) and delivery attempts."""

from __future__ import annotations

from dataclasses import dataclass, field

from sim.stripe.events import EVENT_TYPES


@dataclass(frozen=True)
class Recorded:
    """One recorded event: the event as Stripe rendered it, and where it was read."""

    event: dict
    where: str          # "file:line" (or "file")
    order: int          # position in the export, oldest first (ties on `created` keep it)

    @property
    def id(self) -> str:
        return self.event["id"]

    @property
    def type(self) -> str:
        return self.event["type"]

    @property
    def created(self) -> int:
        return self.event["created"]

    @property
    def account(self) -> str | None:
        return self.event.get("account") or None

    @property
    def object(self) -> dict:
        return self.event["data"]["object"]


@dataclass(frozen=True)
class Attempt:
    """One delivery attempt from the endpoint's log: which event, when (unix seconds, may have a
    fraction), the HTTP status it got (None: no response, e.g. a timeout), and whether the request
    reached the endpoint at all (`reached: false`: refused, DNS, TLS — the handler never saw it)."""

    event_id: str
    at: float
    status: int | None
    reached: bool
    where: str
    order: int


@dataclass
class Export:
    """Everything read from the files: events oldest first, attempts in time order."""

    files: list[str]
    events: list[Recorded]
    attempts: list[Attempt] | None     # None: no delivery log (each event delivered once)
    name: str | None = None
    description: str | None = None
    notes: list[str] = field(default_factory=list)
    _by_id: dict[str, Recorded] = field(default_factory=dict, init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        self._by_id = {r.id: r for r in self.events}

    def event(self, event_id: str) -> Recorded:
        return self._by_id[event_id]

    @property
    def unknown_types(self) -> list[str]:
        """Event types the fake Stripe does not emit (replayed anyway; the handler may skip them)."""
        known = set(EVENT_TYPES)
        return sorted({r.type for r in self.events if r.type not in known})

    @property
    def never_delivered(self) -> list[str]:
        """Events the endpoint never saw: no attempt that reached it (all of them without a log: none)."""
        if self.attempts is None:
            return []
        seen = {a.event_id for a in self.attempts if a.reached}
        return [r.id for r in self.events if r.id not in seen]
