"""Faults at the boundary of each AWS call a handler makes (the `aws.call` kind of the fault plane).

A fault names the call (`dynamodb.UpdateItem`, wildcards allowed: `dynamodb.*`, `*`; boto3 client
names are accepted too: `events.PutEvents` is `eventbridge.PutEvents`), and optionally the function
making it and the table it touches. It can answer with an AWS error (throttling, conditional
failure, internal error), add virtual latency before the call, or crash the invocation right after
the call took effect (the write happened; the Lambda died). `times` bounds how often it fires,
`after` skips the first matching calls. The botocore-hook observer consults these.

`LambdaTimeoutFault` is the scenario's `lambda: {timeout: true}`: a dependency so slow that the
invocation runs out of time at its first AWS call (latency = the function's timeout + 1 s).
"""

from __future__ import annotations

import fnmatch
import functools
from dataclasses import dataclass, field
from typing import Any

from sim.errors import InputError
from sim.faults.plane import FaultSpec

# error codes botocore/AWS answer with a 5xx status; everything else is a 4xx
SERVER_ERRORS = {"InternalServerError", "InternalFailure", "ServiceUnavailable", "InternalError",
                 "ServiceException", "RequestTimeout"}


@functools.cache
def service_id(name: str) -> str:
    """The service as the hooks see calls (botocore's hyphenised service id) for a boto3 client name
    or a service id: `events` → `eventbridge`, `stepfunctions` → `sfn`, `dynamodb` → `dynamodb`."""
    if any(ch in name for ch in "*?["):
        return name.lower()
    import botocore.session

    try:
        model = botocore.session.get_session().get_service_model(name.lower())
    except Exception:  # noqa: BLE001 - not a client name: take it as a service id already
        return name.lower()
    return model.service_id.hyphenize()


class LambdaCrash(BaseException):  # noqa: N818 - a process death, not an exception handlers may catch
    """Raised into a handler to model the Lambda process dying (not catchable by `except Exception`)."""


@dataclass(eq=False)
class AwsCallFault(FaultSpec):
    KIND = "aws.call"

    call: str
    function: str | None = None
    table: str | None = None
    error: str | None = None
    message: str | None = None
    times: int | None = 1
    after: int = 0
    latency: float | None = None
    crash_after: bool = False
    seen: int = field(default=0, compare=False)
    fired: int = field(default=0, compare=False)

    def __post_init__(self):
        if "." not in self.call and self.call != "*":
            raise InputError(f"expected 'service.Operation' (e.g. dynamodb.UpdateItem), got {self.call!r}",
                             field="call")
        service, _, op = self.call.partition(".")
        self.call = f"{service_id(service)}.{op}" if op else self.call
        if not (self.error or self.latency or self.crash_after):
            raise InputError("a fault needs one of error, latency or crash_after", field=self.call)
        if self.times is not None and self.times < 1:
            raise InputError(f"times must be >= 1 (or omitted for always), got {self.times}", field="times")

    @property
    def scenario_kind(self) -> str:
        return "aws"

    @property
    def status(self) -> int:
        return 500 if self.error in SERVER_ERRORS else 400

    @property
    def exhausted(self) -> bool:
        return self.times is not None and self.fired >= self.times

    def matches(self, call_name: str, params: dict[str, Any], function: str | None) -> bool:
        if self.exhausted:
            return False
        service, _, op = call_name.partition(".")
        want_service, _, want_op = self.call.partition(".")
        if not fnmatch.fnmatchcase(service.lower(), want_service.lower() or "*"):
            return False
        if want_op and not fnmatch.fnmatchcase(op, want_op):
            return False
        if self.function and self.function != function:
            return False
        if self.table and params.get("TableName") != self.table:
            return False
        return True

    def take(self, call_name: str, params: dict[str, Any], function: str | None) -> bool:
        if not self.matches(call_name, params, function):
            return False
        self.seen += 1
        if self.seen <= self.after:
            return False
        self.fired += 1
        return True

    def to_scenario(self) -> dict | None:
        if self.after:
            return None
        body: dict = {"call": self.call}
        for key in ("function", "table", "error", "message", "times"):
            if getattr(self, key) is not None:
                body[key] = getattr(self, key)
        if self.latency:
            from sim.faults.delivery import seconds_text

            body["latency"] = seconds_text(self.latency)
        if self.crash_after:
            body["crash_after"] = True
        return {"aws": body}

    def __json__(self) -> dict:
        return {k: v for k, v in self.__dict__.items() if v not in (None, False) and k not in ("seen", "fired")}


class LambdaTimeoutFault(AwsCallFault):
    """`function` runs out of time at its first AWS call (`times` invocations), as Lambda kills it."""

    def __init__(self, function: str, timeout_s: float, times: int | None = None):
        super().__init__(call="*", function=function, latency=timeout_s + 1.0, times=times)

    @property
    def scenario_kind(self) -> str:
        return "lambda"

    def to_scenario(self) -> dict | None:
        body: dict = {"function": self.function, "timeout": True}
        if self.times is not None:
            body["times"] = self.times
        return {"lambda": body}
