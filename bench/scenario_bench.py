"""Scenario library benchmark: the whole library's wall time on 2 processes (aim: under 60 s) and
the median wall time per scenario, against an empty scenario (a world built, nothing played)
measured in the same run."""

from __future__ import annotations

import statistics
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
EMPTY = """name: empty world
tags: [bench]
steps:
  - note: nothing happens
"""


def run() -> list[dict]:
    from sim.scenario.discover import find
    from sim.scenario.runner import run_many, run_scenario

    files = find([str(ROOT / "scenarios")])
    with tempfile.TemporaryDirectory() as tmp:
        empty = Path(tmp) / "empty.yaml"
        empty.write_text(EMPTY)
        run_scenario(empty)  # warm imports and the first world
        baseline = statistics.median(run_scenario(empty).wall_s for _ in range(3))
    t0 = time.perf_counter()
    results = run_many(files, jobs=2, run_seed=1)
    library = time.perf_counter() - t0
    median = statistics.median(r.wall_s for r in results)
    passed = sum(r.passed for r in results)
    return [
        {"name": f"library wall, 2 processes ({len(results)} scenarios, {passed} passed)", "value": library,
         "unit": "s", "baseline": 60.0, "ratio": library / 60.0, "target": "< 60 s (ratio < 1)"},
        {"name": "median wall per scenario", "value": median, "unit": "s", "baseline": baseline,
         "ratio": median / baseline if baseline else None, "target": "baseline: an empty scenario's world"},
    ]


if __name__ == "__main__":
    for row in run():
        print(row)
