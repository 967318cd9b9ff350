"""Every terminal state of every workflow diagram, reached through our ASL interpreter (sim.asl)
with scripted Lambda answers and a captured PutEvents; Waits take virtual time only."""

from __future__ import annotations

import json
import time
from datetime import timedelta
from typing import Any

import pytest

from sim.aws.stack import marketplace_stack

asl = pytest.importorskip("sim.asl")
from sim.asl.integrations import Integrations  # noqa: E402

STACK = marketplace_stack()


def definition(name: str) -> str:
    (sm,) = [s for s in STACK.state_machines if s.definition_file == f"{name}.asl.json"]
    return STACK.definition(sm)


class Lambdas:
    """Scripted functions: answers[(function, action)] is a value, an exception spec or a callable;
    a list gives one answer per call (the last repeats)."""

    def __init__(self, answers: dict[tuple[str, str], Any]):
        self.answers = {k: (v if isinstance(v, list) else [v]) for k, v in answers.items()}
        self.calls: list[tuple[str, str, Any]] = []
        self.events: list[dict] = []

    def invoke(self, function: str, payload: Any, invocation_type: str):
        name = function.rsplit(":function:", 1)[-1]
        action = payload.get("action")
        self.calls.append((name, action, payload))
        seq = self.answers.get((name, action))
        if seq is None:
            raise AssertionError(f"unexpected call {name} {action}")
        n = sum(1 for c in self.calls if c[0] == name and c[1] == action) - 1
        answer = seq[min(n, len(seq) - 1)]
        if callable(answer):
            answer = answer(payload)
        if isinstance(answer, dict) and "errorType" in answer:
            return 200, json.dumps(answer), "Unhandled", "$LATEST"
        return 200, json.dumps(answer), None, "$LATEST"

    def put_events(self, call) -> dict:
        entries = call.params["Entries"]
        for e in entries:
            detail = e["Detail"] if isinstance(e["Detail"], dict) else json.loads(e["Detail"])
            self.events.append({"source": e["Source"], "detail-type": e["DetailType"], "bus": e["EventBusName"],
                                "detail": detail})
        return {"Entries": [{"EventId": f"ev-{len(self.events)}-{i}"} for i in range(len(entries))],
                "FailedEntryCount": 0}

    def run(self, name: str, input: Any):
        integrations = Integrations(invoke_lambda=self.invoke)
        integrations.register("arn:aws:states:::events:putEvents", self.put_events)
        return asl.execute(definition(name), input, integrations=integrations,
                           start="2026-03-02T09:00:00Z")

    def actions(self) -> list[str]:
        return [f"{fn}:{action}" for fn, action, _ in self.calls]

    def types(self) -> list[str]:
        return [e["detail-type"] for e in self.events]


def fault(error: str, message: str = "boom") -> dict:
    return {"errorType": error, "errorMessage": message}


BOOKING = {"id": "bk_1", "customerId": "c1", "providerId": "p1", "status": "pending"}


def terminal(ex) -> str:
    for ev in reversed(ex.history):
        if ev["type"].endswith("StateEntered"):
            return ev["stateEnteredEventDetails"]["name"]
    raise AssertionError("no state entered")


# -- booking lifecycle ----------------------------------------------------------------------------------
def test_booking_successful():
    lam = Lambdas({
        ("booking-processor", "validateBooking"): {"valid": True, "booking": BOOKING, "errors": []},
        ("booking-processor", "processPayment"): {"status": "SUCCEEDED", "paymentIntentId": "pi_1",
                                                   "paymentStatus": "succeeded",
                                                   "booking": {**BOOKING, "status": "confirmed"}, "error": None},
        ("notification-handler", "sendBookingNotifications"): {"notifications": [{"id": "n1"}]},
    })
    ex = lam.run("booking-lifecycle", {"action": "CREATE", "booking": {"serviceId": "s1"}})
    assert ex.status == "SUCCEEDED" and terminal(ex) == "BookingSuccessful"
    assert lam.actions() == ["booking-processor:validateBooking", "booking-processor:processPayment",
                             "notification-handler:sendBookingNotifications"]
    (event,) = lam.events
    assert event["source"] == "marketplace.booking" and event["detail-type"] == "Booking Confirmed"
    assert event["bus"] == "ecosystem-marketplace-events" and event["detail"]["bookingId"] == "bk_1"
    payment_call = lam.calls[1][2]
    assert payment_call["input"] == {"bookingId": "bk_1", "request": {"serviceId": "s1"}}
    assert payment_call["workflow"] == "booking-lifecycle" and payment_call["executionArn"].startswith("arn:aws:states")


def test_booking_notification_failure_still_succeeds():
    lam = Lambdas({
        ("booking-processor", "validateBooking"): {"valid": True, "booking": BOOKING, "errors": []},
        ("booking-processor", "processPayment"): {"status": "SUCCEEDED", "paymentIntentId": "pi_1",
                                                   "paymentStatus": "succeeded", "booking": BOOKING, "error": None},
        ("notification-handler", "sendBookingNotifications"): fault("InternalError"),
    })
    ex = lam.run("booking-lifecycle", {"action": "CREATE", "booking": {}})
    assert ex.status == "SUCCEEDED" and ex.output["notificationError"]["Error"] == "InternalError"


def test_validation_failed_by_result_and_by_fault():
    lam = Lambdas({("booking-processor", "validateBooking"): {"valid": False, "booking": None,
                                                              "errors": ["startDateTime must be in the future"]}})
    ex = lam.run("booking-lifecycle", {"action": "CREATE", "booking": {}})
    assert (ex.status, ex.error, terminal(ex)) == ("FAILED", "ValidationFailed", "ValidationFailed")
    assert lam.events == []
    lam = Lambdas({("booking-processor", "validateBooking"): fault("ValidationError")})
    ex = lam.run("booking-lifecycle", {"action": "CREATE", "booking": {}})
    assert (ex.status, ex.error) == ("FAILED", "ValidationFailed")


def test_payment_failed():
    lam = Lambdas({
        ("booking-processor", "validateBooking"): {"valid": True, "booking": BOOKING, "errors": []},
        ("booking-processor", "processPayment"): {"status": "FAILED", "paymentIntentId": "pi_1",
                                                   "paymentStatus": "failed", "booking": BOOKING,
                                                   "error": "card_declined"},
    })
    ex = lam.run("booking-lifecycle", {"action": "CREATE", "booking": {}})
    assert (ex.status, ex.error) == ("FAILED", "PaymentFailed") and lam.events == []


def test_transient_lambda_errors_are_retried():
    lam = Lambdas({
        ("booking-processor", "validateBooking"): [fault("Lambda.TooManyRequestsException"),
                                                   fault("Lambda.ServiceException"),
                                                   {"valid": False, "booking": None, "errors": ["x"]}],
    })
    ex = lam.run("booking-lifecycle", {"action": "CREATE", "booking": {}})
    assert ex.error == "ValidationFailed"
    assert lam.actions().count("booking-processor:validateBooking") == 3


@pytest.mark.parametrize("payload", [{"action": "DELETE"}, {}, {"action": 7}, ["not", "an", "object"]])
def test_invalid_action(payload):
    lam = Lambdas({})
    ex = lam.run("booking-lifecycle", payload)
    assert (ex.status, ex.error, terminal(ex)) == ("FAILED", "InvalidAction", "InvalidAction")
    assert lam.calls == []


def test_cancellation_successful_and_invalid_cancellation():
    lam = Lambdas({("booking-processor", "cancelBooking"): {
        "booking": {**BOOKING, "status": "cancelled"}, "refundRequired": True, "paymentIntentStatus": None}})
    ex = lam.run("booking-lifecycle", {"action": "CANCEL", "bookingId": "bk_1"})
    assert ex.status == "SUCCEEDED" and terminal(ex) == "CancellationSuccessful"
    assert lam.types() == []  # cancelBooking publishes Booking Cancelled itself, through the booking's outbox
    assert ex.output["cancellation"]["refundRequired"] is True
    lam = Lambdas({("booking-processor", "cancelBooking"): fault("ConflictError", "already cancelled")})
    ex = lam.run("booking-lifecycle", {"action": "CANCEL", "bookingId": "bk_1"})
    assert (ex.status, ex.error) == ("FAILED", "InvalidAction") and lam.events == []


# -- payment processing -----------------------------------------------------------------------------------
def pay_result(status: str, **extra) -> dict:
    return {"status": status, "paymentType": "DIRECT", "bookingId": "bk_1",
            "reference": {"object": "payment_intent", "id": "pi_1", "account": "acct_1"}, **extra}


@pytest.mark.parametrize("ptype,function,action", [
    ("DIRECT", "booking-processor", "processPayment"),
    ("PAYOUT", "payout-manager", "processPayout"),
    ("REFUND", "refund-processor", "processRefund"),
])
def test_payment_successful_for_each_type(ptype, function, action):
    lam = Lambdas({(function, action): pay_result("SUCCEEDED", paymentType=ptype)})
    ex = lam.run("payment-processing", {"paymentType": ptype, "bookingId": "bk_1"})
    assert ex.status == "SUCCEEDED" and terminal(ex) == "PaymentSuccessful"
    (event,) = lam.events
    assert (event["source"], event["detail-type"]) == ("marketplace.payment", "Payment Succeeded")
    assert event["detail"]["origin"] == "payment-processing" and event["detail"]["paymentType"] == ptype
    assert event["detail"]["result"]["details"]["bookingId"] == "bk_1"


def test_payment_processing_failed_by_result_and_by_fault():
    lam = Lambdas({("payout-manager", "processPayout"): pay_result("FAILED", error="payouts_not_allowed")})
    ex = lam.run("payment-processing", {"paymentType": "PAYOUT", "bookingId": "bk_1"})
    assert (ex.status, ex.error) == ("FAILED", "PaymentProcessingFailed")
    assert lam.types() == ["Payment Failed"]
    lam = Lambdas({("refund-processor", "processRefund"): fault("NotFoundError", "booking bk_1 not found")})
    ex = lam.run("payment-processing", {"paymentType": "REFUND", "bookingId": "bk_1"})
    assert (ex.status, ex.error) == ("FAILED", "PaymentProcessingFailed")
    assert lam.events[0]["detail"]["result"]["Error"] == "NotFoundError"


def test_pending_payment_confirmed_after_30_virtual_seconds():
    lam = Lambdas({("booking-processor", "processPayment"): pay_result("PENDING"),
                   ("booking-processor", "checkPaymentStatus"): pay_result("SUCCEEDED")})
    wall = time.monotonic()
    ex = lam.run("payment-processing", {"paymentType": "DIRECT", "bookingId": "bk_1"})
    assert ex.status == "SUCCEEDED" and terminal(ex) == "PaymentConfirmed"
    assert ex.stop_date - ex.start_date >= timedelta(seconds=30)
    assert time.monotonic() - wall < 5
    check = lam.calls[1][2]
    assert check["input"]["reference"]["id"] == "pi_1"


def test_pending_payment_times_out():
    lam = Lambdas({("payout-manager", "processPayout"): pay_result("PENDING", paymentType="PAYOUT"),
                   ("payout-manager", "checkPaymentStatus"): pay_result("PENDING", paymentType="PAYOUT")})
    ex = lam.run("payment-processing", {"paymentType": "PAYOUT", "providerId": "p1"})
    assert (ex.status, ex.error, terminal(ex)) == ("FAILED", "PaymentTimeout", "PaymentTimeout")
    assert lam.actions() == ["payout-manager:processPayout", "payout-manager:checkPaymentStatus"]


@pytest.mark.parametrize("payload", [{"paymentType": "BITCOIN"}, {}, {"paymentType": None}])
def test_invalid_payment_type(payload):
    lam = Lambdas({})
    ex = lam.run("payment-processing", payload)
    assert (ex.status, ex.error) == ("FAILED", "InvalidPaymentType") and lam.calls == []


# -- dispute resolution -----------------------------------------------------------------------------------
def dispute(dtype: str) -> dict:
    return {"id": "dsp_1", "bookingId": "bk_1", "disputeType": dtype, "status": "OPEN"}


def dispute_lambdas(dtype: str, overrides: dict | None = None) -> Lambdas:
    answers = {
        ("refund-processor", "createDispute"): {"dispute": dispute(dtype)},
        ("refund-processor", "processDisputeRefund"): {"resolution": {"outcome": "REFUNDED", "refundId": "re_1",
                                                                      "refundAmount": 12000}},
        ("refund-processor", "processServiceComplaint"): {"resolution": {"outcome": "COMPLAINT_RECORDED"}},
        ("refund-processor", "updateDisputeStatus"): lambda p: {"dispute": {
            **p["input"]["dispute"], "status": "MANUAL_REVIEW" if p["input"]["resolution"]["outcome"] ==
            "MANUAL_REVIEW" else "RESOLVED", "resolution": p["input"]["resolution"]}},
    }
    answers.update(overrides or {})
    return Lambdas(answers)


@pytest.mark.parametrize("dtype,step,outcome", [
    ("REFUND_REQUEST", "processDisputeRefund", "REFUNDED"),
    ("SERVICE_COMPLAINT", "processServiceComplaint", "COMPLAINT_RECORDED"),
    ("OTHER", None, "MANUAL_REVIEW"),
])
def test_dispute_resolved_after_a_virtual_day(dtype, step, outcome):
    lam = dispute_lambdas(dtype)
    wall = time.monotonic()
    ex = lam.run("dispute-resolution", {"bookingId": "bk_1", "disputeType": dtype})
    assert ex.status == "SUCCEEDED" and terminal(ex) == "DisputeResolved"
    assert ex.stop_date - ex.start_date >= timedelta(hours=24)
    assert time.monotonic() - wall < 5
    assert lam.types() == ["Dispute Created", "Dispute Resolved"]
    assert lam.events[1]["detail"]["resolution"]["outcome"] == outcome
    expected = ["createDispute"] + ([step] if step else []) + ["updateDisputeStatus"]
    assert [a for _, a, _ in lam.calls] == expected


def test_failed_dispute_refund_escalates_to_manual_review():
    lam = dispute_lambdas("REFUND_REQUEST", {("refund-processor", "processDisputeRefund"):
                                             fault("RefundRefused", "charge_disputed")})
    ex = lam.run("dispute-resolution", {"bookingId": "bk_1", "disputeType": "REFUND_REQUEST"})
    assert ex.status == "SUCCEEDED"
    assert lam.events[-1]["detail"]["status"] == "MANUAL_REVIEW"
    assert ex.output["resolutionError"]["Error"] == "RefundRefused"


# -- provider onboarding ----------------------------------------------------------------------------------
CREATED = {"status": "CREATED", "accountId": "acct_1", "providerId": "p1", "error": None}
FAILED = {"status": "FAILED", "accountId": None, "providerId": "p1", "error": "api_error"}


def onboarding_lambdas(create: list) -> Lambdas:
    return Lambdas({
        ("profile-events", "createStripeAccount"): create,
        ("profile-events", "updateProviderProfile"): {"profile": {"id": "p1", "stripeAccountId": "acct_1"}},
        ("notification-handler", "sendWelcomeNotification"): {"notifications": []},
    })


def test_onboarding_complete():
    lam = onboarding_lambdas([CREATED])
    ex = lam.run("provider-onboarding", {"providerId": "p1", "email": "p1@example.com"})
    assert ex.status == "SUCCEEDED" and terminal(ex) == "OnboardingComplete"
    assert lam.types() == ["Provider Onboarded"]
    assert lam.events[0]["source"] == "marketplace.provider"
    assert lam.calls[0][2]["attempt"] == "initial"


@pytest.mark.parametrize("first", [FAILED, fault("PaymentError")])
def test_onboarding_complete_after_the_single_retry(first):
    lam = onboarding_lambdas([first, CREATED])
    ex = lam.run("provider-onboarding", {"providerId": "p1"})
    assert ex.status == "SUCCEEDED" and terminal(ex) == "OnboardingCompleteRetry"
    assert ex.stop_date - ex.start_date >= timedelta(minutes=5)
    assert [c[2]["attempt"] for c in lam.calls] == ["initial", "retry"]
    assert lam.events == []


def test_onboarding_failed_after_the_retry():
    lam = onboarding_lambdas([FAILED, FAILED])
    ex = lam.run("provider-onboarding", {"providerId": "p1"})
    assert (ex.status, ex.error, terminal(ex)) == ("FAILED", "OnboardingFailed", "OnboardingFailed")
    assert len(lam.calls) == 2
