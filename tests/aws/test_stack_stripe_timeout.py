"""Every function that calls Stripe gets a stripe SDK network timeout well below its Lambda timeout."""

from __future__ import annotations

from sim.aws.stack import marketplace_stack, stripe_timeout


def test_every_stripe_caller_times_out_before_its_lambda():
    stack = marketplace_stack()
    callers = [fn for fn in stack.functions if "STRIPE_SECRET_KEY" in fn.env]
    assert {fn.name for fn in callers} >= {"booking-processor", "refund-processor", "webhook-reconciliation"}
    for fn in callers:
        seconds = float(fn.env["STRIPE_TIMEOUT_SECONDS"])
        assert 0 < seconds * 2 < fn.timeout, fn.name  # two calls that never answer still fail cleanly


def test_the_timeout_is_a_third_of_the_function_capped():
    assert (stripe_timeout(30), stripe_timeout(60), stripe_timeout(300), stripe_timeout(2)) == (10, 10, 10, 1)
