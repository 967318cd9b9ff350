"""The state types and their handlers: `HANDLERS[type](sr) -> (output, next state name)`."""

from __future__ import annotations

from sim.asl.fanout import do_map, do_parallel
from sim.asl.simple_states import do_choice, do_fail, do_pass, do_succeed, do_wait
from sim.asl.task_state import do_task

HANDLERS = {
    "Pass": do_pass,
    "Succeed": do_succeed,
    "Fail": do_fail,
    "Choice": do_choice,
    "Wait": do_wait,
    "Task": do_task,
    "Parallel": do_parallel,
    "Map": do_map,
}
