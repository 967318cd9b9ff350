"""Faults drawn from a seed: what `sim storm` and `sim explore` inject without a story.

    specs = draw("duplicate", rng, 0.2, opportunities=500)   # ≈ 20 % of 500 deliveries duplicated
    for spec in specs:
        world.faults.add(spec)            # or spec.to_scenario() for a scenario's `faults:` list

`draw(kind, rng, rate, *, opportunities, targets)` returns concrete, deterministic specs (a list,
empty when the draw fires nothing): how many occasions the fault hits is a binomial draw of
`opportunities` trials at `rate`; what it hits (an event type, a call, a function, a Task state) is
picked from `targets` (by default the marketplace's vocabulary: the fake Stripe's event types,
the stack's functions, the Task states of asl/). Same rng state ⇒ same specs. `DRAW_KINDS` lists
the kinds; adding one is one function in `DRAWERS`.
"""

from __future__ import annotations

import functools
import json
import random
from collections.abc import Callable
from dataclasses import dataclass, field

from sim.errors import InputError, UnknownName
from sim.faults.aws import AwsCallFault, LambdaTimeoutFault
from sim.faults.delivery import DeliveryFault
from sim.faults.lambdas import LambdaFault
from sim.faults.plane import FaultSpec
from sim.faults.putevents import PutEventsFault
from sim.faults.stripe_api import StripeApiFault
from sim.faults.tasks import TaskMock

AWS_CALLS = ("dynamodb.PutItem", "dynamodb.UpdateItem", "dynamodb.GetItem", "dynamodb.Query",
             "dynamodb.TransactWriteItems", "eventbridge.PutEvents", "sfn.StartExecution", "sns.Publish")
STRIPE_API_PATHS = ("/v1/events", "/v1/events/*", "/v1/payment_intents*", "/v1/refunds*", "/v1/transfers*",
                    "/v1/payouts*", "/v1/accounts*")


@functools.cache
def _stack_functions() -> tuple[tuple[str, int], ...]:
    from sim.aws.stack import marketplace_stack

    return tuple((f.name, f.timeout) for f in marketplace_stack().functions)


@functools.cache
def _task_states() -> tuple[tuple[str, str], ...]:
    from sim.aws.stack import ASL_DIR, STATE_MACHINES

    found: list[tuple[str, str]] = []

    def walk(states: dict, machine: str) -> None:
        for name, state in states.items():
            if state.get("Type") == "Task":
                found.append((machine, name))
            for branch in state.get("Branches", []):
                walk(branch.get("States", {}), machine)
            for key in ("Iterator", "ItemProcessor"):
                if key in state:
                    walk(state[key].get("States", {}), machine)

    for sm in STATE_MACHINES:
        walk(json.loads((ASL_DIR / sm.definition_file).read_text()).get("States", {}), sm.name)
    return tuple(found)


def _event_types() -> tuple[str, ...]:
    from sim.stripe.events import EVENT_TYPES

    return EVENT_TYPES


@dataclass(frozen=True)
class DrawTargets:
    """What drawn faults may hit; empty fields mean the marketplace's whole vocabulary."""

    event_types: tuple[str, ...] = ()
    functions: tuple[str, ...] = ()
    aws_calls: tuple[str, ...] = AWS_CALLS
    tasks: tuple[tuple[str, str], ...] = ()
    api_paths: tuple[str, ...] = STRIPE_API_PATHS
    timeouts: dict[str, int] = field(default_factory=dict)

    def types(self) -> tuple[str, ...]:
        return self.event_types or _event_types()

    def fns(self) -> tuple[str, ...]:
        return self.functions or tuple(name for name, _ in _stack_functions())

    def timeout(self, function: str) -> int:
        return self.timeouts.get(function) or dict(_stack_functions()).get(function, 30)

    def task_states(self) -> tuple[tuple[str, str], ...]:
        return self.tasks or _task_states()


def occurrences(rng: random.Random, rate: float, opportunities: int) -> int:
    """How many of `opportunities` occasions a fault at `rate` hits (a binomial draw)."""
    if not 0 <= rate <= 1:
        raise InputError(f"expected a rate between 0 and 1, got {rate}", field="rate")
    return sum(1 for _ in range(opportunities) if rng.random() < rate)


Drawer = Callable[[random.Random, int, DrawTargets], FaultSpec]


def _type_match(rng: random.Random, t: DrawTargets) -> dict:
    return {"type": rng.choice(t.types())} if rng.random() < 0.5 else {}


def _delivery(kind: str, **options: Callable[[random.Random], object]) -> Drawer:
    def drawer(rng: random.Random, n: int, t: DrawTargets) -> FaultSpec:
        match = _type_match(rng, t)
        return DeliveryFault(kind, match=match, times=n, **{k: pick(rng) for k, pick in options.items()})
    return drawer


def _aws(errors: tuple[str, ...] = (), **fixed) -> Drawer:
    def drawer(rng: random.Random, n: int, t: DrawTargets) -> FaultSpec:
        call = rng.choice(t.aws_calls)
        function = rng.choice(t.fns()) if rng.random() < 0.7 else None
        options = dict(fixed)
        if errors:
            options["error"] = rng.choice(errors)
        if options.get("latency") == "draw":
            options["latency"] = rng.choice((0.5, 2.0, 5.0, 15.0))
        return AwsCallFault(call, function=function, times=n, **options)
    return drawer


def _lambda(mode: str) -> Drawer:
    def drawer(rng: random.Random, n: int, t: DrawTargets) -> FaultSpec:
        return LambdaFault(rng.choice(t.fns()), mode, times=n)
    return drawer


def _timeout(rng: random.Random, n: int, t: DrawTargets) -> FaultSpec:
    function = rng.choice(t.fns())
    return LambdaTimeoutFault(function, t.timeout(function), times=n)


def _putevents(rng: random.Random, n: int, t: DrawTargets) -> FaultSpec:
    return PutEventsFault(count=n, code=rng.choice(("InternalFailure", "ThrottlingException")))


def _task(rng: random.Random, n: int, t: DrawTargets) -> FaultSpec:
    machine, state = rng.choice(t.task_states())
    return TaskMock(machine, state, error=rng.choice(("States.TaskFailed", "Lambda.ServiceException")),
                    cause="drawn fault", times=n)


def _stripe_api(rng: random.Random, n: int, t: DrawTargets) -> FaultSpec:
    return StripeApiFault(rng.choice((429, 500, 503)), path=rng.choice(t.api_paths), times=n)


DRAWERS: dict[str, Drawer] = {
    "drop": _delivery("drop"),
    "duplicate": _delivery("duplicate", copies=lambda r: r.randint(2, 4), concurrent=lambda r: r.random() < 0.5),
    "reorder": _delivery("reorder", window_s=lambda r: r.choice((30.0, 60.0, 120.0, 300.0))),
    "delay": _delivery("delay", delay_s=lambda r: r.choice((60.0, 600.0, 3600.0, 3 * 3600.0))),
    "endpoint_down": _delivery("endpoint_down", status=lambda r: r.choice((500, 503, "timeout"))),
    "bad_signature": _delivery("bad_signature"),
    "stale_timestamp": _delivery("stale_timestamp", offset_s=lambda r: r.choice((400.0, 600.0, 3600.0))),
    "future_timestamp": _delivery("future_timestamp", offset_s=lambda r: r.choice((400.0, 3600.0))),
    "rotated_secret": _delivery("rotated_secret", expired=lambda r: r.random() < 0.5),
    "aws.throttle": _aws(("ProvisionedThroughputExceededException", "ThrottlingException")),
    "aws.error": _aws(("InternalServerError", "ServiceUnavailable")),
    "aws.latency": _aws(latency="draw"),
    "aws.crash_after": _aws(crash_after=True),
    "lambda.throttle": _lambda("throttle"),
    "lambda.error": _lambda("error"),
    "lambda.timeout": _timeout,
    "putevents": _putevents,
    "task": _task,
    "stripe_api": _stripe_api,
}
DRAW_KINDS = tuple(DRAWERS)


def draw(kind: str, rng: random.Random, rate: float, *, opportunities: int = 100,
         targets: DrawTargets | None = None) -> list[FaultSpec]:
    """Specs of `kind` hitting ≈ `rate` × `opportunities` occasions, drawn from `rng` (see module doc)."""
    drawer = DRAWERS.get(kind)
    if drawer is None:
        raise UnknownName("fault kind", kind, DRAW_KINDS)
    n = occurrences(rng, rate, opportunities)
    if n == 0:
        return []
    return [drawer(rng, n, targets or DrawTargets())]
