"""Which AWS service a request is for, and answers in AWS's JSON protocol.

As LocalStack does: the service comes from the SigV4 Authorization header's credential scope
(`Credential=AKID/20260302/us-east-1/states/aws4_request`), else from `X-Amz-Target`
(`AWSStepFunctions.StartExecution`). Signatures are accepted without checking.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any

from sim.serve.request import Request, Response, dumps

_SCOPE = re.compile(r"Credential=([^/,\s]+)/(\d{8})/([^/]+)/([^/]+)/aws4_request")
TARGET_PREFIXES = {"AWSStepFunctions": "states", "AWSEvents": "events", "DynamoDB_20120810": "dynamodb",
                   "DynamoDBStreams_20120810": "dynamodbstreams"}


@dataclass
class AwsRequest:
    service: str | None      # signing name: "states", "events", "lambda", "dynamodb", ...
    region: str | None
    access_key: str | None
    operation: str | None    # from X-Amz-Target, when there is one


def identify(req: Request) -> AwsRequest:
    service = region = key = None
    m = _SCOPE.search(req.header("authorization") or "")
    if m:
        key, _, region, service = m.groups()
    target = req.header("x-amz-target") or ""
    operation = None
    if "." in target:
        prefix, operation = target.rsplit(".", 1)
        service = service or TARGET_PREFIXES.get(prefix)
    return AwsRequest(service, region, key, operation)


def json_body(req: Request) -> dict[str, Any]:
    """The request's JSON object; raises ProtocolError (SerializationException) otherwise."""
    if not req.body.strip():
        return {}
    try:
        value = json.loads(req.body)
    except (ValueError, UnicodeDecodeError) as exc:
        raise ProtocolError("SerializationException", f"Could not parse the request body as JSON: {exc}") from None
    if not isinstance(value, dict):
        raise ProtocolError("SerializationException", "The request body must be a JSON object")
    return value


class ProtocolError(Exception):
    """An AWS error answer: `code`, `message`, HTTP `status`."""

    def __init__(self, code: str, message: str, status: int = 400):
        super().__init__(f"{code}: {message}")
        self.code, self.message, self.status = code, message, status


def json_ok(value: Any, version: str = "1.0") -> Response:
    return Response(200, {"Content-Type": f"application/x-amz-json-{version}"}, dumps(value))


def json_error(code: str, message: str, status: int = 400, version: str = "1.0") -> Response:
    """AWS JSON protocol error: `__type` + `message` in the body and `x-amzn-ErrorType`, which
    botocore and the JavaScript SDK both read."""
    return Response(status, {"Content-Type": f"application/x-amz-json-{version}", "x-amzn-ErrorType": code},
                    dumps({"__type": code, "message": message}))
