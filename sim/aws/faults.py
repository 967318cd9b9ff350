"""Faults at the boundary of each AWS call a handler makes.

A fault names the call (`dynamodb.UpdateItem`, wildcards allowed: `dynamodb.*`, `*`), and
optionally the function making it and the table it touches. It can answer with an AWS error
(throttling, conditional failure, internal error), add virtual latency before the call, or
crash the invocation right after the call took effect (the write happened; the Lambda died).
`times` bounds how often it fires, `after` skips the first matching calls.
"""

from __future__ import annotations

import fnmatch
import functools
from dataclasses import dataclass, field
from typing import Any

from sim.errors import InputError

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


@dataclass
class AwsFault:
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

    def __json__(self) -> dict:
        return {k: v for k, v in self.__dict__.items() if v not in (None, False) and k not in ("seen", "fired")}


class FaultInjector:
    """The world's list of AWS-call faults; the first matching live fault fires."""

    def __init__(self):
        self.faults: list[AwsFault] = []

    def add(self, call: str, **kwargs: Any) -> AwsFault:
        fault = AwsFault(call=call, **kwargs)
        self.faults.append(fault)
        return fault

    def clear(self) -> None:
        self.faults.clear()

    def match(self, call_name: str, params: dict[str, Any], function: str | None) -> AwsFault | None:
        for fault in self.faults:
            if fault.matches(call_name, params, function):
                fault.seen += 1
                if fault.seen <= fault.after:
                    continue
                fault.fired += 1
                return fault
        return None
