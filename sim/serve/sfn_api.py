"""The Step Functions API (AWS JSON 1.0) served by the world's interpreter: StartExecution,
DescribeExecution, GetExecutionHistory, ListExecutions, ListStateMachines, StopExecution,
SendTaskSuccess/Failure/Heartbeat, … — every operation `sim.asl.service` implements."""

from __future__ import annotations

from sim.serve.aws_protocol import ProtocolError, json_body, json_error, json_ok
from sim.serve.request import Request, Response


def handle(world, operation: str | None, req: Request) -> Response:
    from sim.asl.service import ServiceError

    if not operation:
        return json_error("UnknownOperationException", "X-Amz-Target names no operation")
    try:
        params = json_body(req)
    except ProtocolError as exc:
        return json_error(exc.code, exc.message, exc.status)
    world.trace.record("serve", "aws", None, service="states", operation=operation)
    try:
        result = world.sfn.handle(operation, params)
    except ServiceError as exc:
        return json_error(exc.code, exc.message, exc.status)
    except (TypeError, AttributeError, KeyError, ValueError) as exc:
        # a parameter of the wrong type (a number for an ARN, …): AWS's validation answer
        return json_error("ValidationException", f"1 validation error detected: {type(exc).__name__}: {exc}")
    return json_ok(result)
