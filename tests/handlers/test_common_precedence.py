"""precedence: the pure reducers converge whatever the order of the facts (hypothesis)."""

from hypothesis import given, settings
from hypothesis import strategies as st

from handlers.common.precedence import (
    DISPUTE_RANK,
    PAYOUT_RANK,
    PaymentFact,
    RecordFact,
    account_snapshot,
    reduce_account,
    reduce_booking,
    reduce_record,
)

BOOKING = {"id": "b1", "status": "pending", "paymentStatus": "pending", "amount": 12000, "currency": "usd"}
FACTS = [
    PaymentFact("evt_a", 100, "failed", amount=12000, fee_known=True, failure_message="card declined"),
    PaymentFact("evt_b", 110, "succeeded", charge_id="ch_1", amount=12000, fee_known=True,
                application_fee_amount=960),
    PaymentFact("evt_c", 110, "succeeded", charge_id="ch_1", amount=12000, fee_known=True,
                application_fee_amount=960),
    PaymentFact("evt_d", 120, "succeeded", charge_id="ch_1", amount_refunded=3000, fee_known=True,
                application_fee_amount=960),
    PaymentFact("evt_e", 130, "succeeded", charge_id="ch_1", dispute_id="dp_1", dispute_status="needs_response"),
    PaymentFact("evt_f", 140, "succeeded", charge_id="ch_1", dispute_id="dp_1", dispute_status="lost"),
    PaymentFact("evt_g", 150, None, application_fee_id="fee_1", application_fee_amount=960,
                application_fee_refunded=100),
]


def fold(facts, start=BOOKING):
    state = dict(start)
    for f in facts:
        state.update(reduce_booking(state, f))
        state = {k: v for k, v in state.items() if v is not None}
    return state


@settings(max_examples=200, deadline=None)
@given(st.permutations(FACTS), st.lists(st.sampled_from(FACTS), max_size=4))
def test_booking_converges_in_any_order_with_duplicates(order, dups):
    assert fold(list(order) + dups) == fold(FACTS)


def test_final_booking_state():
    s = fold(FACTS)
    assert s["status"] == "confirmed" and s["paymentStatus"] == "partially_refunded"
    # the commission follows the refunds: fee 960 − 100 refunded, earnings 12000 − 3000 − 860
    assert s["platformFee"] == 860 and s["providerEarnings"] == 8140 and s["chargeId"] == "ch_1"
    assert s["platformFee"] + s["providerEarnings"] == s["amount"] - s["amountRefunded"]
    assert s["disputeStatus"] == "lost" and s["amountRefunded"] == 3000 and s["applicationFeeRefunded"] == 100
    assert "paymentFailureMessage" not in s


@settings(max_examples=100, deadline=None)
@given(st.permutations([PaymentFact("e1", 1, "succeeded", charge_id="ch"),
                        PaymentFact("e2", 2, "succeeded", charge_id="ch", amount_refunded=12000)]))
def test_refund_before_success_cancels(order):
    s = fold(order)
    assert s["status"] == "cancelled" and s["paymentStatus"] == "refunded"


def test_failure_after_success_loses_and_store_floor_holds():
    assert fold([PaymentFact("e2", 2, "succeeded"), PaymentFact("e1", 1, "failed")])["paymentStatus"] == "succeeded"
    confirmed = {**BOOKING, "status": "confirmed", "paymentStatus": "succeeded"}
    assert fold([PaymentFact("e1", 1, "failed")], confirmed)["paymentStatus"] == "succeeded"
    assert fold([PaymentFact("e1", 1, "canceled")])["status"] == "cancelled"
    completed = {**BOOKING, "status": "completed", "paymentStatus": "succeeded"}
    assert fold([PaymentFact("e", 1, "succeeded", amount_refunded=12000)], completed)["status"] == "completed"


def rec_fold(facts):
    state = None
    for f in facts:
        state = {**(state or {}), **reduce_record(state, f)}
    return state


DISPUTE = [RecordFact(f"e{i}", i, s, DISPUTE_RANK[s], fields=(("amount", 500),), flags=flags)
           for i, (s, flags) in enumerate([("needs_response", ()), ("needs_response", ("fundsWithdrawn",)),
                                           ("under_review", ()), ("won", ()), ("won", ("fundsReinstated",))])]


@settings(max_examples=100, deadline=None)
@given(st.permutations(DISPUTE))
def test_dispute_converges(order):
    s = rec_fold(order)
    assert s["status"] == "won" and s["fundsWithdrawn"] and s["fundsReinstated"] and s["amount"] == 500


@given(st.permutations([RecordFact("a", 1, "paid", PAYOUT_RANK["paid"]),
                        RecordFact("b", 2, "failed", PAYOUT_RANK["failed"])]))
def test_payout_paid_then_failed(order):
    assert rec_fold(order)["status"] == "failed"


def test_account_snapshot_newest_wins():
    active = account_snapshot({"charges_enabled": True, "payouts_enabled": True, "details_submitted": True})
    pending = account_snapshot({"requirements": {"currently_due": ["external_account"]}})
    assert active["stripeAccountStatus"] == "active" and pending["stripeAccountStatus"] == "pending"
    s = {"id": "p"}
    s.update(reduce_account(s, active, 20, "e2"))
    assert reduce_account(s, pending, 10, "e1") == {}
    assert reduce_account(s, active, 20, "e2") == {}
