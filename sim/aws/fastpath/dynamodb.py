"""DynamoDB data-plane calls answered by moto's `DynamoHandler`, without HTTP.

`answer(operation_model, params, account, region)` gives `(http, parsed)` exactly as botocore
would have parsed moto's HTTP answer: the handler method moto would dispatch to runs with the
call's parameters (copied, blobs as moto's request parser gives them) and the parsed response is
moto's result dict (already in DynamoDB's wire shape: numbers as strings, binaries as bytes),
restricted to the operation's output members, plus ResponseMetadata. A moto exception is turned
into an HTTP answer by moto's own code and parsed by botocore's own parser, modeled error fields
included, so the `ClientError` (code, message, status, `Item`, `CancellationReasons`) is the
same. Moto's request id is drawn for every call, as on the HTTP path, so moto's seeded random
stream (and every id it later generates) does not move.
"""

from __future__ import annotations

import sys
from typing import Any

OPERATIONS = {
    "GetItem": "get_item", "PutItem": "put_item", "UpdateItem": "update_item", "DeleteItem": "delete_item",
    "Query": "query", "Scan": "scan", "BatchGetItem": "batch_get_item", "BatchWriteItem": "batch_write_item",
    "TransactGetItems": "transact_get_items", "TransactWriteItems": "transact_write_items",
}
_CONTENT_TYPE = "application/x-amz-json-1.0"
INTERNED_LENGTH = 96   # strings up to this long are shared (ids, statuses, numbers, timestamps, names)


def handles(operation: str) -> bool:
    return operation in OPERATIONS


def copy_params(value: Any) -> Any:
    """A deep copy of JSON-like call parameters, with AttributeValue binaries as bytes (what
    moto's request parser makes of botocore's base64); moto keeps what it is given, so nothing
    the caller holds may end up inside moto's tables. Short strings (names, ids, statuses,
    numbers) are interned: equal values stored in many items share one string."""
    if isinstance(value, dict):
        out = {}
        for key, item in value.items():
            if key == "B" and isinstance(item, (str, bytes, bytearray)):
                out[key] = _blob(item)
            elif key == "BS" and isinstance(item, list) and all(isinstance(v, (str, bytes, bytearray)) for v in item):
                out[key] = [_blob(v) for v in item]
            else:
                out[_shared(key)] = copy_params(item)
        return out
    if isinstance(value, (list, tuple)):
        return [copy_params(v) for v in value]
    return _shared(value)


def _shared(value: Any) -> Any:
    return sys.intern(value) if type(value) is str and len(value) <= INTERNED_LENGTH else value


def _blob(value: str | bytes | bytearray) -> bytes:
    return value.encode("utf-8") if isinstance(value, str) else bytes(value)


def _handler(params: dict, operation: str, account: str, region: str):
    from moto.dynamodb.responses import DynamoHandler
    from moto.utilities.utils import get_partition

    handler = DynamoHandler()
    handler.params = params
    handler.body = params
    handler.uri_match = {}
    handler.querystring = {}
    handler.headers = {"Content-Type": _CONTENT_TYPE, "X-Amz-Target": f"DynamoDB_20120810.{operation}"}
    handler.response_headers = {"server": "amazon.com"}
    handler.current_account = account
    handler.region = region
    handler.partition = get_partition(region)
    handler.method = "POST"
    return handler


def answer(operation_model, params: dict, account: str, region: str):
    """`(http, parsed)` for one call, or raise nothing: errors come back as parsed error answers."""
    from moto.core.exceptions import ServiceException
    from moto.core.responses import ActionResult
    from moto.utilities.aws_headers import gen_amzn_requestid_long
    from werkzeug.exceptions import HTTPException

    from sim.aws.hooks import FakeHttpResponse

    operation = operation_model.name
    handler = _handler(copy_params(params), operation, account, region)
    method = getattr(handler, OPERATIONS[operation])
    try:
        result = method()
    except ServiceException as exc:
        status, headers, body = handler.serialized(ActionResult(exc))
        headers["status"] = status
        return _parsed_http(operation_model, handler, (body, headers))
    except HTTPException as exc:
        headers = dict(exc.get_headers() or [])
        headers["status"] = exc.code
        return _parsed_http(operation_model, handler, (exc.description, headers))
    if not isinstance(result, ActionResult) or not isinstance(result.result, dict):
        return _parsed_http(operation_model, handler, result)
    headers = dict(handler.response_headers)
    request_id = gen_amzn_requestid_long(headers)
    members = operation_model.output_shape.members if operation_model.output_shape is not None else {}
    parsed = {k: v for k, v in result.result.items() if k in members}
    headers["content-type"] = _CONTENT_TYPE
    parsed["ResponseMetadata"] = {"RequestId": request_id, "HTTPStatusCode": 200, "HTTPHeaders": headers,
                                  "RetryAttempts": 0}
    return FakeHttpResponse(200, headers), parsed


def _parsed_http(operation_model, handler, response):
    """Moto's (body, headers) or (status, headers, body) through moto's response finishing and
    botocore's parser, as the HTTP path does."""
    from botocore.awsrequest import HeadersDict
    from botocore.parsers import create_parser
    from moto.utilities.aws_headers import gen_amz_crc32

    from sim.aws.hooks import FakeHttpResponse

    status, headers, body = handler._transform_response(dict(handler.response_headers), response)
    headers, body = handler._enrich_response(headers, body)
    raw = body if isinstance(body, bytes) else str(body or "").encode("utf-8")
    gen_amz_crc32(raw, headers)
    headers.pop("status", None)
    headers.setdefault("Content-Type", _CONTENT_TYPE)
    http_headers = HeadersDict({k: str(v) for k, v in headers.items()})
    response_dict = {"headers": http_headers, "status_code": status, "body": raw,
                     "context": {"operation_name": operation_model.name}}
    parser = create_parser(operation_model.service_model.resolved_protocol)
    parsed = parser.parse(response_dict, operation_model.output_shape)
    if status >= 300:
        code = parsed.get("Error", {}).get("Code")
        shape = operation_model.service_model.shape_for_error_code(code) if code else None
        if shape is not None:
            parsed.update(parser.parse(response_dict, shape))
    return FakeHttpResponse(status, dict(http_headers)), parsed
