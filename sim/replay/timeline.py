"""When things happen in the replay: each event enters the fake Stripe at its `created` second,
each recorded attempt is delivered at its recorded instant (duplicates included; an attempt that
never reached the endpoint becomes a note; an event without a reaching attempt is never
delivered). Without a delivery log every event is delivered once, 1 s after it was created.

Speeds: `as-recorded` keeps every instant (virtual time, so hours take seconds of wall time);
`compressed` keeps the order but shortens every quiet gap longer than `max_gap` to about
`max_gap` (whole seconds are removed, so `created` stays an integer and is rewritten to the
compressed clock). Compression changes what elapsed time means to the system (lock expiry, a 02:00
run that fell inside the incident): use it to ask "what if it had all arrived back to back?".
"""

from __future__ import annotations

import bisect
import math
from dataclasses import dataclass, field
from datetime import UTC, datetime

from sim.replay.cast import Cast, build_cast
from sim.replay.export import Attempt, Export

SPEEDS = ("as-recorded", "compressed")
LATENCY_S = 1.0          # without a log: Stripe's delivery latency, as the fake's channel uses
LEAD_S = 300             # the world is built this long before the first recorded instant
_RANK = {"import": 0, "unreached": 1, "deliver": 2}


@dataclass(frozen=True)
class Action:
    at: float                    # virtual unix seconds (after the speed mapping)
    kind: str                    # import | deliver | unreached
    event_id: str
    attempt: Attempt | None = None
    seq: int = 0


@dataclass
class Plan:
    export: Export
    cast: Cast
    speed: str
    max_gap: float
    reconcile: bool
    start: datetime
    actions: list[Action]
    aliases: dict[str, str]                            # event id -> scenario alias
    created: dict[str, int] = field(default_factory=dict)  # event id -> created as replayed

    def event(self, event_id: str) -> dict:
        """The event as it is imported (`created` on the replay's clock)."""
        event = self.export.event(event_id).event
        created = self.created.get(event_id, event["created"])
        return event if created == event["created"] else {**event, "created": created}

    @property
    def deliveries(self) -> list[Action]:
        return [a for a in self.actions if a.kind == "deliver"]

    @property
    def end(self) -> float:
        return max(a.at for a in self.actions)


def alias_for(n: int, event_type: str) -> str:
    return f"e{n}_" + "".join(c if c.isalnum() else "_" for c in event_type)


def compressor(instants: list[float], max_gap: float):
    """A monotone map that shortens gaps longer than `max_gap` by whole seconds."""
    points = sorted(set(instants))
    removed, cumulative = 0, []
    for i, t in enumerate(points):
        if i:
            gap = t - points[i - 1]
            if gap > max_gap:
                removed += math.floor(gap - max_gap)
        cumulative.append(removed)

    def shift(t: float) -> float:
        i = bisect.bisect_right(points, t) - 1
        return t - (cumulative[i] if i >= 0 else 0)

    return shift


def build_plan(export: Export, *, speed: str = "as-recorded", max_gap: float = 1.0, reconcile: bool = True,
               cast: Cast | None = None) -> Plan:
    if speed not in SPEEDS:
        raise ValueError(f"speed is one of {', '.join(SPEEDS)}, got {speed!r}")
    if max_gap < 0:
        raise ValueError(f"max_gap must be >= 0, got {max_gap}")
    created = {r.id: r.created for r in export.events}
    raw: list[Action] = [Action(float(r.created), "import", r.id, None, r.order) for r in export.events]
    if export.attempts is None:
        raw += [Action(r.created + LATENCY_S, "deliver", r.id, None, r.order) for r in export.events]
    else:
        for a in export.attempts:
            at = max(a.at, float(created[a.event_id]))
            raw.append(Action(at, "deliver" if a.reached else "unreached", a.event_id, a, a.order))
    shift = compressor([a.at for a in raw], max_gap) if speed == "compressed" else (lambda t: t)
    actions = sorted((Action(shift(a.at), a.kind, a.event_id, a.attempt, a.seq) for a in raw),
                     key=lambda a: (a.at, _RANK[a.kind], a.seq))
    replayed = {eid: int(shift(float(c))) for eid, c in created.items()}
    first = min(a.at for a in actions)
    start = datetime.fromtimestamp((math.floor(first) - LEAD_S) // 60 * 60, UTC)
    aliases = {r.id: alias_for(r.order + 1, r.type) for r in export.events}
    return Plan(export, cast or build_cast(export), speed, max_gap, reconcile, start, actions, aliases, replayed)
