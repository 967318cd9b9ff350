"""`sim explore` benchmark: runs per minute per core (all fault kinds, seed 1), against a baseline
measured in the same run — the same number of minimal stories (one booking, paid); and
runs-to-find for each mutant from seed 1 (at most 60 runs, with the mutant's fault kinds)."""

from __future__ import annotations

import time

RUNS = 8
MAX_RUNS = 60
RECIPES = {  # mutant → (--faults, the invariant(s) that must see it, `|`-separated)
    "fee-rounding": ("none", "money-adds-up"),
    "precedence-inverted": ("none", "payment-status-agrees-with-stripe"),
    "refund-without-dedup": ("none", "stripe-event-applied-once|refund-records-match-stripe"),
    "reconciliation-skips-failed": ("aws", "no-event-lost-after-reconciliation"),
    "lock-timeout-short": ("duplicate,aws_latency", "stripe-event-applied-once"),
    "dedup-no-conditional-create": ("duplicate", "stripe-event-applied-once"),
}
MINIMAL = {"name": "minimal", "tags": ["bench"], "seed": 1, "world": {"customers": 1, "providers": 1, "services": 1},
           "steps": [{"book": {"id": "b0"}}, {"stripe": {"pay": "b0"}}, {"advance": "4h"}, {"until": "02:00"},
                     {"advance": "30m"}]}


def runs_to_find(mutant: str, faults: str, invariant: str, max_runs: int = MAX_RUNS) -> int | None:
    from sim.explore.kinds import parse_kinds
    from sim.explore.search import search_run

    kinds = parse_kinds(faults)
    wanted = set(invariant.split("|"))
    for i in range(max_runs):
        o = search_run(i, seed=1, kinds=kinds, mutant=mutant)
        if o.invariant in wanted or wanted & set(o.also):
            return i + 1
    return None


def run() -> list[dict]:
    from sim.explore.execute import judge
    from sim.explore.kinds import available
    from sim.explore.search import search_run

    judge(MINIMAL)  # warm imports and the first world
    t0 = time.perf_counter()
    for _ in range(RUNS):
        judge(MINIMAL)
    baseline = RUNS / (time.perf_counter() - t0) * 60
    kinds = available()
    t0 = time.perf_counter()
    for i in range(RUNS):
        search_run(i, seed=1, kinds=kinds)
    per_min = RUNS / (time.perf_counter() - t0) * 60
    rows = [{"name": f"explore runs per minute per core ({RUNS} runs, all fault kinds)", "value": per_min,
             "unit": "runs/min", "baseline": baseline, "ratio": per_min / baseline,
             "target": "baseline: minimal stories (1 booking, paid) per minute"}]
    for mutant, (faults, invariant) in RECIPES.items():
        n = runs_to_find(mutant, faults, invariant)
        rows.append({"name": f"runs to find mutant {mutant} (--faults {faults})", "value": n if n else f">{MAX_RUNS}",
                     "unit": "runs", "target": f"<= {MAX_RUNS}" + ("" if n else " (survived: docs/explore.md, tests/explore/test_survived_mutants.py)")})
    return rows
