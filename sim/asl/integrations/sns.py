"""SNS's optimized integration (`arn:aws:states:::sns:publish`): an object Message is serialised."""

from __future__ import annotations

from typing import Any

from sim.asl.integrations.calls import TaskCall
from sim.asl.integrations.sdk import optimized
from sim.asl.jsonutil import dumps


def invoke(call: TaskCall) -> Any:
    params = dict(call.params) if isinstance(call.params, dict) else {}
    if "Message" in params and not isinstance(params["Message"], str):
        params["Message"] = dumps(params["Message"])
    return optimized(call, "sns", params, metadata=True)


def register(integrations) -> None:
    integrations.register('arn:aws:states:::sns:*', invoke)
