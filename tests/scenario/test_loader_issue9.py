"""The scenario-language additions of issue 9: each refuses bad input with file:line: field."""

import pytest

from sim.scenario.errors import ScenarioError
from sim.scenario.loader import parse_scenario

HEADER = """name: a test scenario
tags: [x]
steps:
  - book: {id: b1}
  - stripe: {pay: b1, as: paid}
"""


def error_of(text: str) -> str:
    with pytest.raises(ScenarioError) as info:
        parse_scenario(text, "scenarios/x.yaml")
    return str(info.value)


def test_an_empty_matcher_is_refused_with_its_line():
    err = error_of(HEADER + "expect:\n  booking.b1: {paymentStatus: {}}\n")
    assert err.startswith('scenarios/x.yaml:7: expect["booking.b1"].paymentStatus: an empty matcher checks nothing')


def test_broken_invariants_must_name_real_invariants_once():
    err = error_of(HEADER + "broken_invariants:\n  - {name: money-adds-upp, reason: x}\n")
    assert "scenarios/x.yaml:7: broken_invariants[0].name: no invariant 'money-adds-upp'" in err
    err = error_of(HEADER + "broken_invariants:\n  - {name: money-adds-up, reason: x}\n"
                            "  - {name: money-adds-up, reason: y}\n")
    assert "broken_invariants[1].name: 'money-adds-up' is declared twice" in err
    assert "reason" in error_of(HEADER + "broken_invariants:\n  - {name: money-adds-up}\n")


def test_concurrently_refuses_steps_that_move_time():
    err = error_of(HEADER + "  - concurrently:\n      - advance: 1m\n      - cancel: {booking: b1}\n")
    assert "scenarios/x.yaml:7: steps[2].concurrently[0].advance: advance cannot run concurrently" in err
    assert "scenarios/x.yaml:6: steps[2].concurrently: expected at least 2 items, got 1" in \
        error_of(HEADER + "  - concurrently:\n      - cancel: {booking: b1}\n")
    err = error_of(HEADER + "  - concurrently:\n      - cancel: {booking: nope}\n      - cancel: {booking: b1}\n")
    assert 'steps[2].concurrently[0].cancel.booking: "nope" is not defined' in err


def test_stripe_api_fault_needs_a_known_status_and_a_duration():
    err = error_of(HEADER + "  - fault: {stripe_api: {status: 404, for: 1h}}\n")
    assert "scenarios/x.yaml:6: steps[2].fault.stripe_api.status" in err
    err = error_of(HEADER + "  - fault: {stripe_api: {status: 500}}\n")
    assert 'steps[2].fault.stripe_api: say how long: "for", "until" or "times"' in err


def test_stripe_step_names_other_events_without_clashes():
    err = error_of(HEADER + "  - stripe: {refund: b1, name: {charge.refunded: paid}}\n")
    assert 'scenarios/x.yaml:6: steps[2].stripe.name["charge.refunded"]: "paid" is already defined' in err


def test_github_and_shopify_deliveries_are_checked():
    err = error_of(HEADER + "  - deliver: {github: {event: push}, signature: stale}\n")
    assert "steps[2].deliver.signature: a GitHub or Shopify webhook's signature is valid, bad or missing" in err
    err = error_of(HEADER + "  - deliver: {shopify: {topic: x}}\n")
    assert "scenarios/x.yaml:6: steps[2].deliver.shopify" in err


def test_expect_response_and_task_delay_load():
    s = parse_scenario(HEADER + "  - cancel: {booking: b1, expect_response: {refundRequired: true}}\n"
                                "  - fault: {task: {workflow: payment-processing, state: ProcessPayout, delay: 20m}}\n"
                                "  - concurrently:\n      - cancel: {booking: b1}\n      - deliver: {pending: true}\n"
                                "expect:\n  bus: {\"marketplace.booking: *\": 1}\n", "x.yaml")
    assert [i.kind for i in s.steps][-1] == "concurrently"


def test_a_payout_takes_an_amount_or_a_share_of_the_balance():
    world = "world: {providers: 1}\n"
    text = HEADER.replace("steps:", world + "steps:")
    parse_scenario(text + "  - stripe: {payout: 0, share: 50}\n", "scenarios/x.yaml")
    assert 'scenarios/x.yaml:7: steps[2].stripe: payout needs "amount" or "share" (not both)' in \
        error_of(text + "  - stripe: {payout: 0, amount: 10, share: 50}\n")
    assert 'payout needs "amount" or "share"' in error_of(text + "  - stripe: {payout: 0}\n")
    assert "steps[2].stripe.share: refund takes no share (only payout does)" in \
        error_of(text + "  - stripe: {refund: b1, share: 50}\n")
    assert "steps[2].stripe.share" in error_of(text + "  - stripe: {payout: 0, share: 101}\n")


def test_stripe_api_timeout_and_applied():
    parse_scenario(HEADER + "  - fault: {stripe_api: {status: timeout, applied: true, path: /v1/refunds, times: 1}}\n",
                   "scenarios/x.yaml")
    err = error_of(HEADER + "  - fault: {stripe_api: {status: 500, applied: true, times: 1}}\n")
    assert "scenarios/x.yaml:6: steps[2].fault.stripe_api.applied: applied is for status: timeout" in err
    err = error_of(HEADER + "  - fault: {stripe_api: {status: slow, times: 1}}\n")
    assert "scenarios/x.yaml:6: steps[2].fault.stripe_api.status" in err
