"""The virtual clock: aware UTC time that only moves when the simulation moves it.

While a world is active the clock also drives time-machine, so `time.time()`,
`datetime.now()`, `datetime.now(timezone.utc)` and `datetime.utcnow()` in handler code return
virtual time (lock expiries, timestamps and TTLs written by handlers follow the simulation).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

DEFAULT_START = datetime(2026, 1, 1, tzinfo=UTC)


def parse_instant(value: str | datetime) -> datetime:
    """An ISO-8601 instant (a trailing Z allowed) as an aware UTC datetime; naive means UTC."""
    if isinstance(value, datetime):
        dt = value
    else:
        text = value.strip()
        if text.endswith(("Z", "z")):
            text = text[:-1] + "+00:00"
        dt = datetime.fromisoformat(text)
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=UTC)
    return dt.astimezone(UTC)


class Clock:
    """Aware UTC virtual time. `freeze()` makes the process's time functions follow it."""

    def __init__(self, start: datetime | str | None = None):
        self._now = parse_instant(start) if start is not None else DEFAULT_START
        self._traveller = None
        self._coordinates = None

    def now(self) -> datetime:
        return self._now

    def timestamp(self) -> int:
        """Unix seconds of now (whole seconds, as Stripe and most AWS fields use)."""
        return int(self._now.timestamp())

    def epoch(self) -> float:
        return self._now.timestamp()

    def set(self, when: datetime) -> None:
        when = parse_instant(when)
        if when < self._now:
            raise ValueError(f"the clock cannot go back: {when.isoformat()} < {self._now.isoformat()}")
        if when != self._now:
            self._now = when
            if self._coordinates is not None:
                self._coordinates.move_to(when)

    def advance(self, seconds: float | timedelta) -> datetime:
        delta = seconds if isinstance(seconds, timedelta) else timedelta(seconds=seconds)
        if delta < timedelta(0):
            raise ValueError(f"cannot advance by a negative duration: {delta}")
        self.set(self._now + delta)
        return self._now

    # -- time-machine ---------------------------------------------------------------------
    def freeze(self) -> None:
        """Start making time.time()/datetime.now() in this process return virtual time."""
        if self._traveller is None:
            import time_machine

            self._traveller = time_machine.travel(self._now, tick=False)
            self._coordinates = self._traveller.start()

    def unfreeze(self) -> None:
        if self._traveller is not None:
            self._traveller.stop()
            self._traveller = None
            self._coordinates = None

    @property
    def frozen(self) -> bool:
        return self._traveller is not None
