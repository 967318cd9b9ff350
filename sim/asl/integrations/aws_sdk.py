"""The AWS SDK integrations (`arn:aws:states:::aws-sdk:<service>:<action>`): camelCase action →
snake_case method, errors `<Service>.<Code>Exception`."""

from __future__ import annotations

from typing import Any

from sim.asl.integrations.calls import TaskCall
from sim.asl.integrations.sdk import SERVICE_PREFIX, camel_to_snake, sdk_call


def invoke(call: TaskCall) -> Any:
    service = call.parsed.service[len("aws-sdk:"):]
    prefix = SERVICE_PREFIX.get(service, service[:1].upper() + service[1:])
    params = call.params if isinstance(call.params, dict) else {}
    return sdk_call(call, service, camel_to_snake(call.parsed.action), params, prefix, True)


def register(integrations) -> None:
    integrations.register("arn:aws:states:::aws-sdk:*", invoke)
