"""Faults of the fake Stripe API (the `stripe.api` kind of the fault plane): the next `times`
requests matching `method` / `path` (a glob) are answered `status` (429 rate limit or a 5xx),
optionally with a `Stripe-Should-Retry` header, before the request reaches the ledger.

`status: "timeout"`: no answer comes back. In process (the default) the caller's SDK waits its
own timeout (the stripe SDK's 80 s, on virtual time) and raises APIConnectionError, as it does on a
read timeout; over HTTP the server closes the connection without answering (the SDK raises
APIConnectionError at once). With `applied: true` the request reached Stripe and took effect —
only the answer was lost (a retry without the same idempotency key makes a second object).
"""

from __future__ import annotations

import fnmatch
from dataclasses import dataclass

from sim.errors import InputError
from sim.faults.plane import FaultSpec

STATUSES = (429, 500, 502, 503, 504)
TIMEOUT = "timeout"


@dataclass(eq=False)
class StripeApiFault(FaultSpec):
    KIND = "stripe.api"

    status: int
    path: str = "*"
    method: str | None = None
    times: int | None = 1
    should_retry: bool | None = None
    applied: bool = False  # timeout only: the request took effect at Stripe, the answer was lost
    served: int = 0

    def __post_init__(self):
        if self.status not in (*STATUSES, TIMEOUT):
            raise InputError(f"inject a 429 or a 5xx status, or timeout, got {self.status!r}", field="status")
        if self.applied and self.status != TIMEOUT:
            raise InputError("applied is for a timeout (an error answer means Stripe did nothing)", field="applied")
        self.method = self.method.upper() if self.method else None

    @property
    def timeout(self) -> bool:
        return self.status == TIMEOUT

    @property
    def fired(self) -> int:
        return self.served

    @property
    def scenario_kind(self) -> str:
        return "stripe_api"

    def applies(self, method: str, path: str) -> bool:
        if self.times is not None and self.served >= self.times:
            return False
        return (self.method is None or self.method == method) and fnmatch.fnmatchcase(path, self.path)

    def take(self, method: str, path: str) -> bool:
        if not self.applies(method, path):
            return False
        self.served += 1
        return True
