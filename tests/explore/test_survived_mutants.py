"""The two mutants no invariant sees, shown to be survived rather than missed.

`dedup-no-conditional-create` and `lock-timeout-short` (sim/explore/mutants.py) are live — the
mutation really changes what happens: concurrent copies of one event all *acquire* its lock, or a
holder still running is *taken over* — and yet every effect lands once, so the oracle is right to
pass the run (docs/explore.md, "Mutants", says why: every business write is a compare-and-set in
the same transaction as the record's effects entry, the reducers are idempotent, and a holder
taken over is fenced by its retryCount). Each test counts the lock outcomes stripe-webhook's dedup
returned, so a mutant that stopped doing anything (a silent no-op patch) fails here too.
"""

import collections
from unittest import mock

import pytest

from handlers.common.dedup import WebhookDeduplicationService
from sim.explore.mutants import active
from sim.scenario.runner import run_scenario

CONCURRENT_COPIES = """\
name: concurrent copies of each event
tags: [explore]
seed: 3
delivery: {mode: manual}
steps:
  - book: {id: b1, amount: 20000}
  - stripe: {pay: b1, as: paid}
  - deliver: {event: paid, copies: 3, concurrent: true}
  - advance: 1m
  - stripe: {refund: b1, amount: 5000, as: refunded}
  - deliver: {event: refunded, copies: 3, concurrent: true}
  - advance: 5m
expect:
  booking.b1: {paymentStatus: partially_refunded, amountRefunded: 5000}
  table.Refund: {count: 1}
"""

# the first holder waits 40 s on its first Booking call; the copy at +20 s finds its lock older than
# the mutant's 15 s timeout (but not the real 60 s) and takes it over while the holder still runs.
# On the mutant both holders publish "Payment Succeeded" (the bus sees it twice, with one
# domainEventId): the at-least-once delivery docs/handlers.md designs for; its consumers' effects
# (one payment-processing execution, one notification) stay single, which the oracle checks.
SLOW_HOLDER = """\
name: a slow holder and a copy twenty seconds later
tags: [explore]
seed: 3
delivery: {mode: manual}
faults:
  - aws: {call: "dynamodb.*", table: Booking, function: stripe-webhook, latency: 40s, times: 1}
steps:
  - book: {id: b1, amount: 20000}
  - stripe: {pay: b1, as: paid}
  - deliver: {event: paid, copies: 2, delay: 1s, spacing: 20s}
  - advance: 5m
  - deliver: {event: paid}
  - advance: 5m
expect:
  booking.b1: {paymentStatus: succeeded}
  table.Payout: {count: 1}
"""


def _play(tmp_path, text: str, mutant: str | None, run_seed: int):
    """Run the story (with `mutant` active) and count the dedup's outcomes per event id."""
    path = tmp_path / "story.yaml"
    path.write_text(text)
    outcomes: dict[str, collections.Counter] = collections.defaultdict(collections.Counter)
    acquire = WebhookDeduplicationService.acquire

    def spy(self, event_id, **kwargs):
        got = acquire(self, event_id, **kwargs)
        outcomes[event_id][str(got.outcome)] += 1
        return got

    with mock.patch.object(WebhookDeduplicationService, "acquire", spy), active(mutant):
        result = run_scenario(path, run_seed=run_seed)
    return result, outcomes


@pytest.mark.parametrize("run_seed", [1, 2, 3])
def test_dedup_without_conditional_create_is_live_and_survived(tmp_path, run_seed):
    result, outcomes = _play(tmp_path, CONCURRENT_COPIES, "dedup-no-conditional-create", run_seed)
    assert len(outcomes) == 2 and all(c["ACQUIRED"] >= 2 for c in outcomes.values()), outcomes  # live
    assert result.passed, (result.broken, result.failures)                                    # survived
    real, real_outcomes = _play(tmp_path, CONCURRENT_COPIES, None, run_seed)
    assert real.passed and all(c["ACQUIRED"] == 1 for c in real_outcomes.values()), real_outcomes


@pytest.mark.parametrize("run_seed", [1, 2, 3])
def test_short_lock_timeout_is_live_and_survived(tmp_path, run_seed):
    result, outcomes = _play(tmp_path, SLOW_HOLDER, "lock-timeout-short", run_seed)
    (counts,) = outcomes.values()
    assert counts["TAKEN_OVER"] >= 1 and counts["IN_PROGRESS"] == 0, counts  # live: a running holder taken over
    assert result.passed, (result.broken, result.failures)                   # survived: effects once
    real, real_outcomes = _play(tmp_path, SLOW_HOLDER, None, run_seed)
    (real_counts,) = real_outcomes.values()
    assert real.passed and real_counts["TAKEN_OVER"] == 0 and real_counts["IN_PROGRESS"] >= 1, real_counts
