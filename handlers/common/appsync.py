"""AppSync resolver events and errors.

Error convention (one, everywhere): a resolver RAISES an AppSyncError subclass. Lambda reports the
exception's class name as `errorType` and its message as `errorMessage`; AppSync turns that into a
GraphQL error {"errorType": "<class name>", "message": "<message>"} (and Step Functions sees the
same class name as the task's Error, so a Catch can match "ValidationError"). Classes:
ValidationError, NotFoundError, UnauthorizedError, ConflictError, PaymentError, InternalError.
`@resolver` wraps a handler: it parses the event into a ResolverEvent, sets the correlation id,
logs, and turns any unexpected exception into InternalError (no internals leak; fail closed).
`error_dict(exc)` gives {"errorType", "message"} for the rare caller that must return, not raise.

Event shape: {"arguments": {...}, "identity": {...}, "info": {"fieldName": ...}, "source",
"request": {"headers": {...}}}; a bare dict without "arguments" (a Step Functions task) is taken
as the arguments themselves.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from handlers.common.log import correlation_id_from, get_logger, set_correlation_id

_log = get_logger("appsync")


class AppSyncError(Exception):
    """Base class: the subclass name is the errorType AppSync reports."""

    @property
    def error_type(self) -> str:
        return type(self).__name__

    @property
    def message(self) -> str:
        return str(self.args[0]) if self.args else self.error_type


class ValidationError(AppSyncError):
    """Bad input: missing/malformed arguments, non-positive amount, unknown action."""


class NotFoundError(AppSyncError):
    """The referenced item does not exist."""


class UnauthorizedError(AppSyncError):
    """The caller may not do this (or a webhook signature is invalid)."""


class ConflictError(AppSyncError):
    """The item's state does not allow the operation (e.g. an overlapping booking)."""


class PaymentError(AppSyncError):
    """Stripe refused or failed the operation."""


class InternalError(AppSyncError):
    """Anything unexpected; the message is generic."""


@dataclass
class ResolverEvent:
    field_name: str | None
    arguments: dict[str, Any]
    identity: dict[str, Any]
    source: Any = None
    headers: dict[str, str] = field(default_factory=dict)
    raw: dict[str, Any] = field(default_factory=dict)

    @property
    def caller_id(self) -> str | None:
        """The Cognito sub (or username) of the caller, None for IAM/API key/Lambda auth."""
        for key in ("sub", "username"):
            value = self.identity.get(key)
            if isinstance(value, str) and value:
                return value
        return None

    @property
    def groups(self) -> list[str]:
        groups = self.identity.get("groups") or (self.identity.get("claims") or {}).get("cognito:groups") or []
        return [g for g in groups if isinstance(g, str)] if isinstance(groups, list) else []

    @property
    def is_admin(self) -> bool:
        return any(g.lower() in ("admin", "admins") for g in self.groups)

    @property
    def resolver_context(self) -> dict[str, Any]:
        """What a Lambda authorizer put in resolverContext (identity.resolverContext)."""
        ctx = self.identity.get("resolverContext")
        return ctx if isinstance(ctx, dict) else {}


def parse_event(event: Any) -> ResolverEvent:
    if not isinstance(event, dict):
        raise ValidationError("the event must be an object")
    arguments = event.get("arguments") if "arguments" in event else event
    if not isinstance(arguments, dict):
        raise ValidationError("arguments must be an object")
    info = event.get("info") if isinstance(event.get("info"), dict) else {}
    identity = event.get("identity") if isinstance(event.get("identity"), dict) else {}
    request = event.get("request") if isinstance(event.get("request"), dict) else {}
    headers = request.get("headers") if isinstance(request.get("headers"), dict) else {}
    headers = {str(k).lower(): v for k, v in headers.items() if isinstance(v, str)}
    field_name = info.get("fieldName") if isinstance(info.get("fieldName"), str) else None
    return ResolverEvent(field_name, arguments, identity, event.get("source"), headers, event)


def error_dict(exc: BaseException) -> dict[str, str]:
    if isinstance(exc, AppSyncError):
        return {"errorType": exc.error_type, "message": exc.message}
    return {"errorType": "InternalError", "message": "internal error"}


def resolver(name: str) -> Callable[[Callable[[ResolverEvent, Any], Any]], Callable[[Any, Any], Any]]:
    """Decorator: `@resolver("stripe-connect") def handler(ev: ResolverEvent, context): ...`."""

    def wrap(fn: Callable[[ResolverEvent, Any], Any]) -> Callable[[Any, Any], Any]:
        @functools.wraps(fn)
        def handler(event: Any, context: Any = None) -> Any:
            set_correlation_id(correlation_id_from(event, context))
            try:
                parsed = parse_event(event)
                _log.info("resolver invoked", function=name, fieldName=parsed.field_name)
                return fn(parsed, context)
            except AppSyncError as exc:
                _log.warning("resolver error", function=name, errorType=exc.error_type, error=exc.message)
                raise
            except Exception as exc:  # noqa: BLE001 - fail closed with a generic error
                _log.error("unexpected resolver failure", function=name, error=repr(exc))
                raise InternalError("internal error") from exc

        return handler

    return wrap


def require_str(args: dict[str, Any], name: str, *, max_len: int = 512) -> str:
    value = args.get(name)
    if not isinstance(value, str) or not value.strip():
        raise ValidationError(f"{name} is required")
    if len(value) > max_len:
        raise ValidationError(f"{name} is too long")
    return value.strip()


def json_object(args: dict[str, Any], name: str) -> dict[str, Any]:
    """An object argument that may also arrive as JSON text (AWSJSON); absent or null → {}."""
    value = args.get(name)
    if value is None:
        return {}
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except ValueError as exc:
            raise ValidationError(f"{name} must be a JSON object") from exc
    if not isinstance(value, dict):
        raise ValidationError(f"{name} must be a JSON object")
    return value


def optional_str(args: dict[str, Any], name: str, *, max_len: int = 512) -> str | None:
    value = args.get(name)
    if value is None or value == "":
        return None
    if not isinstance(value, str) or len(value) > max_len:
        raise ValidationError(f"{name} must be a string of at most {max_len} characters")
    return value.strip()
