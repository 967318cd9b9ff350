"""workflow-orchestrator: starts, stops and reports the marketplace's Step Functions workflows.

AppSync (all through boto3 `stepfunctions`, state machines from BOOKING_STATE_MACHINE_ARN,
PAYMENT_STATE_MACHINE_ARN, DISPUTE_STATE_MACHINE_ARN, ONBOARDING_STATE_MACHINE_ARN):
  startWorkflow(workflowType: BOOKING|PAYMENT|DISPUTE|ONBOARDING (or the machine's name),
                input: object or JSON string, name?) → {executionArn, startDate, workflowType}
  stopWorkflow(executionArn, error?, cause?) → {executionArn, stopDate}
  getWorkflowStatus(executionArn) → {executionArn, workflowType, status, startDate, stopDate,
                input, output, error, cause}
Each start/stop publishes Workflow Started / Workflow Stopped (source marketplace.workflow);
a failed start or stop publishes Workflow Error and raises the AppSync error.
Authorisation: the matrix (handlers/common/authz_matrix.json, enforced by common/authz.py) per
type and action (startWorkflow.BOOKING.CANCEL, startWorkflow.DISPUTE.REFUND_REQUEST, …) against
the booking's customer and provider; the caller is recorded in the input as `actor` (and, for a
user, as booking.customerId / cancelledBy / raisedBy / providerId), which the workflow's tasks
check again. getWorkflowStatus and stopWorkflow: the execution's owner is its recorded actor
(getWorkflowStatus: the owner or an admin; stopWorkflow: admins). The execution name is derived
from (type, input, time) unless given, so a repeated identical request maps to one execution.
"""

from __future__ import annotations

import json
import re
from typing import Any

from botocore.exceptions import ClientError

from handlers.common import authz
from handlers.common.appsync import (
    ConflictError,
    NotFoundError,
    ResolverEvent,
    ValidationError,
    json_object,
    optional_str,
    require_str,
)
from handlers.common.clients import client
from handlers.common.config import env
from handlers.common.events import publish
from handlers.common.idgen import derived_id
from handlers.common.invocation import dispatch
from handlers.common.isotime import now_utc, to_iso
from handlers.common.log import get_logger
from handlers.common.repositories import BookingRepository

NAME = "workflow-orchestrator"
SOURCE = "marketplace.workflow"
WORKFLOWS = {"BOOKING": "BOOKING_STATE_MACHINE_ARN", "PAYMENT": "PAYMENT_STATE_MACHINE_ARN",
             "DISPUTE": "DISPUTE_STATE_MACHINE_ARN", "ONBOARDING": "ONBOARDING_STATE_MACHINE_ARN"}
ALIASES = {"BOOKING-LIFECYCLE": "BOOKING", "PAYMENT-PROCESSING": "PAYMENT", "DISPUTE-RESOLUTION": "DISPUTE",
           "PROVIDER-ONBOARDING": "ONBOARDING"}
_NAME = re.compile(r"^[A-Za-z0-9_-]{1,80}$")
_EXEC = re.compile(r"^arn:aws[\w-]*:states:[\w-]+:\d{12}:execution:([\w-]+):[\w-]{1,80}$")
_log = get_logger(NAME)


def _machine_arn(kind: str) -> str:
    arn = env(WORKFLOWS[kind])
    if not arn:
        raise ValidationError(f"the {kind} workflow is not configured ({WORKFLOWS[kind]})")
    return arn


def _kind(value: str) -> str:
    key = value.strip().upper().replace("_", "-").removeprefix("ECOSYSTEM-")
    key = ALIASES.get(key, key)
    if key not in WORKFLOWS:
        raise ValidationError(f"unknown workflowType {value!r}; expected one of {', '.join(WORKFLOWS)}")
    return key


def _kind_of_execution(arn: str) -> str:
    m = _EXEC.match(arn)
    if not m:
        raise ValidationError("executionArn is not a Step Functions execution ARN")
    for kind, var in WORKFLOWS.items():
        machine = env(var)
        if machine and machine.rsplit(":", 1)[-1] == m.group(1):
            return kind
    raise ValidationError("executionArn does not belong to a marketplace workflow")


def _error(action: str, kind: str | None, exc: ClientError, **detail: Any) -> None:
    code = exc.response.get("Error", {}).get("Code", "Error")
    publish(SOURCE, "Workflow Error", {"action": action, "workflowType": kind, "errorCode": code,
                                       "message": exc.response.get("Error", {}).get("Message"), "origin": NAME,
                                       **detail})
    if code in ("ExecutionDoesNotExist", "StateMachineDoesNotExist"):
        raise NotFoundError(f"{action}: {code}") from exc
    if code in ("ExecutionAlreadyExists", "ExecutionLimitExceeded", "InvalidExecutionInput"):
        raise ConflictError(f"{action}: {code}") from exc
    raise exc


_ACTIONS = {"BOOKING": ("action", ("CREATE", "CANCEL")), "PAYMENT": ("paymentType", ("DIRECT", "PAYOUT", "REFUND")),
            "DISPUTE": ("disputeType", None), "ONBOARDING": (None, None)}


def operation_of(kind: str, payload: dict[str, Any]) -> str:
    """The matrix operation of a start: startWorkflow.<TYPE>[.<ACTION>] (DISPUTE: REFUND_REQUEST,
    SERVICE_COMPLAINT, or OTHER for any other dispute type)."""
    key, known = _ACTIONS[kind]
    if key is None:
        return authz.operation_name("startWorkflow", kind)
    value = payload.get(key)
    value = value.strip().upper() if isinstance(value, str) else ""
    if kind == "DISPUTE":
        return authz.operation_name("startWorkflow", kind, value if value in ("REFUND_REQUEST", "SERVICE_COMPLAINT")
                                    else "OTHER")
    if value not in known:
        raise ValidationError(f"{kind} workflows need {key} one of {', '.join(known)}")
    return authz.operation_name("startWorkflow", kind, value)


def _owner(kind: str, op: str, payload: dict[str, Any], principal: authz.Principal) -> authz.Owner:
    """Who owns what the workflow would act on (the matrix compares the caller with it)."""
    if op == "startWorkflow.BOOKING.CREATE":
        booking = payload.get("booking") if isinstance(payload.get("booking"), dict) else {}
        return authz.user_owner(booking.get("customerId") or principal.id)
    if kind == "ONBOARDING":
        return authz.user_owner(payload.get("providerId") or principal.id, "provider")
    booking_id = payload.get("bookingId")
    if not isinstance(booking_id, str) or not booking_id:
        raise ValidationError(f"{op} needs a bookingId")
    booking = BookingRepository().get(booking_id)
    if booking is None:
        raise NotFoundError(f"booking {booking_id} not found")
    return authz.booking_owner(booking)


def _authorize_start(ev: ResolverEvent, kind: str, payload: dict[str, Any]) -> dict[str, Any]:
    """Check the start against the matrix and record the actor in the input (the workflow's tasks
    check it again); a user's own id is stamped where the workflow names its actor."""
    principal = authz.principal_of(ev)
    op = operation_of(kind, payload)
    authz.authorize(op, principal, _owner(kind, op, payload, principal))
    payload = {k: v for k, v in payload.items() if k != "actor"}
    stamped: dict[str, Any] = {**payload, "actor": principal.as_actor()}
    if principal.kind != "user":
        return stamped
    if op == "startWorkflow.BOOKING.CREATE":
        booking = payload.get("booking") if isinstance(payload.get("booking"), dict) else {}
        stamped["booking"] = {**booking, "customerId": principal.id}
    elif op == "startWorkflow.BOOKING.CANCEL":
        stamped["cancelledBy"] = principal.id
    elif kind == "DISPUTE":
        stamped["raisedBy"] = principal.id
    elif kind == "ONBOARDING":
        stamped["providerId"] = principal.id
    return stamped


def op_start(ev: ResolverEvent) -> dict[str, Any]:
    kind = _kind(require_str(ev.arguments, "workflowType", max_len=64))
    raw = json_object(ev.arguments, "input")
    payload = _authorize_start(ev, kind, raw)
    text = json.dumps(payload, sort_keys=True, separators=(",", ":"))
    if len(text.encode()) > 256 * 1024:
        raise ValidationError("input is larger than 256 KiB")
    name = optional_str(ev.arguments, "name", max_len=80)
    if name is not None and not _NAME.match(name):
        raise ValidationError("name may only use letters, digits, - and _ (at most 80)")
    name = name or derived_id(kind.lower(), text, to_iso(now_utc()))
    machine = _machine_arn(kind)
    try:
        out = client("stepfunctions").start_execution(stateMachineArn=machine, name=name, input=text)
    except ClientError as exc:
        _error("startWorkflow", kind, exc, stateMachineArn=machine, name=name)
        raise
    started = out["startDate"]
    detail = {"executionArn": out["executionArn"], "workflowType": kind, "stateMachineArn": machine,
              "name": name, "startedBy": payload["actor"].get("id"), "actor": payload["actor"], "origin": NAME}
    publish(SOURCE, "Workflow Started", detail)
    return {"executionArn": out["executionArn"], "workflowType": kind,
            "startDate": started.isoformat() if hasattr(started, "isoformat") else str(started)}


def _describe(arn: str, *, action: str | None = None, kind: str | None = None) -> dict[str, Any]:
    """The execution (NotFoundError when missing; with `action`, a failure publishes Workflow Error)."""
    try:
        return client("stepfunctions").describe_execution(executionArn=arn)
    except ClientError as exc:
        if action is not None:
            _error(action, kind, exc, executionArn=arn)
        code = exc.response.get("Error", {}).get("Code")
        if code == "ExecutionDoesNotExist":
            raise NotFoundError(f"execution {arn} not found") from exc
        raise


def _execution_owner(described: dict[str, Any]) -> authz.Owner:
    """An execution belongs to the actor the orchestrator recorded in its input."""
    data = _json(described.get("input"))
    actor = authz.actor_of(data if isinstance(data, dict) else {})
    return authz.user_owner(actor.id if actor.kind in ("user", "admin") else None, actor.user_type)


def op_stop(ev: ResolverEvent) -> dict[str, Any]:
    arn = require_str(ev.arguments, "executionArn", max_len=2048)
    kind = _kind_of_execution(arn)
    authz.authorize("stopWorkflow", authz.principal_of(ev),
                    _execution_owner(_describe(arn, action="stopWorkflow", kind=kind)))
    error = optional_str(ev.arguments, "error", max_len=256) or "StoppedByOperator"
    cause = optional_str(ev.arguments, "cause", max_len=32768) or "stopped through stopWorkflow"
    try:
        out = client("stepfunctions").stop_execution(executionArn=arn, error=error, cause=cause)
    except ClientError as exc:
        _error("stopWorkflow", kind, exc, executionArn=arn)
        raise
    stopped = out["stopDate"]
    publish(SOURCE, "Workflow Stopped", {"executionArn": arn, "workflowType": kind, "error": error, "cause": cause,
                                         "stoppedBy": authz.principal_of(ev).id, "origin": NAME})
    return {"executionArn": arn, "stopDate": stopped.isoformat() if hasattr(stopped, "isoformat") else str(stopped)}


def _iso(value: Any) -> str | None:
    return value.isoformat() if hasattr(value, "isoformat") else value


def _json(text: Any) -> Any:
    if not isinstance(text, str):
        return None
    try:
        return json.loads(text)
    except ValueError:
        return text


def op_status(ev: ResolverEvent) -> dict[str, Any]:
    arn = require_str(ev.arguments, "executionArn", max_len=2048)
    kind = _kind_of_execution(arn)
    out = _describe(arn)
    caller = authz.authorize("getWorkflowStatus", authz.principal_of(ev), _execution_owner(out))
    return authz.visible("getWorkflowStatus", caller, {"executionArn": arn, "workflowType": kind, "status": out["status"], "name": out.get("name"),
            "startDate": _iso(out.get("startDate")), "stopDate": _iso(out.get("stopDate")),
            "input": _json(out.get("input")), "output": _json(out.get("output")),
            "error": out.get("error"), "cause": out.get("cause")})


def handler(event: Any, context: Any = None) -> Any:
    return dispatch(NAME, event, context,
                    fields={"startWorkflow": op_start, "stopWorkflow": op_stop, "getWorkflowStatus": op_status})
