"""The storm bench's baseline is bare moto: measured in a fresh process, never with the harness's
process-wide moto speed-ups installed (a world started earlier leaves them in), and with
CPython's collector thresholds, not `sim`'s."""

import json
import subprocess
import sys
from pathlib import Path

from bench import storm_bench

ROOT = Path(__file__).resolve().parents[2]


def test_the_baseline_is_measured_without_the_harness_speedups():
    assert storm_bench.bare_conditional_put_s(rounds=5, repeats=1) > 0


def test_a_world_started_first_would_be_seen_in_the_baseline():
    code = ("from sim.world import World\n"
            "with World(seed=1, stripe=False):\n    pass\n"
            "from bench.storm_bench import _bare_figures\nimport json\n"
            "print(json.dumps(_bare_figures(5, 1)))")
    out = subprocess.run([sys.executable, "-c", code], check=True, capture_output=True, text=True, cwd=ROOT)
    figures = json.loads(out.stdout.strip().splitlines()[-1])
    assert "sim.aws.moto_speedups" in figures["speedups"] and figures["put_s"] > 0


def test_sims_collector_thresholds_would_be_seen_in_the_baseline():
    code = ("from sim import gc_tuning\ngc_tuning.configure()\n"
            "from bench.storm_bench import _bare_figures\nimport json\n"
            "print(json.dumps(_bare_figures(5, 1)))")
    out = subprocess.run([sys.executable, "-c", code], check=True, capture_output=True, text=True, cwd=ROOT)
    figures = json.loads(out.stdout.strip().splitlines()[-1])
    assert figures["speedups"] == ["gc threshold 7000"]
