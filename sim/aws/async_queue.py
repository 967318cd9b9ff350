"""One asynchronous Lambda invocation in Lambda's event queue: its attempts and retries.

As AWS documents it (https://docs.aws.amazon.com/lambda/latest/dg/invocation-async-error-handling.html):

- a function error (the handler raised, timed out, crashed) counts against the function's
  MaximumRetryAttempts (by default 2): retried one, then two minutes later;
- a throttle (TooManyRequestsException: the concurrency limit, an injected throttle) is no
  attempt: the event goes back to the queue and is retried after 1, 2, 4 … s, at most 5 min apart
  (`throttle_delay`), for as long as the event is younger than MaximumEventAgeInSeconds (6 h);
- the event is discarded when its retries are exhausted (RetriesExhausted) or when its next
  attempt would come after its maximum age (EventAgeExceeded, at that age): the function's
  on-failure destination (an SNS topic) then gets Lambda's invocation record
  (sim/aws/lambda_destinations.py).

Trace: `async.retry` {function, attempt: the retry number} after a function error, {function,
throttled: how many in a row, delay} after a throttle; `async.exhausted` {function, requestId,
and condition: EventAgeExceeded when that is why}.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from sim.aws.lambda_destinations import failure_record, message

THROTTLE_BACKOFF_MAX_S = 300.0
RETRIES_EXHAUSTED, EVENT_AGE_EXCEEDED = "RetriesExhausted", "EventAgeExceeded"


def throttle_delay(throttles: int) -> float:
    """Seconds before Lambda retries an asynchronous event after its `throttles`-th throttle in a
    row: 1, 2, 4, … capped at 5 minutes."""
    return min(THROTTLE_BACKOFF_MAX_S, 2.0 ** (throttles - 1))


class AsyncEvent:
    """Plays one event of the queue on `runtime` (a LambdaRuntime): `start()` makes the first
    attempt, each attempt's end decides the next."""

    def __init__(self, runtime, name: str, event: Any, correlation_id: str | None, retries: int,
                 delays: tuple[float, ...], max_age_s: float):
        self.runtime, self.name, self.event, self.correlation_id = runtime, name, event, correlation_id
        self.retries, self.delays = retries, delays
        self.deadline = runtime.clock.now() + timedelta(seconds=max_age_s)
        self.errors = self.throttles = self.attempts = 0

    def start(self) -> None:
        self.attempts += 1
        task = self.runtime.spawn(self.name, self.event, correlation_id=self.correlation_id)
        task.add_done_callback(self._after)

    def _after(self, task) -> None:
        inv = task.result() if task.exception() is None else None
        if inv is not None and inv.error is None:
            return
        request_id = inv.request_id if inv else task.meta.get("request_id")
        error = inv.error if inv else None
        if inv is not None and inv.throttled:
            self.throttles += 1
            delay = throttle_delay(self.throttles)
            details: dict[str, Any] = {"throttled": self.throttles, "delay": delay}
        elif self.errors < self.retries:
            self.errors += 1
            self.throttles = 0
            delay = self.delays[min(self.errors - 1, len(self.delays) - 1)]
            details = {"attempt": self.errors}
        else:
            self._discard(request_id, error, RETRIES_EXHAUSTED)
            return
        scheduler = self.runtime.scheduler
        if self.runtime.clock.now() + timedelta(seconds=delay) > self.deadline:
            scheduler.call_at(self.deadline, self._discard, request_id, error, EVENT_AGE_EXCEEDED)
            return
        self.runtime.trace.record("lambda", "async.retry", self.correlation_id, function=self.name, **details)
        scheduler.call_later(delay, self.start)

    def _discard(self, request_id: str | None, error: dict | None, condition: str) -> None:
        rt = self.runtime
        extra = {} if condition == RETRIES_EXHAUSTED else {"condition": condition}
        rt.trace.record("lambda", "async.exhausted", self.correlation_id, function=self.name,
                        requestId=request_id, **extra)
        rt.async_failures.append({"function": self.name, "event": self.event, "error": error,
                                  "condition": condition})
        fn = rt.function(self.name)
        if fn.on_failure and rt.destination is not None:
            record = failure_record(rt.stack.function_arn(self.name), request_id, self.event, error,
                                    self.attempts, rt.clock.now(), condition=condition)
            rt.destination(rt.stack.topic_arn(fn.on_failure), message(record))
