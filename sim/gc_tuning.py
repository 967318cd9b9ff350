"""The garbage collector's thresholds for the harness's long runs (the `sim` command).

CPython collects its youngest generation after every 700 net allocations of container objects.
A storm allocates millions (moto's items, botocore's and the stripe SDK's dicts, trace records)
while its live heap only grows, so in a 100-booking storm the collector ran ~1,900 times and its
full collections walked the whole heap again and again: ~9 % of the storm's CPU
(`gc.callbacks`-timed). With the youngest generation's threshold at 7,000 the same storm
collects ~8× less often and spends ~0.8 s instead of ~1.7 s in the collector, for a few MiB more
of garbage waiting at any moment.

Only *when* unreachable cycles are freed changes; nothing the harness records depends on it (the
trace hash is the same, `tests/kernel/test_gc_tuning.py`). `SIM_GC_THRESHOLD` sets the youngest
threshold (`700` is CPython's default; `0` leaves the collector as it was).
"""

from __future__ import annotations

import gc
import os

from sim.errors import InputError

ENV = "SIM_GC_THRESHOLD"
YOUNGEST = 7_000


def configure() -> tuple[int, int, int]:
    """Set the thresholds for a long run (idempotent); the thresholds now in force."""
    raw = os.environ.get(ENV, "").strip()
    if raw and not raw.isdigit():
        raise InputError(f"expected a whole number of allocations, got {raw!r}: set it to e.g. {YOUNGEST} "
                         f"(CPython's default is 700; 0 leaves the collector alone) or unset it",
                         where="environment", field=ENV)
    youngest = int(raw) if raw else YOUNGEST
    if youngest > 0:
        _, older, oldest = gc.get_threshold()
        gc.set_threshold(youngest, older, oldest)
    return gc.get_threshold()
