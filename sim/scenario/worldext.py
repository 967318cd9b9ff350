"""Small helpers the World does not (yet) offer, built from its public pieces:

- `set_function_env(world, key, value, functions=None)`: change an environment variable of the
  deployed functions (e.g. a rotated STRIPE_WEBHOOK_SECRET), as a redeploy would;
- `fail_invocations(world, function, error, times)`: the next invocations of a function raise an
  unhandled error before the handler runs (a crashing deploy, an import error);
- `endpoint(world)`: the Stripe webhook endpoint the world registered for its ingress.
"""

from __future__ import annotations

from sim.scenario.context import StepFailed


def set_function_env(world, key: str, value: str, functions: list[str] | None = None) -> list[str]:
    envs = getattr(world, "environments", None) or {}
    changed = []
    for name, env in envs.items():
        if (functions is None and key in env) or (functions is not None and name in functions):
            env[key] = value
            changed.append(name)
    world.trace.record("scenario", "env.set", None, key=key, functions=changed)
    return changed


class InjectedError(Exception):
    """An unhandled error a scenario injected into a function."""


def fail_invocations(world, function: str, error: str, times: int | None) -> None:
    runtime = world.lambdas
    fn = runtime.function(function)
    original = runtime.handler_for(fn)
    state = {"left": times}
    error_cls = type(error, (InjectedError,), {})

    def failing(event, context):
        if state["left"] is None or state["left"] > 0:
            if state["left"] is not None:
                state["left"] -= 1
            world.trace.record("lambda", "fault", None, function=function, error=error)
            raise error_cls(f"injected {error} in {function}")
        return original(event, context)

    runtime._handlers[function] = failing


def endpoint(world):
    ep = getattr(world, "stripe_endpoint", None)
    if ep is None:
        raise StepFailed("the world has no Stripe webhook endpoint")
    return ep
