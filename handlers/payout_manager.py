"""payout-manager: provider payouts (scheduled and manual), commission, payout reconciliation.

AppSync `processPayouts(action, providerId?, providerIds?)`, action:
  manual     pay one provider everything owed now (the provider themself or an admin)
  scheduled  pay every provider (providerIds, else every profile with a Stripe account) what is
             owed for bookings that ended PAYOUT_DELAY_DAYS ago (admin / trusted caller)
  reconcile  read back every unsettled or recently paid payout of the provider(s) from Stripe and
             settle their bookings (catches paid → failed)
  → {"payouts": [...], "failures": [...], "reconciled": n}
Step Functions (payment-processing): processPayout (input: the execution state — bookingId for
one booking's earnings, as the marketplace-payment-workflows rule sends, or providerId for all of
them), checkPaymentStatus (input: processPayout's result) → {status SUCCEEDED|PENDING|FAILED,
paymentType "PAYOUT", payoutId, amount, currency, platformFee, reference, error, ...}; a payout
counts as SUCCEEDED once Stripe has it in_transit or paid.
EventBridge (rule marketplace-payment-events, source marketplace.payment):
  Payment Succeeded (DIRECT, from stripe-webhook): the booking's commission is checked
      (platformFee/providerEarnings filled in when missing) and it is marked payoutStatus unpaid
  Payment Failed (DIRECT): payoutStatus not_payable (unless already claimed)
  Payout Completed / Payment Failed with paymentType PAYOUT: reconcile that payout
  events the payment-processing workflow itself published (origin payment-processing) are ignored
Scheduled (rule payout-manager-daily, cron(0 6 * * ? *) on the default bus): AWS's Scheduled Event
  envelope {"detail-type": "Scheduled Event", "source": "aws.events", "resources": [rule arn],
  "detail": {}} runs the `scheduled` action for every provider with a Stripe account.
Rules and exactly-once: common/payouts.py.
"""

from __future__ import annotations

from typing import Any

from handlers.common import authz, payouts, provider_state
from handlers.common.appsync import (
    ConflictError,
    NotFoundError,
    PaymentError,
    ResolverEvent,
    ValidationError,
    require_str,
)
from handlers.common.ddb import Expr
from handlers.common.invocation import dispatch, task_input
from handlers.common.log import get_logger
from handlers.common.money import split
from handlers.common.repositories import (
    BookingRepository,
    ConditionFailed,
    PayoutRepository,
    UserProfileRepository,
)

NAME = "payout-manager"
_log = get_logger(NAME)
_STATUS = {"paid": "SUCCEEDED", "in_transit": "SUCCEEDED", "pending": "PENDING", "failed": "FAILED",
           "canceled": "FAILED"}


def _provider(provider_id: Any) -> dict[str, Any]:
    return UserProfileRepository().must_get(provider_id, field="providerId", what="provider")


def _run_view(run: payouts.PayoutRun) -> dict[str, Any]:
    return {"providerId": run.provider_id, "payouts": run.payouts, "failures": run.failures, "skipped": run.skipped}


def _reconcile(provider_id: str) -> int:
    count = 0
    for record in PayoutRepository().by_provider(provider_id):
        if record.get("status") in ("pending", "in_transit", "paid"):
            before = record.get("status")
            after = payouts.refresh(record)
            count += int(after.get("status") != before)
            payouts.settle(after)
    return count


# -- AppSync ------------------------------------------------------------------------------------------
def _self_owner(provider: dict[str, Any]) -> authz.Owner:
    return authz.user_owner(provider["id"], provider.get("userType") or "customer")


def process_payouts(ev: ResolverEvent) -> dict[str, Any]:
    action = require_str(ev.arguments, "action", max_len=32).lower()
    principal = authz.principal_of(ev)
    if action == "manual":
        provider = _provider(ev.arguments.get("providerId") or principal.id)
        authz.authorize("processPayouts.manual", principal, _self_owner(provider))
        if provider_state.disconnected(provider):
            raise ConflictError(f"provider {provider['id']} disconnected their Stripe account; no payouts")
        run = payouts.provider_run(provider, scheduled=False)
        return {"payouts": run.payouts, "failures": run.failures, "runs": [_run_view(run)], "reconciled": 0}
    if action in ("scheduled", "reconcile"):
        ids = ev.arguments.get("providerIds")
        if ids is not None and (not isinstance(ids, list) or not all(isinstance(i, str) and i for i in ids)):
            raise ValidationError("providerIds must be a list of ids")
        if action == "reconcile" and ids is None and ev.arguments.get("providerId"):
            ids = [ev.arguments["providerId"]]
        if action == "scheduled":
            authz.authorize("processPayouts.scheduled", principal)
        providers = [_provider(i) for i in ids] if ids is not None else sorted(
            UserProfileRepository().with_stripe_accounts(), key=lambda p: p["id"])
        if action == "reconcile":
            if ids is None:
                authz.authorize("processPayouts.scheduled", principal)  # every provider: the backend's job
            for p in providers:
                authz.authorize("processPayouts.reconcile", principal, _self_owner(p))
            return {"payouts": [], "failures": [], "runs": [],
                    "reconciled": sum(_reconcile(p["id"]) for p in providers)}
        return scheduled_run(providers)
    raise ValidationError(f"unknown action {action!r}; expected manual, scheduled or reconcile")


def scheduled_run(providers: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    """Pay every provider (default: every profile with a Stripe account) what is owed for bookings
    that ended PAYOUT_DELAY_DAYS ago. One provider's Stripe outage is recorded and the run goes on;
    the claims make a repeated run (an async retry, the next day's run) pay nothing twice."""
    if providers is None:
        providers = sorted(UserProfileRepository().with_stripe_accounts(), key=lambda p: p["id"])
    runs = []
    for provider in providers:
        if not provider.get("stripeAccountId") or provider.get("userType", "provider") != "provider":
            continue
        if provider_state.disconnected(provider):
            _log.warning("no payout: the provider disconnected their Stripe account", providerId=provider["id"])
            continue
        try:
            runs.append(payouts.provider_run(provider, scheduled=True))
        except PaymentError as exc:
            _log.warning("scheduled payout failed for a provider", providerId=provider["id"], error=exc.message)
            runs.append(payouts.PayoutRun(provider["id"], failures=[{"error": exc.message}]))
    return {"payouts": [p for r in runs for p in r.payouts], "failures": [f for r in runs for f in r.failures],
            "runs": [_run_view(r) for r in runs], "reconciled": 0}


# -- Step Functions -----------------------------------------------------------------------------------
def _result(status: str, record: dict[str, Any] | None, *, error: str | None = None, **extra: Any) -> dict[str, Any]:
    record = record or {}
    return {"status": status, "paymentType": "PAYOUT", "payoutId": record.get("id"),
            "payoutStatus": record.get("status"), "providerId": record.get("providerId") or extra.pop("providerId", None),
            "amount": record.get("amount"), "currency": record.get("currency"),
            "platformFee": record.get("platformFee"), "bookingIds": record.get("bookingIds") or [],
            "reference": ({"object": "payout", "id": record["id"], "account": record.get("stripeAccountId")}
                          if record.get("id") else None),
            "error": error, **extra}


def sfn_process_payout(event: dict[str, Any]) -> dict[str, Any]:
    data = task_input(event)
    booking_ids = None
    if data.get("bookingId"):
        booking = BookingRepository().get(str(data["bookingId"]))
        if booking is None:
            raise NotFoundError(f"booking {data['bookingId']} not found")
        if booking.get("payoutId"):  # already paid out (idempotent re-run)
            record = PayoutRepository().get(booking["payoutId"]) or {"id": booking["payoutId"]}
            return _result(_STATUS.get(record.get("status"), "PENDING"), record, bookingId=booking["id"])
        provider, booking_ids = _provider(booking.get("providerId")), [booking["id"]]
        owner = authz.booking_owner(booking)
    else:
        provider = _provider(data.get("providerId"))
        owner = _self_owner(provider)
    authz.authorize("startWorkflow.PAYMENT.PAYOUT", authz.actor_of(data), owner)
    if provider_state.disconnected(provider):
        return _result("FAILED", None, error="the provider disconnected their Stripe account",
                       providerId=provider["id"], bookingId=data.get("bookingId"))
    run = payouts.provider_run(provider, scheduled=False, booking_ids=booking_ids)
    if run.payouts:
        record = run.payouts[0]
        return _result(_STATUS.get(record.get("status"), "PENDING"), record, bookingId=data.get("bookingId"))
    error = run.failures[0]["error"] if run.failures else "nothing to pay out"
    return _result("FAILED", None, error=error, providerId=provider["id"], bookingId=data.get("bookingId"))


def sfn_check_status(event: dict[str, Any]) -> dict[str, Any]:
    data = task_input(event)
    payout_id = (data.get("reference") or {}).get("id") if isinstance(data.get("reference"), dict) else None
    record = PayoutRepository().get(payout_id) if payout_id else None
    if record is None:
        return _result("FAILED", None, error="no payout to check")
    record = payouts.refresh(record)
    return _result(_STATUS.get(record.get("status"), "PENDING"), record)


# -- EventBridge --------------------------------------------------------------------------------------
def _mark_payable(booking_id: str, payable: bool) -> None:
    repo = BookingRepository()
    booking = repo.get(booking_id)
    if booking is None:
        _log.warning("payment event for an unknown booking", bookingId=booking_id)
        return
    changes: dict[str, Any] = {}
    if payable and booking.get("amount") is not None and booking.get("platformFee") is None:
        fees = split(int(booking["amount"]))
        changes.update(platformFee=fees.platform_fee, providerEarnings=fees.provider_earnings)
    if not booking.get("payoutClaim") and not booking.get("payoutId"):
        wanted = "unpaid" if payable else "not_payable"
        if booking.get("payoutStatus") not in (wanted, "paid"):
            changes["payoutStatus"] = wanted
    if not changes:
        return
    e = Expr()
    try:
        repo.update(booking_id, changes, condition=f"attribute_not_exists({e.name('payoutClaim')})", expr=e)
    except ConditionFailed:
        pass


def on_event(event: dict[str, Any]) -> dict[str, Any]:
    detail, kind = event["detail"], event["detail-type"]
    if event.get("source") == "aws.events":
        return on_schedule(event)
    if event.get("source") != "marketplace.payment":
        raise ValidationError(f"unexpected source {event.get('source')!r}")
    if detail.get("origin") == "payment-processing":
        return {"ignored": "published by the payment-processing workflow"}
    ptype = detail.get("paymentType") or "DIRECT"
    if ptype == "PAYOUT" or kind == "Payout Completed":
        payout_id = detail.get("payoutId")
        record = PayoutRepository().get(payout_id) if isinstance(payout_id, str) else None
        if record is None:
            return {"ignored": f"unknown payout {payout_id}"}
        return {"payoutId": payout_id, "status": record.get("status"), "settled": payouts.settle(record)}
    booking_id = detail.get("bookingId")
    if not isinstance(booking_id, str) or not booking_id:
        raise ValidationError("the payment event names no bookingId")
    if kind == "Payment Succeeded":
        _mark_payable(booking_id, True)
    elif kind == "Payment Failed":
        _mark_payable(booking_id, False)
    else:
        raise ValidationError(f"unexpected detail-type {kind!r}")
    return {"bookingId": booking_id, "event": kind}


def on_schedule(event: dict[str, Any]) -> dict[str, Any]:
    """The daily scheduled rule (payout-manager-daily): AWS's Scheduled Event envelope."""
    resources = event.get("resources")
    if event.get("detail-type") != "Scheduled Event" or not isinstance(resources, list) \
            or not all(isinstance(r, str) for r in resources):
        raise ValidationError("only Scheduled Events are accepted from aws.events")
    _log.info("scheduled payout run", rules=resources, time=event.get("time"))
    return {"trigger": "schedule", **scheduled_run()}


def handler(event: Any, context: Any = None) -> Any:
    return dispatch(NAME, event, context, fields={"processPayouts": process_payouts},
                    actions={"processPayout": sfn_process_payout, "checkPaymentStatus": sfn_check_status},
                    on_event=on_event)
