"""DynamoDB item (de)serialisation and expression helpers for the low-level client.

Python values in, Python values out: numbers come back as int when integral, else float; floats
go in as Decimal. `is_condition_failure(err)` recognises a failed ConditionExpression.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from boto3.dynamodb.types import TypeDeserializer, TypeSerializer
from botocore.exceptions import ClientError

_SER = TypeSerializer()
_DES = TypeDeserializer()


def _to_ddb(value: Any) -> Any:
    if isinstance(value, bool) or value is None:
        return value
    if isinstance(value, float):
        return Decimal(str(value))
    if isinstance(value, dict):
        return {str(k): _to_ddb(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_to_ddb(v) for v in value]
    return value


def _from_ddb(value: Any) -> Any:
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, dict):
        return {k: _from_ddb(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_from_ddb(v) for v in value]
    if isinstance(value, set):
        return {_from_ddb(v) for v in value}
    return value


def serialize_value(value: Any) -> dict[str, Any]:
    return _SER.serialize(_to_ddb(value))


def to_item(data: dict[str, Any]) -> dict[str, Any]:
    """A Python dict → a DynamoDB item (None values dropped)."""
    return {k: serialize_value(v) for k, v in data.items() if v is not None}


def from_item(item: dict[str, Any] | None) -> dict[str, Any] | None:
    if item is None:
        return None
    return {k: _from_ddb(_DES.deserialize(v)) for k, v in item.items()}


def is_condition_failure(err: BaseException) -> bool:
    return isinstance(err, ClientError) and err.response.get("Error", {}).get("Code") == "ConditionalCheckFailedException"


def cancellation_codes(err: BaseException) -> list[str]:
    """The per-item codes of a TransactionCanceledException ("None", "ConditionalCheckFailed", ...)."""
    if not isinstance(err, ClientError) or err.response.get("Error", {}).get("Code") != "TransactionCanceledException":
        return []
    reasons = err.response.get("CancellationReasons") or []
    codes = [str(r.get("Code", "None")) for r in reasons]
    if not codes:  # some backends only put them in the message: "... [None, ConditionalCheckFailed]"
        message = err.response.get("Error", {}).get("Message", "")
        if "[" in message and "]" in message:
            codes = [c.strip() for c in message[message.rindex("[") + 1:message.rindex("]")].split(",")]
    return codes


class Expr:
    """Builds names/values placeholders: `e.name("status")` → "#n0", `e.value(3)` → ":v0"."""

    def __init__(self) -> None:
        self.names: dict[str, str] = {}
        self.values: dict[str, Any] = {}

    def name(self, attr: str) -> str:
        for placeholder, existing in self.names.items():
            if existing == attr:
                return placeholder
        placeholder = f"#n{len(self.names)}"
        self.names[placeholder] = attr
        return placeholder

    def path(self, dotted: str) -> str:
        return ".".join(self.name(part) for part in dotted.split("."))

    def value(self, v: Any) -> str:
        placeholder = f":v{len(self.values)}"
        self.values[placeholder] = serialize_value(v)
        return placeholder

    def kwargs(self) -> dict[str, Any]:
        out: dict[str, Any] = {}
        if self.names:
            out["ExpressionAttributeNames"] = dict(self.names)
        if self.values:
            out["ExpressionAttributeValues"] = dict(self.values)
        return out
