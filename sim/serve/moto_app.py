"""Every other AWS request goes to moto's own server application (the WSGI app behind
`moto_server`), run in this process over the very backends the world's embedded moto uses: a
table an outside client writes is the table the handlers read.

Writes that the world observes when handlers make them are observed here too: DynamoDB writes on
a streamed table become stream records (their mapped functions run), and EventBridge rule
changes refresh the router.
"""

from __future__ import annotations

import json

from sim.serve import cognito_triggers
from sim.serve.aws_protocol import AwsRequest, json_error
from sim.serve.request import Request, Response

_APP = None


def app():
    global _APP
    if _APP is None:
        from moto.moto_server.werkzeug_app import DomainDispatcherApplication, create_backend_app

        _APP = DomainDispatcherApplication(create_backend_app)
    return _APP


def call_wsgi(wsgi_app, req: Request, host: str) -> Response:
    """Run one request through a WSGI application, in this thread."""
    from werkzeug.test import EnvironBuilder

    headers = {k: v for k, v in req.headers.items() if k not in ("content-length",)}
    builder = EnvironBuilder(path=req.path, method=req.method, query_string=req.query, headers=headers,
                             data=req.body, base_url=f"http://{host}")
    try:
        environ = builder.get_environ()
    finally:
        builder.close()
    captured: dict = {}

    def start_response(status, response_headers, exc_info=None):
        captured["status"] = int(status.split()[0])
        captured["headers"] = response_headers
        return lambda data: None

    chunks = wsgi_app(environ, start_response)
    try:
        body = b"".join(chunks)
    finally:
        if hasattr(chunks, "close"):
            chunks.close()
    out = {}
    for name, value in captured.get("headers", []):
        if name.lower() not in ("content-length", "connection", "transfer-encoding", "server", "date"):
            out[name] = value
    return Response(captured.get("status", 500), out, body)


def handle(world, aws: AwsRequest, req: Request, host: str) -> Response:

    call = _observed_call(aws, req)
    if call is not None:
        world.streams.before(call)
    world.trace.record("serve", "aws", None, service=aws.service, operation=aws.operation)
    try:
        response = call_wsgi(app(), req, host)
    except Exception as exc:  # noqa: BLE001 - moto raised: AWS's answer for a server fault, no traceback
        return json_error("InternalFailure", f"the simulated service failed: {type(exc).__name__}: {exc}", 500)
    cognito_triggers.after_moto_call(world, req.header("x-amz-target"), req.body, response.status)
    if call is not None:
        world.streams.after(call, response.status < 300)
        if aws.service == "events" and response.status < 300:
            world.router.invalidate()
    return response


def _observed_call(aws: AwsRequest, req: Request):
    """An AwsCall for a JSON-protocol request the world must observe, else None."""
    from sim.aws.hooks import AwsCall
    from sim.aws.streams import WRITE_OPERATIONS
    from sim.serve.events_api import RULE_OPERATIONS

    interesting = (aws.service == "dynamodb" and aws.operation in WRITE_OPERATIONS) or \
                  (aws.service == "events" and aws.operation in RULE_OPERATIONS)
    if not interesting:
        return None
    try:
        params = json.loads(req.body or b"{}")
    except (ValueError, UnicodeDecodeError):
        return None
    if not isinstance(params, dict):
        return None
    return AwsCall("dynamodb" if aws.service == "dynamodb" else "eventbridge", aws.operation, params, {})
