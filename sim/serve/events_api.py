"""EventBridge PutEvents (AWS JSON 1.1) through the world's router: validation, the event
envelope, rules and every target kind, as handlers' own PutEvents calls get."""

from __future__ import annotations

from sim.serve.aws_protocol import ProtocolError, json_body, json_error, json_ok
from sim.serve.request import Request, Response

RULE_OPERATIONS = frozenset({"PutRule", "DeleteRule", "PutTargets", "RemoveTargets", "EnableRule", "DisableRule"})


def put_events(world, req: Request) -> Response:
    from sim.aws.eventbridge import PutEventsValidationError

    try:
        params = json_body(req)
    except ProtocolError as exc:
        return json_error(exc.code, exc.message, exc.status, "1.1")
    world.trace.record("serve", "aws", None, service="events", operation="PutEvents")
    try:
        result = world.router.put_events(params, caller=None)
    except PutEventsValidationError as err:
        return json_error(err.code, err.message, 400, "1.1")
    except (TypeError, AttributeError, KeyError, ValueError) as exc:
        return json_error("ValidationException", f"1 validation error detected: {exc}", 400, "1.1")
    return json_ok(result, "1.1")
