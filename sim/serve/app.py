"""Request routing on the world thread, and the WSGI application the HTTP threads run.

    /graphql            → graphql_api (AppSync)
    /webhooks/<p>       → webhooks (authorizer → resolver)
    /_sim/*             → control
    anything else (AWS) → Step Functions (our interpreter), EventBridge PutEvents (our router),
                          Lambda Invoke (our runtime), else moto's server app
"""

from __future__ import annotations

import sys
import traceback

from sim.serve import aws_protocol, control, events_api, graphql_api, lambda_api, moto_app, sfn_api, webhooks
from sim.serve.request import Request, Response, json_response

MAX_BODY = 6 * 1024 * 1024  # Lambda's synchronous payload limit; AppSync's is smaller still
UNJOURNALED = {("GET", "/_sim/health"), ("GET", "/_sim/state"), ("GET", "/_sim/trace")}


def dispatch(world, req: Request, server) -> Response:
    """One request → its response; runs on the world thread (also when the journal replays)."""
    path = req.path
    if path.rstrip("/") == "/graphql":
        return graphql_api.handle(world, req, server.api_key)
    if path.startswith("/webhooks/"):
        return webhooks.handle(world, req)
    if path.startswith("/_sim/"):
        return control.handle(world, req, server)
    aws = aws_protocol.identify(req)
    if aws.service == "states":
        return sfn_api.handle(world, aws.operation, req)
    if aws.service == "events" and aws.operation == "PutEvents":
        return events_api.put_events(world, req)
    if aws.service == "lambda" and lambda_api.wants(req):
        return lambda_api.handle(world, req)
    return moto_app.handle(world, aws, req, server.host_header)


def failure(req: Request, exc: BaseException) -> Response:
    """A crash inside the world: the service's own error shape, never a traceback."""
    message = f"internal failure: {type(exc).__name__}"
    if req.path.rstrip("/") == "/graphql" or req.path.startswith(("/webhooks/", "/_sim/")):
        return json_response({"errors": [{"errorType": "InternalFailure", "message": message}]}, 500)
    return aws_protocol.json_error("InternalFailure", message, 500)


def journaled(req: Request) -> bool:
    return (req.method, req.path.rstrip("/")) not in UNJOURNALED


class WsgiApp:
    """HTTP threads: read the request, hand it to the world thread, write the answer."""

    def __init__(self, server):
        self.server = server

    def __call__(self, environ, start_response):
        response = self._respond(environ)
        start_response(f"{response.status} {_reason(response.status)}",
                       [*response.headers.items(), ("Content-Length", str(len(response.body)))])
        return [response.body]

    def _respond(self, environ) -> Response:
        try:
            req = _request(environ)
        except ValueError as exc:
            return json_response({"errors": [{"errorType": "BadRequestException", "message": str(exc)}]},
                                 413 if "too large" in str(exc) else 400)
        if not self.server.ready:
            if req.path.rstrip("/") == "/_sim/health":
                return json_response({"status": "starting"}, 503)
            return json_response({"errors": [{"errorType": "ServiceUnavailable",
                                              "message": "the world is starting"}]}, 503)
        try:
            return self.server.host.call(self.server.run_request, req)
        except Exception as exc:  # noqa: BLE001 - answered in the service's error shape, logged here
            print(f"sim serve: {req.method} {req.path} failed:", file=sys.stderr)
            traceback.print_exception(exc, file=sys.stderr)
            return failure(req, exc)


def _request(environ) -> Request:
    try:
        length = int(environ.get("CONTENT_LENGTH") or 0)
    except ValueError:
        raise ValueError("Content-Length is not a number") from None
    if length > MAX_BODY:
        raise ValueError(f"the request body is too large ({length} bytes; at most {MAX_BODY})")
    if environ.get("wsgi.input_terminated") and not length:  # chunked: read to the end, within the limit
        body = environ["wsgi.input"].read(MAX_BODY + 1)
        if len(body) > MAX_BODY:
            raise ValueError(f"the request body is too large (more than {MAX_BODY} bytes)")
    else:
        body = environ["wsgi.input"].read(length) if length > 0 else b""
    headers = {}
    for key, value in environ.items():
        if key.startswith("HTTP_"):
            headers[key[5:].replace("_", "-").lower()] = value
    if environ.get("CONTENT_TYPE"):
        headers["content-type"] = environ["CONTENT_TYPE"]
    path = environ.get("PATH_INFO") or "/"
    raw = environ.get("RAW_URI") or environ.get("REQUEST_URI")
    if raw:  # keep %2F and friends as the client sent them (Lambda function ARNs in the path)
        path = raw.split("?", 1)[0]
    return Request(environ.get("REQUEST_METHOD", "GET"), path, environ.get("QUERY_STRING", ""), headers, body)


def _reason(status: int) -> str:
    from http import HTTPStatus

    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return "Unknown"
