"""Lambda (REST JSON) served by the world's in-process runtime: Invoke runs the real handler;
ListFunctions and GetFunction describe the stack's functions (moto holds no function code)."""

from __future__ import annotations

import json
import re
from urllib.parse import unquote

from sim.serve.request import Request, Response, dumps

_INVOKE = re.compile(r"^/2015-03-31/functions/([^/]+)/invocations/?$")
_FUNCTION = re.compile(r"^/2015-03-31/functions/([^/]+)/?$")
_LIST = re.compile(r"^/2015-03-31/functions/?$")


def error(code: str, message: str, status: int) -> Response:
    return Response(status, {"Content-Type": "application/json", "x-amzn-ErrorType": code},
                    dumps({"Type": "User", "message": message, "__type": code}))


def wants(req: Request) -> bool:
    return bool(_INVOKE.match(req.path) or (req.method == "GET" and (_FUNCTION.match(req.path)
                                                                      or _LIST.match(req.path))))


def handle(world, req: Request) -> Response:
    m = _INVOKE.match(req.path)
    if m:
        return invoke(world, _name(m.group(1)), req)
    if _LIST.match(req.path):
        return Response(200, {"Content-Type": "application/json"},
                        dumps({"Functions": [_configuration(world, fn) for fn in world.stack.functions]}))
    name = _name(_FUNCTION.match(req.path).group(1))
    fn = _find(world, name)
    if fn is None:
        return _not_found(world, name)
    return Response(200, {"Content-Type": "application/json"},
                    dumps({"Configuration": _configuration(world, fn), "Code": {"RepositoryType": "S3"}}))


def _name(raw: str) -> str:
    """A function name from a name, a partial or a full ARN (qualifier dropped)."""
    name = unquote(raw)
    if ":function:" in name:
        name = name.split(":function:", 1)[1]
    return name.split(":", 1)[0]


def _find(world, name: str):
    return next((fn for fn in world.stack.functions if fn.name == name), None)


def _not_found(world, name: str) -> Response:
    return error("ResourceNotFoundException",
                 f"Function not found: {world.stack.function_arn(name)}", 404)


def _configuration(world, fn) -> dict:
    return {"FunctionName": fn.name, "FunctionArn": world.stack.function_arn(fn.name), "Runtime": "python3.12",
            "Handler": fn.handler, "Timeout": fn.timeout, "MemorySize": fn.memory, "PackageType": "Zip",
            "Environment": {"Variables": dict(world.env(fn.name))}, "State": "Active"}


def invoke(world, name: str, req: Request) -> Response:
    if _find(world, name) is None:
        return _not_found(world, name)
    try:
        event = json.loads(req.body) if req.body.strip() else {}
    except (ValueError, UnicodeDecodeError) as exc:
        return error("InvalidRequestContentException", f"Could not parse request body into json: {exc}", 400)
    kind = req.header("x-amz-invocation-type") or "RequestResponse"
    world.trace.record("serve", "aws", None, service="lambda", operation="Invoke", function=name, type=kind)
    if kind == "DryRun":
        return Response(204, {}, b"")
    if kind == "Event":
        world.spawn_invoke(name, event)
        return Response(202, {"Content-Type": "application/json"}, b"")
    if kind != "RequestResponse":
        return error("InvalidParameterValueException", f"Unsupported InvocationType: {kind}", 400)
    inv = world.lambdas.invoke_detailed(name, event)
    if inv.status == "throttled":
        return error("TooManyRequestsException", "Rate Exceeded.", 429)
    headers = {"Content-Type": "application/json", "X-Amz-Executed-Version": "$LATEST"}
    if inv.error is not None:
        headers["X-Amz-Function-Error"] = "Unhandled"
        return Response(200, headers, dumps(inv.error))
    return Response(200, headers, dumps(inv.result))
