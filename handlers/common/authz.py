"""Who may do what: the authorization matrix (authz_matrix.json, shipped beside this module) and
the one place every handler enforces it.

The matrix names every AppSync operation and every workflow type/action reachable through the
workflow-orchestrator (`processBooking.cancel`, `startWorkflow.BOOKING.CANCEL`, …) and, for each
kind of caller, whether it is allowed and (for reads) which fields it sees. Caller kinds are
relations between the calling principal and the resource:

  customer / provider             the resource's owning customer / the booking's provider (for a
                                  user-scoped resource — a profile, notifications, payouts, an
                                  execution — its owner, being a customer or a provider)
  other_customer / other_provider a signed-in user with no relation to the resource
  admin                           a Cognito user in the admin(s) group
  api_key                         AppSync API-key auth (identity null, an x-api-key header)
  none                            no identity at all
  webhook                         the webhook Lambda authorizer (identity.resolverContext)
  iam                             a SigV4 (IAM) principal: the marketplace's own backend

`principal_of(event)` reads the caller from an AppSync event; `actor_of(input)` reads the actor the
orchestrator recorded in a workflow's input (state machines can be started through the Step
Functions API too, so the tasks check again); `authorize(operation, principal, owner)` raises
`Unauthorized` — AppSync's own refusal shape: errorType "Unauthorized", message "Not Authorized to
access <field> on type <type>" — unless the matrix allows the caller's kind. Anything the matrix
does not name is refused (deny by default). `visible(...)` applies a read's field rule.
"""

from __future__ import annotations

import functools
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from handlers.common.appsync import ResolverEvent, UnauthorizedError
from handlers.common.log import get_logger

MATRIX_FILE = Path(__file__).with_name("authz_matrix.json")
CALLERS = ("customer", "provider", "other_customer", "other_provider", "admin", "api_key", "none", "webhook", "iam")
ADMIN_GROUPS = ("admin", "admins")
PRINCIPAL_KINDS = ("user", "admin", "api_key", "none", "webhook", "iam")
_log = get_logger("authz")


class Unauthorized(UnauthorizedError):
    """AppSync's refusal (errorType "Unauthorized"); nothing was changed."""


@functools.cache
def matrix() -> dict[str, Any]:
    return json.loads(MATRIX_FILE.read_text(encoding="utf-8"))


def operations() -> dict[str, dict[str, Any]]:
    return matrix()["operations"]


# -- principals ----------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Principal:
    kind: str                    # one of PRINCIPAL_KINDS
    id: str | None = None        # the Cognito sub of a user or an admin
    user_type: str | None = None  # customer | provider (users)

    @property
    def trusted(self) -> bool:
        return self.kind in ("admin", "iam")

    def as_actor(self) -> dict[str, Any]:
        """What the orchestrator records in a workflow's input (`actor`)."""
        return {k: v for k, v in {"kind": self.kind, "id": self.id, "userType": self.user_type}.items()
                if v is not None}


def _groups(identity: dict[str, Any]) -> list[str]:
    groups = identity.get("groups") or (identity.get("claims") or {}).get("cognito:groups") or []
    return [g for g in groups if isinstance(g, str)] if isinstance(groups, list) else []


def _user_type(identity: dict[str, Any], groups: list[str]) -> str | None:
    claimed = (identity.get("claims") or {}).get("custom:userType")
    if claimed in ("customer", "provider"):
        return claimed
    lowered = {g.lower() for g in groups}
    if lowered & {"provider", "providers"}:
        return "provider"
    if lowered & {"customer", "customers"}:
        return "customer"
    return None


def principal_of(ev: ResolverEvent) -> Principal:
    """The caller of an AppSync resolver event."""
    identity = ev.raw.get("identity") if isinstance(ev.raw, dict) else None
    if not isinstance(identity, dict) or not identity:
        return Principal("api_key" if ev.headers.get("x-api-key") else "none")
    sub = identity.get("sub")
    if isinstance(sub, str) and sub:
        groups = _groups(identity)
        if any(g.lower() in ADMIN_GROUPS for g in groups):
            return Principal("admin", sub)
        return Principal("user", sub, _user_type(identity, groups))
    if isinstance(identity.get("resolverContext"), dict):
        return Principal("webhook")
    if isinstance(identity.get("userArn"), str) or isinstance(identity.get("accountId"), str):
        return Principal("iam")
    return Principal("none")


def actor_of(data: dict[str, Any]) -> Principal:
    """The actor a workflow input records: `actor` (stamped by the orchestrator), else the legacy
    cancelledBy / raisedBy user id, else a start by the backend itself (an EventBridge rule or an
    IAM principal calling the Step Functions API)."""
    actor = data.get("actor")
    if isinstance(actor, dict):
        kind = actor.get("kind")
        if kind not in PRINCIPAL_KINDS:
            return Principal("none")
        ident = actor.get("id") if isinstance(actor.get("id"), str) else None
        utype = actor.get("userType") if actor.get("userType") in ("customer", "provider") else None
        if kind in ("user", "admin") and not ident:
            return Principal("none")
        return Principal(kind, ident, utype)
    for name in ("cancelledBy", "raisedBy"):
        value = data.get(name)
        if isinstance(value, str) and value:
            return Principal("user", value)
    return Principal("iam")


# -- relations -----------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Owner:
    """Who a resource belongs to: a booking's customer and provider, or one user (of a type)."""
    customer: str | None = None
    provider: str | None = None
    user: str | None = None
    user_type: str | None = None


def booking_owner(booking: dict[str, Any] | None) -> Owner:
    booking = booking or {}
    return Owner(customer=booking.get("customerId"), provider=booking.get("providerId"))


def user_owner(user_id: str | None, user_type: str | None = None) -> Owner:
    return Owner(user=user_id, user_type=user_type)


def relation(principal: Principal, owner: Owner | None) -> str:
    """The caller kind (a column of the matrix) of `principal` acting on what `owner` owns."""
    if principal.kind != "user":
        return principal.kind
    owner = owner or Owner()
    if principal.id and principal.id == owner.customer:
        return "customer"
    if principal.id and principal.id == owner.provider:
        return "provider"
    if principal.id and principal.id == owner.user:
        return "provider" if (owner.user_type or principal.user_type) == "provider" else "customer"
    return "other_provider" if principal.user_type == "provider" else "other_customer"


# -- decisions -----------------------------------------------------------------------------------------
def allowed(operation: str, caller: str) -> bool:
    spec = operations().get(operation)
    return spec is not None and caller in spec.get("allow", ())


def authorize(operation: str, principal: Principal, owner: Owner | None = None) -> str:
    """The caller kind if the matrix allows it; Unauthorized (AppSync's shape) otherwise."""
    caller = relation(principal, owner)
    if not allowed(operation, caller):
        spec = operations().get(operation) or {}
        field = spec.get("field") or operation.split(".", 1)[0]
        _log.warning("not authorized", operation=operation, caller=caller, principal=principal.kind,
                     principalId=principal.id)
        raise Unauthorized(f"Not Authorized to access {field} on type {spec.get('type', 'Mutation')}")
    return caller


def read_rule(operation: str, caller: str) -> Any:
    """The read rule of a caller: "*" (every field), {"only": [...]} or {"except": [...]}."""
    return ((operations().get(operation) or {}).get("reads") or {}).get(caller, "*")


def visible(operation: str, caller: str, view: dict[str, Any]) -> dict[str, Any]:
    """`view` with only the fields the matrix lets this caller read."""
    rule = read_rule(operation, caller)
    if isinstance(rule, dict) and isinstance(rule.get("only"), list):
        return {k: v for k, v in view.items() if k in rule["only"]}
    if isinstance(rule, dict) and isinstance(rule.get("except"), list):
        return {k: v for k, v in view.items() if k not in rule["except"]}
    return view


def operation_name(field: str, *parts: Any) -> str:
    """`processBooking.cancel`, `startWorkflow.BOOKING.CANCEL`: the matrix key of a call."""
    return ".".join([field, *(str(p) for p in parts if p not in (None, ""))])
