"""PutEvents as EventBridge does it: request/entry validation, the event delivered to targets,
and the per-target InputPath / InputTransformer.

Pure functions, no AWS: the router (and tests) call ``validate_entries`` to get PutEvents'
per-entry result, ``envelope`` to build the event exactly as targets receive it, and
``apply_input_path`` / ``apply_input_transformer`` for targets that reshape it.
"""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime
from typing import Any

from sim.errors import InputError

__all__ = [
    "MAX_ENTRIES",
    "MAX_REQUEST_BYTES",
    "PREDEFINED_VARIABLES",
    "PutEventsValidationError",
    "apply_input_path",
    "apply_input_transformer",
    "entry_size",
    "envelope",
    "format_time",
    "validate_entries",
    "validate_entry",
]

MAX_ENTRIES = 10
MAX_REQUEST_BYTES = 256 * 1024  # AWS's documented PutEvents limit on the summed entry sizes
_TIME_BYTES = 14  # a Time parameter counts as 14 bytes, whatever its value


class PutEventsValidationError(InputError):
    """The whole request is refused (HTTP 400 ``ValidationException``), not one entry."""

    code = "ValidationException"

    def __init__(self, message: str):
        self.message = message
        super().__init__(message)


# --------------------------------------------------------------------------------------------
# Validation
# --------------------------------------------------------------------------------------------


def _utf8_len(value: Any) -> int:
    return len(value.encode("utf-8", "surrogatepass")) if isinstance(value, str) else 0


def entry_size(entry: dict) -> int:
    """The entry's size as EventBridge counts it (Time 14 bytes, then UTF-8 byte lengths)."""
    size = _TIME_BYTES if entry.get("Time") is not None else 0
    size += _utf8_len(entry.get("Source")) + _utf8_len(entry.get("DetailType"))
    size += _utf8_len(entry.get("Detail"))
    size += sum(_utf8_len(r) for r in entry.get("Resources") or () if r is not None)
    return size


def _check_request(entries: list[dict]) -> None:
    if len(entries) < 1:
        raise PutEventsValidationError(
            "1 validation error detected: Value '[]' at 'entries' failed to satisfy constraint: "
            "Member must have length greater than or equal to 1"
        )
    if len(entries) > MAX_ENTRIES:
        raise PutEventsValidationError(
            "1 validation error detected: Value '[PutEventsRequestEntry]' at 'entries' failed to "
            f"satisfy constraint: Member must have length less than or equal to {MAX_ENTRIES}"
        )
    if sum(entry_size(e) for e in entries) > MAX_REQUEST_BYTES:
        raise PutEventsValidationError("Total size of the entries in the request is over the limit.")


def _failure(code: str, message: str) -> dict:
    return {"ErrorCode": code, "ErrorMessage": message}


def _required(name: str) -> dict:
    return _failure(
        "InvalidArgument", f"Parameter {name} is not valid. Reason: {name} is a required argument."
    )


def validate_entry(entry: dict) -> dict | None:
    """None if EventBridge accepts the entry, else its ``{"ErrorCode", "ErrorMessage"}``."""
    for name in ("Source", "DetailType", "Detail"):
        if not entry.get(name):
            return _required(name)
    if str(entry["Source"]).startswith("aws."):
        return _failure("NotAuthorizedForSourceException", "Not authorized for the source.")
    detail = entry["Detail"]
    try:
        parsed = json.loads(detail) if isinstance(detail, (str, bytes)) else None
    except ValueError:
        parsed = None
    if not isinstance(parsed, dict):
        return _failure("MalformedDetail", "Detail is malformed.")
    return None


def validate_entries(entries: list[dict]) -> list[dict | None]:
    """PutEvents' validation: raises ``PutEventsValidationError`` for a refused request, else
    returns one result per entry (None = accepted, or the entry's ErrorCode/ErrorMessage)."""
    entries = list(entries)
    _check_request(entries)
    return [validate_entry(e) for e in entries]


# --------------------------------------------------------------------------------------------
# The delivered event
# --------------------------------------------------------------------------------------------


def format_time(value: datetime | str | int | float) -> str:
    """An event ``time``: UTC, ISO 8601, seconds precision, ``Z`` suffix."""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        value = datetime.fromtimestamp(value, tz=UTC)
    elif isinstance(value, str):
        value = datetime.fromisoformat(value.replace("Z", "+00:00"))
    if not isinstance(value, datetime):
        raise TypeError(f"unsupported time value: {value!r}")
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def envelope(entry: dict, *, event_id: str, time: datetime | str, account: str, region: str) -> dict:
    """The event as EventBridge delivers it to targets (an entry's own Time wins over ``time``)."""
    when = entry.get("Time")
    return {
        "version": "0",
        "id": event_id,
        "detail-type": entry["DetailType"],
        "source": entry["Source"],
        "account": account,
        "time": format_time(when if when is not None else time),
        "region": region,
        "resources": list(entry.get("Resources") or []),
        "detail": json.loads(entry["Detail"]),
    }


# --------------------------------------------------------------------------------------------
# InputPath and InputTransformer
# --------------------------------------------------------------------------------------------

_MISSING = object()
_PATH_STEP = re.compile(
    r"""\.(?P<star>\*)|\.(?P<name>[^.\[\]]+)|\[(?:(?P<index>-?\d+)|(?P<all>\*)|'(?P<sq>[^']*)'|"(?P<dq>[^"]*)")\]"""
)


def _path_steps(path: str) -> list[tuple[str, Any]]:
    if not path.startswith("$"):
        raise InputError(f"Invalid JSON path {path!r}: it must start with '$'")
    steps, pos = [], 1
    while pos < len(path):
        m = _PATH_STEP.match(path, pos)
        if not m:
            raise InputError(f"Invalid JSON path {path!r} at position {pos}")
        if m["star"] or m["all"]:
            steps.append(("*", None))
        elif m["index"] is not None:
            steps.append(("index", int(m["index"])))
        else:
            steps.append(("key", next(g for g in (m["name"], m["sq"], m["dq"]) if g is not None)))
        pos = m.end()
    return steps


def _resolve(value: Any, steps: list[tuple[str, Any]]) -> Any:
    for pos, (kind, arg) in enumerate(steps):
        if kind == "*":
            children = value.values() if isinstance(value, dict) else value if isinstance(value, list) else ()
            found = [_resolve(child, steps[pos + 1 :]) for child in children]
            return [f for f in found if f is not _MISSING]
        if kind == "key" and isinstance(value, dict) and arg in value:
            value = value[arg]
        elif kind == "index" and isinstance(value, list) and -len(value) <= arg < len(value):
            value = value[arg]
        else:
            return _MISSING
    return value


def apply_input_path(event: dict, path: str) -> Any:
    """The part of ``event`` a target's InputPath selects (None where nothing is there)."""
    found = _resolve(event, _path_steps(path))
    return None if found is _MISSING else found


PREDEFINED_VARIABLES = (
    "aws.events.rule-arn",
    "aws.events.rule-name",
    "aws.events.event.ingestion-time",
    "aws.events.event",
    "aws.events.event.json",
)
_PLACEHOLDER = re.compile(r"<([A-Za-z0-9_.\-]+)>")


def _compact(value: Any) -> str:
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False)


def _as_text(value: Any) -> str:
    """A value dropped into text (a string template, or inside quotes): unescaped, as AWS does."""
    if value is _MISSING or value is None:
        return ""
    return value if isinstance(value, str) else _compact(value)


def _as_json(value: Any) -> str:
    """A value in a JSON value position: its JSON form (strings quoted)."""
    return "null" if value is _MISSING else _compact(value)


def _predefined(event: dict, rule_name: str | None, rule_arn: str | None, ingestion_time: Any) -> dict:
    when = ingestion_time if ingestion_time is not None else event.get("time")
    if when is not None and not isinstance(when, str):
        when = format_time(when)
    without_detail = {
        ("detailType" if k == "detail-type" else k): v for k, v in event.items() if k != "detail"
    }
    return {
        "aws.events.rule-arn": rule_arn if rule_arn is not None else _MISSING,
        "aws.events.rule-name": rule_name if rule_name is not None else _MISSING,
        "aws.events.event.ingestion-time": when if when is not None else _MISSING,
        "aws.events.event": without_detail,
        "aws.events.event.json": event,
    }


def apply_input_transformer(
    event: dict,
    input_paths_map: dict[str, str] | None,
    input_template: str,
    *,
    rule_name: str | None = None,
    rule_arn: str | None = None,
    ingestion_time: datetime | str | None = None,
) -> str:
    """The text EventBridge sends a target with this InputTransformer.

    ``<name>`` placeholders come from ``input_paths_map`` (JSON paths into the event) or the
    predefined ``aws.events.*`` variables. In a JSON template (one starting with ``{`` or
    ``[``) a placeholder in value position becomes the value's JSON (strings quoted, a missing
    path ``null``); inside a quoted string, and everywhere in a string template, the value is
    inserted as unescaped text (a missing path as nothing). Unknown placeholders are kept.
    """
    paths = dict(input_paths_map or {})
    reserved = [name for name in paths if name in PREDEFINED_VARIABLES]
    if reserved:
        raise InputError(f"InputPathsMap may not define the reserved variable {reserved[0]!r}")
    values = _predefined(event, rule_name, rule_arn, ingestion_time)
    values.update({name: _resolve(event, _path_steps(path)) for name, path in paths.items()})
    is_json = input_template.lstrip().startswith(("{", "["))

    out: list[str] = []
    in_string, escaped, pos = False, False, 0
    while pos < len(input_template):
        ch = input_template[pos]
        match = _PLACEHOLDER.match(input_template, pos) if ch == "<" else None
        if match and match.group(1) in values:
            value = values[match.group(1)]
            out.append(_as_json(value) if is_json and not in_string else _as_text(value))
            pos = match.end()
            continue
        if is_json:
            if escaped:
                escaped = False
            elif ch == "\\" and in_string:
                escaped = True
            elif ch == '"':
                in_string = not in_string
        out.append(ch)
        pos += 1
    return "".join(out)
