"""Same seed, same trace hash (and a different run seed gives a different world)."""

from pathlib import Path

import pytest

from sim.scenario.runner import run_scenario

ROOT = Path(__file__).resolve().parents[2]
SAMPLES = ["duplicate-concurrent-3.yaml", "out-of-order-refund-before-success.yaml"]


@pytest.mark.parametrize("name", SAMPLES)
def test_same_seed_same_trace_hash(name):
    path = ROOT / "scenarios" / name
    first = run_scenario(path, run_seed=5)
    second = run_scenario(path, run_seed=5)
    assert first.trace_hash and first.trace_hash == second.trace_hash
    assert [i["ok"] for i in first.invariants] == [i["ok"] for i in second.invariants]
    other = run_scenario(path, run_seed=6)
    assert other.seed != first.seed and other.trace_hash != first.trace_hash
