"""Limits on a raw webhook body, shared by the authorizer and stripe-webhook (stdlib only).

`too_large(body)` counts UTF-8 bytes, not characters (Stripe and API Gateway limit bytes: 900 KB of
two-byte characters is 450k characters); `parse(body)` is `json.loads` that refuses nesting deeper
than `MAX_DEPTH` with `TooDeep` (a ValueError) instead of a RecursionError anywhere downstream.
"""

from __future__ import annotations

import json
from typing import Any

MAX_PAYLOAD_BYTES = 512 * 1024
MAX_DEPTH = 64


class TooDeep(ValueError):
    """A JSON body nested deeper than MAX_DEPTH."""


def byte_length(body: str) -> int:
    return len(body.encode("utf-8", "surrogatepass"))


def too_large(body: str, limit: int = MAX_PAYLOAD_BYTES) -> bool:
    """True when `body` is more than `limit` bytes in UTF-8."""
    return len(body) > limit or byte_length(body) > limit


def _depth_exceeds(value: Any, limit: int) -> bool:
    stack = [(value, 0)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, (dict, list)):
            if depth + 1 > limit:
                return True
            stack.extend((child, depth + 1) for child in (item.values() if isinstance(item, dict) else item))
    return False


def parse(body: str, max_depth: int = MAX_DEPTH) -> Any:
    """The JSON value of `body`; ValueError if it is not JSON, TooDeep if nested deeper than `max_depth`."""
    try:
        value = json.loads(body)
    except RecursionError:
        raise TooDeep(f"payload is nested deeper than {max_depth} levels") from None
    if _depth_exceeds(value, max_depth):
        raise TooDeep(f"payload is nested deeper than {max_depth} levels")
    return value
