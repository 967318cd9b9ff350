"""DynamoDB's optimized integration (`arn:aws:states:::dynamodb:<action>`): errors DynamoDB.<Code>,
results with SdkHttpMetadata."""

from __future__ import annotations

from typing import Any

from sim.asl.integrations.calls import TaskCall
from sim.asl.integrations.sdk import optimized


def invoke(call: TaskCall) -> Any:
    return optimized(call, "dynamodb", metadata=True)


def register(integrations) -> None:
    integrations.register("arn:aws:states:::dynamodb:*", invoke)
