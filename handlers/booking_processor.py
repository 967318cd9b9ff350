"""booking-processor: books, pays for, confirms, completes and cancels bookings.

AppSync `processBooking(action, ...)`, action one of:
  create   {serviceId, providerId?, customerId? (default: the caller), startDateTime, endDateTime,
            amount, currency?, paymentMethodId?, bookingId?, notes?, customerEmail?} → the booking
            (status pending, or confirmed when a payment method paid at once) with the PaymentIntent's
            clientSecret and the QR code as a data URI
  confirm  {bookingId}: pending → confirmed once Stripe says the PaymentIntent succeeded
  complete {bookingId}: confirmed → completed, once the booking has ended (provider or admin)
  cancel   {bookingId, reason?}: pending|confirmed → cancelled; an unpaid PaymentIntent is
            cancelled at Stripe, a paid one is left to refund-processor (refundRequired)
  get      {bookingId}
Step Functions (docs/workflows.md): validateBooking, processPayment, cancelBooking,
checkPaymentStatus. The AppSync path publishes Booking Confirmed / Cancelled / Updated itself
(source marketplace.booking); Booking Cancelled goes through the booking's outbox on both paths
(AppSync and cancelBooking), so a PutEvents failure after the cancellation leaves it owed, not
lost; in a workflow the Publish* states publish the others.

Status: pending → confirmed → completed, or pending|confirmed → cancelled; every transition is a
conditional write on the status read, and paymentStatus only moves forward from absent/pending/
failed, so a later Stripe state written by stripe-webhook is never overwritten. Payment: see
common/booking_payments.py (direct charge, 8 % application fee). QR code: an SVG drawn by the
qrcode library, stored at s3://$ATTACHMENTS_BUCKET/bookings/<id>/qr.svg (qrCodeKey, qrCodeData).
Overlaps: see common/booking_rules.py; two racing requests for one slot both write, then re-check:
a booking that sees another live one created no later than itself withdraws (ConflictError).
"""

from __future__ import annotations

from typing import Any

from handlers.common import authz, booking_events, cancel_refunds
from handlers.common import booking_payments as payments
from handlers.common.appsync import (
    ConflictError,
    NotFoundError,
    PaymentError,
    ResolverEvent,
    ValidationError,
    require_str,
)
from handlers.common.booking_rules import BookingRequest, check_references, overlapping, parse_request
from handlers.common.clients import client
from handlers.common.config import require
from handlers.common.ddb import Expr
from handlers.common.events import publish, publish_all
from handlers.common.idgen import derived_id
from handlers.common.invocation import dispatch, task_input
from handlers.common.isotime import now_utc, parse_iso, to_iso
from handlers.common.log import get_logger
from handlers.common.money import split
from handlers.common.qr import booking_qr_payload, qr_svg, svg_data_uri
from handlers.common.repositories import BookingRepository, ConditionFailed

NAME = "booking-processor"
SOURCE = "marketplace.booking"
_log = get_logger(NAME)
_MOVABLE_PAYMENT = ("pending", "failed")   # paymentStatus values this function may overwrite


# -- booking records --------------------------------------------------------------------------------
def _get(booking_id: Any) -> dict[str, Any]:
    return BookingRepository().must_get(booking_id, field="bookingId", what="booking")


def _transition(booking: dict[str, Any], changes: dict[str, Any], *, from_status: tuple[str, ...],
                payment: bool = False) -> dict[str, Any]:
    """Write `changes` if the status is still one of `from_status` (and, when `payment`, paymentStatus
    may still move; when `changes` carry an outbox marker, no other marker is pending — it is never
    overwritten); ConflictError otherwise."""
    e = Expr()
    status_ok = " OR ".join(f"{e.name('status')} = {e.value(s)}" for s in from_status)
    condition = f"attribute_exists({e.name('id')}) AND ({status_ok})"
    if booking_events.OUTBOX in changes:
        condition += f" AND attribute_not_exists({e.name(booking_events.OUTBOX)})"
    if payment:
        movable = " OR ".join(f"{e.name('paymentStatus')} = {e.value(s)}" for s in _MOVABLE_PAYMENT)
        condition += f" AND (attribute_not_exists({e.name('paymentStatus')}) OR {movable})"
    changes = {**changes, "updatedAt": to_iso(now_utc())}
    try:
        return BookingRepository().update(booking["id"], changes, condition=condition, expr=e) or booking
    except ConditionFailed as exc:
        current = BookingRepository().get(booking["id"]) or {}
        raise ConflictError(f"booking {booking['id']} is {current.get('status')} "
                            f"(payment {current.get('paymentStatus')}); it cannot change that way") from exc


def _store_qr(booking_id: str) -> tuple[str, str]:
    text = booking_qr_payload(booking_id)
    key = f"bookings/{booking_id}/qr.svg"
    client("s3").put_object(Bucket=require("ATTACHMENTS_BUCKET"), Key=key, Body=qr_svg(text),
                            ContentType="image/svg+xml")
    return key, text


def _new_booking(req: BookingRequest, stripe_account: str) -> dict[str, Any]:
    now = now_utc()
    booking_id = req.booking_id or derived_id("bk", req.customer_id, req.provider_id, req.service_id,
                                             to_iso(req.start), to_iso(req.end), to_iso(now))
    fees = split(req.amount)
    return {
        "id": booking_id, "serviceId": req.service_id, "customerId": req.customer_id,
        "providerId": req.provider_id, "startDateTime": to_iso(req.start), "endDateTime": to_iso(req.end),
        "status": "pending", "paymentStatus": "pending", "amount": fees.amount, "currency": req.currency,
        "platformFee": fees.platform_fee, "providerEarnings": fees.provider_earnings,
        "stripeAccountId": stripe_account, "notes": req.notes, "customerEmail": req.customer_email,
        "createdAt": to_iso(now), "updatedAt": to_iso(now),
    }


def reserve(req: BookingRequest) -> dict[str, Any]:
    """Check references and availability, then write the pending booking (with its QR code)."""
    req, _service, provider = check_references(req)
    assert req.provider_id
    if overlapping(req.provider_id, req.start, req.end):
        raise ConflictError("the provider already has a booking at that time")
    booking = _new_booking(req, provider["stripeAccountId"])
    booking["qrCodeKey"], booking["qrCodeData"] = _store_qr(booking["id"])
    if not BookingRepository().create(booking):
        raise ConflictError(f"booking {booking['id']} already exists")
    rivals = [b for b in overlapping(req.provider_id, req.start, req.end, exclude=booking["id"])
              if (b.get("createdAt") or "") <= booking["createdAt"]]
    if rivals:
        BookingRepository().delete(booking["id"])
        raise ConflictError("the provider already has a booking at that time")
    return booking


# -- payments -----------------------------------------------------------------------------------------
def _apply_outcome(booking: dict[str, Any], outcome: payments.PaymentOutcome, *,
                   cancel_on_failure: bool, announce: bool = False) -> dict[str, Any]:
    """Record a payment outcome on the booking (conditional; a later Stripe state wins). With
    `announce`, a status change carries its domain event in the booking's outbox (written in the
    same conditional write, then flushed), so the path that moved the status publishes it once."""
    def write(changes: dict[str, Any]) -> dict[str, Any]:
        return booking_events.outbox_changes(booking, changes, origin=NAME) if announce else changes

    fields: dict[str, Any] = {}
    if outcome.payment_intent_id and outcome.payment_intent_id != booking.get("paymentIntentId"):
        fields["paymentIntentId"] = outcome.payment_intent_id
    try:
        if outcome.status == payments.SUCCEEDED:
            paid = outcome.pi_status == "succeeded"
            fields.update(status="confirmed", confirmedAt=to_iso(now_utc()),
                          paymentStatus="succeeded" if paid else "pending")
            if announce and booking.get("status") == "pending":
                # the marker rides only on the write that moves pending → confirmed (never on a
                # booking another path confirmed, and announced, meanwhile)
                for changes in (fields, {k: v for k, v in fields.items() if k != "paymentStatus"}):
                    try:
                        return _transition(booking, write(changes), from_status=("pending",),
                                           payment="paymentStatus" in changes)
                    except ConflictError:
                        continue
            try:
                return _transition(booking, fields, from_status=("pending", "confirmed"), payment=True)
            except ConflictError:
                # stripe-webhook already recorded a later payment state: only confirm the booking
                fields.pop("paymentStatus")
                return _transition(booking, fields, from_status=("pending",))
        if outcome.status == payments.FAILED:
            fields.update(paymentStatus="failed", paymentError=outcome.error)
            if cancel_on_failure:
                if outcome.payment_intent_id:
                    payments.cancel(outcome.payment_intent_id, booking["stripeAccountId"], "abandoned")
                fields.update(status="cancelled", cancelledAt=to_iso(now_utc()),
                              cancellationReason="payment_failed")
            return _transition(booking, fields, from_status=("pending",), payment=True)
        if fields:
            return _transition(booking, fields, from_status=("pending", "confirmed"))
    except ConflictError:
        _log.info("payment outcome not applied: the booking moved on", bookingId=booking["id"])
        return BookingRepository().get(booking["id"]) or booking
    return booking


def _payment_result(booking: dict[str, Any], outcome: payments.PaymentOutcome) -> dict[str, Any]:
    return {
        "status": outcome.status, "paymentType": "DIRECT", "bookingId": booking["id"], "booking": booking,
        "paymentIntentId": outcome.payment_intent_id, "paymentStatus": booking.get("paymentStatus"),
        "amount": booking.get("amount"), "currency": booking.get("currency"),
        "platformFee": booking.get("platformFee"), "providerEarnings": booking.get("providerEarnings"),
        "reference": ({"object": "payment_intent", "id": outcome.payment_intent_id,
                       "account": booking.get("stripeAccountId")} if outcome.payment_intent_id else None),
        "error": outcome.error,
    }


def _pay(booking: dict[str, Any], payment_method_id: str | None, *, workflow: str | None) -> dict[str, Any]:
    if booking.get("paymentStatus") == "succeeded" or booking.get("paymentStatus") in ("refunded",
                                                                                       "partially_refunded"):
        outcome = payments.PaymentOutcome(payments.SUCCEEDED, booking.get("paymentIntentId"), "succeeded")
        return _payment_result(booking, outcome)
    if booking.get("status") not in ("pending", "confirmed"):
        outcome = payments.PaymentOutcome(payments.FAILED, booking.get("paymentIntentId"), None, None,
                                          f"booking is {booking.get('status')}")
        return _payment_result(booking, outcome)
    in_booking_workflow = workflow == "booking-lifecycle"
    if not payment_method_id and not booking.get("paymentIntentId"):
        outcome = payments.PaymentOutcome(payments.FAILED, None, None, None, "payment_method_required")
    else:
        outcome = payments.charge(booking, payment_method_id)
    if in_booking_workflow and outcome.status == payments.PENDING:
        outcome = payments.PaymentOutcome(payments.FAILED, outcome.payment_intent_id, outcome.pi_status, None,
                                          f"payment not completed ({outcome.pi_status})")
    direct = workflow == "payment-processing"  # no Publish state announces the booking: this task does
    booking = _apply_outcome(booking, outcome, cancel_on_failure=in_booking_workflow, announce=direct)
    if direct:
        booking_events.flush(booking)
    _log.info("payment processed", bookingId=booking["id"], status=outcome.status, pi=outcome.payment_intent_id)
    return _payment_result(booking, outcome)


# -- Step Functions actions ---------------------------------------------------------------------------
def sfn_validate(event: dict[str, Any]) -> dict[str, Any]:
    data = task_input(event)
    booking = data.get("booking") if isinstance(data.get("booking"), dict) else {}
    authz.authorize("startWorkflow.BOOKING.CREATE", authz.actor_of(data), authz.user_owner(booking.get("customerId")))
    try:
        req = parse_request(data.get("booking"))
        if not req.payment_method_id:
            raise ValidationError("invalid booking: paymentMethodId is required to book through the workflow")
        booking = reserve(req)
    except (ValidationError, ConflictError, NotFoundError) as exc:
        return {"valid": False, "booking": None, "errors": [exc.message]}
    return {"valid": True, "booking": booking, "errors": []}


def sfn_process_payment(event: dict[str, Any]) -> dict[str, Any]:
    data = task_input(event)
    booking = _get(data.get("bookingId"))
    if event.get("workflow") == "payment-processing":  # a DIRECT payment started for this booking
        authz.authorize("startWorkflow.PAYMENT.DIRECT", authz.actor_of(data), authz.booking_owner(booking))
    request = data.get("request") if isinstance(data.get("request"), dict) else {}
    pm = data.get("paymentMethodId") or request.get("paymentMethodId")
    if pm is not None and not isinstance(pm, str):
        raise ValidationError("paymentMethodId must be a string")
    return _pay(booking, pm, workflow=event.get("workflow"))


def sfn_check_status(event: dict[str, Any]) -> dict[str, Any]:
    data = task_input(event)
    booking = _get(data.get("bookingId"))
    pi_id = booking.get("paymentIntentId")
    if not pi_id:
        outcome = payments.PaymentOutcome(payments.FAILED, None, None, None, "no payment intent")
    else:
        outcome = payments.retrieve(pi_id, booking["stripeAccountId"])
        if outcome.status != payments.PENDING:
            booking = _apply_outcome(booking, outcome, cancel_on_failure=False)
    return _payment_result(booking, outcome)


def cancel(booking: dict[str, Any], reason: str | None, by: str | None, *, announce: bool = False,
           origin: str = NAME, **detail: Any) -> dict[str, Any]:
    """pending|confirmed → cancelled. With `announce` (the AppSync path and the booking workflow's
    ProcessCancellation) Booking Cancelled (detail: `origin`, refundRequired, `detail`) goes into
    the booking's outbox in the same conditional write as the status and is flushed after it:
    PutEvents failing leaves the marker, which the nightly reconciliation publishes
    (common/booking_events.py), instead of losing the event of a cancellation already made."""
    if booking.get("status") not in ("pending", "confirmed"):
        raise ConflictError(f"booking {booking['id']} is {booking.get('status')}; it cannot be cancelled")
    if announce:
        booking_events.flush(booking)  # an earlier status event still owed goes first (never overwritten)
    fields: dict[str, Any] = {"status": "cancelled", "cancelledAt": to_iso(now_utc()),
                              "cancellationReason": reason or "requested_by_customer", "cancelledBy": by}
    pi_status = None
    paid = booking.get("paymentStatus") in ("succeeded", "partially_refunded")
    if booking.get("paymentIntentId") and not paid and booking.get("paymentStatus") != "refunded":
        pi_status = payments.cancel(booking["paymentIntentId"], booking["stripeAccountId"])
        if pi_status == "canceled":
            fields["paymentStatus"] = "canceled"
        elif pi_status == "succeeded":
            paid = True
    if announce:
        fields = booking_events.outbox_changes(booking, fields, origin=origin, refundRequired=paid, **detail)
    updated = _transition(booking, fields, from_status=(booking["status"],))
    if paid:  # Stripe has the money: refund-processor refunds it (common/cancel_refunds.py)
        publish_all([cancel_refunds.refund_required(booking["id"], reason="cancelled_after_payment", origin=NAME,
                                                    paymentIntentId=booking.get("paymentIntentId"))])
    if announce:
        try:
            booking_events.flush(updated)
        except Exception as exc:  # noqa: BLE001 - the cancellation stands; its event is owed by the outbox
            _log.warning("Booking Cancelled left in the booking's outbox", bookingId=booking["id"], error=repr(exc))
    return {"booking": updated, "refundRequired": paid, "paymentIntentStatus": pi_status}


def sfn_cancel(event: dict[str, Any]) -> dict[str, Any]:
    data = task_input(event)
    reason = data.get("reason") if isinstance(data.get("reason"), str) else None
    booking = _get(data.get("bookingId"))
    actor = authz.actor_of(data)
    authz.authorize("startWorkflow.BOOKING.CANCEL", actor, authz.booking_owner(booking))
    by = data.get("cancelledBy") if isinstance(data.get("cancelledBy"), str) else actor.id
    # the workflow has no Publish state for it: Booking Cancelled rides the booking's outbox, as
    # from AppSync, so a PutEvents failure after the status write leaves it owed, never lost
    workflow = event.get("workflow") if isinstance(event.get("workflow"), str) else NAME
    arn = event.get("executionArn") if isinstance(event.get("executionArn"), str) else None
    return cancel(booking, reason, by, announce=True, origin=workflow, executionArn=arn)


# -- AppSync ------------------------------------------------------------------------------------------
def _authorize(ev: ResolverEvent, booking: dict[str, Any], action: str) -> str:
    """The caller's kind for processBooking.<action> on this booking (Unauthorized if refused)."""
    return authz.authorize(f"processBooking.{action}", authz.principal_of(ev), authz.booking_owner(booking))


def _view(booking: dict[str, Any], client_secret: str | None = None) -> dict[str, Any]:
    out = dict(booking)
    if booking.get("qrCodeData"):
        out["qrCodeDataUri"] = svg_data_uri(qr_svg(booking["qrCodeData"]))
    if client_secret:
        out["clientSecret"] = client_secret
    return out


def _announce(detail_type: str, booking: dict[str, Any], **extra: Any) -> None:
    publish(SOURCE, detail_type, {"bookingId": booking["id"], "status": booking.get("status"),
                                  "paymentIntentId": booking.get("paymentIntentId"),
                                  "paymentStatus": booking.get("paymentStatus"), "booking": booking,
                                  "origin": NAME, **extra})


def op_create(ev: ResolverEvent) -> dict[str, Any]:
    args = ev.arguments
    principal = authz.principal_of(ev)
    authz.authorize("processBooking.create", principal, authz.user_owner(args.get("customerId") or principal.id))
    req = parse_request(args, customer_default=principal.id)
    booking = reserve(req)
    try:
        outcome = payments.charge(booking, req.payment_method_id)
    except PaymentError:
        # Stripe unavailable (5xx, rate limit, no answer within STRIPE_TIMEOUT_SECONDS): the caller
        # gets the payment error. Without a card nothing can have been charged: the booking is
        # withdrawn. With one, Stripe may have charged it with only the answer lost: the booking
        # stays an unpaid hold (the slot frees after BOOKING_HOLD_MINUTES) that the payment's
        # webhook confirms if Stripe did take the money — deleting it would strand that charge.
        if not req.payment_method_id:
            BookingRepository().delete(booking["id"])
        raise
    if outcome.payment_intent_id is None:
        BookingRepository().delete(booking["id"])  # no payment was ever set up: withdraw the booking
        raise PaymentError(f"the payment could not be set up ({outcome.error})")
    if not req.payment_method_id and outcome.pi_status in ("requires_payment_method", "requires_confirmation"):
        booking = _transition(booking, {"paymentIntentId": outcome.payment_intent_id}, from_status=("pending",))
    else:
        booking = _apply_outcome(booking, outcome, cancel_on_failure=False)
    if booking.get("status") == "confirmed":
        _announce("Booking Confirmed", booking)
    view = _view(booking, outcome.client_secret)
    if outcome.status == payments.FAILED:
        view["paymentError"] = outcome.error
    return view


def op_confirm(ev: ResolverEvent) -> dict[str, Any]:
    booking = _get(ev.arguments.get("bookingId"))
    _authorize(ev, booking, "confirm")
    if booking.get("status") != "pending":
        raise ConflictError(f"booking {booking['id']} is {booking.get('status')}, not pending")
    if not booking.get("paymentIntentId"):
        raise ConflictError(f"booking {booking['id']} has no payment yet")
    outcome = payments.retrieve(booking["paymentIntentId"], booking["stripeAccountId"])
    if outcome.status != payments.SUCCEEDED:
        raise ConflictError(f"the payment for booking {booking['id']} has not succeeded ({outcome.pi_status})")
    booking = _apply_outcome(booking, outcome, cancel_on_failure=False)
    if booking.get("status") == "confirmed":
        _announce("Booking Confirmed", booking)
    return _view(booking)


def op_complete(ev: ResolverEvent) -> dict[str, Any]:
    booking = _get(ev.arguments.get("bookingId"))
    caller = _authorize(ev, booking, "complete")
    if booking.get("status") != "confirmed":
        raise ConflictError(f"booking {booking['id']} is {booking.get('status')}, not confirmed")
    if parse_iso(booking["endDateTime"], "endDateTime") > now_utc() and caller != "admin":
        raise ConflictError(f"booking {booking['id']} has not ended yet")
    booking = _transition(booking, {"status": "completed", "completedAt": to_iso(now_utc())},
                          from_status=("confirmed",))
    _announce("Booking Updated", booking, change="completed")
    return _view(booking)


def op_cancel(ev: ResolverEvent) -> dict[str, Any]:
    booking = _get(ev.arguments.get("bookingId"))
    _authorize(ev, booking, "cancel")
    reason = ev.arguments.get("reason")
    if reason is not None and (not isinstance(reason, str) or len(reason) > 500):
        raise ValidationError("reason must be a string of at most 500 characters")
    result = cancel(booking, reason, authz.principal_of(ev).id, announce=True)
    return {**_view(result["booking"]), "refundRequired": result["refundRequired"]}


def op_get(ev: ResolverEvent) -> dict[str, Any]:
    booking = _get(ev.arguments.get("bookingId"))
    caller = _authorize(ev, booking, "get")
    return authz.visible("processBooking.get", caller, _view(booking))


_ACTIONS = {"create": op_create, "confirm": op_confirm, "complete": op_complete, "cancel": op_cancel, "get": op_get}


def process_booking(ev: ResolverEvent) -> dict[str, Any]:
    action = require_str(ev.arguments, "action", max_len=32).lower()
    fn = _ACTIONS.get(action)
    if fn is None:
        raise ValidationError(f"unknown action {action!r}; expected one of {', '.join(_ACTIONS)}")
    return fn(ev)


def handler(event: Any, context: Any = None) -> Any:
    return dispatch(NAME, event, context,
                    fields={"processBooking": process_booking},
                    actions={"validateBooking": sfn_validate, "processPayment": sfn_process_payment,
                             "cancelBooking": sfn_cancel, "checkPaymentStatus": sfn_check_status})
