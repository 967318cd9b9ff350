"""`sim.gc_tuning`: the `sim` command raises the collector's youngest threshold (or leaves it, or
refuses a bad value), and a run's trace hash does not depend on the thresholds."""

from __future__ import annotations

import gc
from pathlib import Path

import pytest

from sim import gc_tuning
from sim.cli import main
from sim.errors import InputError
from sim.scenario.runner import run_scenario

SCENARIO = Path(__file__).resolve().parents[2] / "scenarios" / "happy-payment.yaml"


@pytest.fixture
def thresholds():
    was = gc.get_threshold()
    yield
    gc.set_threshold(*was)


def test_the_youngest_threshold_is_raised_set_or_left(thresholds, monkeypatch):
    gc.set_threshold(700, 10, 10)
    monkeypatch.delenv(gc_tuning.ENV, raising=False)
    assert gc_tuning.configure() == (gc_tuning.YOUNGEST, 10, 10)
    monkeypatch.setenv(gc_tuning.ENV, "1234")
    assert gc_tuning.configure() == (1234, 10, 10)
    gc.set_threshold(700, 10, 10)
    monkeypatch.setenv(gc_tuning.ENV, "0")
    assert gc_tuning.configure() == (700, 10, 10)


def test_a_bad_value_is_refused_by_name_and_the_collector_is_untouched(thresholds, monkeypatch, capsys):
    gc.set_threshold(700, 10, 10)
    monkeypatch.setenv(gc_tuning.ENV, "lots")
    with pytest.raises(InputError, match="environment: SIM_GC_THRESHOLD: expected a whole number"):
        gc_tuning.configure()
    assert main(["version"]) == 2 and "SIM_GC_THRESHOLD" in capsys.readouterr().err
    assert gc.get_threshold() == (700, 10, 10)


def test_the_trace_hash_does_not_depend_on_the_thresholds(thresholds):
    hashes = set()
    for youngest in (1, 700, 100_000):
        gc.set_threshold(youngest, 10, 10)
        hashes.add(run_scenario(SCENARIO).trace_hash)
    assert len(hashes) == 1
