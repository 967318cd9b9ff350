"""botocore hooks: every boto3 call becomes a yield point the active world can serve, fault or observe.

Registered once in botocore's BUILTIN_HANDLERS (as moto registers its own stubber), so every
client created afterwards carries them; `install_on_default_session()` covers a boto3 default
session that existed before. Outside an active world the hooks do nothing.

The world implements `AwsCallObserver`: `before_call(call) -> (http, parsed) | None` may
answer the call itself (Step Functions served by the interpreter, PutEvents by the router,
an injected error) and `after_call(call, http, parsed)` may observe or crash it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Protocol

from botocore import handlers as _botocore_handlers


@dataclass
class AwsCall:
    """One boto3 API call as the hooks see it."""

    service: str      # botocore's hyphenised service id: "dynamodb", "sfn", "eventbridge", ...
    operation: str    # "UpdateItem"
    params: dict[str, Any]
    context: dict[str, Any] = field(default_factory=dict)

    @property
    def name(self) -> str:
        return f"{self.service}.{self.operation}"


class AwsCallObserver(Protocol):
    def before_call(self, call: AwsCall) -> tuple[Any, dict] | None: ...

    def after_call(self, call: AwsCall, http: Any, parsed: dict) -> None: ...


_active: list[AwsCallObserver] = []
_guards: list = []   # fn(observer, call) -> (http, parsed) | None, consulted before the observer


def add_guard(fn) -> None:
    """Consult `fn(observer, call)` before the observer answers each call; a response it returns
    (an access denial) ends the call there, like an injected error. Idempotent."""
    if fn not in _guards:
        _guards.append(fn)


def activate(observer: AwsCallObserver) -> None:
    _active.append(observer)


def deactivate(observer: AwsCallObserver) -> None:
    if observer in _active:
        _active.remove(observer)


def active() -> AwsCallObserver | None:
    return _active[-1] if _active else None


class FakeHttpResponse:
    """The minimal http response botocore needs when a hook answers a call itself."""

    def __init__(self, status_code: int = 200, headers: dict | None = None):
        self.status_code = status_code
        self.headers = headers or {}
        self.raw = None
        self.content = b""
        self.text = ""


def error_response(code: str, message: str, status: int = 400) -> tuple[FakeHttpResponse, dict]:
    return FakeHttpResponse(status), {
        "Error": {"Code": code, "Message": message},
        "ResponseMetadata": {"HTTPStatusCode": status, "HTTPHeaders": {}},
    }


def ok_response(parsed: dict) -> tuple[FakeHttpResponse, dict]:
    parsed = dict(parsed)
    parsed.setdefault("ResponseMetadata", {"HTTPStatusCode": 200, "HTTPHeaders": {}, "RetryAttempts": 0})
    return FakeHttpResponse(200), parsed


def _service_id(model) -> str:
    return model.service_model.service_id.hyphenize()


def _on_before_parameter_build(params, model, context, **_kw):
    if _active:
        context["sim_params"] = params


def _on_before_call(model, params, context, request_signer=None, **_kw):
    observer = active()
    if observer is None:
        return None
    context["sim_model"], context["sim_signer"] = model, request_signer  # for sim.aws.fastpath
    call = AwsCall(_service_id(model), model.name, context.get("sim_params") or {}, context)
    context["sim_call"] = call
    for guard in _guards:
        answer = guard(observer, call)
        if answer is not None:
            return answer
    answer = observer.before_call(call)
    if answer is None and "sim_build" in params:   # a request the fast path put off: build it now
        from sim.aws.fastpath.client_requests import build

        build(params)
    return answer


def _on_after_call(http_response, parsed, model, context, **_kw):
    observer = active()
    call = context.get("sim_call")
    if observer is None or call is None:
        return
    observer.after_call(call, http_response, parsed)


HANDLERS = [
    ("before-parameter-build", _on_before_parameter_build, "sim-before-parameter-build"),
    ("before-call", _on_before_call, "sim-before-call"),
    ("after-call", _on_after_call, "sim-after-call"),
]

_installed = False


def install() -> None:
    """Add the hooks to botocore's built-in handlers (idempotent)."""
    global _installed
    if _installed:
        return
    for event, fn, _uid in HANDLERS:
        _botocore_handlers.BUILTIN_HANDLERS.append((event, fn))
    _installed = True
    install_on_default_session()


def install_on_default_session() -> None:
    """Register the hooks on boto3's default session if one was created before `install()`."""
    import boto3

    session = boto3.DEFAULT_SESSION
    if session is not None:
        for event, fn, uid in HANDLERS:
            session._session.register(event, fn, unique_id=uid)


install()
