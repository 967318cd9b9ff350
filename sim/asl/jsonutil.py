"""JSON the way Step Functions prints it: compact, UTF-8 kept, integral floats kept as written."""

from __future__ import annotations

import json
from typing import Any

_encoder = json.JSONEncoder(separators=(",", ":"), ensure_ascii=False, allow_nan=False)


def dumps(value: Any) -> str:
    """Compact JSON text of a JSON value (AWS's spelling in history events and outputs)."""
    if value is None:
        return "null"
    if isinstance(value, str):
        return _encoder.encode(value)
    return _encoder.encode(value)


def loads(text: str | bytes) -> Any:
    return json.loads(text)


def copy_json(value: Any) -> Any:
    """A deep copy of plain JSON data (much faster than copy.deepcopy)."""
    t = type(value)
    if t is dict:
        return {k: copy_json(v) for k, v in value.items()}
    if t is list:
        return [copy_json(v) for v in value]
    return value


def to_json_value(value: Any) -> Any:
    """Turn SDK responses (datetimes, bytes, Decimals, tuples) into plain JSON values."""
    from datetime import date, datetime
    from decimal import Decimal

    if isinstance(value, dict):
        return {str(k): to_json_value(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set):
        return [to_json_value(v) for v in value]
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, bytes | bytearray):
        try:
            return bytes(value).decode()
        except UnicodeDecodeError:
            import base64

            return base64.b64encode(bytes(value)).decode()
    if hasattr(value, "read"):  # StreamingBody
        return to_json_value(value.read())
    return value


def iso_millis(dt) -> str:
    """AWS's context-object timestamp: 2026-01-01T00:00:00.000Z."""
    return dt.strftime("%Y-%m-%dT%H:%M:%S.") + f"{dt.microsecond // 1000:03d}Z"


def is_number(v: Any) -> bool:
    """A JSON number (bools are not numbers, whatever Python says)."""
    return isinstance(v, int | float) and not isinstance(v, bool)


def json_equal(a: Any, b: Any) -> bool:
    """Equality of JSON values as Step Functions compares them: 1 == 1.0, but true != 1."""
    if is_number(a) and is_number(b):
        return a == b
    if type(a) is not type(b):
        return False
    if isinstance(a, list):
        return len(a) == len(b) and all(json_equal(x, y) for x, y in zip(a, b, strict=True))
    if isinstance(a, dict):
        return a.keys() == b.keys() and all(json_equal(a[k], b[k]) for k in a)
    return a == b
