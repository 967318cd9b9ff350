"""Errors of the fake Stripe, in Stripe's shapes.

`StripeError` is what the real API answers (`{"error": {type, code, message, param}}` with an
HTTP status); ledger operations raise it too, so a bad call fails the same way in-process and over
HTTP, and always before anything is written. `UnknownName` is bad harness input (an operation or
event type we do not model) and lists what is supported.
"""

from __future__ import annotations

from sim.errors import UnknownName

__all__ = ["StripeError", "UnknownName", "invalid", "missing", "required", "unknown_param"]


class StripeError(Exception):
    """An API error: `http_status`, `type` (invalid_request_error, api_error, …), `code`, `param`."""

    def __init__(self, message: str, *, http_status: int = 400, type: str = "invalid_request_error",
                 code: str | None = None, param: str | None = None, headers: dict[str, str] | None = None):
        super().__init__(message)
        self.message = message
        self.http_status = http_status
        self.type = type
        self.code = code
        self.param = param
        self.headers = headers or {}

    def to_dict(self, request_id: str | None = None) -> dict:
        body: dict = {}
        if self.code is not None:
            body["code"] = self.code
        if self.code:
            body["doc_url"] = f"https://stripe.com/docs/error-codes/{self.code.replace('_', '-')}"
        body["message"] = self.message
        if self.param is not None:
            body["param"] = self.param
        if request_id is not None:
            body["request_log_url"] = f"https://dashboard.stripe.com/test/logs/{request_id}"
        body["type"] = self.type
        return {"error": body}


def missing(kind: str, obj_id: str, param: str | None = None) -> StripeError:
    """Stripe's 404 for an id that does not exist (on the account the request is made as)."""
    return StripeError(f"No such {kind}: '{obj_id}'", http_status=404, code="resource_missing", param=param)


def invalid(param: str, message: str, code: str = "parameter_invalid") -> StripeError:
    return StripeError(message, http_status=400, code=code, param=param)


def required(param: str) -> StripeError:
    return StripeError(f"Missing required param: {param}.", http_status=400, code="parameter_missing",
                       param=param)


def unsupported(method: str, path: str) -> StripeError:
    """A request the fake does not serve: a 404 that says so (not Stripe's "Unrecognized request URL")."""
    return StripeError(f"{method} {path} is not supported by marketplace-sim's fake Stripe API (it serves the "
                       "endpoints listed in sim/stripe/routes.py; docs/stripe.md lists them).", http_status=404,
                       code="unsupported_by_fake")


def unknown_param(param: str) -> StripeError:
    return StripeError(f"Received unknown parameter: {param}", http_status=400, code="parameter_unknown",
                       param=param)
