"""Configuration, read only from environment variables (names as in sim/aws/stack.py).

Every getter reads `os.environ` at call time, so an environment applied per invocation is honoured.
"""

from __future__ import annotations

import os

DEFAULT_METRICS_NAMESPACE = "ECOSYSTEMAWS/Webhooks"
DEFAULT_LOCK_TIMEOUT_SECONDS = 120   # > stripe-webhook's 60 s Lambda timeout: a live holder never loses its lock
DEFAULT_WEBHOOK_TTL_DAYS = 30        # Stripe keeps events 30 days
DEFAULT_TOLERANCE_SECONDS = 300


class ConfigError(RuntimeError):
    """A required environment variable is missing or malformed."""


def env(name: str, default: str | None = None) -> str | None:
    """The variable's value, or `default` when unset or empty."""
    value = os.environ.get(name)
    return value if value not in (None, "") else default


def require(name: str) -> str:
    """The variable's value; ConfigError when unset or empty."""
    value = env(name)
    if value is None:
        raise ConfigError(f"environment variable {name} is not set")
    return value


def env_int(name: str, default: int) -> int:
    raw = env(name)
    if raw is None:
        return default
    try:
        return int(raw)
    except ValueError as exc:
        raise ConfigError(f"environment variable {name} must be an integer, got {raw!r}") from exc


def env_float(name: str, default: float) -> float:
    """A positive number of (e.g.) seconds; ConfigError when malformed or not positive."""
    raw = env(name)
    if raw is None:
        return default
    try:
        value = float(raw)
    except ValueError as exc:
        raise ConfigError(f"environment variable {name} must be a number, got {raw!r}") from exc
    if not value > 0:
        raise ConfigError(f"environment variable {name} must be positive, got {raw!r}")
    return value


def table_name(env_var: str) -> str:
    """A table's name from its variable, e.g. table_name("BOOKING_TABLE")."""
    return require(env_var)


def event_bus() -> str:
    """The marketplace bus: MARKETPLACE_EVENT_BUS_ARN, else EVENT_BUS_NAME."""
    value = env("MARKETPLACE_EVENT_BUS_ARN") or env("EVENT_BUS_NAME")
    if value is None:
        raise ConfigError("neither MARKETPLACE_EVENT_BUS_ARN nor EVENT_BUS_NAME is set")
    return value


def metrics_namespace() -> str:
    return env("METRICS_NAMESPACE", DEFAULT_METRICS_NAMESPACE) or DEFAULT_METRICS_NAMESPACE


def platform_fee_percent() -> str:
    """PLATFORM_FEE_PERCENT as a decimal string (default "8")."""
    return env("PLATFORM_FEE_PERCENT", "8") or "8"


def lock_timeout_seconds() -> int:
    return env_int("WEBHOOK_LOCK_TIMEOUT_SECONDS", DEFAULT_LOCK_TIMEOUT_SECONDS)


def webhook_ttl_seconds() -> int:
    return env_int("WEBHOOK_TTL_DAYS", DEFAULT_WEBHOOK_TTL_DAYS) * 86400


def tolerance_seconds() -> int:
    return env_int("WEBHOOK_TOLERANCE_SECONDS", DEFAULT_TOLERANCE_SECONDS)


def stripe_webhook_secrets() -> list[str]:
    """Every Stripe endpoint secret currently valid: the current one first, then a rolled one."""
    names = ("STRIPE_WEBHOOK_SECRET", "STRIPE_WEBHOOK_SECRET_PREVIOUS", "STRIPE_CONNECT_WEBHOOK_SECRET")
    out: list[str] = []
    for name in names:
        value = env(name)
        if value and value not in out:
            out.append(value)
    return out
