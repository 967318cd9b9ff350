"""The request and response the serve layer passes around (plain data, no sockets), so every
handler runs the same way over HTTP and when the journal replays a request."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any


@dataclass
class Request:
    method: str
    path: str
    query: str = ""
    headers: dict[str, str] = field(default_factory=dict)  # lower-case names
    body: bytes = b""

    def header(self, name: str, default: str | None = None) -> str | None:
        return self.headers.get(name.lower(), default)

    def to_dict(self) -> dict[str, Any]:
        import base64

        return {"method": self.method, "path": self.path, "query": self.query, "headers": self.headers,
                "body": base64.b64encode(self.body).decode()}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Request:
        import base64

        return cls(data["method"], data["path"], data.get("query", ""), dict(data.get("headers") or {}),
                   base64.b64decode(data.get("body") or ""))


@dataclass
class Response:
    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes = b""

    def json(self) -> Any:
        return json.loads(self.body)


def _default(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.timestamp()
    if isinstance(value, (bytes, bytearray)):
        return value.decode("utf-8", "replace")
    if hasattr(value, "__float__"):  # Decimal
        number = float(value)
        return int(number) if number.is_integer() else number
    raise TypeError(f"not JSON serialisable: {type(value).__name__}")


def dumps(value: Any) -> bytes:
    """JSON with timestamps as epoch seconds (what AWS's JSON protocols send)."""
    return json.dumps(value, default=_default, separators=(",", ":")).encode()


def json_response(value: Any, status: int = 200, content_type: str = "application/json",
                  headers: dict[str, str] | None = None) -> Response:
    return Response(status, {"Content-Type": content_type, **(headers or {})}, dumps(value))
