"""The state loop: walk a graph from StartAt (or a given state) until End/Succeed, entering each
state, dispatching it to its handler (`run.handlers`, the table in states.py) and turning its
failures into what the line of execution above sees (BranchFailed, ExecutionFatal)."""

from __future__ import annotations

from typing import Any

from sim.asl.errors import StatesError
from sim.asl.failures import BranchFailed, ExecutionFatal, QueryFailure, RuntimeFailure
from sim.asl.jsonutil import dumps
from sim.asl.machine import Graph
from sim.asl.staterun import Scope, StateFailed, StateRun


def run_graph(run, graph: Graph, value: Any, scope: Scope, start_at: str | None = None) -> Any:
    """Run states from StartAt (or `start_at`) until an End/Succeed; raise BranchFailed / ExecutionFatal."""
    name = start_at or graph.start_at
    history = run.history
    top = not scope.nested
    while True:
        state = graph.states.get(name)
        if state is None:
            raise ExecutionFatal("States.Runtime", f"The state '{name}' does not exist.", scope.ctx.source)
        if top:
            run.resume = (name, value)
        run.states_visited += 1
        text = run.last_text if run.last_value is value and value is not None else dumps(value)
        entered_id = history.add(scope.ctx, f"{state.type}StateEntered", {"name": state.name, "input": text})
        sr = StateRun(run, state, scope, value, entered_id)
        scope.state = state
        handler = run.handlers[state.type]
        try:
            value, name = handler(sr)
        except RuntimeFailure as exc:
            raise sr.fatal(exc) from None
        except QueryFailure as exc:  # from states without Retry/Catch
            sr.query_failed(exc)
            scope.state = None
            raise BranchFailed(exc.error, exc.cause, scope.ctx, scope) from None
        except StateFailed as exc:
            # the state never exited: a container aborting this line records exc.aborted_event
            scope.state = None
            scope.open_abort = exc.aborted_event
            raise BranchFailed(exc.error, exc.cause, scope.ctx, scope) from None
        except StatesError as exc:  # an uncaught failure of a state without Retry/Catch
            sr.with_prefix(exc)
            scope.state = None
            raise BranchFailed(exc.error, exc.cause, scope.ctx, scope) from None
        if name is None:
            scope.state = None
            return value
