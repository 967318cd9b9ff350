"""refund-processor: full and partial refunds with the commission adjusted, and marketplace disputes.

AppSync `processRefund(bookingId, amount?, reason?, disputeId?, idempotencyKey?)` (who may: the
matrix in common/authz_matrix.json — the booking's provider, an admin, the backend): refunds `amount` cents (default:
all that is left) and returns {refundId, status, amount, platformFeeRefunded,
providerEarningsReduction, booking}; publishes Booking Updated (change "refunded").
Step Functions:
  payment-processing: processRefund (input: the execution state {bookingId, amount?, reason?}),
      checkPaymentStatus (input: processRefund's result) — results {status SUCCEEDED|PENDING|FAILED,
      paymentType "REFUND", bookingId, refundId, amount, currency, reference, booking, error, ...}
  dispute-resolution: createDispute, processDisputeRefund, processServiceComplaint,
      updateDisputeStatus (docs/workflows.md)
EventBridge (rule marketplace-cancel-refunds): Booking Refund Required → the cancelled, paid booking
is refunded in full once (common/cancel_refunds.py).
Refund rules (common/refunds.py): never more than was charged (Stripe's charge is the bound), the
platform's fee refunded in proportion (refund_application_fee), the booking's platformFee and
providerEarnings recomputed from Stripe's totals. Disputes: a dispute the marketplace opens has its
own id (never dp_…) and status OPEN → RESOLVED | MANUAL_REVIEW; for a Stripe chargeback (dp_…,
written by stripe-webhook) the Stripe `status` is left alone and the workflow's state goes in
`resolutionStatus`. A service complaint is recorded against the provider (complaintCount on the
booking); with a requested `amount` it also gets that goodwill refund.
"""

from __future__ import annotations

from typing import Any

from handlers.common import authz, cancel_refunds, refunds
from handlers.common.appsync import (
    ConflictError,
    PaymentError,
    ResolverEvent,
    ValidationError,
    optional_str,
)
from handlers.common.events import publish
from handlers.common.idgen import derived_id
from handlers.common.invocation import dispatch, task_input
from handlers.common.isotime import now_utc, to_iso
from handlers.common.log import get_logger
from handlers.common.money import parse_amount
from handlers.common.repositories import BookingRepository, DisputeRepository

NAME = "refund-processor"
_log = get_logger(NAME)
DISPUTE_TYPES = ("REFUND_REQUEST", "SERVICE_COMPLAINT")
_STATUS = {"succeeded": "SUCCEEDED", "pending": "PENDING", "requires_action": "PENDING",
           "failed": "FAILED", "canceled": "FAILED"}


def _booking(booking_id: Any) -> dict[str, Any]:
    return BookingRepository().must_get(booking_id, field="bookingId", what="booking")


def _amount(value: Any) -> int | None:
    if value is None:
        return None
    try:
        return parse_amount(value)
    except ValueError as exc:
        raise ValidationError(str(exc)) from exc


def _result(booking: dict[str, Any], res: refunds.RefundResult | None, *, error: str | None = None) -> dict[str, Any]:
    refund = res.refund if res else {}
    status = _STATUS.get(refund.get("status"), "FAILED") if res else "FAILED"
    return {"status": status, "paymentType": "REFUND", "bookingId": booking["id"],
            "refundId": refund.get("id"), "refundStatus": refund.get("status"),
            "amount": refund.get("amount"), "currency": refund.get("currency") or booking.get("currency"),
            "platformFeeRefunded": res.fee_refunded if res else 0,
            "providerEarningsReduction": res.earnings_reduction if res else 0,
            "reference": ({"object": "refund", "id": refund["id"], "account": booking.get("stripeAccountId")}
                          if refund.get("id") else None),
            "booking": res.booking if res else booking, "error": error}


# -- refunds ----------------------------------------------------------------------------------------
def op_process_refund(ev: ResolverEvent) -> dict[str, Any]:
    args = ev.arguments
    amount = _amount(args.get("amount"))
    reason = optional_str(args, "reason", max_len=64)
    key = optional_str(args, "idempotencyKey", max_len=128)
    dispute_id = optional_str(args, "disputeId", max_len=128)
    booking = _booking(args.get("bookingId"))
    authz.authorize("processRefund", authz.principal_of(ev), authz.booking_owner(booking))
    key = key or derived_id("rf", booking["id"], amount, to_iso(now_utc()))
    res = refunds.refund_booking(booking, amount, reason, key, dispute_id)
    out = _result(res.booking, res)
    publish("marketplace.booking", "Booking Updated", {
        "bookingId": booking["id"], "change": "refunded", "refundId": out["refundId"], "amount": out["amount"],
        "status": res.booking.get("status"), "paymentStatus": res.booking.get("paymentStatus"),
        "customerId": booking.get("customerId"), "providerId": booking.get("providerId"), "origin": NAME})
    return out


def sfn_process_refund(event: dict[str, Any]) -> dict[str, Any]:
    data = task_input(event)
    booking = _booking(data.get("bookingId"))
    authz.authorize("startWorkflow.PAYMENT.REFUND", authz.actor_of(data), authz.booking_owner(booking))
    amount = _amount(data.get("amount"))
    reason = data.get("reason") if isinstance(data.get("reason"), str) else None
    key = derived_id("rf", booking["id"], amount, event.get("executionArn") or to_iso(now_utc()))
    try:
        res = refunds.refund_booking(booking, amount, reason, key)
    except (ConflictError, refunds.RefundRefused) as exc:
        return _result(booking, None, error=exc.message)
    return _result(res.booking, res)


def sfn_check_status(event: dict[str, Any]) -> dict[str, Any]:
    data = task_input(event)
    booking = _booking(data.get("bookingId"))
    ref = data.get("reference") if isinstance(data.get("reference"), dict) else {}
    if not ref.get("id"):
        return _result(booking, None, error="no refund to check")
    refund = refunds.refund_status(ref["id"], booking["stripeAccountId"])
    res = refunds.RefundResult(refund, booking, int(data.get("platformFeeRefunded") or 0),
                               int(data.get("providerEarningsReduction") or 0))
    return _result(booking, res)


# -- disputes ---------------------------------------------------------------------------------------
def _dispute_view(record: dict[str, Any]) -> dict[str, Any]:
    stripe_dispute = str(record.get("id", "")).startswith("dp_")
    view = dict(record)
    view["status"] = record.get("resolutionStatus") if stripe_dispute else record.get("status")
    if stripe_dispute:
        view["stripeStatus"] = record.get("status")
    return view


def sfn_create_dispute(event: dict[str, Any]) -> dict[str, Any]:
    data = task_input(event)
    booking = _booking(data.get("bookingId"))
    dtype = data.get("disputeType")
    dtype = dtype.strip().upper() if isinstance(dtype, str) and dtype.strip() else "OTHER"
    authz.authorize(authz.operation_name("startWorkflow", "DISPUTE", dtype if dtype in DISPUTE_TYPES else "OTHER"),
                    authz.actor_of(data), authz.booking_owner(booking))
    amount = _amount(data.get("amount"))
    for name in ("reason", "description", "raisedBy", "disputeId", "stripeDisputeId"):
        if data.get(name) is not None and (not isinstance(data[name], str) or len(data[name]) > 2000):
            raise ValidationError(f"{name} must be a string of at most 2000 characters")
    dispute_id = data.get("disputeId") or data.get("stripeDisputeId") or derived_id(
        "dsp", booking["id"], dtype, data.get("raisedBy"), to_iso(now_utc()))
    repo = DisputeRepository()
    now = to_iso(now_utc())
    record = {"id": dispute_id, "bookingId": booking["id"], "disputeType": dtype,
              "reason": data.get("reason"), "description": data.get("description"),
              "raisedBy": data.get("raisedBy"), "requestedAmount": amount,
              "customerId": booking.get("customerId"), "providerId": booking.get("providerId"),
              "paymentIntentId": booking.get("paymentIntentId"), "currency": booking.get("currency"),
              "origin": "dispute-resolution", "executionArn": event.get("executionArn"),
              "createdAt": now, "updatedAt": now}
    if dispute_id.startswith("dp_"):
        record["resolutionStatus"] = "OPEN"
    else:
        record["status"] = "OPEN"
    if not repo.create(record):
        existing = repo.get(dispute_id) or {}
        additions = {k: v for k, v in record.items() if existing.get(k) is None and v is not None}
        if dispute_id.startswith("dp_") and existing.get("resolutionStatus") is None:
            additions["resolutionStatus"] = "OPEN"
        record = repo.update(dispute_id, additions) if additions else existing
    return {"dispute": _dispute_view(record)}


def _resolution(outcome: str, res: refunds.RefundResult | None = None, **extra: Any) -> dict[str, Any]:
    return {"outcome": outcome, "refundId": res.refund.get("id") if res else None,
            "refundAmount": int(res.refund.get("amount") or 0) if res else 0,
            "platformFeeRefunded": res.fee_refunded if res else 0, **extra}


def sfn_dispute_refund(event: dict[str, Any]) -> dict[str, Any]:
    dispute = task_input(event).get("dispute")
    if not isinstance(dispute, dict) or not dispute.get("id"):
        raise ValidationError("dispute is required")
    booking = _booking(dispute.get("bookingId"))
    amount = _amount(dispute.get("requestedAmount"))
    if amount is not None:
        amount = min(amount, refunds.refundable(booking))
    res = refunds.refund_booking(booking, amount, "requested_by_customer",
                                 derived_id("rf", "dispute", dispute["id"]), dispute_id=dispute["id"])
    return {"resolution": _resolution("REFUNDED", res)}


def sfn_service_complaint(event: dict[str, Any]) -> dict[str, Any]:
    dispute = task_input(event).get("dispute")
    if not isinstance(dispute, dict) or not dispute.get("id"):
        raise ValidationError("dispute is required")
    booking = _booking(dispute.get("bookingId"))
    BookingRepository().update(booking["id"], {"complaintCount": int(booking.get("complaintCount") or 0) + 1,
                                               "lastComplaintDisputeId": dispute["id"]})
    amount = _amount(dispute.get("requestedAmount"))
    if amount:
        amount = min(amount, refunds.refundable(booking))
        res = refunds.refund_booking(booking, amount, "requested_by_customer",
                                     derived_id("rf", "complaint", dispute["id"]), dispute_id=dispute["id"])
        return {"resolution": _resolution("GOODWILL_REFUND", res, providerId=booking.get("providerId"))}
    return {"resolution": _resolution("COMPLAINT_RECORDED", providerId=booking.get("providerId"))}


def sfn_update_dispute(event: dict[str, Any]) -> dict[str, Any]:
    data = task_input(event)
    dispute, resolution = data.get("dispute"), data.get("resolution")
    if not isinstance(dispute, dict) or not dispute.get("id") or not isinstance(resolution, dict):
        raise ValidationError("dispute and resolution are required")
    status = "MANUAL_REVIEW" if resolution.get("outcome") == "MANUAL_REVIEW" else "RESOLVED"
    field = "resolutionStatus" if str(dispute["id"]).startswith("dp_") else "status"
    now = to_iso(now_utc())
    record = DisputeRepository().update(dispute["id"], {field: status, "resolution": resolution, "resolvedAt": now,
                                                        "updatedAt": now})
    return {"dispute": _dispute_view(record or {})}


# -- EventBridge ------------------------------------------------------------------------------------
def on_event(event: dict[str, Any]) -> dict[str, Any]:
    """Booking Refund Required (rule marketplace-cancel-refunds): refund a cancelled, paid booking
    in full, once (common/cancel_refunds.py). Nothing left to refund, or no payment recorded yet
    (the payment's webhook, when it lands, asks again): nothing to do."""
    if event.get("detail-type") != cancel_refunds.REFUND_REQUIRED:
        raise ValidationError(f"unexpected detail-type {event.get('detail-type')!r}")
    booking = _booking(event["detail"].get("bookingId"))
    if not cancel_refunds.owes_refund(booking):
        _log.info("no refund owed", bookingId=booking["id"], status=booking.get("status"),
                  paymentStatus=booking.get("paymentStatus"))
        return {"refunded": False, "bookingId": booking["id"], "paymentStatus": booking.get("paymentStatus")}
    try:
        res = refunds.refund_booking(booking, None, "requested_by_customer", cancel_refunds.refund_key(booking["id"]))
    except ConflictError as exc:  # already fully refunded (another copy of the event won)
        _log.info("cancelled booking already refunded", bookingId=booking["id"], reason=exc.message)
        return {"refunded": False, "bookingId": booking["id"]}
    return {"refunded": True, **_result(res.booking, res)}


def handler(event: Any, context: Any = None) -> Any:
    return dispatch(NAME, event, context, on_event=on_event,
                    fields={"processRefund": op_process_refund},
                    actions={"processRefund": sfn_process_refund, "checkPaymentStatus": sfn_check_status,
                             "createDispute": sfn_create_dispute, "processDisputeRefund": sfn_dispute_refund,
                             "processServiceComplaint": sfn_service_complaint,
                             "updateDisputeStatus": sfn_update_dispute})


__all__ = ["handler", "PaymentError"]
