"""Each invariant on hand-made snapshots: it holds on a healthy picture and names what broke."""

from datetime import UTC, datetime, timedelta

from sim.scenario import oracle
from sim.scenario.snapshot import BusEvent, Execution, Snapshot

NOW = datetime(2026, 3, 3, 3, 0, tzinfo=UTC)
T0 = int(datetime(2026, 3, 2, 9, 0, tzinfo=UTC).timestamp())


def result(snap, name):
    return next(r for r in oracle.check(snap) if r.name == name)


def event(eid, etype, created=T0, booking="b1", obj=None):
    obj = obj or {"id": "pi_1", "object": "payment_intent", "metadata": {"bookingId": booking}}
    return {"id": eid, "type": etype, "created": created, "data": {"object": obj}, "account": "acct_1"}


def healthy() -> Snapshot:
    pi = {"id": "pi_1", "object": "payment_intent", "status": "succeeded", "latest_charge": "ch_1",
          "metadata": {"bookingId": "b1"}}
    charge = {"id": "ch_1", "object": "charge", "status": "succeeded", "amount": 12000, "amount_refunded": 0,
              "refunded": False,
              "disputed": False, "application_fee": "fee_1", "payment_intent": "pi_1"}
    fee = {"id": "fee_1", "object": "application_fee", "amount": 960, "amount_refunded": 0, "refunds": {"data": []}}
    return Snapshot(
        now=NOW,
        tables={"Booking": [{"id": "b1", "status": "confirmed", "paymentStatus": "succeeded", "amount": 12000,
                             "platformFee": 960, "providerEarnings": 11040, "paymentIntentId": "pi_1"}],
                "ProcessedWebhooks": [{"eventId": "evt_1", "status": "COMPLETED"}]},
        stripe_events=[event("evt_1", "payment_intent.succeeded", obj=pi)],
        stripe_objects={"pi_1": pi, "ch_1": charge, "fee_1": fee},
        bus_events=[BusEvent("marketplace.booking", "Booking Confirmed", {"bookingId": "b1",
                                                                         "stripeEventId": "evt_1"})],
        status_history={"b1": ["pending", "confirmed"]})


def test_all_hold_on_a_healthy_world():
    results = oracle.check(healthy())
    assert [r.name for r in results] == oracle.NAMES
    assert all(r.ok for r in results), [r for r in results if not r.ok]


def test_applied_once_catches_a_second_distinct_domain_event():
    snap = healthy()
    snap.bus_events.append(BusEvent("marketplace.booking", "Booking Confirmed",
                                    {"bookingId": "b1", "stripeEventId": "evt_1"}))
    r = result(snap, "stripe-event-applied-once")
    assert not r.ok and "evt_1: 'Booking Confirmed' published as 2 distinct domain events" in r.detail


def test_applied_once_accepts_copies_of_one_domain_event():
    snap = healthy()
    snap.bus_events = [BusEvent("marketplace.booking", "Booking Confirmed",
                                {"bookingId": "b1", "stripeEventId": "evt_1", "domainEventId": "de_1"}, id=str(n))
                       for n in range(2)]
    assert result(snap, "stripe-event-applied-once").ok
    assert result(snap, "domain-event-once-per-transition").ok


def test_applied_once_catches_a_refund_stripe_never_made_and_a_doubled_request():
    snap = healthy()
    snap.tables["Refund"] = [{"id": "re_9", "bookingId": "b1", "amount": 100}]
    assert "Refund record re_9 names no refund in Stripe" in result(snap, "stripe-event-applied-once").detail
    snap = healthy()
    for rid in ("re_1", "re_2"):
        snap.stripe_objects[rid] = {"id": rid, "object": "refund", "status": "succeeded",
                                    "metadata": {"requestKey": "k1"}}
    assert "refund request k1: 2 refunds made in Stripe" in result(snap, "stripe-event-applied-once").detail


def test_no_event_lost_only_after_reconciliation():
    snap = healthy()
    snap.stripe_events.append(event("evt_2", "charge.refunded"))
    assert result(snap, "no-event-lost-after-reconciliation").ok  # reconciliation has not run
    snap.reconciliations = [NOW - timedelta(hours=1)]
    r = result(snap, "no-event-lost-after-reconciliation")
    assert not r.ok and "evt_2 (charge.refunded) is missing" in r.detail
    snap.tables["ProcessedWebhooks"].append({"eventId": "evt_2", "status": "FAILED"})
    assert "is FAILED" in result(snap, "no-event-lost-after-reconciliation").detail


def test_payment_status_must_agree_once_settled():
    snap = healthy()
    snap.tables["Booking"][0]["paymentStatus"] = "pending"
    r = result(snap, "payment-status-agrees-with-stripe")
    assert not r.ok and "paymentStatus 'pending', Stripe says succeeded" in r.detail


def test_payment_status_is_not_judged_before_the_events_arrived():
    snap = healthy()
    snap.tables["Booking"][0]["paymentStatus"] = "pending"
    snap.tables["ProcessedWebhooks"] = []  # the event was never processed
    assert result(snap, "payment-status-agrees-with-stripe").ok


def test_full_refund_must_show_refunded():
    snap = healthy()
    snap.stripe_objects["ch_1"].update(amount_refunded=12000, refunded=True)
    r = result(snap, "payment-status-agrees-with-stripe")
    assert not r.ok and "refunded" in r.detail


def test_money_split_and_refund_limits():
    snap = healthy()
    snap.tables["Booking"][0]["platformFee"] = 961
    assert "platformFee 961 + providerEarnings 11040 = 12001, but amount 12000 − refunds 0 (Stripe) = 12000" \
        in result(snap, "money-adds-up").detail
    snap = healthy()
    snap.stripe_objects["ch_1"].update(amount_refunded=16000)
    assert "refunded 16000 > amount 12000" in result(snap, "money-adds-up").detail


def test_split_must_follow_stripes_refunds():
    snap = healthy()
    snap.stripe_objects["ch_1"].update(amount_refunded=3000)
    snap.stripe_objects["fee_1"].update(amount_refunded=240, refunds={"data": [{}]})
    r = result(snap, "money-adds-up")  # the booking still says 960 + 11040: the refund was ignored
    assert not r.ok and "amount 12000 − refunds 3000 (Stripe) = 9000" in r.detail
    snap.tables["Booking"][0].update(platformFee=720, providerEarnings=8280)
    assert result(snap, "money-adds-up").ok


def test_split_is_judged_against_stripe_once_the_refund_could_be_known():
    snap = healthy()
    snap.stripe_objects["ch_1"].update(amount_refunded=3000)
    snap.stripe_events.append(event("evt_2", "charge.refunded"))  # never processed, no reconciliation yet
    assert result(snap, "money-adds-up").ok  # the booking's own amountRefunded (none) is what it knows
    snap.tables["Booking"][0]["amountRefunded"] = 3000  # ... yet its own record must add up
    assert "amount 12000 − refunds 3000 (the booking) = 9000" in result(snap, "money-adds-up").detail
    del snap.tables["Booking"][0]["amountRefunded"]
    snap.reconciliations = [NOW - timedelta(hours=1)]  # reconciliation ran after the refund: judged
    assert "amount 12000 − refunds 3000 (Stripe) = 9000" in result(snap, "money-adds-up").detail


def test_fee_refunds_must_be_proportional():
    snap = healthy()
    snap.stripe_objects["ch_1"]["amount_refunded"] = 6000
    snap.stripe_objects["fee_1"].update(amount_refunded=960, refunds={"data": [{}]})
    r = result(snap, "money-adds-up")
    assert not r.ok and "proportional share" in r.detail
    snap.stripe_objects["fee_1"]["amount_refunded"] = 480
    snap.tables["Booking"][0].update(platformFee=480, providerEarnings=5520)
    assert result(snap, "money-adds-up").ok


def test_illegal_transitions():
    snap = healthy()
    snap.status_history["b1"] = ["pending", "cancelled", "confirmed"]
    r = result(snap, "legal-booking-transitions")
    assert not r.ok and "illegal transition cancelled → confirmed" in r.detail
    snap.status_history["b1"] = ["pending", "confirmed", "completed"]
    assert result(snap, "legal-booking-transitions").ok


def test_domain_event_once_per_transition():
    snap = healthy()
    snap.bus_events.append(BusEvent("marketplace.booking", "Booking Confirmed", {"bookingId": "b1"}))
    r = result(snap, "domain-event-once-per-transition")
    assert not r.ok and "published 2 times for 1 transition" in r.detail
    snap = healthy()
    snap.bus_events = []
    r = result(snap, "domain-event-once-per-transition")
    assert not r.ok and "became confirmed but 'Booking Confirmed' was never published" in r.detail


def test_domain_event_owed_by_a_retryable_outbox_is_pending_not_missing():
    # charge.succeeded confirmed b1, then PutEvents failed: the FAILED record's effects owe the event
    snap = healthy()
    snap.bus_events = []
    effect = {"from": {"status": "pending"}, "to": {"status": "confirmed"}, "changed": True}
    snap.tables["ProcessedWebhooks"] = [{"eventId": "evt_1", "status": "FAILED", "retryCount": 2,
                                         "effects": {"booking:b1": effect}}]
    assert result(snap, "domain-event-once-per-transition").ok
    # at the retry limit no one retries it, and a COMPLETED record owes nothing: the event is lost
    # Stripe's failed deliveries (retryCount) do not spend the reconciliation's retries: still owed
    snap.tables["ProcessedWebhooks"][0].update({"retryCount": 5, "reconciliationRetries": 2})
    assert result(snap, "domain-event-once-per-transition").ok
    for rec in ({"status": "FAILED", "retryCount": 5, "reconciliationRetries": 3},
                {"status": "COMPLETED", "retryCount": 0},
                {"status": "COMPLETED", "retryCount": 4, "publishPending": True},
                {"status": "FAILED", "retryCount": 4, "reconciliationRetries": 3, "publishPending": "yes"}):
        snap.tables["ProcessedWebhooks"][0].update(rec)
        r = result(snap, "domain-event-once-per-transition")
        assert not r.ok and "'Booking Confirmed' was never published" in r.detail
    # past the limit, a FAILED record that owes only domain events (publishPending) is still retried
    snap.tables["ProcessedWebhooks"][0].update({"status": "FAILED", "retryCount": 4, "publishPending": True})
    assert result(snap, "domain-event-once-per-transition").ok
    # a pending outbox marker on the booking owes it too; a marker for another event does not
    snap.tables["ProcessedWebhooks"] = []
    snap.tables["Booking"][0]["statusEventPending"] = {"id": "bev_1", "detailType": "Booking Confirmed"}
    assert result(snap, "domain-event-once-per-transition").ok
    snap.tables["Booking"][0]["statusEventPending"]["detailType"] = "Booking Cancelled"
    assert not result(snap, "domain-event-once-per-transition").ok


def test_execution_running_past_timeout():
    snap = healthy()
    snap.executions = [Execution("arn:aws:states:x:execution:m:e1", "m", "RUNNING", start=NOW - timedelta(hours=1),
                                 timeout_s=900)]
    r = result(snap, "no-execution-past-timeout")
    assert not r.ok and "e1 (m) RUNNING" in r.detail
    snap.executions[0].status = "TIMED_OUT"
    assert result(snap, "no-execution-past-timeout").ok


def _reconciliation_trace(start, status: str, exhausted: bool = False, request_id: str = "req-3") -> list[dict]:
    def rec(kind, t, **details):
        return {"component": "lambda", "kind": kind, "t": t.isoformat(),
                "details": {"function": "webhook-reconciliation", "requestId": request_id, **details}}
    out = [rec("invoke.start", start), rec("invoke.end", start + timedelta(seconds=5), status=status)]
    return out + ([rec("async.exhausted", start + timedelta(seconds=5))] if exhausted else [])


def _stale(snap, started, timeout_s=120):
    snap.lock_timeout_s = timeout_s
    snap.tables["ProcessedWebhooks"].append({"eventId": "evt_9", "status": "PROCESSING",
                                             "processingStartedAt": int(started.timestamp() * 1000)})
    return snap


def test_a_stale_lock_is_a_defect_once_a_succeeded_reconciliation_run_started_after_it_expired():
    started = NOW - timedelta(hours=2)
    snap = _stale(healthy(), started)
    assert result(snap, "no-stale-processing-lock").ok  # expired, but nothing has had to take it over yet
    snap.trace = _reconciliation_trace(started + timedelta(minutes=1), "succeeded")
    assert result(snap, "no-stale-processing-lock").ok  # that run started before the lock expired
    snap.trace += _reconciliation_trace(started + timedelta(minutes=30), "succeeded", request_id="req-4")
    r = result(snap, "no-stale-processing-lock")
    assert not r.ok and "evt_9: PROCESSING since" in r.detail
    assert f"still after the webhook-reconciliation run of {(started + timedelta(minutes=30)).isoformat()}" in r.detail
    snap.lock_timeout_s = 3600
    assert result(snap, "no-stale-processing-lock").ok  # not expired when that run started


def test_a_stale_lock_after_a_night_whose_every_reconciliation_attempt_failed_is_no_defect_by_itself():
    started = NOW - timedelta(hours=2)
    for status in ("crashed", "timeout", "failed"):
        snap = _stale(healthy(), started)
        snap.trace = [r for n in range(3) for r in _reconciliation_trace(
            started + timedelta(minutes=10 + n), status, exhausted=n == 2, request_id=f"req-{n}")]
        assert result(snap, "no-stale-processing-lock").ok, status
        snap.trace += _reconciliation_trace(NOW - timedelta(minutes=1), "succeeded", request_id="req-9")
        assert not result(snap, "no-stale-processing-lock").ok, status  # a later run succeeded: it had to


def test_a_stale_lock_is_a_defect_once_stripe_saw_a_delivery_of_its_event_succeed_after_it_expired():
    started = NOW - timedelta(hours=2)
    snap = _stale(healthy(), started)

    def delivered(eid, t):
        return {"component": "stripe", "kind": "webhook.attempt", "t": t.isoformat(),
                "details": {"event_id": eid, "outcome": "succeeded", "status": 200}}
    snap.trace = [delivered("evt_9", started - timedelta(minutes=5)), delivered("evt_1", NOW)]
    assert result(snap, "no-stale-processing-lock").ok  # before the lock was taken; another event
    snap.trace.append(delivered("evt_9", started + timedelta(hours=1)))
    r = result(snap, "no-stale-processing-lock")
    assert not r.ok and "still after Stripe's delivery (2xx) at" in r.detail


def test_only_the_handlers_vocabulary_is_accepted():
    snap = healthy()
    snap.tables["Booking"][0]["paymentStatus"] = "paid"  # no handler writes "paid"
    assert not result(snap, "payment-status-agrees-with-stripe").ok
    snap = healthy()
    snap.status_history["b1"] = ["pending", "in_progress"]
    assert "unknown status 'in_progress'" in result(snap, "legal-booking-transitions").detail


def test_end_only_invariants_are_marked():
    assert oracle.END_ONLY == {"no-event-lost-after-reconciliation", "no-stale-processing-lock", "failures-alerted"}


def test_a_crashing_check_is_a_failed_check():
    snap = healthy()
    snap.tables["Booking"][0]["amount"] = object()
    assert all(isinstance(r.ok, bool) for r in oracle.check(snap))


def test_consumer_effect_once_catches_each_consumer():
    snap = healthy()
    start = NOW - timedelta(hours=1)
    snap.executions = [Execution(f"arn:aws:states:x:execution:ecosystem-payment-processing:e{n}",
                                 "ecosystem-payment-processing", "SUCCEEDED", start=start, stop=start,
                                 input={"paymentType": "PAYOUT", "bookingId": "b1", "trigger": "eventbridge"})
                       for n in range(2)]
    r = result(snap, "consumer-effect-once")
    assert not r.ok and "booking b1: 2 payment-processing executions started from the bus" in r.detail
    snap = healthy()
    snap.tables["Notification"] = [{"id": f"n{n}", "userId": "c1", "channel": "email", "dedupKey": "K"}
                                   for n in range(2)]
    assert "notification K to c1 (email) recorded 2 times" in result(snap, "consumer-effect-once").detail
    snap = healthy()
    snap.tables["Payout"] = [{"id": f"po_{n}", "status": "paid", "bookingIds": ["b1"]} for n in range(2)]
    assert "booking b1: in 2 live payouts (po_0, po_1)" in result(snap, "consumer-effect-once").detail
    snap.tables["Payout"][1]["status"] = "failed"  # the failed one came back: paid once
    assert result(snap, "consumer-effect-once").ok


def test_payout_within_stripe_balance_is_judged_when_each_payout_was_made():
    snap = healthy()
    snap.stripe_objects["ch_1"]["created"] = T0
    snap.stripe_owners = {"ch_1": "acct_1", "po_1": "acct_1", "po_2": "acct_1", "re_1": "acct_1"}
    snap.stripe_objects["fee_1"]["account"] = "acct_1"
    snap.stripe_objects["po_1"] = {"id": "po_1", "object": "payout", "status": "paid", "amount": 11040,
                                   "created": T0 + 60}
    assert result(snap, "payout-within-stripe-balance").ok  # 12000 − 960 allowed
    snap.stripe_objects["po_2"] = {"id": "po_2", "object": "payout", "status": "in_transit", "amount": 100,
                                   "created": T0 + 120}
    r = result(snap, "payout-within-stripe-balance")
    assert not r.ok and "payout po_2 of 100 when its earnings allowed 0" in r.detail
    snap.stripe_objects["po_2"]["status"] = "failed"
    assert result(snap, "payout-within-stripe-balance").ok
    # a refund before the payout lowers what it may be; one after it does not make it wrong
    snap.stripe_objects["re_1"] = {"id": "re_1", "object": "refund", "status": "succeeded", "amount": 3000,
                                   "created": T0 + 30}
    assert "payout po_1 of 11040 when its earnings allowed 8040" in result(snap, "payout-within-stripe-balance").detail
    snap.stripe_objects["re_1"]["created"] = T0 + 90
    assert result(snap, "payout-within-stripe-balance").ok


def test_failures_alerted_needs_the_alert_on_the_right_topic():
    snap = healthy()
    arn = "arn:aws:states:x:execution:ecosystem-provider-onboarding:e1"
    snap.executions = [Execution(arn, "ecosystem-provider-onboarding", "FAILED", start=NOW, stop=NOW)]
    r = result(snap, "failures-alerted")
    assert not r.ok and "e1 (ecosystem-provider-onboarding) ended FAILED, no critical alert" in r.detail
    snap.sns_messages = [{"topic": "arn:aws:sns:x:1:webhook-reconciliation-alerts", "message": arn}]
    assert not result(snap, "failures-alerted").ok  # the wrong topic
    snap.sns_messages = [{"topic": "arn:aws:sns:x:1:critical-system-alerts", "message": f"ended FAILED {arn}"}]
    assert result(snap, "failures-alerted").ok
    # FAILED after Stripe's deliveries only: the reconciliation still retries it, no alert owed
    snap.tables["ProcessedWebhooks"].append({"eventId": "evt_9", "status": "FAILED", "retryCount": 3})
    assert result(snap, "failures-alerted").ok
    snap.tables["ProcessedWebhooks"][-1].update({"retryCount": 5, "reconciliationRetries": 3})
    assert "evt_9 FAILED at the retry limit (3), no reconciliation alert" in result(snap, "failures-alerted").detail
    snap.sns_messages.append({"topic": "arn:aws:sns:x:1:webhook-reconciliation-alerts", "message": "evt_9"})
    assert result(snap, "failures-alerted").ok


def test_failures_alerted_needs_a_critical_alert_for_a_reconciliation_run_failed_on_every_retry():
    snap = healthy()
    snap.trace = [{"component": "lambda", "kind": "async.exhausted", "t": NOW,
                   "details": {"function": "webhook-reconciliation", "requestId": "req-7"}},
                  {"component": "lambda", "kind": "async.exhausted", "t": NOW,
                   "details": {"function": "notification-handler", "requestId": "req-8"}}]
    r = result(snap, "failures-alerted")
    assert not r.ok and r.detail == "reconciliation run req-7 failed on every retry, no critical alert"
    snap.sns_messages = [{"topic": "arn:aws:sns:x:1:webhook-reconciliation-alerts", "message": '{"requestId": "req-7"}'}]
    assert not result(snap, "failures-alerted").ok  # the wrong topic
    snap.sns_messages = [{"topic": "arn:aws:sns:x:1:critical-system-alerts", "message": '{"requestId": "req-7"}'}]
    assert result(snap, "failures-alerted").ok
