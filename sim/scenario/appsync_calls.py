"""Calling AppSync operations as a signed-in user would, from a scenario: the stack's field →
function routing (sim.aws.appsync), a Cognito-shaped identity, and errors surfaced as
(errorType, errorMessage) or as a failed step."""

from __future__ import annotations

from typing import Any

from sim.authz.callers import cognito, presented
from sim.aws.appsync import resolved_fields, resolver_event, resolver_function
from sim.scenario.context import Entity, ScenarioRun, StepFailed


def function_for(world, field: str) -> str:
    """The function serving `field`; a failed step naming the known fields when none does."""
    name = resolver_function(world.stack, field)
    if name is None:
        raise StepFailed(f"no function serves the AppSync field {field!r}; known fields: "
                         f"{', '.join(resolved_fields(world.stack))}")
    return name


CALLER_KINDS = ("admin", "none", "api_key", "iam", "webhook")   # `identity:` values other than a user


def identity(user: Entity | None, admin: bool = False) -> dict[str, Any] | None:
    if user is None:
        return None
    return cognito(user.id, user.kind, user.data.get("email"), admin=admin)


ANY_OUTCOME = "*"  # expect_error: either answer will do


def call(run: ScenarioRun, field: str, arguments: dict, *, user: Entity | None = None, admin: bool = False,
         expect_error: str | None = None, parent: str = "Mutation", caller: str | None = None) -> Any:
    """Invoke the function serving `field`; its response. The caller is `user` (an admin with
    `admin`), else `caller` (one of CALLER_KINDS; default none). With `expect_error`, the error must
    happen and its type or message contain that text (its response is then the error dict);
    `expect_error: "*"` takes either outcome (a probe: the oracle, not the step, judges what it did)."""
    from sim.aws.lambdas import LambdaError

    w = run.world
    name = function_for(w, field)
    headers: dict[str, str] = {}
    if user is not None:
        who = identity(user, admin)
    else:
        who, headers = presented(caller or "none", "admin-sim", "customer")
    event = resolver_event(field, arguments, identity=who, parent=parent, headers=headers)
    run.trace("appsync", None, field=field, function=name)
    try:
        result = w.invoke(name, event)
    except LambdaError as exc:
        if expect_error and (expect_error == ANY_OUTCOME or expect_error in exc.error_type
                             or expect_error in exc.error_message):
            return {"errorType": exc.error_type, "errorMessage": exc.error_message}
        raise StepFailed(f"{field} failed: {exc.error_type}: {exc.error_message}",
                         expected=expect_error or "success", actual=f"{exc.error_type}: {exc.error_message}") \
            from None
    if expect_error and expect_error != ANY_OUTCOME:
        raise StepFailed(f"{field} succeeded; expected the error {expect_error!r}", expected=expect_error,
                         actual="success")
    return result
