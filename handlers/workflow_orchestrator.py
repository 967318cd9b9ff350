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
Authorisation: admins and trusted callers (no user identity) may do anything; a signed-in user
may start BOOKING as its customer, DISPUTE (raisedBy is set to the caller) and ONBOARDING for
itself, and read a status; PAYMENT and stopping are for admins. The execution name is derived
from (type, input, time) unless given, so a repeated identical request maps to one execution.
"""

from __future__ import annotations

import json
import re
from typing import Any

from botocore.exceptions import ClientError

from handlers.common.appsync import (
    ConflictError,
    NotFoundError,
    ResolverEvent,
    UnauthorizedError,
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


def _authorize_start(ev: ResolverEvent, kind: str, payload: dict[str, Any]) -> dict[str, Any]:
    caller = ev.caller_id
    if caller is None or ev.is_admin:
        return payload
    if kind == "BOOKING":
        booking = payload.get("booking") if isinstance(payload.get("booking"), dict) else None
        if payload.get("action") == "CREATE" and booking is not None:
            if booking.get("customerId") not in (None, caller):
                raise UnauthorizedError("you may only book for yourself")
            return {**payload, "booking": {**booking, "customerId": caller}}
        if payload.get("action") == "CANCEL":
            return {**payload, "cancelledBy": caller}
        return payload
    if kind == "DISPUTE":
        return {**payload, "raisedBy": caller}
    if kind == "ONBOARDING":
        if payload.get("providerId") not in (None, caller):
            raise UnauthorizedError("you may only onboard yourself")
        return {**payload, "providerId": caller}
    raise UnauthorizedError(f"only an admin may start {kind} workflows")


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
              "name": name, "startedBy": ev.caller_id, "origin": NAME}
    publish(SOURCE, "Workflow Started", detail)
    return {"executionArn": out["executionArn"], "workflowType": kind,
            "startDate": started.isoformat() if hasattr(started, "isoformat") else str(started)}


def op_stop(ev: ResolverEvent) -> dict[str, Any]:
    if ev.caller_id is not None and not ev.is_admin:
        raise UnauthorizedError("only an admin may stop a workflow")
    arn = require_str(ev.arguments, "executionArn", max_len=2048)
    kind = _kind_of_execution(arn)
    error = optional_str(ev.arguments, "error", max_len=256) or "StoppedByOperator"
    cause = optional_str(ev.arguments, "cause", max_len=32768) or "stopped through stopWorkflow"
    try:
        out = client("stepfunctions").stop_execution(executionArn=arn, error=error, cause=cause)
    except ClientError as exc:
        _error("stopWorkflow", kind, exc, executionArn=arn)
        raise
    stopped = out["stopDate"]
    publish(SOURCE, "Workflow Stopped", {"executionArn": arn, "workflowType": kind, "error": error, "cause": cause,
                                         "stoppedBy": ev.caller_id, "origin": NAME})
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
    try:
        out = client("stepfunctions").describe_execution(executionArn=arn)
    except ClientError as exc:
        code = exc.response.get("Error", {}).get("Code")
        if code == "ExecutionDoesNotExist":
            raise NotFoundError(f"execution {arn} not found") from exc
        raise
    return {"executionArn": arn, "workflowType": kind, "status": out["status"], "name": out.get("name"),
            "startDate": _iso(out.get("startDate")), "stopDate": _iso(out.get("stopDate")),
            "input": _json(out.get("input")), "output": _json(out.get("output")),
            "error": out.get("error"), "cause": out.get("cause")}


def handler(event: Any, context: Any = None) -> Any:
    return dispatch(NAME, event, context,
                    fields={"startWorkflow": op_start, "stopWorkflow": op_stop, "getWorkflowStatus": op_status})
