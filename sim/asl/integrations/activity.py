"""Activity tasks (`arn:aws:states:R:A:activity:NAME`): queued for a worker's GetActivityTask
(sim/asl/activities.py), answered by SendTaskSuccess / Failure / Heartbeat on the task's token."""

from __future__ import annotations

from typing import Any

from sim.asl.activities import QueuedTask
from sim.asl.integrations.calls import TaskCall
from sim.asl.jsonutil import dumps


def invoke(call: TaskCall) -> Any:
    integrations = call.run.integrations
    integrations.activities.schedule(call.parsed.arn, QueuedTask(call.token, dumps(call.params), call.started))
    return integrations.tokens.wait(call)


def register(integrations) -> None:
    integrations.register("arn:aws*:states:*:*:activity:*", invoke)
