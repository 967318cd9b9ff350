"""Who is calling: the identity of each Lambda invocation and the item each table write touches,
as the trace records them (the authz invariant attributes every write to its invocation's caller).

`invocation_caller(event)` → trace details for `lambda invoke.start`: how the function was invoked
(`via`), and for an AppSync call the principal (kind, id, userType) and the matrix operation; for a
Step Functions task its executionArn and action (the execution's recorded actor is the caller).
`written_keys(call, hash_key_of)` → {"writes": [[table, key], ...]} for a DynamoDB write (PutItem, UpdateItem, DeleteItem,
TransactWriteItems, BatchWriteItem), the plain key values of each item written.
"""

from __future__ import annotations

from typing import Any

from handlers.common import authz
from handlers.common.appsync import AppSyncError, parse_event
from handlers.common.invocation import kind_of

WRITES = ("PutItem", "UpdateItem", "DeleteItem", "TransactWriteItems", "BatchWriteItem")
_ACTION_FIELDS = {"processBooking": "action", "processPayouts": "action"}
_CONNECT = {"createaccount": "createAccount", "createaccountlink": "createAccountLink",
            "createpaymentintent": "createPaymentIntent"}


def appsync_operation(field: str | None, arguments: dict[str, Any]) -> str | None:
    """The matrix operation an AppSync call asks for (None when the matrix cannot name it)."""
    if not field:
        return None
    if field in _ACTION_FIELDS:
        action = arguments.get(_ACTION_FIELDS[field])
        return f"{field}.{action.strip().lower()}" if isinstance(action, str) and action.strip() else None
    if field == "stripeConnect":
        action = arguments.get("action")
        if not isinstance(action, str):
            return None
        norm = action.replace("_", "").replace("-", "").lower()
        return f"stripeConnect.{_CONNECT.get(norm, 'getAccountStatus')}"
    if field == "startWorkflow":
        return start_operation(arguments.get("workflowType"), arguments.get("input"))
    return field


def start_operation(workflow_type: Any, payload: Any) -> str | None:
    """startWorkflow.<TYPE>[.<ACTION>] of a start request (None when malformed)."""
    from handlers import workflow_orchestrator as orchestrator

    if isinstance(payload, str):
        import json

        try:
            payload = json.loads(payload)
        except ValueError:
            return None
    if not isinstance(workflow_type, str) or not isinstance(payload, dict):
        return None
    try:
        return orchestrator.operation_of(orchestrator._kind(workflow_type), payload)
    except AppSyncError:
        return None


def invocation_caller(event: Any) -> dict[str, Any]:
    via = kind_of(event)
    out: dict[str, Any] = {"via": via}
    if via == "appsync":
        try:
            ev = parse_event(event)
        except AppSyncError:
            return out
        principal = authz.principal_of(ev)
        out.update(principal=principal.kind, field=ev.field_name,
                   operation=appsync_operation(ev.field_name, ev.arguments))
        if principal.id:
            out["principalId"] = principal.id
        if principal.user_type:
            out["userType"] = principal.user_type
    elif via == "stepfunctions":
        out.update(action=event.get("action"), executionArn=event.get("executionArn"))
    return out


def _plain(attrs: Any) -> dict[str, Any]:
    if not isinstance(attrs, dict):
        return {}
    out = {}
    for name, value in attrs.items():
        if isinstance(value, dict) and len(value) == 1:
            (tag, inner), = value.items()
            out[name] = inner if tag in ("S", "N", "B") else str(inner)
    return out


def _key_of(item: dict[str, Any], hash_keys: tuple[str, ...]) -> dict[str, Any]:
    plain = _plain(item)
    return {k: plain[k] for k in hash_keys if k in plain} or plain


def written_keys(call, hash_key_of) -> dict[str, Any]:
    """{"writes": [[table, key], ...]} for a DynamoDB write (`hash_key_of(table)` → key names)."""
    if call.service != "dynamodb" or call.operation not in WRITES:
        return {}
    params = call.params
    writes: list[list[Any]] = []
    if call.operation in ("UpdateItem", "DeleteItem"):
        writes.append([params.get("TableName"), _plain(params.get("Key"))])
    elif call.operation == "PutItem":
        table = params.get("TableName")
        writes.append([table, _key_of(params.get("Item") or {}, hash_key_of(table))])
    elif call.operation == "TransactWriteItems":
        for entry in params.get("TransactItems") or []:
            for kind, body in (entry or {}).items():
                if kind == "ConditionCheck" or not isinstance(body, dict):
                    continue
                table = body.get("TableName")
                key = body.get("Key") if "Key" in body else None
                writes.append([table, _plain(key) if key else _key_of(body.get("Item") or {}, hash_key_of(table))])
    else:
        for table, requests in (params.get("RequestItems") or {}).items():
            for req in requests or []:
                put, delete = (req or {}).get("PutRequest"), (req or {}).get("DeleteRequest")
                if put:
                    writes.append([table, _key_of(put.get("Item") or {}, hash_key_of(table))])
                elif delete:
                    writes.append([table, _plain(delete.get("Key"))])
    return {"writes": writes} if writes else {}
