"""Our Amazon States Language interpreter on virtual time (`execute`: docs/contracts.md §2).

    from sim.asl import execute
    ex = execute(definition, {"orderId": "o1"})
    ex.status, ex.output, ex.error, ex.cause, ex.history
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from sim.asl import engine
from sim.asl.context import ContextBase
from sim.asl.errors import InvalidDefinition, StatesError
from sim.asl.integrations import Integrations
from sim.asl.jsonutil import dumps
from sim.asl.machine import compile_definition
from sim.asl.mocks import MockConfig
from sim.clock import Clock
from sim.rng import Rng
from sim.scheduler import Scheduler

__all__ = ["execute", "Execution", "StatesError", "InvalidDefinition", "start"]

DEFAULT_ACCOUNT = "123456789012"
DEFAULT_REGION = "us-east-1"


class Execution:
    """The outcome of one execution: a read-only view over the engine's `engine.Execution`."""

    __slots__ = ("_run",)

    def __init__(self, run):
        self._run = run

    status = property(lambda self: self._run.status)
    output = property(lambda self: self._run.output)
    output_text = property(lambda self: self._run.output_text)
    error = property(lambda self: self._run.error)
    cause = property(lambda self: self._run.cause)
    arn = property(lambda self: self._run.arn)
    name = property(lambda self: self._run.name)
    input = property(lambda self: self._run.input)
    start_date = property(lambda self: self._run.start_date)
    stop_date = property(lambda self: self._run.stop_date)
    states_visited = property(lambda self: self._run.states_visited)
    state_machine_arn = property(lambda self: self._run.state_machine_arn)
    task = property(lambda self: self._run.task)

    @property
    def history(self) -> list[dict]:
        return self._run.history.render()

    @property
    def variables(self) -> dict:
        return {}

    def __repr__(self) -> str:
        return f"<Execution {self.name} {self.status}>"


def _parse_input(value: Any) -> tuple[Any, str]:
    if value is None:
        return {}, "{}"
    if isinstance(value, str | bytes):
        text = value.decode() if isinstance(value, bytes) else value
        return json.loads(text), text
    return json.loads(dumps(value)), dumps(value)


def start(definition: dict | str, input: Any = None, *, scheduler, rng=None, integrations=None, mocks=None,
          test_case: str | None = None, name: str | None = None, state_machine_arn: str | None = None,
          role_arn: str | None = None, context: dict | None = None, validate: bool = True,
          timeout_seconds: float | None = None, machine=None, execution_arn: str | None = None,
          redrive_count: int | None = 0):
    """Start an execution on `scheduler` (it runs as the scheduler runs); returns the `engine.Execution`."""
    machine = machine or compile_definition(definition, validate=validate)
    value, text = _parse_input(input)
    rng = rng if rng is not None else Rng(0)
    integrations = integrations if integrations is not None else Integrations()
    sm_arn = state_machine_arn or f"arn:aws:states:{integrations.region}:{integrations.account}:stateMachine:StateMachine"
    sm_name = sm_arn.rsplit(":", 1)[-1]
    name = name or rng.uuid4()
    exec_arn = execution_arn or sm_arn.replace(":stateMachine:", ":execution:", 1) + f":{name}"
    role = role_arn or f"arn:aws:iam::{integrations.account}:role/StepFunctionsExecutionRole"
    mocked = None
    if mocks is not None:
        mocked = MockConfig.load(mocks).test_case(sm_name, test_case)
    now: datetime = scheduler.clock.now()
    base = ContextBase(execution_arn=exec_arn, name=name, input_value=value, role_arn=role, start=now,
                       state_machine_arn=sm_arn, state_machine_name=sm_name, extra=context,
                       redrive_count=redrive_count)
    run = engine.Execution(machine, value, scheduler=scheduler, rng=rng, integrations=integrations,
                           mocks=mocked, context_base=base, execution_arn=exec_arn, name=name, role_arn=role,
                           state_machine_arn=sm_arn, input_text=text)
    run.start(timeout_seconds)
    return run


def execute(definition: dict | str, input: Any = None, **options: Any) -> Execution:
    """Run one execution to completion on virtual time and return it.

    Options: seed (0), start (datetime/ISO, default 2026-01-01T00:00:00Z), scheduler (run on a
    caller's scheduler), integrations, mocks + test_case, name, state_machine_arn, role_arn,
    context (extra context-object fields), validate (True), timeout_seconds.
    """
    seed = options.pop("seed", 0)
    start_at = options.pop("start", None)
    scheduler = options.pop("scheduler", None)
    rng = options.pop("rng", None)
    if rng is None:
        rng = Rng(seed).child("asl")
    own = scheduler is None
    if own:
        scheduler = Scheduler(Clock(start_at), Rng(seed).child("scheduler"), interleave=False)
    run = start(definition, input, scheduler=scheduler, rng=rng, **options)
    if scheduler.in_task():
        scheduler.wait(run.task)
    else:
        scheduler.run_until_complete(run.task)
    if own:
        scheduler.run_until_idle()
    return Execution(run)
