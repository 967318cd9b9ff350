"""The proof: each mutant is found by the search and shrunk to a small scenario file that fails on
the mutant and passes on the real handlers. Seeds are ones known to find the mutant in their
first runs (make bench measures runs-to-find from seed 1); the shrink budget is kept small."""

import pytest

from sim.explore.findings import write_finding
from sim.explore.kinds import parse_kinds
from sim.explore.mutants import active
from sim.explore.search import search_run, shrink_run
from sim.scenario.runner import run_scenario

CASES = [  # mutant, --faults, seed, run index, the invariant that sees it
    ("fee-rounding", "none", 7, 0, "money-adds-up"),
    ("precedence-inverted", "none", 7, 0, "payment-status-agrees-with-stripe"),
    ("refund-without-dedup", "none", 61, 0, "stripe-event-applied-once"),
    ("reconciliation-skips-failed", "aws", 11, 1, "no-event-lost-after-reconciliation"),
]


@pytest.mark.parametrize("mutant,faults,seed,index,invariant", CASES, ids=[case[0] for case in CASES])
def test_the_search_finds_the_mutant_and_shrinks_it(tmp_path, mutant, faults, seed, index, invariant):
    kinds = parse_kinds(faults)
    outcome = search_run(index, seed=seed, kinds=kinds, mutant=mutant)
    assert outcome.invariant == invariant, outcome
    finding = shrink_run(outcome, seed=seed, kinds=kinds, budget=30, mutant=mutant)
    assert finding.shrunk and finding.invariant == invariant
    assert finding.steps <= 12 and finding.steps <= outcome.steps
    path = write_finding(finding, tmp_path, seed=seed)
    assert path.name == f"{invariant}-{outcome.seed}.yaml"
    with active(mutant):
        on_mutant = run_scenario(path)          # `sim run FILE` with the mutant: fails the same way
    assert invariant in [i["name"] for i in on_mutant.broken], on_mutant.invariants
    real = run_scenario(path)                   # ... and passes on the real handlers
    assert real.passed, (real.broken, real.failures)


def test_an_unknown_mutant_is_refused():
    with pytest.raises(KeyError, match="unknown mutant"):
        with active("no-such-mutant"):
            pass
