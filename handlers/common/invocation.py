"""Which kind of invocation a handler got, and one dispatcher for all of them.

The marketplace's handlers are invoked four ways; `kind_of(event)` tells them apart:
  * "appsync"       — an AppSync resolver event {"arguments", "identity", "info": {"fieldName"}}
  * "stepfunctions" — a Task state's direct payload {"action", "workflow"?, "executionArn"?, "input"?}
  * "eventbridge"   — an EventBridge envelope {version, id, detail-type, source, ..., detail}
  * "cognito"       — a Cognito trigger {"triggerSource", "userPoolId", "request", ...}
  * "stream"        — a DynamoDB Streams batch {"Records": [{"eventSource": "aws:dynamodb", ...}]}
`dispatch(...)` routes each kind to the operation tables a handler declares, sets the correlation
id, and fails closed: an unknown shape, field or action raises ValidationError (an AppSync error
whose class name Step Functions sees as the task's Error), and any unexpected exception becomes
InternalError without leaking internals (common.appsync's convention).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from handlers.common.appsync import AppSyncError, InternalError, ResolverEvent, ValidationError, parse_event
from handlers.common.log import correlation_id_from, get_logger, set_correlation_id

APPSYNC, STEPFUNCTIONS, EVENTBRIDGE, COGNITO, STREAM, UNKNOWN = (
    "appsync", "stepfunctions", "eventbridge", "cognito", "stream", "unknown")

_log = get_logger("invocation")


def kind_of(event: Any) -> str:
    if not isinstance(event, dict):
        return UNKNOWN
    if isinstance(event.get("info"), dict) and "arguments" in event:
        return APPSYNC
    if "detail-type" in event and "source" in event and "detail" in event:
        return EVENTBRIDGE
    if isinstance(event.get("triggerSource"), str) and "userPoolId" in event:
        return COGNITO
    if isinstance(event.get("action"), str):
        return STEPFUNCTIONS
    records = event.get("Records")
    if isinstance(records, list) and records and all(
            isinstance(r, dict) and r.get("eventSource") == "aws:dynamodb" for r in records):
        return STREAM
    return UNKNOWN


def task_input(event: dict[str, Any]) -> dict[str, Any]:
    """The `input` object of a Step Functions payload (the payload itself when it has none)."""
    value = event.get("input", event)
    if not isinstance(value, dict):
        raise ValidationError("input must be an object")
    return value


def dispatch(name: str, event: Any, context: Any, *,
             fields: Mapping[str, Callable[[ResolverEvent], Any]] | None = None,
             actions: Mapping[str, Callable[[dict[str, Any]], Any]] | None = None,
             on_event: Callable[[dict[str, Any]], Any] | None = None,
             on_cognito: Callable[[dict[str, Any]], Any] | None = None,
             on_stream: Callable[[dict[str, Any]], Any] | None = None) -> Any:
    kind = kind_of(event)
    if kind == STREAM and isinstance(event["Records"][0].get("eventID"), str) and event["Records"][0]["eventID"]:
        set_correlation_id(event["Records"][0]["eventID"][:200])
    else:
        set_correlation_id(correlation_id_from(event, context))
    try:
        if kind == APPSYNC and fields is not None:
            parsed = parse_event(event)
            fn = fields.get(parsed.field_name or "")
            if fn is None:
                raise ValidationError(f"unknown operation {parsed.field_name!r} for {name}")
            _log.info("appsync operation", function=name, fieldName=parsed.field_name)
            return fn(parsed)
        if kind == STEPFUNCTIONS and actions is not None:
            fn = actions.get(event["action"])
            if fn is None:
                raise ValidationError(f"unknown action {event['action']!r} for {name}")
            _log.info("workflow task", function=name, action=event["action"], workflow=event.get("workflow"))
            return fn(event)
        if kind == EVENTBRIDGE and on_event is not None:
            _log.info("bus event", function=name, source=event.get("source"), detailType=event.get("detail-type"))
            if not isinstance(event.get("detail"), dict):
                raise ValidationError("the event's detail must be an object")
            return on_event(event)
        if kind == COGNITO and on_cognito is not None:
            return on_cognito(event)
        if kind == STREAM and on_stream is not None:
            _log.info("stream records", function=name, records=len(event["Records"]))
            return on_stream(event)
        raise ValidationError(f"{name} cannot handle this event (recognised as {kind})")
    except AppSyncError as exc:
        _log.warning("rejected", function=name, kind=kind, errorType=exc.error_type, error=exc.message)
        raise
    except Exception as exc:  # noqa: BLE001 - fail closed with a generic error
        _log.error("unexpected failure", function=name, kind=kind, error=repr(exc))
        raise InternalError("internal error") from exc
