"""Structured JSON logging with correlation ids.

`get_logger(name).info("message", key=value, ...)` logs one JSON object per line through the stdlib
logger "marketplace.<name>" (propagating to the root logger, which the Lambda runtime prints; with no
root handler at all the line goes to stdout):
{"level", "logger", "message", "correlationId", "timestamp", ...fields}. The correlation id lives in
a context variable (per thread / per greenlet): `set_correlation_id(cid)`, `correlation_id()`.
LOG_LEVEL (DEBUG, INFO, WARNING, ERROR) filters.
"""

from __future__ import annotations

import contextvars
import json
import logging
import sys
from typing import Any

from handlers.common import clock
from handlers.common.config import env

_CID: contextvars.ContextVar[str | None] = contextvars.ContextVar("correlation_id", default=None)
_RID: contextvars.ContextVar[str | None] = contextvars.ContextVar("request_id", default=None)
_ROOT = "marketplace"


def set_correlation_id(cid: str | None) -> str | None:
    _CID.set(cid)
    return cid


def correlation_id() -> str | None:
    return _CID.get()


def request_id() -> str | None:
    """The Lambda request id of the current invocation (recorded by correlation_id_from), if known:
    unlike the correlation id, distinct for two invocations of the same event."""
    return _RID.get()


def correlation_id_from(event: Any, context: Any = None) -> str:
    """A correlation id for an invocation: one carried by the event, else the Lambda request id.
    Also records the Lambda request id for `request_id()`."""
    rid = getattr(context, "aws_request_id", None)
    _RID.set(rid if isinstance(rid, str) and rid else None)
    if isinstance(event, dict):
        for holder in (event, event.get("detail"), event.get("arguments"), event.get("requestContext"),
                       (event.get("request") or {}).get("headers") if isinstance(event.get("request"), dict)
                       else None):
            if isinstance(holder, dict):
                for key in ("correlationId", "x-correlation-id", "requestId"):
                    value = holder.get(key)
                    if isinstance(value, str) and value:
                        return value[:200]
        if isinstance(event.get("id"), str) and event["id"]:
            return event["id"][:200]
    request_id = getattr(context, "aws_request_id", None)
    return request_id if isinstance(request_id, str) and request_id else f"local-{clock.now_ms()}"


def _default(value: Any) -> Any:
    return str(value)


class JsonLogger:
    """A thin logger writing JSON lines through the stdlib `logging` module."""

    def __init__(self, name: str):
        self.name = name
        self._logger = logging.getLogger(f"{_ROOT}.{name}")

    def _log(self, level: int, message: str, fields: dict[str, Any]) -> None:
        _configure()
        if not self._logger.isEnabledFor(level):
            return
        record = {"level": logging.getLevelName(level), "logger": self.name, "message": message,
                  "correlationId": correlation_id(), "timestamp": clock.now_iso()}
        record.update(fields)
        self._logger.log(level, json.dumps(record, default=_default, sort_keys=True))

    def debug(self, message: str, **fields: Any) -> None:
        self._log(logging.DEBUG, message, fields)

    def info(self, message: str, **fields: Any) -> None:
        self._log(logging.INFO, message, fields)

    def warning(self, message: str, **fields: Any) -> None:
        self._log(logging.WARNING, message, fields)

    def error(self, message: str, **fields: Any) -> None:
        self._log(logging.ERROR, message, fields)


_CONFIGURED = False


class _StdoutWhenAlone(logging.Handler):
    """Writes to stdout only when the root logger has no handler of its own (plain local runs);
    under the Lambda runtime (or a harness capturing the root logger) records propagate to the root."""

    def emit(self, record: logging.LogRecord) -> None:
        if logging.getLogger().handlers:
            return
        sys.stdout.write(record.getMessage() + "\n")


def _configure() -> None:
    global _CONFIGURED
    root = logging.getLogger(_ROOT)
    level = (env("LOG_LEVEL", "INFO") or "INFO").upper()
    wanted = logging.getLevelName(level if level in ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL") else "INFO")
    if root.level != wanted:   # setLevel clears every logger's cache, even for the same level
        root.setLevel(wanted)
    if not _CONFIGURED:
        root.addHandler(_StdoutWhenAlone())
        root.propagate = True
        _CONFIGURED = True


def get_logger(name: str) -> JsonLogger:
    return JsonLogger(name)
