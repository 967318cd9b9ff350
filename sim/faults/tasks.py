"""Mocked Step Functions tasks (the `sfn.task` kind of the fault plane): a Task state of one state
machine answers `result` (or fails with `error` / `cause`) instead of calling its resource, in
every execution, at most `times` times. The interpreter's task seam (`Integrations.intercept`)
asks the plane before it calls an integration; the latest mock of a state wins.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sim.faults.plane import FaultSpec


@dataclass(eq=False)
class TaskMock(FaultSpec):
    KIND = "sfn.task"
    NEWEST_FIRST = True

    workflow: str
    state: str
    result: Any = None
    error: str | None = None
    cause: str | None = None
    times: int | None = None
    fired: int = 0
    delay_s: float | None = None  # answer only after this much virtual time (a hung dependency)

    @property
    def machine(self) -> str:
        """The state machine's name (`ecosystem-<workflow>` unless already given in full)."""
        return self.workflow if self.workflow.startswith("ecosystem-") else f"ecosystem-{self.workflow}"

    @property
    def scenario_kind(self) -> str:
        return "task"

    def take(self, state_name: str, machine: str) -> bool:
        if state_name != self.state or machine != self.machine:
            return False
        if self.times is not None and self.fired >= self.times:
            return False
        self.fired += 1
        return True

    def to_scenario(self) -> dict | None:
        body: dict = {"workflow": self.workflow, "state": self.state}
        if self.error:
            body["error"] = self.error
            if self.cause:
                body["cause"] = self.cause
        else:
            body["result"] = self.result
        if self.times is not None:
            body["times"] = self.times
        if self.delay_s:
            body["delay"] = self.delay_s
        return {"task": body}


def task_seam(plane, trace=None):
    """The interpreter's `Integrations.intercept` hook answering Task states from the plane's mocks."""
    from sim.asl.errors import StatesError
    from sim.asl.integrations import NOT_INTERCEPTED

    def intercept(call) -> Any:
        arn = str(getattr(call.run, "state_machine_arn", "") or "")
        mock = plane.match(TaskMock.KIND, call.state_name, arn.rsplit(":", 1)[-1])
        if mock is None:
            return NOT_INTERCEPTED
        if trace is not None:
            trace.record("sfn", "task.mocked", None, machine=mock.machine, state=mock.state, error=mock.error)
        if mock.delay_s:
            call.run.scheduler.sleep(mock.delay_s)
        if mock.error:
            raise StatesError(mock.error, mock.cause or f"mocked failure of {mock.state}")
        return mock.result

    return intercept
