"""S3's optimized integration (`arn:aws:states:::s3:<action>`); Distributed Map's ItemReader and
ResultWriter use the World's S3 client directly (fanout.py)."""

from __future__ import annotations

from typing import Any

from sim.asl.integrations.calls import TaskCall
from sim.asl.integrations.sdk import optimized


def invoke(call: TaskCall) -> Any:
    return optimized(call, "s3")


def register(integrations) -> None:
    integrations.register("arn:aws:states:::s3:*", invoke)
