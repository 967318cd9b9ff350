"""The `/_sim/*` control API: health, the world's state, moving virtual time, and users.

- `GET /_sim/health` — 200 `{"status": "ok", "now", "clock", "seed", "urls"}` when ready (503 while
  the world starts);
- `GET /_sim/state` — tables, executions, bus events, the catalogue, counts and the trace hash;
- `GET /_sim/trace` — the trace as JSON lines;
- `POST /_sim/advance` `{"seconds": N}` or `{"until": "02:00" | ISO instant}` — run everything due;
- `POST /_sim/users` `{"username", "group"?: customers|providers|admin, "password"?, "email"?}` —
  a confirmed user in the world's Cognito user pool (post-confirmation-trigger writes its
  UserProfile, as in production) and its tokens.
"""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from typing import Any

from sim.serve.request import Request, Response, json_response

GROUPS = ("customers", "providers", "admin")


def bad_request(message: str, status: int = 400) -> Response:
    return json_response({"errors": [{"errorType": "BadRequestException", "message": message}]}, status)


def _body(req: Request) -> dict[str, Any]:
    if not req.body.strip():
        return {}
    try:
        value = json.loads(req.body)
    except (ValueError, UnicodeDecodeError) as exc:
        raise ValueError(f"the body is not JSON: {exc}") from None
    if not isinstance(value, dict):
        raise ValueError("the body must be a JSON object")
    return value


def handle(world, req: Request, server) -> Response:
    route = (req.method, req.path.rstrip("/"))
    try:
        if route == ("GET", "/_sim/health"):
            return json_response(health(world, server))
        if route == ("GET", "/_sim/state"):
            return json_response(state(world))
        if route == ("GET", "/_sim/trace"):
            return Response(200, {"Content-Type": "application/x-ndjson"}, world.trace.to_jsonl().encode())
        if route == ("POST", "/_sim/advance"):
            return json_response(advance(world, _body(req), server))
        if route == ("POST", "/_sim/users"):
            return json_response(create_user(world, _body(req)))
    except ValueError as exc:
        return bad_request(str(exc))
    return bad_request(f"no control endpoint {req.method} {req.path}; see GET /_sim/health", 404)


def health(world, server) -> dict[str, Any]:
    return {"status": "ok", "now": _iso(world.now()), "clock": server.clock, "timeScale": server.time_scale,
            "seed": world.seed, "urls": server.urls(), "userPoolId": world.user_pool_id,
            "userPoolClientId": world.user_pool_client_id, "apiKey": server.api_key,
            "webhookSecret": world.stripe_endpoints[0].secret if getattr(world, "stripe_endpoints", None) else None}


def state(world) -> dict[str, Any]:
    from sim.serve.served_world import entities

    return {"now": _iso(world.now()), "seed": world.seed, "traceHash": world.trace.hash(),
            "traceRecords": len(world.trace),
            "tables": {t.name: world.table_items(t.name) for t in world.stack.tables},
            "executions": executions(world), "busEvents": world.bus_events,
            "entities": entities(world),
            "counts": {"invocations": len(world.lambdas.invocations), "busEvents": len(world.router.bus_events),
                       "stripeEvents": len(world.stripe.events) if world.stripe is not None else 0,
                       "snsMessages": len(world.sns_messages)}}


def executions(world) -> list[dict[str, Any]]:
    out = []
    for arn, ex in world.sfn.executions.items():
        start = getattr(ex, "start_date", None) or getattr(ex, "start", None)
        stop = getattr(ex, "stop_date", None) if hasattr(ex, "stop_date") else getattr(ex, "stop", None)
        out.append({"executionArn": arn, "stateMachine": arn.split(":")[6] if arn.count(":") >= 7 else None,
                    "name": ex.name, "status": ex.status, "startDate": _iso(start), "stopDate": _iso(stop)})
    return out


def advance(world, body: dict[str, Any], server) -> dict[str, Any]:
    before = world.now()
    if "seconds" in body:
        seconds = body["seconds"]
        if isinstance(seconds, bool) or not isinstance(seconds, (int, float)) or seconds < 0 or seconds > 10 ** 9:
            raise ValueError(f"seconds: expected a number of seconds >= 0, got {seconds!r}")
        target = before + timedelta(seconds=seconds)
    elif "until" in body:
        target = _until(body["until"], before)
    else:
        raise ValueError('expected {"seconds": N} or {"until": "HH:MM" | ISO instant}')
    world.advance_to(target)
    server.time_moved()
    return {"now": _iso(world.now()), "advancedSeconds": (world.now() - before).total_seconds()}


def _until(value: Any, now: datetime) -> datetime:
    from sim.clock import parse_instant

    if not isinstance(value, str):
        raise ValueError(f"until: expected \"HH:MM\" or an ISO instant, got {value!r}")
    if len(value) == 5 and value[2] == ":":
        try:
            hour, minute = int(value[:2]), int(value[3:])
            target = now.replace(hour=hour, minute=minute, second=0, microsecond=0)
        except ValueError:
            raise ValueError(f"until: not a time of day (HH:MM, UTC): {value!r}") from None
        return target if target > now else target + timedelta(days=1)
    try:
        target = parse_instant(value)
    except ValueError:
        raise ValueError(f"until: not an ISO instant or HH:MM: {value!r}") from None
    if target < now:
        raise ValueError(f"until: {value} is in the past (now {_iso(now)}); the clock cannot go back")
    return target


def create_user(world, body: dict[str, Any]) -> dict[str, Any]:
    from botocore.exceptions import ClientError

    from sim.serve.cognito_triggers import post_confirmation

    username = body.get("username")
    if not isinstance(username, str) or not username.strip() or len(username) > 128:
        raise ValueError("username: expected a non-empty string")
    group = body.get("group", "customers")
    if group not in GROUPS:
        raise ValueError(f"group: expected one of {', '.join(GROUPS)}, got {group!r}")
    password = body.get("password") or "Passw0rd!sim"
    email = body.get("email") or f"{username}@example.com"
    if not isinstance(password, str) or not isinstance(email, str):
        raise ValueError("password and email are strings")
    user_type = {"customers": "customer", "providers": "provider", "admin": "admin"}[group]
    idp, pool = world.client("cognito-idp"), world.user_pool_id
    try:
        with world.internal():
            idp.admin_create_user(UserPoolId=pool, Username=username, MessageAction="SUPPRESS",
                                  UserAttributes=[{"Name": "email", "Value": email},
                                                  {"Name": "email_verified", "Value": "true"},
                                                  {"Name": "custom:userType", "Value": user_type}])
            idp.admin_set_user_password(UserPoolId=pool, Username=username, Password=password, Permanent=True)
            idp.admin_add_user_to_group(UserPoolId=pool, Username=username, GroupName=group)
    except ClientError as err:
        raise ValueError(f"{err.response['Error']['Code']}: {err.response['Error']['Message']}") from None
    attrs = post_confirmation(world, username, groups=[group])
    with world.internal():
        tokens = idp.admin_initiate_auth(UserPoolId=pool, ClientId=world.user_pool_client_id,
                                         AuthFlow="ADMIN_USER_PASSWORD_AUTH",
                                         AuthParameters={"USERNAME": username, "PASSWORD": password})
    result = tokens["AuthenticationResult"]
    return {"username": username, "sub": attrs.get("sub"), "group": group, "email": email, "password": password,
            "idToken": result["IdToken"], "accessToken": result["AccessToken"],
            "refreshToken": result.get("RefreshToken"), "expiresIn": result.get("ExpiresIn")}


def _iso(value: datetime | None) -> str | None:
    return value.strftime("%Y-%m-%dT%H:%M:%S.") + f"{value.microsecond // 1000:03d}Z" if value else None
