"""DynamoDB items as plain Python: Decimal → int/float, sets → sorted lists (for checks and reports)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from boto3.dynamodb.types import TypeDeserializer

_deserializer = TypeDeserializer()


def plain(value: Any) -> Any:
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, dict):
        return {k: plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [plain(v) for v in value]
    if isinstance(value, (set, frozenset)):
        return sorted(plain(v) for v in value)
    if isinstance(value, (bytes, bytearray)):
        return bytes(value)
    return value


def plain_item(item: dict) -> dict:
    """A low-level (typed) DynamoDB item as plain Python values."""
    return {k: plain(_deserializer.deserialize(v)) for k, v in item.items()}
