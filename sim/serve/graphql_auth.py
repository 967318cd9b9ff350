"""AppSync's three authorization modes for `/graphql`:

- AMAZON_COGNITO_USER_POOLS (default): `Authorization: <JWT>` — an id or access token issued by
  the world's user pool (moto signs it; verified here with moto's public JWKS, issuer and expiry
  checked against virtual time); the resolver gets AppSync's Cognito identity;
- AWS_LAMBDA: any other `Authorization` value goes to webhook-authorizer with AppSync's
  authorizer request (docs/contracts.md §4); `isAuthorized` false → 401; the identity carries its
  `resolverContext`;
- API_KEY: `x-api-key` equal to the server's key (shown in the banner); identity null.

Fields allow the modes their `@aws_*` directives name (none: the default mode).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

COGNITO, LAMBDA, API_KEY = "AMAZON_COGNITO_USER_POOLS", "AWS_LAMBDA", "API_KEY"
DIRECTIVE_MODES = {"aws_cognito_user_pools": COGNITO, "aws_auth": COGNITO, "aws_lambda": LAMBDA,
                   "aws_api_key": API_KEY}
DEFAULT_MODE = COGNITO


class Unauthorized(Exception):
    """The request as a whole is refused: 401 UnauthorizedException."""


@dataclass
class Caller:
    mode: str
    identity: dict[str, Any] | None


_KEYS = None


def _keys():
    global _KEYS
    if _KEYS is None:
        from joserfc.jwk import KeySet
        from moto.utilities.utils import load_resource

        _KEYS = KeySet.import_key_set(load_resource("cognitoidp/resources/jwks-public.json"))
    return _KEYS


def looks_like_jwt(token: str) -> bool:
    parts = token.split(".")
    return len(parts) == 3 and all(parts) and token.startswith("eyJ")


def verify_jwt(world, token: str) -> dict[str, Any]:
    """The token's claims, or Unauthorized naming what is wrong with it."""
    from joserfc import jwt
    from joserfc.errors import JoseError

    try:
        claims = jwt.decode(token, _keys()).claims
    except (JoseError, ValueError, TypeError) as exc:
        raise Unauthorized(f"Invalid token: {type(exc).__name__}") from None
    issuer = f"https://cognito-idp.{world.region}.amazonaws.com/{world.user_pool_id}"
    if claims.get("iss") != issuer:
        raise Unauthorized("Invalid token: the issuer is not this API's user pool")
    if claims.get("token_use") not in ("id", "access"):
        raise Unauthorized("Invalid token: not an id or access token")
    exp = claims.get("exp")
    if not isinstance(exp, (int, float)) or exp <= world.clock.epoch():
        raise Unauthorized("Token has expired.")
    return claims


def cognito_identity(claims: dict[str, Any], source_ip: str) -> dict[str, Any]:
    groups = claims.get("cognito:groups")
    return {"sub": claims.get("sub"), "issuer": claims.get("iss"),
            "username": claims.get("cognito:username") or claims.get("username"),
            "claims": claims, "sourceIp": [source_ip], "defaultAuthStrategy": "ALLOW",
            "groups": groups if isinstance(groups, list) else None}


def authenticate(world, headers: dict[str, str], body: dict[str, Any], api_key: str,
                 source_ip: str = "127.0.0.1") -> Caller:
    token = (headers.get("authorization") or "").strip()
    if token.lower().startswith("bearer "):
        token = token[7:].strip()
    if token:
        if looks_like_jwt(token):
            return Caller(COGNITO, cognito_identity(verify_jwt(world, token), source_ip))
        return _lambda_authorizer(world, headers, body)
    key = headers.get("x-api-key")
    if key:
        if key != api_key:
            raise Unauthorized("You are not authorized to make this call.")
        return Caller(API_KEY, None)
    raise Unauthorized("Valid authorization header not provided.")


def _lambda_authorizer(world, headers: dict[str, str], body: dict[str, Any]) -> Caller:
    from sim.aws.appsync import authorizer_request

    variables = body.get("variables") if isinstance(body.get("variables"), dict) else {}
    payload = variables.get("payload")
    request = authorizer_request(headers, payload if isinstance(payload, str) else "",
                                 request_id=world.rng_for("appsync").uuid4(), account=world.stack.account,
                                 operation=body.get("operationName") or "stripeWebhook")
    request["requestContext"]["queryString"] = body.get("query") or ""
    request["requestContext"]["variables"] = variables
    inv = world.lambdas.invoke_detailed("webhook-authorizer", request)
    result = inv.result if inv.error is None and isinstance(inv.result, dict) else {}
    if not result.get("isAuthorized"):
        raise Unauthorized("You are not authorized to make this call.")
    return Caller(LAMBDA, {"resolverContext": result.get("resolverContext") or {},
                           "deniedFields": result.get("deniedFields") or []})


def allowed_modes(field_def) -> set[str]:
    node = getattr(field_def, "ast_node", None)
    modes = {DIRECTIVE_MODES[d.name.value] for d in (node.directives if node else ())
             if d.name.value in DIRECTIVE_MODES}
    return modes or {DEFAULT_MODE}
