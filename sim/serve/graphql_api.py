"""AppSync GraphQL at `/graphql`: the schema in handlers/appsync/schema.graphql, parsed and
validated by graphql-core, each root field resolved by invoking its Lambda function (the
stack's field → function routing) with AppSync's direct-resolver event. Answers in AppSync's
shape: `{"data": …, "errors": [{"path", "data", "errorType", "errorInfo", "locations",
"message"}]}`; a request that is not authorised at all is 401 UnauthorizedException, a body that
is not a GraphQL request 400 MalformedHttpRequestException, an invalid query 400 with the
validation errors."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from sim.serve import graphql_auth as auth
from sim.serve.request import Request, Response, json_response

SCHEMA_FILE = Path(__file__).resolve().parents[2] / "handlers" / "appsync" / "schema.graphql"

# AppSync's built-in scalars and directives (its schemas use them without declaring them)
PRELUDE = """
scalar AWSJSON
scalar AWSDate
scalar AWSTime
scalar AWSDateTime
scalar AWSTimestamp
scalar AWSEmail
scalar AWSURL
scalar AWSPhone
scalar AWSIPAddress
directive @aws_cognito_user_pools(cognito_groups: [String]) on OBJECT | FIELD_DEFINITION
directive @aws_auth(cognito_groups: [String]) on FIELD_DEFINITION
directive @aws_api_key on OBJECT | FIELD_DEFINITION
directive @aws_lambda on OBJECT | FIELD_DEFINITION
directive @aws_iam on OBJECT | FIELD_DEFINITION
directive @aws_oidc on OBJECT | FIELD_DEFINITION
directive @aws_subscribe(mutations: [String]) on FIELD_DEFINITION
"""

_SCHEMA = None


class FieldError(Exception):
    """A resolver's error, reported with AppSync's errorType."""

    def __init__(self, error_type: str, message: str):
        super().__init__(message)
        self.error_type = error_type


def schema():
    global _SCHEMA
    if _SCHEMA is None:
        from graphql import build_schema

        built = build_schema(PRELUDE + SCHEMA_FILE.read_text(encoding="utf-8"))
        aws_json = built.type_map["AWSJSON"]
        # AppSync sends AWSJSON results as JSON text and parses AWSJSON arguments (legacy and
        # graphql-core 3.3 names alike)
        aws_json.serialize = aws_json.coerce_output_value = _json_text
        aws_json.parse_value = aws_json.coerce_input_value = _parse_json
        aws_json.parse_literal = _parse_json_literal
        aws_json.coerce_input_literal = None
        _SCHEMA = built
    return _SCHEMA


def _json_text(value: Any) -> str:
    return value if isinstance(value, str) else json.dumps(value, separators=(",", ":"))


def _parse_json(value: Any) -> Any:
    if isinstance(value, str):
        try:
            return json.loads(value)
        except ValueError:
            raise ValueError("AWSJSON must be a valid JSON string") from None
    return value


def _parse_json_literal(node, _variables=None) -> Any:
    from graphql.language import StringValueNode

    if not isinstance(node, StringValueNode):
        raise ValueError("AWSJSON must be a JSON string")
    return _parse_json(node.value)


def malformed(message: str) -> Response:
    return json_response({"errors": [{"errorType": "MalformedHttpRequestException", "message": message}]}, 400)


def unauthorized(message: str) -> Response:
    return json_response({"errors": [{"errorType": "UnauthorizedException", "message": message}]}, 401)


def handle(world, req: Request, api_key: str) -> Response:
    from graphql import GraphQLError, execute, parse, validate

    if req.method != "POST":
        return json_response({"errors": [{"errorType": "MethodNotAllowedException",
                                          "message": "AppSync accepts POST requests only"}]}, 405)
    try:
        body = json.loads(req.body or b"")
    except (ValueError, UnicodeDecodeError) as exc:
        return malformed(f"Unable to parse the JSON document: {exc}")
    if not isinstance(body, dict) or not isinstance(body.get("query"), str):
        return malformed("The request body must be a JSON object with a 'query' string")
    variables = body.get("variables")
    if variables is not None and not isinstance(variables, dict):
        return malformed("'variables' must be a JSON object")
    try:
        caller = auth.authenticate(world, req.headers, body, api_key)
    except auth.Unauthorized as exc:
        world.trace.record("serve", "graphql.unauthorized", None, reason=str(exc))
        return unauthorized(str(exc))
    try:
        document = parse(body["query"])
    except GraphQLError as exc:
        return json_response({"errors": [_format(exc, "MalformedHttpRequestException")]}, 400)
    problems = validate(schema(), document)
    if problems:
        return json_response({"data": None, "errors": [_format(e, "ValidationError") for e in problems]}, 400)
    operation = body.get("operationName") if isinstance(body.get("operationName"), str) else None
    context = {"world": world, "caller": caller, "headers": req.headers, "variables": variables or {}}
    result = execute(schema(), document, variable_values=variables, operation_name=operation,
                     context_value=context, field_resolver=_resolve)
    out: dict[str, Any] = {"data": result.data}
    if result.errors:
        out["errors"] = [_format(e) for e in result.errors]
    world.trace.record("serve", "graphql", None, operation=operation, mode=caller.mode,
                       errors=len(result.errors or []))
    return json_response(out)


def _resolve(source, info, **arguments):
    from graphql import default_field_resolver

    parent = info.parent_type.name
    if parent not in ("Query", "Mutation"):
        return default_field_resolver(source, info, **arguments)
    from sim.aws.appsync import resolver_event, resolver_function

    ctx = info.context
    world, caller = ctx["world"], ctx["caller"]
    field = info.field_name
    definition = info.parent_type.fields[field]
    if caller.mode not in auth.allowed_modes(definition) or field in ((caller.identity or {}).get("deniedFields")
                                                                       or ()):
        raise FieldError("Unauthorized", f"Not Authorized to access {field} on type {parent}")
    function = resolver_function(world.stack, field)
    if function is None:
        raise FieldError("ResolverNotFound", f"No resolver is attached to {parent}.{field}")
    event = resolver_event(field, arguments, headers=ctx["headers"], identity=caller.identity, parent=parent)
    event["info"]["variables"] = ctx["variables"]
    inv = world.lambdas.invoke_detailed(function, event)
    if inv.status == "throttled":
        raise FieldError("Lambda:TooManyRequestsException", "Rate Exceeded.")
    if inv.error is not None:
        raise FieldError(str(inv.error.get("errorType") or "Lambda:Unhandled"),
                         str(inv.error.get("errorMessage") or "the resolver failed"))
    return inv.result


def _format(error, default_type: str = "BadRequestException") -> dict[str, Any]:
    from graphql import GraphQLError

    original = getattr(error, "original_error", None)
    if isinstance(original, FieldError):
        error_type = original.error_type
    elif original is None or isinstance(original, (ValueError, TypeError, GraphQLError)):
        error_type = default_type
    else:
        error_type = "InternalFailure"
    locations = [{"line": loc.line, "column": loc.column, "sourceName": None} for loc in (error.locations or [])]
    return {"path": list(error.path) if error.path else None, "data": None, "errorType": error_type,
            "errorInfo": None, "locations": locations, "message": error.message}
