"""Faults of the fake Stripe API (the `stripe.api` kind of the fault plane): the next `times`
requests matching `method` / `path` (a glob) are answered `status` (429 rate limit or a 5xx),
optionally with a `Stripe-Should-Retry` header, before the request reaches the ledger.
"""

from __future__ import annotations

import fnmatch
from dataclasses import dataclass

from sim.errors import InputError
from sim.faults.plane import FaultSpec

STATUSES = (429, 500, 502, 503, 504)


@dataclass(eq=False)
class StripeApiFault(FaultSpec):
    KIND = "stripe.api"

    status: int
    path: str = "*"
    method: str | None = None
    times: int | None = 1
    should_retry: bool | None = None
    served: int = 0

    def __post_init__(self):
        if self.status not in STATUSES:
            raise InputError(f"inject a 429 or a 5xx status, got {self.status}", field="status")
        self.method = self.method.upper() if self.method else None

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
