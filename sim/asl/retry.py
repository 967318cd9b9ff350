"""Retry and Catch: which retrier/catcher matches an error, and the back-off before the next attempt.

ErrorEquals matching follows the ASL spec and the developer guide: a name matches itself;
States.ALL matches every error except States.Runtime; States.TaskFailed matches every error except
States.Timeout and States.Runtime. The developer guide calls States.DataLimitExceeded terminal, but
executions recorded on AWS (LocalStack test_states_errors, Catch States.ALL) catch it.
"""

from __future__ import annotations

from typing import Any

TERMINAL = frozenset({"States.Runtime"})


def error_matches(patterns: list[str], error: str | None) -> bool:
    err = error if error is not None else ""
    for p in patterns:
        if p == err and err not in TERMINAL:
            return True
        if p == "States.ALL" and err not in TERMINAL:
            return True
        if p == "States.TaskFailed" and err not in TERMINAL and err != "States.Timeout":
            return True
    return False


def find_retrier(retriers: list[dict], error: str | None) -> int | None:
    for i, r in enumerate(retriers):
        if error_matches(r.get("ErrorEquals", []), error):
            return i
    return None


def find_catcher(catchers: list[dict], error: str | None) -> dict | None:
    for c in catchers:
        if error_matches(c.get("ErrorEquals", []), error):
            return c
    return None


def retry_delay(retrier: dict[str, Any], attempt: int, rng) -> float | None:
    """Seconds to wait before retry number `attempt` (0-based), or None when attempts are used up."""
    max_attempts = retrier.get("MaxAttempts", 3)
    if attempt >= max_attempts:
        return None
    interval = retrier.get("IntervalSeconds", 1)
    rate = retrier.get("BackoffRate", 2.0)
    delay = float(interval) * (float(rate) ** attempt)
    cap = retrier.get("MaxDelaySeconds")
    if cap is not None:
        delay = min(delay, float(cap))
    if retrier.get("JitterStrategy") == "FULL":
        delay = rng.uniform(0, delay)
    return delay
