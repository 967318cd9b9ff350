"""Every speed-up changes nothing observable: the same trace hash (and the same invariant
results) with the fast paths on and off, and with the trace spooled to disk or kept in memory."""

import pytest
import yaml

from sim.scenario.runner import run_scenario
from sim.storm import storm_scenario

SCENARIOS = ["scenarios/happy-payment.yaml", "scenarios/duplicate-concurrent-3.yaml",
             "scenarios/throttling-dedup-table.yaml", "scenarios/crash-mid-processing.yaml",
             "scenarios/reconciliation-failed-retry.yaml"]


def _outcome(path, **world_options):
    result = run_scenario(path, run_seed=3, world_options=world_options)
    assert not result.failures, result.failures
    return result.trace_hash, [(i["name"], i["ok"], i["detail"]) for i in result.invariants], result.stats


@pytest.mark.parametrize("path", SCENARIOS)
def test_fast_paths_change_no_trace_hash(path):
    fast = _outcome(path, fast_paths=True)
    assert fast == _outcome(path, fast_paths=False)


@pytest.fixture(scope="module")
def storm_file(tmp_path_factory):
    path = tmp_path_factory.mktemp("storm") / "storm.yaml"
    path.write_text(yaml.safe_dump(storm_scenario(bookings=3, seed=11)), encoding="utf-8")
    return str(path)


def test_a_small_storm_has_the_same_hash_with_and_without_fast_paths(storm_file):
    assert _outcome(storm_file, fast_paths=True) == _outcome(storm_file, fast_paths=False)


def test_a_spooled_trace_has_the_same_hash_and_the_oracle_the_same_verdicts(storm_file):
    assert _outcome(storm_file, trace_spool=True) == _outcome(storm_file, trace_spool=False)


def test_storm_mode_bounded_logs_change_no_hash_and_no_verdict(storm_file):
    assert _outcome(storm_file, trace_spool=True, log_limit=20) == _outcome(storm_file)


def test_the_switch_really_switches(monkeypatch):
    from sim.aws import fastpath
    from sim.world import World

    monkeypatch.setenv(fastpath.ENV_SWITCH, "0")
    with World(seed=1, stripe=False) as w:
        w.client("dynamodb").list_tables()
        w.table_items("Booking")
        assert w.fastpath.answered == 0
        assert not any(speedup.installed() for speedup in fastpath.speedups())
    monkeypatch.delenv(fastpath.ENV_SWITCH)
    with World(seed=1, stripe=False) as w:
        w.table_items("Booking")
        assert w.fastpath.answered == 1
        assert all(speedup.installed() for speedup in fastpath.speedups())
