"""SNS's optimized integration (`arn:aws:states:::sns:publish`): an object Message is serialised."""

from __future__ import annotations

from typing import Any

from sim.asl.integrations.calls import TaskCall
from sim.asl.integrations.sdk import optimized, serialised


def invoke(call: TaskCall) -> Any:
    return optimized(call, "sns", serialised(call, "Message"), metadata=True)


def register(integrations) -> None:
    integrations.register("arn:aws:states:::sns:*", invoke)
