"""No HTTP request is built for a boto3 call the embedded fast path answers.

For every DynamoDB data-plane call botocore resolves the endpoint from its rule set, serialises
the parameters to a JSON body and builds the user agent and the request dictionary, and then the
world, in the `before-call` hook, answers the call from its parameters (`fastpath.dynamodb`):
all of that request building is thrown away. Installed, while a world whose fast path is on is
active, botocore's `_resolve_endpoint_ruleset` and `_convert_to_request_dict` put it off for
those calls: the parameters are validated as botocore validates them (the same
`ParamValidationError`), and `before-call` gets a request dictionary with the call's context and
headers and no body. Everything else botocore does for a call (its events, in order, with the
same arguments; the checksum context; the `after-call` event; the error classes) is botocore's
own code, unchanged. Should nothing answer in `before-call`, `sim.aws.hooks` calls `build(request)`,
which builds the request with botocore's own code (endpoint, body, user agent, checksum context,
and the headers the `before-call` handlers added) before it is sent as before.
`tests/aws/test_fastpath_client_requests.py` checks answers, errors, validation and the fallback.
"""

from __future__ import annotations

_originals: dict[str, object] = {}
_BUILD = "sim_build"   # request dictionary key: how to build the real request, for `build`


def answered_here(operation_model) -> bool:
    """Whether the active world's fast path answers this operation without HTTP."""
    from sim.aws import hooks
    from sim.aws.fastpath import dynamodb

    observer = hooks.active()
    fast = getattr(observer, "fastpath", None)
    return (fast is not None and fast.enabled and dynamodb.handles(operation_model.name)
            and operation_model.service_model.service_name == "dynamodb")


def build(request: dict) -> None:
    """Replace a put-off request dictionary, in place, by the one botocore would have built."""
    make = request.pop(_BUILD, None)
    if make is None:
        return
    added = dict(request.get("headers") or {})
    real = make()
    real["headers"].update(added)
    request.clear()
    request.update(real)


def install() -> None:
    """Idempotent."""
    if _originals:
        return
    from botocore.client import BaseClient
    from botocore.httpchecksum import resolve_checksum_context
    from botocore.validate import ParamValidationDecorator, ParamValidationError

    resolve, convert = BaseClient._resolve_endpoint_ruleset, BaseClient._convert_to_request_dict
    _originals.update(resolve=resolve, convert=convert)

    def resolve_endpoint_ruleset(self, operation_model, params, request_context, ignore_signing_region=False):
        if answered_here(operation_model):
            return None, {}, {}
        return resolve(self, operation_model, params, request_context, ignore_signing_region)

    def convert_to_request_dict(self, api_params, operation_model, endpoint_url, context=None, headers=None,
                                set_user_agent_header=True):
        if endpoint_url is not None or context is None or not answered_here(operation_model):
            return convert(self, api_params, operation_model, endpoint_url, context, headers, set_user_agent_header)
        serializer, shape = self._serializer, operation_model.input_shape
        if isinstance(serializer, ParamValidationDecorator) and shape is not None:
            report = serializer._param_validator.validate(api_params, shape)
            if report.has_errors():
                raise ParamValidationError(report=report.generate_report())

        def make() -> dict:
            url, more, properties = resolve(self, operation_model, api_params, context)
            if properties:
                context["endpoint_properties"] = properties
            real = convert(self, api_params, operation_model, url, context, {**more, **(headers or {})},
                           set_user_agent_header)
            resolve_checksum_context(real, operation_model, api_params)
            return real

        return {"url_path": "/", "query_string": "", "method": "POST", "headers": dict(headers or {}),
                "body": b"", "url": "", "context": context, _BUILD: make}

    BaseClient._resolve_endpoint_ruleset = resolve_endpoint_ruleset
    BaseClient._convert_to_request_dict = convert_to_request_dict


def uninstall() -> None:
    if not _originals:
        return
    from botocore.client import BaseClient

    BaseClient._resolve_endpoint_ruleset = _originals.pop("resolve")
    BaseClient._convert_to_request_dict = _originals.pop("convert")


def installed() -> bool:
    return bool(_originals)
