"""Bookings through the AppSync processBooking operation (booking-processor): create and cancel.

`book` with `expect_error: "*"` takes either answer: a refused booking names nothing, and every
later step that needs it is skipped (context.StepSkipped) while the story goes on."""

from __future__ import annotations

from datetime import timedelta

from sim.clock import parse_instant
from sim.durations import parse_duration
from sim.scenario import response_check
from sim.scenario.appsync_calls import ANY_OUTCOME, call
from sim.scenario.context import ScenarioRun, StepFailed
from sim.scenario.steps import step


def _iso(dt) -> str:
    return dt.strftime("%Y-%m-%dT%H:%M:%S.000Z")


def _start(run: ScenarioRun, spec: dict):
    value = spec.get("start")
    if value is None:
        # two days ahead at 10:00 UTC, each booking two hours after the previous one (no overlaps)
        n = sum(1 for k in run.alias_kind.values() if k == "booking")
        day = (run.world.now() + timedelta(days=2)).replace(hour=10, minute=0, second=0, microsecond=0)
        return day + timedelta(hours=2 * n)
    try:
        return run.world.now() + parse_duration(value)
    except ValueError:
        return parse_instant(value)


def _refused(run: ScenarioRun, kind: str, alias: str, result) -> bool:
    """Did the marketplace answer this step (taking either answer) with an error? Recorded if so."""
    if not (isinstance(result, dict) and "errorType" in result and not result.get("id")):
        return False
    run.refusals.append(f"{kind} {alias}: {result['errorType']}: {str(result.get('errorMessage'))[:120]}")
    run.trace("step.refused", None, step=kind, alias=alias, errorType=result["errorType"])
    return True


@step("book")
def book(run: ScenarioRun, spec: dict) -> None:
    customer = run.entity(spec.get("customer", 0), "customer")
    service = run.entity(spec.get("service", 0), "service")
    provider_id = run.entity(spec["provider"], "provider").id if "provider" in spec else service.data["providerId"]
    start = _start(run, spec)
    end = start + parse_duration(spec.get("duration", "1h"))
    args = {"action": "create", "serviceId": service.id, "providerId": provider_id, "customerId": customer.id,
            "startDateTime": _iso(start), "endDateTime": _iso(end),
            "amount": int(spec.get("amount", service.data.get("price", 0))),
            "currency": spec.get("currency", service.data.get("currency", "usd")),
            "customerEmail": customer.data.get("email")}
    if spec.get("booking_id"):
        args["bookingId"] = spec["booking_id"]
    result = call(run, "processBooking", args, user=customer, expect_error=spec.get("expect_error"))
    response_check.check(run, spec, result)
    if spec.get("expect_error") == ANY_OUTCOME and _refused(run, "book", spec["id"], result):
        run.refuse(spec["id"], "booking")  # either answer: the steps that need this booking are skipped
        return
    if spec.get("expect_error") and spec["expect_error"] != ANY_OUTCOME:
        run.name(spec["id"], "booking", None)
        return
    if not isinstance(result, dict) or not result.get("id"):
        raise StepFailed(f"processBooking returned no booking id: {result!r}")
    run.name(spec["id"], "booking", result["id"])
    if spec.get("payment_intent"):  # a recorded payment intent (sim replay): bind it as checkout did
        from sim.scenario.context import put_item

        item = run.booking(result["id"]) or {}
        put_item(run.world, "Booking", {**item, "paymentIntentId": spec["payment_intent"]})
    run.trace("booking.created", result["id"], alias=spec["id"], paymentIntentId=result.get("paymentIntentId"))


@step("cancel")
def cancel(run: ScenarioRun, spec: dict) -> None:
    booking_id = run.booking_id(spec["booking"])
    booking = run.booking(booking_id) or {}
    by = spec.get("by", "customer")
    user_id = booking.get("providerId") if by == "provider" else booking.get("customerId")
    user = next((e for e in run.entities["provider" if by == "provider" else "customer"] if e.id == user_id), None)
    args = {"action": "cancel", "bookingId": booking_id}
    if spec.get("reason"):
        args["reason"] = spec["reason"]
    result = call(run, "processBooking", args, user=user, admin=by == "admin", expect_error=spec.get("expect_error"))
    response_check.check(run, spec, result)
    if spec.get("expect_error") == ANY_OUTCOME:
        _refused(run, "cancel", spec["booking"], result)
