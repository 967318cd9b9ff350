"""Out-of-order delivery converges: every permutation of a flow's events (with duplicates) leaves the
same tables as in-order delivery (hypothesis over permutations)."""

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

BOOKKEEPING = {"updatedAt"}
TABLES = ("Booking", "Dispute", "Refund", "Payout")


def state(hx):
    return {t: [{k: v for k, v in item.items() if k not in BOOKKEEPING} for item in hx.table(t)] for t in TABLES}


def replay(hx, booking, events):
    hx.clear("ProcessedWebhooks", *TABLES)
    hx.put("Booking", booking)
    for ev in events:
        hx.deliver(ev)
    return state(hx)


def flow(hx):
    """pay → partial refund → dispute → dispute lost: the events with side effects, in causal order."""
    booking, paid = hx.paid_booking()
    hx.advance(60)
    refund = hx.stripe.refund(paid.payment_intent["id"], amount=2000)
    hx.advance(60)
    dispute = hx.stripe.dispute(paid.charge["id"])
    hx.advance(60)
    closed = hx.stripe.close_dispute(dispute.dispute["id"], "lost")
    events = [e for r in (paid, refund, dispute, closed) for e in r.events]
    return booking, events


def test_permutations_converge(hx):
    booking, events = flow(hx)
    expected = replay(hx, booking, events)
    b = expected["Booking"][0]
    assert (b["status"], b["paymentStatus"], b["amountRefunded"], b["disputeStatus"]) == \
        ("confirmed", "partially_refunded", 2000, "lost")
    assert expected["Dispute"][0]["status"] == "lost" and expected["Dispute"][0]["fundsWithdrawn"] is True

    @settings(max_examples=8, deadline=None, suppress_health_check=list(HealthCheck))
    @given(st.permutations(events), st.lists(st.sampled_from(events), max_size=3))
    def check(order, dups):
        assert replay(hx, booking, list(order) + dups) == expected

    check()


def test_refund_before_success_and_failure_after_success(hx):
    provider = hx.provider()
    booking, paid = hx.paid_booking(provider=provider)
    hx.advance(60)
    refund = hx.stripe.refund(paid.payment_intent["id"])
    in_order = replay(hx, booking, paid.events + refund.events)
    reversed_ = replay(hx, booking, list(reversed(paid.events + refund.events)))
    assert in_order == reversed_
    assert in_order["Booking"][0]["status"] == "cancelled"
    assert in_order["Booking"][0]["paymentStatus"] == "refunded"


def test_dispute_before_the_charge(hx):
    booking, paid = hx.paid_booking()
    hx.advance(60)
    dispute = hx.stripe.dispute(paid.charge["id"])
    first = replay(hx, booking, dispute.events + paid.events)
    second = replay(hx, booking, paid.events + dispute.events)
    assert first == second
    assert first["Booking"][0]["status"] == "confirmed" and first["Dispute"][0]["bookingId"] == "b1"


def test_failed_attempt_delivered_after_success(hx):
    provider = hx.provider()
    created = hx.stripe.create_payment_intent(4000, "usd", provider["stripeAccountId"], metadata={"bookingId": "b1"})
    pi = created.payment_intent["id"]
    booking = hx.booking("b1", provider, amount=4000, pi=pi)
    declined = hx.stripe.confirm(pi, outcome="failed")
    hx.advance(60)
    ok = hx.stripe.confirm(pi, outcome="succeeded")
    late = replay(hx, booking, ok.events + declined.events)
    assert late == replay(hx, booking, declined.events + ok.events)
    assert late["Booking"][0]["paymentStatus"] == "succeeded" and late["Booking"][0]["status"] == "confirmed"
