"""SQS's optimized integration (`arn:aws:states:::sqs:sendMessage`): an object MessageBody is serialised."""

from __future__ import annotations

from typing import Any

from sim.asl.integrations.calls import TaskCall
from sim.asl.integrations.sdk import optimized
from sim.asl.jsonutil import dumps


def invoke(call: TaskCall) -> Any:
    params = dict(call.params) if isinstance(call.params, dict) else {}
    if "MessageBody" in params and not isinstance(params["MessageBody"], str):
        params["MessageBody"] = dumps(params["MessageBody"])
    return optimized(call, "sqs", params, metadata=True)


def register(integrations) -> None:
    integrations.register('arn:aws:states:::sqs:*', invoke)
