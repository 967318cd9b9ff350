"""Drivers: who plays the runs — this process, a pool of processes, or a Ray cluster.

`explore(...)` is the whole exploration: the search phase plays runs 0, 1, 2, … (`runs` of them,
or as many as fit in `time_s`: submission stops at the deadline and the runs in flight finish, so
the runs played are always the prefix 0…n-1), then the shrink phase shrinks the violations in run
order (the first `shrink_max` of each invariant; later ones are kept as found). Every run and
every shrink is a pure function of (seed, index, kinds, mutant), so the findings are the same in
the same order whatever the driver and `jobs`; only wall time differs.
"""

from __future__ import annotations

import os
import time
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

from sim.explore.search import DEFAULT_SHRINK_BUDGET, Finding, RunOutcome, search_run, shrink_run, unshrunk

DEFAULT_SHRINK_MAX = 3


@dataclass
class Exploration:
    seed: int
    kinds: tuple[str, ...]
    outcomes: list[RunOutcome] = field(default_factory=list)   # by run index
    findings: list[Finding] = field(default_factory=list)      # by run index
    search_s: float = 0.0
    shrink_s: float = 0.0

    @property
    def runs(self) -> int:
        return len(self.outcomes)

    @property
    def cut_short(self) -> int:
        return sum(1 for o in self.outcomes if o.cut_short)

    @property
    def refused(self) -> int:
        """Runs in which the marketplace refused a booking or a cancel (judged all the same)."""
        return sum(1 for o in self.outcomes if o.refused)

    @property
    def skipped(self) -> int:
        """Steps skipped over all runs because they needed a refused booking."""
        return sum(o.skipped for o in self.outcomes)

    def kind_counts(self) -> dict[str, int]:
        counts = Counter(k for o in self.outcomes for k in o.kinds)
        return {k: counts.get(k, 0) for k in self.kinds}

    def invariant_counts(self) -> dict[str, int]:
        return dict(Counter(o.invariant for o in self.outcomes if o.invariant))


# -- executors: map a function over argument tuples, yielding (position, result) as they finish ----
class _Local:
    def __init__(self, jobs: int):
        self.jobs = jobs
        self._pool = None

    def __enter__(self):
        if self.jobs > 1:
            import multiprocessing
            from concurrent.futures import ProcessPoolExecutor

            self._pool = ProcessPoolExecutor(max_workers=self.jobs, mp_context=multiprocessing.get_context("spawn"))
        return self

    def __exit__(self, *exc):
        if self._pool is not None:
            self._pool.shutdown(cancel_futures=True)

    def imap(self, fn: Callable, calls: Iterator[tuple], window: int) -> Iterator[tuple[int, object]]:
        if self._pool is None:
            for pos, (args, kwargs) in enumerate(calls):
                yield pos, fn(*args, **kwargs)
            return
        from concurrent.futures import FIRST_COMPLETED, wait

        def wait_some(pending):
            done, _ = wait(pending, return_when=FIRST_COMPLETED)
            return [(fut, fut.result()) for fut in done]

        yield from _windowed(lambda args, kwargs: self._pool.submit(fn, *args, **kwargs), wait_some, calls, window)


class _Ray:
    def __init__(self, address: str, jobs: int):
        self.address = address
        self.jobs = jobs

    def __enter__(self):
        try:
            import ray
        except ImportError:
            from sim.errors import InputError

            raise InputError("Ray is not installed: pip install 'marketplace-sim[cluster]'", field="--ray") from None
        self.ray = ray
        if not ray.is_initialized():
            if self.address == "local":  # a Ray instance on this machine, its workers importing this tree
                from pathlib import Path

                root = str(Path(__file__).resolve().parents[2])
                ray.init(num_cpus=self.jobs, include_dashboard=False, log_to_driver=False,
                         runtime_env={"env_vars": {"PYTHONPATH": root}})
            else:
                ray.init(address=self.address, log_to_driver=False)
        self._remote = {}
        return self

    def __exit__(self, *exc):
        pass  # the caller owns the Ray connection (ray.shutdown() ends it)

    def imap(self, fn: Callable, calls: Iterator[tuple], window: int) -> Iterator[tuple[int, object]]:
        ray = self.ray
        remote = self._remote.setdefault(fn, ray.remote(fn))

        def wait_some(pending):
            done, _ = ray.wait(list(pending), num_returns=1)
            return [(ref, ray.get(ref)) for ref in done]

        yield from _windowed(lambda args, kwargs: remote.remote(*args, **kwargs), wait_some, calls, window)


def _windowed(submit, wait_some, calls: Iterator[tuple], window: int) -> Iterator[tuple[int, object]]:
    """Keep `window` calls in flight, in submission order; yield (position, result) as they finish."""
    pending: dict = {}
    exhausted = False
    pos = 0
    while True:
        while not exhausted and len(pending) < window:
            try:
                args, kwargs = next(calls)
            except StopIteration:
                exhausted = True
                break
            pending[submit(args, kwargs)] = pos
            pos += 1
        if not pending:
            return
        for handle, value in wait_some(pending):
            yield pending.pop(handle), value


def explore(*, seed: int, kinds: tuple[str, ...], runs: int | None = None, time_s: float | None = None,
            jobs: int = 1, shrink: bool = True, shrink_budget: int = DEFAULT_SHRINK_BUDGET,
            shrink_max: int = DEFAULT_SHRINK_MAX, mutant: str | None = None, ray: str | None = None,
            on_outcome: Callable[[RunOutcome], None] | None = None,
            on_finding: Callable[[Finding], None] | None = None, clock: Callable[[], float] = time.monotonic
            ) -> Exploration:
    """Search, then shrink. `runs` or `time_s` (or both: whichever ends first) bound the search; at
    least one run is played."""
    if runs is None and time_s is None:
        raise ValueError("give runs or time_s")
    jobs = max(1, jobs or os.cpu_count() or 1)
    result = Exploration(seed=seed, kinds=kinds)
    deadline = clock() + time_s if time_s is not None else None
    executor = _Ray(ray, jobs) if ray else _Local(jobs)
    with executor:
        started = clock()

        def calls() -> Iterator[tuple]:
            i = 0
            while (runs is None or i < runs) and (i == 0 or deadline is None or clock() < deadline):
                yield (i,), {"seed": seed, "kinds": kinds, "mutant": mutant}
                i += 1

        outcomes: dict[int, RunOutcome] = {}
        for pos, outcome in executor.imap(search_run, calls(), window=2 * jobs):
            outcomes[pos] = outcome
            if on_outcome:
                on_outcome(outcome)
        result.outcomes = [outcomes[i] for i in sorted(outcomes)]
        result.search_s = clock() - started
        violating = [o for o in result.outcomes if o.invariant]
        seen: Counter = Counter()
        to_shrink, kept = [], {}
        for o in violating:
            seen[o.invariant] += 1
            if shrink and seen[o.invariant] <= shrink_max:
                to_shrink.append(o)
            else:
                kept[o.index] = unshrunk(o)
        started = clock()
        shrunk: dict[int, Finding] = {}
        shrink_calls = iter([((o,), {"seed": seed, "kinds": kinds, "budget": shrink_budget, "mutant": mutant})
                             for o in to_shrink])
        for pos, finding in executor.imap(shrink_run, shrink_calls, window=2 * jobs):
            shrunk[to_shrink[pos].index] = finding
            if on_finding:
                on_finding(finding)
        for f in kept.values():
            if on_finding:
                on_finding(f)
        result.shrink_s = clock() - started
        merged = {**kept, **shrunk}
        result.findings = [merged[i] for i in sorted(merged)]
    return result
