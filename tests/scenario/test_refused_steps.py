"""`book` / `cancel` with `expect_error: "*"` (what `sim explore` writes): a booking the marketplace
refuses (Stripe down while booking-processor sets the payment up) names nothing, the steps that
need it are skipped, the others run and the oracle judges the story; without "*" a refusal still
fails the step, and an expectation on a refused booking fails."""

from sim.scenario.loader import parse_scenario
from sim.scenario.runner import run_scenario

STORY = """name: refused booking
tags: [explore]
seed: 5
faults:
  - stripe_api: {status: 503, path: "/v1/payment_intents*", times: 1}
steps:
  - book: {id: b1, amount: 5000, expect_error: "*"}
  - stripe: {pay: b1}
  - appsync: {field: sendMessage, identity: c0, arguments: {bookingId: "{{b1}}", content: hi}}
  - cancel: {booking: b1, expect_error: "*"}
  - book: {id: b2, amount: 6000, expect_error: "*"}
  - stripe: {pay: b2}
  - advance: 5m
  - cancel: {booking: b2, expect_error: "*"}
  - advance: 5m
expect:
  booking.b2: {status: cancelled}
  bus: {Booking Cancelled: 1}
"""


def run(text: str):
    return run_scenario(parse_scenario(text, "scenarios/x.yaml"))


def test_a_refused_booking_skips_the_steps_that_need_it_and_the_story_is_judged():
    result = run(STORY)
    assert result.status == "passed", [f.message for f in result.failures]
    assert result.steps_skipped == 3 and result.steps_run == 6
    (refusal,) = result.refused
    assert refusal.startswith("book b1: PaymentError")
    assert result.invariants and all(i["ok"] for i in result.invariants)


def test_without_either_answer_a_refusal_still_fails_the_step():
    result = run(STORY.replace('{id: b1, amount: 5000, expect_error: "*"}', "{id: b1, amount: 5000}"))
    (step,) = [f for f in result.failures if f.kind == "step"]
    assert "PaymentError" in step.message and result.steps_run == 0


def test_an_expectation_on_a_refused_booking_fails():
    result = run(STORY.replace("booking.b2: {status: cancelled}", "booking.b1: {status: cancelled}"))
    assert result.status == "failed"
    assert any("booking b1 was refused" in f.message for f in result.failures)
