"""`Integrations`: the registry of task adapters an execution calls through.

Every built-in integration is one module that registers itself through the same `register()` seam
a user (or the World) calls: `register(resource, fn)` with an exact resource ARN, or a pattern with
`*` (`arn:aws:states:::dynamodb:*`). A task's adapter is found by its ARN, its ARN without the
`.sync`/`.waitForTaskToken` suffix, its canonical `arn:aws:states:::<service>:<action>`, then the
patterns (the latest registration first). After the adapter, `.waitForTaskToken` records
TaskSubmitted and parks until SendTask* — unless the adapter handles the pattern itself
(`owns_pattern=True`, as states:startExecution does for `.sync`).
"""

from __future__ import annotations

from collections.abc import Callable
from fnmatch import fnmatchcase
from typing import Any

from sim.asl.activities import Activities
from sim.asl.errors import StatesError
from sim.asl.integrations import (
    activity,
    aws_sdk,
    dynamodb,
    events,
    lambda_invoke,
    s3,
    sns,
    sqs,
    states_start,
)
from sim.asl.integrations.calls import TaskCall
from sim.asl.integrations.resources import ParsedResource, base_arn, canonical
from sim.asl.integrations.tokens import TaskTokens

BUILTINS = (lambda_invoke, events, dynamodb, sns, sqs, s3, aws_sdk, states_start, activity)
Adapter = Callable[[TaskCall], Any]
NOT_INTERCEPTED = object()


class Integrations:
    """The adapters, the World's callables they use, task tokens and activities."""

    def __init__(self, *, invoke_lambda: Callable | None = None, client_factory: Callable | None = None,
                 region: str = "us-east-1", account: str = "123456789012",
                 start_execution: Callable | None = None):
        self.invoke_lambda = invoke_lambda
        self.client_factory = client_factory
        self.region = region
        self.account = account
        self.start_execution = start_execution  # (call, params) -> execution; StepFunctionsService sets it
        self.tokens = TaskTokens()
        self.activities = Activities(region, account)
        self._exact: dict[str, tuple[Adapter, bool]] = {}
        self._patterns: list[tuple[str, Adapter, bool]] = []
        # a seam for the harness (mocked tasks): (call) -> the task's result, or NOT_INTERCEPTED
        self.intercept: Callable[[TaskCall], Any] | None = None
        for module in BUILTINS:
            module.register(self)

    def register(self, resource: str, fn: Adapter, *, owns_pattern: bool = False) -> None:
        """Add or override the adapter for `resource` (an ARN, or a pattern with `*`)."""
        if "*" in resource:
            self._patterns = [p for p in self._patterns if p[0] != resource]
            self._patterns.append((resource, fn, owns_pattern))
        else:
            self._exact[resource] = (fn, owns_pattern)

    def adapter(self, parsed: ParsedResource) -> tuple[Adapter, bool] | None:
        key = canonical(parsed)
        for candidate in (parsed.arn, base_arn(parsed), key):
            found = self._exact.get(candidate)
            if found is not None:
                return found
        for pattern, fn, owns in reversed(self._patterns):
            if fnmatchcase(key, pattern):
                return fn, owns
        return None

    # -- dispatch ----------------------------------------------------------------------------
    def invoke(self, call: TaskCall) -> Any:
        if self.intercept is not None and (hit := self.intercept(call)) is not NOT_INTERCEPTED:
            return hit
        found = self.adapter(call.parsed)
        if found is None:
            raise StatesError("States.TaskFailed", f"No integration is registered for the resource "
                                                   f"'{call.parsed.arn}'")
        fn, owns_pattern = found
        result = fn(call)
        return result if owns_pattern else self.finish_pattern(call, result)

    def finish_pattern(self, call: TaskCall, result: Any) -> Any:
        """`.waitForTaskToken`: TaskSubmitted with the adapter's result, then wait for the token."""
        if call.parsed.pattern != "waitForTaskToken":
            return result
        call.submitted(result)
        return self.wait_for_token(call)

    def wait_for_token(self, call: TaskCall) -> Any:
        return self.tokens.wait(call)
