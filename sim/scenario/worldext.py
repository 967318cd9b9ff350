"""Scenario-side helpers over the World's public pieces:

- `endpoints(world)` / `endpoint(world, event)`: the Stripe webhook endpoints of the world's ingress;
- `mock_task(world, …)`: mocked Task results in workflows.
"""

from __future__ import annotations

from sim.scenario.context import StepFailed


def endpoints(world) -> list:
    """The Stripe webhook endpoints the world registered for its ingress (platform, Connect)."""
    eps = list(getattr(world, "stripe_endpoints", None) or [])
    if not eps and getattr(world, "stripe_endpoint", None) is not None:
        eps = [world.stripe_endpoint]
    if not eps:
        raise StepFailed("the world has no Stripe webhook endpoint")
    return eps


def endpoint(world, event: dict | None = None):
    """The endpoint that receives `event` (Connect for connected accounts' events)."""
    eps = endpoints(world)
    if event is None:
        return eps[-1]
    for ep in eps:
        if ("account" in event) == ep.connect:
            return ep
    return eps[0]


def mock_task(world, workflow: str, state: str, *, result=None, error: str | None = None,
              cause: str | None = None, times: int | None = None, delay_s: float | None = None) -> None:
    """A Task state of one state machine answers `result` (or fails with `error`) instead of calling
    its resource, in every execution started from now on (at most `times` times); with `delay_s` it
    answers only after that much virtual time (a dependency so slow the execution may run past its
    TimeoutSeconds, which then ends it TIMED_OUT)."""
    sfn = getattr(world, "sfn", None)
    integrations = getattr(sfn, "integrations", None)
    if integrations is None:
        raise StepFailed("the world does not simulate Step Functions: tasks cannot be mocked")
    from sim.asl.errors import StatesError

    machine = workflow if workflow.startswith("ecosystem-") else f"ecosystem-{workflow}"
    state_left = {"left": times}
    original = integrations.invoke

    def invoke(call):
        arn = str(getattr(call.run, "state_machine_arn", "") or "")
        if call.state_name == state and arn.rsplit(":", 1)[-1] == machine and (
                state_left["left"] is None or state_left["left"] > 0):
            if state_left["left"] is not None:
                state_left["left"] -= 1
            world.trace.record("sfn", "task.mocked", None, machine=machine, state=state, error=error)
            if delay_s:
                world.scheduler.sleep(delay_s)
            if error:
                raise StatesError(error, cause or f"mocked failure of {state}")
            return result
        return original(call)

    integrations.invoke = invoke
