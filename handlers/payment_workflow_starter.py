"""payment-workflow-starter: starts the provider's payment-processing workflow, once per domain event.

EventBridge (rule marketplace-payment-workflows): Payment Succeeded (paymentType DIRECT, origin
stripe-webhook). EventBridge delivers at least once, and a publisher that dies between PutEvents
and its published marker publishes the same event again; a rule targeting the state machine
directly would start one execution per delivery. This function starts it with StartExecution
and a name derived from the event's stable id (`detail.domainEventId`, else the bookingId), so
every copy of one domain event maps to one execution: a copy while it runs gets the same
execution back (same name, same input), a copy after it ended gets ExecutionAlreadyExists,
which is success here. Input: {"paymentType": "PAYOUT", bookingId, paymentIntentId, amount,
"trigger": "eventbridge", domainEventId}. State machine: PAYMENT_STATE_MACHINE_ARN.
"""

from __future__ import annotations

import json
from typing import Any

from botocore.exceptions import ClientError

from handlers.common.appsync import ValidationError
from handlers.common.clients import client
from handlers.common.config import require
from handlers.common.events import DOMAIN_EVENT_ID
from handlers.common.idgen import derived_id
from handlers.common.invocation import dispatch
from handlers.common.log import get_logger

NAME = "payment-workflow-starter"
_log = get_logger(NAME)


def execution_name(detail: dict[str, Any]) -> str:
    """`payout-` + a digest of the domain event id (else the booking): ≤ 80 chars, [A-Za-z0-9_-]."""
    key = detail.get(DOMAIN_EVENT_ID) or f"booking:{detail.get('bookingId')}"
    return "payout-" + derived_id("x", key).split("_", 1)[1]


def on_event(event: dict[str, Any]) -> dict[str, Any]:
    detail = event["detail"]
    if event.get("detail-type") != "Payment Succeeded" or detail.get("paymentType", "DIRECT") != "DIRECT":
        raise ValidationError(f"unexpected event {event.get('detail-type')!r}")
    booking_id = detail.get("bookingId")
    if not isinstance(booking_id, str) or not booking_id:
        raise ValidationError("the payment event names no bookingId")
    data = {"paymentType": "PAYOUT", "bookingId": booking_id, "paymentIntentId": detail.get("paymentIntentId"),
            "amount": detail.get("amount"), "trigger": "eventbridge", DOMAIN_EVENT_ID: detail.get(DOMAIN_EVENT_ID)}
    name = execution_name(detail)
    try:
        out = client("stepfunctions").start_execution(stateMachineArn=require("PAYMENT_STATE_MACHINE_ARN"),
                                                      name=name, input=json.dumps(data, sort_keys=True))
    except ClientError as exc:
        if exc.response.get("Error", {}).get("Code") != "ExecutionAlreadyExists":
            raise
        _log.info("payment workflow already started for this event", name=name, bookingId=booking_id)
        return {"started": False, "name": name}
    _log.info("payment workflow started", name=name, bookingId=booking_id, executionArn=out["executionArn"])
    return {"started": True, "name": name, "executionArn": out["executionArn"]}


def handler(event: Any, context: Any = None) -> Any:
    return dispatch(NAME, event, context, on_event=on_event)
