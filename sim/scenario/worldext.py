"""Small helpers the World does not (yet) offer, built from its public pieces:

- `set_function_env(world, key, value, functions=None)`: change an environment variable of the
  deployed functions (e.g. a rotated STRIPE_WEBHOOK_SECRET), as a redeploy would;
- `fail_invocations(world, function, error, times)`: the next invocations of a function raise an
  unhandled error before the handler runs (a crashing deploy, an import error);
- `endpoints(world)` / `endpoint(world, event)`: the Stripe webhook endpoints of the world's ingress;
- `function_logs(world)`: capture the functions' JSON logs into `world.logs` (and off the terminal);
- `ensure_buckets(world)`, `mock_task(world, …)`: S3 buckets; mocked Task results in workflows.
"""

from __future__ import annotations

import contextlib
import json

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
              cause: str | None = None, times: int | None = None) -> None:
    """A Task state of one state machine answers `result` (or fails with `error`) instead of calling
    its resource, in every execution started from now on (at most `times` times)."""
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
            if error:
                raise StatesError(error, cause or f"mocked failure of {state}")
            return result
        return original(call)

    integrations.invoke = invoke


def ensure_buckets(world) -> None:
    """Create the stack's S3 buckets when the world deployed without its extras (booking QR codes,
    message attachments need them)."""
    from sim.aws.deploy import Deployer

    with world.internal():
        Deployer(world.stack, world.client).buckets()


@contextlib.contextmanager
def function_logs(world, logger_name: str = "marketplace", mute: bool = True):
    """Capture the functions' JSON log lines into `world.logs` (as CloudWatch Logs would keep them)
    and, with `mute`, keep them off the terminal while the scenario runs."""
    import logging

    logger = logging.getLogger(logger_name)
    try:  # the functions configure their logging lazily, on the first line: do it now
        from handlers.common.log import get_logger

        get_logger("harness").debug("configure")
    except ImportError:
        pass

    class _Capture(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            line = record.getMessage()
            try:
                data = json.loads(line)
            except ValueError:
                data = {"message": line}
            task = world.scheduler.current_task()
            meta = getattr(task, "meta", None) or {}
            world.logs.append({"function": meta.get("function") or data.get("function"),
                               "level": record.levelname, "message": line, "text": data.get("message"),
                               "time": world.now()})

    capture = _Capture(level=logging.DEBUG)
    muted = []
    if mute:
        for h in logger.handlers:
            if isinstance(h, logging.StreamHandler) and h.level <= logging.CRITICAL:
                muted.append((h, h.level))
                h.setLevel(logging.CRITICAL + 1)
    logger.addHandler(capture)
    try:
        yield
    finally:
        logger.removeHandler(capture)
        for h, level in muted:
            h.setLevel(level)
