"""A booking's payment: the PaymentIntent as a direct charge on the provider's connected account.

Choice (see docs/workflows.md): booking-processor takes the payment itself through the stripe SDK
rather than calling stripe-connect: `payment_intents.create` with `stripe_account` = the
provider's account, `application_fee_amount` = the platform's 8 % (common.money), metadata
`bookingId`/`customerId`/`providerId`/`serviceId`, and an idempotency key derived from the booking
(and the payment method, since Stripe replays a declined request's saved result for a key). With
a payment method it confirms at once; without one the PaymentIntent waits for the customer
(its client secret goes back to the AppSync caller). An existing PaymentIntent is retrieved, never
created twice; a new payment method confirms it.

`outcome_of(pi)` maps Stripe's status: succeeded / requires_capture → SUCCEEDED; processing /
requires_action → PENDING; requires_payment_method / requires_confirmation / canceled → FAILED
(when the caller needed it paid now). Card declines and invalid requests come back as FAILED
outcomes with Stripe's code; network, rate-limit and 5xx errors raise PaymentError.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import stripe

from handlers.common import stripe_client as stripe_factory
from handlers.common.log import get_logger
from handlers.common.stripe_objects import plain

SUCCEEDED, PENDING, FAILED = "SUCCEEDED", "PENDING", "FAILED"
_log = get_logger("booking_payments")


@dataclass
class PaymentOutcome:
    status: str                    # SUCCEEDED | PENDING | FAILED
    payment_intent_id: str | None
    pi_status: str | None
    client_secret: str | None = None
    error: str | None = None


def outcome_of(obj: Any) -> PaymentOutcome:
    pi = plain(obj)
    status = pi["status"]
    if status in ("succeeded", "requires_capture"):
        result = SUCCEEDED
    elif status in ("processing", "requires_action"):
        result = PENDING
    else:
        result = FAILED
    error = None
    if result == FAILED:
        last = pi.get("last_payment_error")
        error = (last.get("code") or last.get("message")) if last else f"payment intent {status}"
    return PaymentOutcome(result, pi["id"], status, pi.get("client_secret"), error)



def _failed_pi_id(exc: stripe.StripeError) -> str | None:
    err = getattr(exc, "error", None)
    pi = getattr(err, "payment_intent", None) if err is not None else None
    if pi is None and isinstance(exc.json_body, dict):
        pi = (exc.json_body.get("error") or {}).get("payment_intent")
    if pi is None:
        return None
    try:
        return plain(pi).get("id")
    except TypeError:
        return None


def charge(booking: dict[str, Any], payment_method_id: str | None) -> PaymentOutcome:
    """Create (or resume) the booking's PaymentIntent and confirm it when a method is given."""
    client = stripe_factory.stripe_client()
    account = booking["stripeAccountId"]
    try:
        if booking.get("paymentIntentId"):
            pi = plain(client.v1.payment_intents.retrieve(booking["paymentIntentId"],
                                                          options={"stripe_account": account}))
            if payment_method_id and pi["status"] in ("requires_payment_method", "requires_confirmation"):
                pi = client.v1.payment_intents.confirm(
                    pi["id"], params={"payment_method": payment_method_id},
                    options={"stripe_account": account,
                             "idempotency_key": f"{booking['id']}:confirm:{payment_method_id}"})
            return outcome_of(pi)
        params: dict[str, Any] = {
            "amount": int(booking["amount"]), "currency": booking["currency"],
            "application_fee_amount": int(booking["platformFee"]),
            "description": f"Booking {booking['id']}",
            "metadata": {"bookingId": booking["id"], "customerId": booking["customerId"],
                         "providerId": booking["providerId"], "serviceId": booking["serviceId"]},
        }
        if payment_method_id:
            params.update(payment_method=payment_method_id, confirm=True, payment_method_types=["card"])
        pi = client.v1.payment_intents.create(
            params=params, options={"stripe_account": account,
                                    "idempotency_key": f"{booking['id']}:payment_intent:{payment_method_id or '-'}"})
        return outcome_of(pi)
    except stripe.StripeError as exc:
        if stripe_factory.is_transient(exc):
            _log.warning("stripe unavailable", bookingId=booking["id"], error=str(exc))
            raise stripe_factory.unavailable(exc) from exc
        code = getattr(exc, "code", None) or type(exc).__name__
        _log.info("payment refused", bookingId=booking["id"], code=code)
        return PaymentOutcome(FAILED, _failed_pi_id(exc), None, None, code)


def retrieve(payment_intent_id: str, account: str) -> PaymentOutcome:
    try:
        pi = stripe_factory.stripe_client().v1.payment_intents.retrieve(payment_intent_id,
                                                                       options={"stripe_account": account})
    except stripe.StripeError as exc:
        if stripe_factory.is_transient(exc):
            raise stripe_factory.unavailable(exc) from exc
        return PaymentOutcome(FAILED, payment_intent_id, None, None, getattr(exc, "code", None) or "stripe_error")
    return outcome_of(pi)


def cancel(payment_intent_id: str, account: str, reason: str = "requested_by_customer") -> str | None:
    """Cancel an unpaid PaymentIntent; its resulting status (None when Stripe refused)."""
    client = stripe_factory.stripe_client()
    try:
        pi = client.v1.payment_intents.cancel(payment_intent_id, params={"cancellation_reason": reason},
                                              options={"stripe_account": account,
                                                       "idempotency_key": f"{payment_intent_id}:cancel"})
        return plain(pi)["status"]
    except stripe.StripeError as exc:
        if stripe_factory.is_transient(exc):
            raise stripe_factory.unavailable(exc) from exc
        try:
            return client.v1.payment_intents.retrieve(payment_intent_id, options={"stripe_account": account})["status"]
        except stripe.StripeError:
            return None
