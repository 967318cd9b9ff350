"""The in-process Lambda runtime: runs the real handlers as cooperative tasks on virtual time.

Each invocation gets a real-shaped context (aws_request_id, function_name, memory_limit_in_mb,
invoked_function_arn, get_remaining_time_in_millis() on the virtual clock) and the function's
environment while it runs (applied at every task switch, so interleaved invocations of different
functions each see their own). Timeouts are virtual ("Task timed out after N seconds"), a
per-function concurrency limit answers TooManyRequestsException, and handler exceptions come back
as Lambda reports them (errorType, errorMessage, stackTrace).
"""

from __future__ import annotations

import importlib
import traceback
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

from sim.authz.identity import invocation_caller
from sim.aws.async_queue import AsyncEvent
from sim.aws.stack import ROOT, Function, Stack
from sim.errors import InputError
from sim.faults.aws import LambdaCrash
from sim.faults.lambdas import LambdaFault
from sim.faults.plane import FaultPlane
from sim.scheduler import Scheduler, Task

ACCOUNT_CONCURRENCY = 1000


def function_error(message: str, error_type: str, **extra: Any) -> dict[str, Any]:
    """A function error payload in the key order AWS's runtimes write it: errorMessage, errorType,
    then the rest (requestId, stackTrace)."""
    return {"errorMessage": message, "errorType": error_type, **extra}


class InvocationStatus(StrEnum):
    """How an invocation ended (the values are what traces and reports have always shown)."""

    RUNNING = "running"
    SUCCEEDED = "succeeded"
    FAILED = "failed"
    TIMEOUT = "timeout"
    THROTTLED = "throttled"
    CRASHED = "crashed"


class LambdaTimeout(BaseException):  # noqa: N818 - the sandbox is killed; handlers cannot catch it
    """Thrown into an invocation when its virtual deadline passes."""


class LambdaError(Exception):
    """An invocation that ended in a function error (or a throttle), with Lambda's payload."""

    def __init__(self, function: str, payload: dict[str, Any], *, status: str = InvocationStatus.FAILED):
        self.function = function
        self.payload = payload
        self.status = status
        self.error_type = payload.get("errorType", "Unhandled")
        self.error_message = payload.get("errorMessage", "")
        super().__init__(f"{function}: {self.error_type}: {self.error_message}")

    @property
    def throttled(self) -> bool:
        return self.status == InvocationStatus.THROTTLED


@dataclass
class LambdaContext:
    function_name: str
    invoked_function_arn: str
    memory_limit_in_mb: int
    aws_request_id: str
    deadline: datetime
    clock: Any
    function_version: str = "$LATEST"
    identity: Any = None
    client_context: Any = None

    @property
    def log_group_name(self) -> str:
        return f"/aws/lambda/{self.function_name}"

    @property
    def log_stream_name(self) -> str:
        return f"{self.deadline:%Y/%m/%d}/[$LATEST]{self.aws_request_id.replace('-', '')}"

    def get_remaining_time_in_millis(self) -> int:
        return max(0, int((self.deadline - self.clock.now()).total_seconds() * 1000))


@dataclass(frozen=True, slots=True)
class InvocationRecord:
    """What the runtime remembers of every invocation it started (`LambdaRuntime.invocations`):
    not its result, which only its caller needs (a storm would otherwise keep every response)."""
    function: str
    request_id: str
    correlation_id: str | None
    started: datetime


@dataclass
class Invocation:
    function: str
    request_id: str
    correlation_id: str | None
    started: datetime
    ended: datetime | None = None
    status: InvocationStatus = InvocationStatus.RUNNING
    result: Any = None
    error: dict[str, Any] | None = None
    meta: dict[str, Any] = field(default_factory=dict)

    @property
    def throttled(self) -> bool:
        return self.status == InvocationStatus.THROTTLED

    def value(self) -> Any:
        if self.error is not None:
            raise LambdaError(self.function, self.error, status=self.status)
        return self.result


class LambdaRuntime:
    """Invoke the stack's functions by name; every invocation is a task on the scheduler."""

    def __init__(self, stack: Stack, scheduler: Scheduler, trace, rng, environment: dict[str, dict[str, str]],
                 faults: FaultPlane | None = None):
        self.stack = stack
        self.scheduler = scheduler
        self.clock = scheduler.clock
        self.trace = trace
        self.rng = rng
        self._env = environment          # function name -> full environment for its invocations
        self.in_flight: Counter[str] = Counter()
        self.invocations: list[InvocationRecord] = []   # every invocation started, in order
        self.concurrency: dict[str, int] = {
            f.name: f.reserved_concurrency or ACCOUNT_CONCURRENCY for f in stack.functions}
        self.faults = faults if faults is not None else FaultPlane()  # consulted for LambdaFault specs
        self.async_failures: list[dict] = []   # async invocations that exhausted their retries
        self.destination = None  # (topic ARN, message) -> None: publishes an on-failure destination record
        self._handlers: dict[str, Any] = {}

    # -- configuration -------------------------------------------------------------------------
    def function(self, name: str) -> Function:
        try:
            return self.stack.function(name)
        except KeyError:
            known = ", ".join(sorted(f.name for f in self.stack.functions))
            raise InputError(f"unknown function {name!r}; known functions: {known}", field="function") from None

    def env(self, name: str) -> dict[str, str]:
        self.function(name)
        return dict(self._env[name])

    def set_concurrency(self, name: str, limit: int) -> None:
        self.function(name)
        self.concurrency[name] = limit

    def throttle(self, name: str, times: int | None = 1) -> None:
        """The next `times` invocations of `name` answer TooManyRequestsException."""
        self.function(name)
        self.faults.add(LambdaFault(name, "throttle", times=times))

    def register(self, fn: Function, environment: dict[str, str], handler=None) -> None:
        """Add a function the stack does not describe (a test's toy handler, a user's extra)."""
        self.stack.functions.append(fn)
        self._env[fn.name] = environment
        self.concurrency[fn.name] = fn.reserved_concurrency or ACCOUNT_CONCURRENCY
        if handler is not None:
            self._handlers[fn.name] = handler

    def fail(self, name: str, error: str = "InjectedError", message: str | None = None,
             times: int | None = 1) -> None:
        """The next `times` invocations of `name` raise `error` before the handler runs (a bad
        deploy, an import error, a dependency down): reported as an unhandled function error."""
        self.function(name)
        self.faults.add(LambdaFault(name, "error", error=error, message=message, times=times))

    def handler_for(self, fn: Function):
        if fn.name not in self._handlers:
            module_name, _, attr = fn.handler.rpartition(".")
            module = importlib.import_module(module_name)
            self._handlers[fn.name] = getattr(module, attr)
        return self._handlers[fn.name]

    # -- invoking --------------------------------------------------------------------------------
    def spawn(self, name: str, event: Any, *, correlation_id: str | None = None) -> Task:
        """Start an invocation as a task; its result is an `Invocation` (never raises)."""
        fn = self.function(name)
        inv = Invocation(name, self.rng.uuid4(), correlation_id, self.clock.now())
        self.invocations.append(InvocationRecord(name, inv.request_id, correlation_id, inv.started))
        task = self.scheduler.spawn(self._run, fn, event, inv, name=f"lambda:{name}:{inv.request_id[:8]}")
        task.env = self._env[name]
        task.meta = {"function": name, "request_id": inv.request_id, "correlation_id": correlation_id}
        return task

    def invoke(self, name: str, event: Any, *, correlation_id: str | None = None) -> Any:
        """Run an invocation to completion; the handler's response, or LambdaError."""
        return self.invoke_detailed(name, event, correlation_id=correlation_id).value()

    def invoke_detailed(self, name: str, event: Any, *, correlation_id: str | None = None) -> Invocation:
        task = self.spawn(name, event, correlation_id=correlation_id)
        return self.scheduler.wait(task)

    def invoke_async(self, name: str, event: Any, *, correlation_id: str | None = None,
                     retries: int | None = None, delays: tuple[float, ...] = (60.0, 120.0),
                     max_event_age: float | None = None) -> None:
        """An asynchronous invocation (EventBridge, S3, SNS targets), retried as Lambda's event queue
        does (sim/aws/async_queue.py): function errors at most `retries` times (the function's
        MaximumRetryAttempts, 2), `delays` apart; throttles with a backoff while the event is younger
        than `max_event_age` (its MaximumEventAgeInSeconds, 6 h); then the on-failure destination."""
        fn = self.function(name)
        AsyncEvent(self, name, event, correlation_id, fn.async_retries if retries is None else retries, delays,
                   fn.async_max_event_age if max_event_age is None else max_event_age).start()

    def _throttled(self, name: str) -> bool:
        if self.in_flight[name] >= self.concurrency[name]:
            return True
        return self.faults.match(LambdaFault.KIND, name, "throttle") is not None

    def _run(self, fn: Function, event: Any, inv: Invocation) -> Invocation:
        cid = inv.correlation_id
        if self._throttled(fn.name):
            inv.status, inv.ended = InvocationStatus.THROTTLED, self.clock.now()
            inv.error = function_error("Rate Exceeded.", "TooManyRequestsException")
            self.trace.record("lambda", "invoke.throttled", cid, function=fn.name, requestId=inv.request_id)
            return inv
        deadline = self.clock.now() + timedelta(seconds=fn.timeout)
        ctx = LambdaContext(fn.name, self.stack.function_arn(fn.name), fn.memory, inv.request_id, deadline, self.clock)
        task = self.scheduler.current_task()
        watchdog = self.scheduler.call_at(deadline, task.cancel, LambdaTimeout())
        self.in_flight[fn.name] += 1
        self.trace.record("lambda", "invoke.start", cid, function=fn.name, requestId=inv.request_id,
                          **invocation_caller(event))
        try:
            injected = self.faults.match(LambdaFault.KIND, fn.name, "error")
            if injected is not None:
                inv.status = InvocationStatus.FAILED
                inv.error = function_error(injected.message or f"injected {injected.error} in {fn.name}",
                                           injected.error, stackTrace=[])
                self.trace.record("lambda", "fault", cid, function=fn.name, error=injected.error)
            else:
                handler = self.handler_for(fn)
                inv.result = handler(event, ctx)
                inv.status = InvocationStatus.SUCCEEDED
        except LambdaTimeout:
            inv.status = InvocationStatus.TIMEOUT
            inv.error = function_error(f"RequestId: {inv.request_id} Error: Task timed out after "
                                       f"{fn.timeout:.2f} seconds", "Sandbox.Timedout")
        except LambdaCrash:
            inv.status = InvocationStatus.CRASHED
            inv.error = function_error(f"RequestId: {inv.request_id} Error: Runtime exited with error: "
                                       f"signal: killed", "Runtime.ExitError")
        except Exception as exc:  # noqa: BLE001 - reported the way Lambda reports it
            inv.status = InvocationStatus.FAILED
            inv.error = function_error(str(exc), type(exc).__name__, requestId=inv.request_id,
                                       stackTrace=[line.replace(f"{ROOT}/", "")
                                                   for line in traceback.format_tb(exc.__traceback__)[-5:]])
        finally:
            watchdog.cancel()
            self.in_flight[fn.name] -= 1
            inv.ended = self.clock.now()
        details = {"function": fn.name, "requestId": inv.request_id, "status": inv.status}
        if inv.error:
            details["errorType"] = inv.error["errorType"]
        self.trace.record("lambda", "invoke.end", cid, **details)
        return inv
