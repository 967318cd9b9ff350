"""The `stripe: {payout}` step against the fake Stripe's balance check: `share` pays a percentage of
what the provider's balance allows (nothing allowed: no payout), `amount` above it fails the step."""

from sim.scenario.loader import parse_scenario
from sim.scenario.runner import run_scenario

STORY = """name: payout step
tags: [payout]
seed: 5
world: {customers: 1, providers: 1, services: 1}
steps:
  - stripe: {payout: 0, share: 100}
  - book: {id: b1, amount: 12000}
  - stripe: {pay: b1}
  - stripe: {payout: 0, share: 50}
  - advance: 5m
expect:
  stripe: {events: {payout.paid: 1}}
  table.Payout: {count: 1, items: [{amount: 5520}]}
  booking.b1: {payoutStatus: unpaid}
"""


def run(text: str):
    return run_scenario(parse_scenario(text, "scenarios/x.yaml"))


def test_share_pays_part_of_the_balance_and_nothing_when_it_allows_nothing():
    """Nothing earned: no payout; then half of 11040 at Stripe, so the payment workflow's 11040 no
    longer fits and the booking is held unpaid."""
    result = run(STORY)
    assert result.status == "passed", [f.message for f in result.failures]


def test_an_amount_above_the_balance_fails_the_step():
    result = run(STORY.replace("{payout: 0, share: 50}", "{payout: 0, amount: 11041}"))
    (step,) = [f.message for f in result.failures if f.kind == "step"]
    assert "balance_insufficient" in step and "allows 11040, not 11041" in step
