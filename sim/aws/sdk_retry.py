"""The AWS SDK's retry behaviour, for faults injected above botocore's retry loop.

The world injects AWS-call faults in `before-call`, i.e. once per API call, but in AWS every
HTTP attempt can be throttled and botocore retries transient and throttling errors itself. So
a faulted call is retried here as the calling client would: its retry mode (standard, legacy,
adaptive as standard) and max attempts from its config, botocore's own lists of retryable codes
and statuses, and its backoff formula — with the sleep on virtual time and the jitter from the
world's RNG. A fault with `times: 2` is then absorbed by the SDK, as it would be in AWS; one with
`times: 20` reaches the handler.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

import botocore
from botocore.retries.standard import (
    DEFAULT_MAX_ATTEMPTS,
    ExponentialBackoff,
    ThrottledRetryableChecker,
    TransientRetryableChecker,
)

# botocore internals read here (pyproject.toml pins botocore/boto3 below the next minor release;
# tests/aws/test_sdk_retry.py fails with this message if an upgrade removes one)
PRIVATE_ATTRIBUTES = (
    (ThrottledRetryableChecker, "_THROTTLED_ERROR_CODES"),
    (TransientRetryableChecker, "_TRANSIENT_ERROR_CODES"),
    (TransientRetryableChecker, "_TRANSIENT_STATUS_CODES"),
    (ExponentialBackoff, "_DEFAULT_BACKOFF_CONFIG"),
    (ExponentialBackoff, "_SERVICE_BACKOFF_CONFIG"),
    (ExponentialBackoff, "_MAX_BACKOFF"),
)


def private(owner: type, name: str):
    """A private botocore attribute, or an ImportError saying what to update."""
    try:
        return getattr(owner, name)
    except AttributeError:
        raise ImportError(f"sim.aws.sdk_retry reads botocore's private {owner.__name__}.{name}, which botocore "
                          f"{botocore.__version__} no longer has: update sim/aws/sdk_retry.py to the new retry "
                          f"internals (and the botocore/boto3 pins in pyproject.toml)") from None


THROTTLING_CODES = frozenset(private(ThrottledRetryableChecker, "_THROTTLED_ERROR_CODES"))
TRANSIENT_CODES = frozenset(private(TransientRetryableChecker, "_TRANSIENT_ERROR_CODES"))
TRANSIENT_STATUSES = frozenset(private(TransientRetryableChecker, "_TRANSIENT_STATUS_CODES"))
_BACKOFF = private(ExponentialBackoff, "_DEFAULT_BACKOFF_CONFIG")
_SERVICE_BACKOFF = private(ExponentialBackoff, "_SERVICE_BACKOFF_CONFIG")
_MAX_BACKOFF = private(ExponentialBackoff, "_MAX_BACKOFF")
_STANDARD_MAX = {"dynamodb": 4, "dynamodb-streams": 4}
_LEGACY_MAX = {"dynamodb": 10}
_LEGACY_BASE = {"dynamodb": 0.05}  # legacy DynamoDB: 50 ms * 2^n; other services: rand * 2^n


@dataclass(frozen=True)
class RetryPolicy:
    mode: str
    max_attempts: int
    service: str

    def retryable(self, code: str, status: int) -> bool:
        return code in THROTTLING_CODES or code in TRANSIENT_CODES or status in TRANSIENT_STATUSES or status == 429

    def delay(self, attempt: int, code: str, rng: random.Random) -> float:
        """Seconds to wait after failed attempt number `attempt` (1-based)."""
        if self.mode == "legacy":
            base = _LEGACY_BASE.get(self.service)
            return (base if base is not None else rng.random()) * 2 ** (attempt - 1)
        throttled = code in THROTTLING_CODES
        scale = _BACKOFF["throttling_base_scale" if throttled else "non_throttling_base_scale"]
        if not throttled:
            scale = _SERVICE_BACKOFF.get(self.service, {}).get("non_throttling_base_scale", scale)
        return rng.random() * min(scale * 2 ** (attempt - 1), _MAX_BACKOFF)


def policy_for(context: dict, service: str) -> RetryPolicy:
    """The retry policy of the client that made a call (from botocore's request context)."""
    config = context.get("client_config")
    retries = dict(getattr(config, "retries", None) or {})
    mode = retries.get("mode") or "standard"
    total = retries.get("total_max_attempts")
    if total is None and retries.get("max_attempts") is not None:
        total = retries["max_attempts"] + 1
    if total is None:
        total = (_LEGACY_MAX.get(service, 5) if mode == "legacy"
                 else _STANDARD_MAX.get(service, DEFAULT_MAX_ATTEMPTS))
    return RetryPolicy("legacy" if mode == "legacy" else "standard", max(1, int(total)), service)
