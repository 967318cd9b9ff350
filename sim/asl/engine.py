"""One execution (`Execution`): its history, clock, randomness, integrations and status, from
ExecutionStarted to its end (and again after a redrive). The states are below it: the loop
(loop.py), the per-state toolkit (staterun.py) and the state types (states.py).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sim.asl.context import ContextBase
from sim.asl.failures import Abort, BranchFailed, ExecutionFatal
from sim.asl.history import History, HistoryContext
from sim.asl.jsonutil import dumps
from sim.asl.loop import run_graph
from sim.asl.machine import Machine
from sim.asl.staterun import Scope, StateFailed, StateRun, with_retry_catch
from sim.asl.states import HANDLERS


class Execution:
    """One execution of a machine: history, clock, randomness, integrations and status."""

    def __init__(self, machine: Machine, input_value: Any, *, scheduler, rng, integrations, mocks,
                 context_base: ContextBase, execution_arn: str, name: str, role_arn: str,
                 state_machine_arn: str, input_text: str | None = None):
        self.machine = machine
        self.input = input_value
        self.input_text = input_text if input_text is not None else dumps(input_value)
        self.scheduler = scheduler
        self.clock = scheduler.clock
        self.rng = rng
        self.integrations = integrations
        self.mocks = mocks
        self.mock_counts: dict[str, int] = {}
        self.context_base = context_base
        self.arn = execution_arn
        self.name = name
        self.role_arn = role_arn
        self.state_machine_arn = state_machine_arn
        self.history = History(self.clock)
        self.status = "RUNNING"
        self.output: Any = None
        self.output_text: str | None = None
        self.error: str | None = None
        self.cause: str | None = None
        self.start_date: datetime = self.clock.now()
        self.stop_date: datetime | None = None
        self.states_visited = 0
        self.children: set = set()
        self.task = None
        self.watchdog = None
        self.listeners: list = []
        self.last_value: Any = None
        self.last_text = "null"
        self.root_ctx = HistoryContext()
        self.handlers = HANDLERS
        self.redrive_count = 0
        self.redrive_date: datetime | None = None
        self.resume: tuple[str, Any] | None = None  # the top-level state under way and its input
        self.top_scope: Scope | None = None
        self._timeout_seconds: float | None = None

    # -- lifecycle ---------------------------------------------------------------------------
    def start(self, timeout_seconds: float | None = None) -> None:
        self.task = self.scheduler.spawn(self.main, name=f"sfn:{self.name}")
        self._timeout_seconds = timeout_seconds
        self._arm_watchdog()

    def _arm_watchdog(self) -> None:
        timeout = self._timeout_seconds if self._timeout_seconds is not None else self.machine.timeout_seconds
        if timeout:
            self.watchdog = self.scheduler.call_later(timeout, self._timed_out)

    def restart_from_resume(self) -> None:
        """Redrive (redrive.py): RUNNING again, ExecutionRedriven recorded, the unsuccessful state re-entered."""
        name, value = self.resume
        self.status = "RUNNING"
        self.stop_date = None
        self.output = self.output_text = self.error = self.cause = None
        self.root_ctx = HistoryContext(len(self.history.events))
        self.history.add(self.root_ctx, "ExecutionRedriven", {"redriveCount": self.redrive_count})
        scope = self.top_scope
        scope.ctx, scope.state, scope.open_abort, scope.kids = self.root_ctx, None, None, None
        self.task = self.scheduler.spawn(self._drive, scope, value, name, name=f"sfn:{self.name}:redrive")
        self._arm_watchdog()

    def _timed_out(self) -> None:
        if self.status == "RUNNING" and self.task is not None:
            self.abort("TIMED_OUT")

    def abort(self, kind: str, error: str | None = None, cause: str | None = None) -> None:
        """Stop the execution now (StopExecution → ABORTED, the execution timeout → TIMED_OUT).

        AWS records no *StateAborted events for the states under way, only ExecutionAborted /
        ExecutionTimedOut with previousEventId 0 (a recorded StopExecution during a Wait:
        WaitStateEntered, then ExecutionAborted {} chained to 0). Every line of execution is marked
        dead first, so nothing it still had queued can add events afterwards.
        """
        if self.status != "RUNNING" or self.task is None:
            return
        self.root_ctx.dead = True
        if not self.task._started and not self.history.events:
            self.history.add(HistoryContext(), "ExecutionStarted", {"input": self.input_text,
                                                                    "roleArn": self.role_arn},
                             update_source=False)
        self._finish_abort(Abort(kind, error, cause))
        self.task.cancel(Abort(kind, error, cause))

    def main(self) -> Any:
        ctx = self.root_ctx
        self.history.add(HistoryContext(), "ExecutionStarted", {"input": self.input_text,
                                                                "roleArn": self.role_arn}, update_source=False)
        self.top_scope = Scope(ctx, {}, nested=False)
        return self._drive(self.top_scope, self.input, None)

    def _drive(self, scope: Scope, value: Any, start_at: str | None) -> Any:
        ctx = self.root_ctx
        try:
            output = run_graph(self, self.machine.graph, value, scope, start_at)
        except ExecutionFatal as f:
            self._finish_failed(HistoryContext(f.source), f.error, f.cause)
        except BranchFailed as b:
            self._finish_failed(HistoryContext(b.ctx.source), b.error, b.cause)
        except Abort:
            if self.status != "RUNNING":
                return self.status  # abort() already recorded the end of the execution
            # the task running this execution was killed (a Map Run child whose run failed)
            self._finish_abort(Abort("ABORTED"))
            raise
        else:
            if self.status == "RUNNING":
                self.output = output
                self.output_text = dumps(output)
                self.history.add(HistoryContext(ctx.source), "ExecutionSucceeded", {"output": self.output_text})
                self._done("SUCCEEDED")
        return self.status

    def _finish_failed(self, ctx: HistoryContext, error: str | None, cause: str | None) -> None:
        if self.status != "RUNNING":
            return
        details = {}
        if error is not None:
            details["error"] = error
        if cause is not None:
            details["cause"] = cause
        self.error, self.cause = error, cause
        self.history.add(ctx, "ExecutionFailed", details)
        self._done("FAILED")

    def _finish_abort(self, a: Abort) -> None:
        if self.status != "RUNNING":
            return
        ctx = HistoryContext(0)
        details: dict = {}
        if a.kind == "TIMED_OUT":
            # DescribeExecution of a timed-out execution shows neither error nor cause
            self.history.add(ctx, "ExecutionTimedOut", details)
            self._done("TIMED_OUT")
        else:
            if a.error is not None:
                details["error"] = a.error
            if a.cause is not None:
                details["cause"] = a.cause
            self.error, self.cause = a.error, a.cause
            self.history.add(ctx, "ExecutionAborted", details)
            self._done("ABORTED")

    def _done(self, status: str) -> None:
        self.root_ctx.dead = True
        self.status = status
        self.stop_date = self.clock.now()
        if self.watchdog is not None:
            self.watchdog.cancel()
        for child in list(self.children):
            child.cancel(Abort("CANCELLED"))
        self.children.clear()
        for fn in self.listeners:
            fn(self)

    def child_execution(self, machine: Machine, input_value: Any, *, context_base: ContextBase, execution_arn: str,
                        name: str, state_machine_arn: str) -> Execution:
        """A child execution on the same scheduler and integrations (a Distributed Map's Map Run child)."""
        return Execution(machine, input_value, scheduler=self.scheduler, rng=self.rng.child(name),
                   integrations=self.integrations, mocks=self.mocks, context_base=context_base,
                   execution_arn=execution_arn, name=name, role_arn=self.role_arn, state_machine_arn=state_machine_arn)

    # -- helpers for states --------------------------------------------------------------------
    def spawn_child(self, fn, *args, name: str | None = None):
        task = self.scheduler.spawn(fn, *args, name=name)
        self.children.add(task)
        task.add_done_callback(self.children.discard)
        return task




__all__ = ["Execution", "Scope", "StateRun", "StateFailed", "run_graph", "with_retry_catch", "Abort"]
