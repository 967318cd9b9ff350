"""Stripe's webhook retry schedules, as configurable data.

Stripe publishes the shape, not the intervals: live mode retries for up to 3 days with exponential
back-off; sandbox/test mode makes 3 attempts over a few hours. We model:

- `RetrySchedule.test_mode()` (the default): 3 attempts, at 0, +1 h and +3 h (retries after 1 h
  and 2 h).
- `RetrySchedule.live_mode()`: retries after 5 min, doubling each time (10, 20, 40 min …) and
  capped at 12 h per step, for as long as the next attempt is within 72 h of the first: 12
  retries (13 attempts), the last 69 h 15 min after the first.
- `RetrySchedule.none()`: a single attempt; `RetrySchedule(delays_s=(…))` for anything else.
"""

from __future__ import annotations

from dataclasses import dataclass

from sim.errors import InputError


@dataclass(frozen=True)
class RetrySchedule:
    delays_s: tuple[float, ...]
    name: str = "custom"

    def __post_init__(self):
        if any((not isinstance(d, (int, float))) or d < 0 for d in self.delays_s):
            raise InputError(f"retry delays must be non-negative numbers of seconds, got {self.delays_s!r}")

    @property
    def max_attempts(self) -> int:
        return len(self.delays_s) + 1

    def delay_after(self, attempt: int) -> float | None:
        """Seconds to wait after failed attempt number `attempt` (1-based), or None: give up."""
        if 1 <= attempt <= len(self.delays_s):
            return float(self.delays_s[attempt - 1])
        return None

    @classmethod
    def test_mode(cls) -> RetrySchedule:
        return cls((3600.0, 7200.0), "test")

    @classmethod
    def live_mode(cls, first_s: float = 300.0, factor: float = 2.0, cap_s: float = 12 * 3600.0,
                  horizon_s: float = 72 * 3600.0) -> RetrySchedule:
        delays, total, step = [], 0.0, first_s
        while total + min(step, cap_s) <= horizon_s:
            delays.append(min(step, cap_s))
            total += delays[-1]
            step *= factor
        return cls(tuple(delays), "live")

    @classmethod
    def none(cls) -> RetrySchedule:
        return cls((), "none")

    @classmethod
    def named(cls, name: str) -> RetrySchedule:
        table = {"test": cls.test_mode, "live": cls.live_mode, "none": cls.none}
        if name not in table:
            raise InputError(f"unknown retry schedule {name!r}; known: {', '.join(table)}")
        return table[name]()
