"""Faults of Lambda invocations (the `lambda.invoke` kind of the fault plane), consulted by the
in-process Lambda runtime before a handler runs:

- `throttle`: the invocation answers TooManyRequestsException (as a concurrency limit would); an
  asynchronous invocation is retried after it with a backoff for up to 6 h, not counting it as
  one of its retries (sim/aws/async_queue.py);
- `error`: the invocation fails with `error` before the handler runs (a bad deploy, an import
  error, a dependency down), reported as an unhandled function error.

`times` bounds how many invocations of `function` it hits (None: every one). A Lambda timeout
is an AWS-call latency fault (`sim.faults.aws.LambdaTimeoutFault`).
"""

from __future__ import annotations

from dataclasses import dataclass

from sim.errors import InputError
from sim.faults.plane import FaultSpec

MODES = ("throttle", "error")


@dataclass(eq=False)
class LambdaFault(FaultSpec):
    KIND = "lambda.invoke"

    function: str
    mode: str = "throttle"
    error: str = "InjectedError"
    message: str | None = None
    times: int | None = 1
    fired: int = 0

    def __post_init__(self):
        if self.mode not in MODES:
            raise InputError(f"expected one of {', '.join(MODES)}, got {self.mode!r}", field="mode")
        if self.times is not None and self.times < 1:
            raise InputError(f"times must be >= 1 (or omitted for always), got {self.times}", field="times")

    @property
    def scenario_kind(self) -> str:
        return "lambda"

    def take(self, function: str, mode: str) -> bool:
        if self.mode != mode or self.function != function or (self.times is not None and self.fired >= self.times):
            return False
        self.fired += 1
        return True

    def to_scenario(self) -> dict | None:
        body: dict = {"function": self.function}
        if self.mode == "throttle":
            body["throttle"] = True
        else:
            body["error"] = self.error
        if self.times is not None:
            body["times"] = self.times
        return {"lambda": body}
