"""payout-manager: manual/scheduled payouts, commission, exactly-once claims, reconciliation."""

from __future__ import annotations

import pytest

from handlers.common.appsync import NotFoundError, UnauthorizedError, ValidationError
from tests.handlers.conftest_business import business_env


@pytest.fixture
def env():
    with business_env("payout-manager") as e:
        e.p = e.provider()
        e.customer()
        e.service()
        yield e


def bookings(env):
    return {b["id"]: b for b in env.table("Booking")}


def test_manual_payout_pays_the_earnings_once(env):
    env.booking("b1", provider=env.p)
    env.booking("b2", provider=env.p, amount=5000, start_h=30)
    env.booking("b3", provider=env.p, status="cancelled", payment_status="canceled", pay=False, start_h=40)
    out = env.appsync("processPayouts", {"action": "manual"}, sub="prov-1")
    (payout,) = out["payouts"]
    assert payout["amount"] == 11040 + 4600 and payout["platformFee"] == 960 + 400
    assert payout["grossAmount"] == 17000 and payout["status"] == "paid" and payout["id"].startswith("po_")
    assert sorted(payout["bookingIds"]) == ["b1", "b2"]
    assert {k: v.get("payoutStatus") for k, v in bookings(env).items()} == {"b1": "paid", "b2": "paid", "b3": None}
    assert env.appsync("processPayouts", {"action": "manual"}, sub="prov-1")["payouts"] == []
    (record,) = env.table("Payout")
    assert record["providerId"] == "prov-1" and record["statusRank"] == 2


def test_scheduled_payout_waits_for_the_delay(env):
    env.booking("b1", provider=env.p, start_h=1)
    assert env.appsync("processPayouts", {"action": "scheduled"}, sub=None)["payouts"] == []
    env.advance(3 * 86400)
    out = env.appsync("processPayouts", {"action": "scheduled"}, sub=None)
    assert [p["amount"] for p in out["payouts"]] == [11040]
    with pytest.raises(UnauthorizedError):
        env.appsync("processPayouts", {"action": "scheduled"}, sub="prov-1")


def scheduled_event(rule: str = "payout-manager-daily", **over) -> dict:
    """AWS's envelope for a scheduled rule's invocation."""
    event = {"version": "0", "id": "sched-1", "detail-type": "Scheduled Event", "source": "aws.events",
             "account": "123456789012", "time": "2026-03-05T06:00:00Z", "region": "us-east-1",
             "resources": [f"arn:aws:events:us-east-1:123456789012:rule/{rule}"], "detail": {}}
    return {**event, **over}


def test_the_daily_scheduled_event_runs_a_scheduled_payout(env):
    env.booking("b1", provider=env.p, start_h=1)
    first = env.call(scheduled_event())
    assert first["trigger"] == "schedule" and first["payouts"] == []  # ended less than PAYOUT_DELAY_DAYS ago
    env.advance(3 * 86400)
    out = env.call(scheduled_event())
    assert [(p["amount"], p["payoutType"]) for p in out["payouts"]] == [(11040, "scheduled")]
    assert bookings(env)["b1"]["payoutId"] == out["payouts"][0]["id"]
    assert env.call(scheduled_event())["payouts"] == []  # the next day's run pays nothing twice
    assert len(env.table("Payout")) == 1


@pytest.mark.parametrize("over", [{"detail-type": "Something Else"}, {"resources": "arn:aws:events:rule/x"},
                                  {"resources": [1]}, {"detail": "x"}])
def test_garbage_from_aws_events_fails_closed(env, over):
    env.booking("b1", provider=env.p, start_h=1)
    env.advance(3 * 86400)
    before = env.snapshot()
    with pytest.raises(ValidationError):
        env.call(scheduled_event(**over))
    assert env.snapshot() == before


def test_payout_workflow_for_one_booking_is_idempotent(env):
    env.booking("b1", provider=env.p)
    env.booking("b2", provider=env.p, start_h=30)
    first = env.task("processPayout", {"paymentType": "PAYOUT", "bookingId": "b1", "trigger": "eventbridge"},
                     workflow="payment-processing")
    assert first["status"] == "SUCCEEDED" and first["amount"] == 11040 and first["bookingIds"] == ["b1"]
    again = env.task("processPayout", {"paymentType": "PAYOUT", "bookingId": "b1"}, workflow="payment-processing")
    assert again["payoutId"] == first["payoutId"] and len(env.table("Payout")) == 1
    assert bookings(env)["b2"].get("payoutId") is None
    assert env.task("checkPaymentStatus", first, workflow="payment-processing")["status"] == "SUCCEEDED"


def test_paid_then_failed_releases_the_earnings(env):
    env.booking("b1", provider=env.p)
    first = env.task("processPayout", {"bookingId": "b1"}, workflow="payment-processing")
    env.stripe.settle_payout(first["payoutId"], "failed")
    out = env.appsync("processPayouts", {"action": "reconcile", "providerId": "prov-1"}, sub=None)
    assert out["reconciled"] == 1
    b1 = bookings(env)["b1"]
    assert b1["payoutStatus"] == "failed" and "payoutId" not in b1 and "payoutClaim" not in b1
    assert env.table("Payout")[0]["status"] == "failed"
    # a late "paid" event cannot resurrect it; the earnings are paid again by the next run
    env.bus("marketplace.payment", "Payout Completed", {"origin": "stripe-webhook", "payoutId": first["payoutId"],
                                                         "paymentType": "PAYOUT", "status": "paid"})
    assert env.table("Payout")[0]["status"] == "failed"
    again = env.appsync("processPayouts", {"action": "manual", "providerId": "prov-1"}, sub=None)
    assert [p["amount"] for p in again["payouts"]] == [11040]


def test_payment_events_prepare_the_commission(env):
    env.booking("b1", provider=env.p, platformFee=None, providerEarnings=None)
    env.bus("marketplace.payment", "Payment Succeeded", {"origin": "stripe-webhook", "bookingId": "b1",
                                                          "paymentType": "DIRECT"})
    b1 = bookings(env)["b1"]
    assert (b1["platformFee"], b1["providerEarnings"], b1["payoutStatus"]) == (960, 11040, "unpaid")
    env.booking("b2", provider=env.p, status="pending", payment_status="failed", pay=False, start_h=30)
    env.bus("marketplace.payment", "Payment Failed", {"origin": "stripe-webhook", "bookingId": "b2"})
    assert bookings(env)["b2"]["payoutStatus"] == "not_payable"
    ignored = env.bus("marketplace.payment", "Payment Succeeded", {"origin": "payment-processing",
                                                                    "paymentType": "PAYOUT"})
    assert "ignored" in ignored


def test_a_provider_without_payouts_fails_cleanly(env):
    p2 = env.provider("prov-2")
    env.booking("b9", provider=p2, start_h=50)
    env.stripe.ledger._objects[p2["stripeAccountId"]]["payouts_enabled"] = False  # e.g. a bank problem
    out = env.task("processPayout", {"bookingId": "b9"}, workflow="payment-processing")
    assert out["status"] == "FAILED" and out["error"]
    b9 = bookings(env)["b9"]
    assert "payoutClaim" not in b9 and b9["payoutStatus"] == "failed"


def test_bad_requests(env):
    before = env.snapshot()
    with pytest.raises(ValidationError, match="unknown action"):
        env.appsync("processPayouts", {"action": "everything"}, sub=None)
    with pytest.raises(ValidationError):
        env.appsync("processPayouts", {}, sub=None)
    with pytest.raises(NotFoundError):
        env.appsync("processPayouts", {"action": "manual", "providerId": "ghost"}, sub=None)
    with pytest.raises(UnauthorizedError):
        env.appsync("processPayouts", {"action": "manual", "providerId": "prov-1"}, sub="cust-1")
    with pytest.raises(ValidationError):
        env.bus("marketplace.payment", "Payment Succeeded", {"origin": "stripe-webhook"})
    with pytest.raises(ValidationError):
        env.bus("marketplace.booking", "Booking Confirmed", {"bookingId": "b1"})
    assert env.snapshot() == before


def test_a_payout_made_at_stripe_directly_counts_as_paid_out(env):
    """What was paid out is in Stripe's balance transactions of the account, not our Payout table: the 5000 the
    provider took at Stripe leaves room for b2's 4600 only; b1 (11040) is held for a later run."""
    env.booking("b1", provider=env.p)
    env.booking("b2", provider=env.p, amount=5000, start_h=30)
    env.stripe.payout(env.p["stripeAccountId"], 5000)
    out = env.appsync("processPayouts", {"action": "manual"}, sub="prov-1")
    assert [p["amount"] for p in out["payouts"]] == [4600] and out["failures"] == []
    b1 = bookings(env)["b1"]
    assert b1["payoutStatus"] == "unpaid" and "payoutClaim" not in b1 and "payoutId" not in b1


def test_balance_insufficient_holds_the_bookings_unpaid_for_a_later_run(env, monkeypatch):
    """Stripe refuses a payout the balance cannot cover (here: our view of what was paid out is stale):
    the claim is released `unpaid`, not `failed`, and the next run pays what the balance allows."""
    from handlers.common import earnings

    env.booking("b1", provider=env.p)
    env.stripe.payout(env.p["stripeAccountId"], 3000)
    with monkeypatch.context() as m:
        m.setattr(earnings, "allowance", lambda account, currency: 11040)
        out = env.appsync("processPayouts", {"action": "manual"}, sub="prov-1")
    assert out["payouts"] == [] and [f["error"] for f in out["failures"]] == ["balance_insufficient"]
    b1 = bookings(env)["b1"]
    assert b1["payoutStatus"] == "unpaid" and "payoutClaim" not in b1
    env.booking("b2", provider=env.p, amount=5000, start_h=30)  # 11040 + 4600 − 3000 covers b1 now
    again = env.appsync("processPayouts", {"action": "manual"}, sub="prov-1")
    assert [(p["amount"], p["bookingIds"]) for p in again["payouts"]] == [(11040, ["b1"])]


def test_a_payouts_stripe_reads_do_not_grow_with_the_providers_past_bookings(env):
    """One paged list of the account's balance transactions bounds the payout, whatever the
    provider's history: with 12 bookings paid out before, paying one more reads only its own
    payment (payment intent, charge, fee) and one list; reading every booking's charge and fee
    (the old allowance) made ~2 reads per past booking."""
    for i in range(12):
        env.booking(f"old{i:02d}", provider=env.p, start_h=2 + i)
    assert len(env.appsync("processPayouts", {"action": "manual"}, sub="prov-1")["payouts"]) == 1
    env.booking("new", provider=env.p, start_h=40)
    seen = len(env.stripe.api.requests)
    (payout,) = env.appsync("processPayouts", {"action": "manual"}, sub="prov-1")["payouts"]
    reads = [r["path"] for r in env.stripe.api.requests[seen:] if r["method"] == "GET"]
    assert payout["bookingIds"] == ["new"] and payout["amount"] == 11040
    assert sorted(p.split("/")[2] for p in reads) == ["application_fees", "balance_transactions", "charges",
                                                     "payment_intents"], reads


def test_the_workflows_payout_reads_its_booking_by_key_not_the_providers_history(env, monkeypatch):
    """The payment workflow pays one booking: it is read by key (strongly consistent), and the
    provider's index of bookings (every booking they ever had, eventually consistent) is not read."""
    from handlers.common.repositories import BookingRepository

    env.booking("b1", provider=env.p)
    env.booking("b2", provider=env.p, start_h=30)

    def refused(*_a, **_k):
        raise AssertionError("the provider's whole history was read")

    monkeypatch.setattr(BookingRepository, "by_provider", refused)
    out = env.task("processPayout", {"bookingId": "b1"}, workflow="payment-processing")
    assert out["status"] == "SUCCEEDED" and out["bookingIds"] == ["b1"] and out["amount"] == 11040
    assert bookings(env)["b2"].get("payoutId") is None
