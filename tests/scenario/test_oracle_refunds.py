"""refund-records-match-stripe: holds when every Refund record is a Stripe refund; names each kind of break."""

from sim.scenario import oracle
from tests.scenario.test_oracle import healthy, result

NAME = "refund-records-match-stripe"


def refunded() -> oracle.Snapshot:
    snap = healthy()
    snap.stripe_objects["ch_1"].update(amount_refunded=3000)
    snap.stripe_objects["re_1"] = {"id": "re_1", "object": "refund", "amount": 3000, "charge": "ch_1",
                                   "status": "succeeded"}
    snap.tables["Refund"] = [{"id": "re_1", "bookingId": "b1", "chargeId": "ch_1", "amount": 3000,
                              "status": "succeeded"}]
    return snap


def test_holds_when_the_records_are_stripes_refunds():
    assert result(refunded(), NAME).ok
    assert NAME in oracle.NAMES


def test_a_record_under_a_key_of_its_own_is_no_refund_in_stripe():
    snap = refunded()
    snap.tables["Refund"].append({"id": "re_1:evt_9", "bookingId": "b1", "chargeId": "ch_1", "amount": 3000,
                                  "status": "succeeded"})
    r = result(snap, NAME)
    assert not r.ok and "'re_1:evt_9'" in r.detail and "is no refund in Stripe" in r.detail
    assert "add up to 6000, Stripe refunded 3000" in r.detail


def test_a_record_with_another_amount_is_named():
    snap = refunded()
    snap.tables["Refund"][0]["amount"] = 2999
    assert "amount 2999, Stripe says 3000" in result(snap, NAME).detail


def test_failed_records_are_not_money():
    snap = refunded()
    snap.stripe_objects["re_2"] = {"id": "re_2", "object": "refund", "amount": 500, "charge": "ch_1", "status": "failed"}
    snap.tables["Refund"].append({"id": "re_2", "chargeId": "ch_1", "amount": 500, "status": "failed"})
    assert result(snap, NAME).ok
