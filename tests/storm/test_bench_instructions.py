"""The storm bench's instruction counts (`bench/instructions.py`): valgrind's summary is read as
it prints it, a failed run is an error, and the ratios are differences over deliveries."""

import shutil
import sys

import pytest

from bench import instructions, storm_bench

REPORT = """==19342== Cachegrind, a high-precision tracing profiler
==19342== Collected : 9307369972
==19342==
==19342== I   refs:      9,307,369,972
"""


def test_the_count_is_read_from_valgrinds_summary():
    assert instructions.refs(REPORT) == 9_307_369_972


def test_a_report_without_a_count_is_an_error():
    with pytest.raises(RuntimeError, match="no instruction count"):
        instructions.refs("==1== valgrind: fatal error\n")


def test_the_ratios_are_differences_over_deliveries(monkeypatch):
    monkeypatch.setattr(storm_bench, "bare_put_instructions", lambda: 6e6)
    figures = {2: {"deliveries": 17, "instructions": 9e9}, 10: {"deliveries": 117, "instructions": 13e9}}
    monkeypatch.setattr(storm_bench, "storm_instructions", lambda bookings: figures[bookings])
    bare, delivery = storm_bench.instruction_rows(((2, 10),))
    assert bare["value"] == 6.0 and delivery["value"] == 40.0 and delivery["ratio"] == pytest.approx(40 / 6)


def test_a_baseline_run_with_the_harness_speedups_is_refused(monkeypatch):
    monkeypatch.setattr(instructions, "count", lambda cmd, cwd: (1, '{"put_s": 0.001, "speedups": ["x"]}\n'))
    with pytest.raises(RuntimeError, match="speed-ups"):
        storm_bench.bare_put_instructions()


@pytest.mark.skipif(shutil.which("valgrind") is None, reason="valgrind is not installed")
def test_a_command_is_counted_and_a_failing_one_is_an_error(tmp_path):
    n, out = instructions.count([sys.executable, "-c", "print('hi')"], cwd=tmp_path)
    assert n > 1_000_000 and out == "hi\n"
    with pytest.raises(RuntimeError, match="exited 3"):
        instructions.count([sys.executable, "-c", "raise SystemExit(3)"], cwd=tmp_path)
