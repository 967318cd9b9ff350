"""SQS's optimized integration (`arn:aws:states:::sqs:sendMessage`): an object MessageBody is serialised."""

from __future__ import annotations

from typing import Any

from sim.asl.integrations.calls import TaskCall
from sim.asl.integrations.sdk import optimized, serialised


def invoke(call: TaskCall) -> Any:
    return optimized(call, "sqs", serialised(call, "MessageBody"), metadata=True)


def register(integrations) -> None:
    integrations.register("arn:aws:states:::sqs:*", invoke)
