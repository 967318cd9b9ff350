"""One run of the search, deterministic from its seed: generate, judge, and shrink with hypothesis.

Generation and shrinking both go through `hypothesis.find` with `random=Random(run_seed)`,
`database=None` and only the generate (and, when shrinking, shrink) phases: hypothesis' first
example is always its simplest one (the same for every run), so the judge skips it without
playing it, and the second example is the run's story. With `phases=[generate]` that is all
(the search); with `[generate, shrink]` the same story is drawn again (same seed ⇒ same choices)
and hypothesis' shrinker then reduces its choice sequence while the judge says "the same invariant
is still broken". Each judged candidate is a full world run, so shrinking is bounded by a budget
of runs; past it every further candidate is refused without running (the best so far stands).

`search_run(index, …)` → `RunOutcome` (what the search phase needs); `shrink_run(…)` → `Finding`
(the shrunk document, ready to be written). Both are plain data (they cross process boundaries).
"""

from __future__ import annotations

import json
import random
import time
import warnings
from dataclasses import asdict, dataclass, field
from unittest import mock

from sim.explore.execute import Verdict, judge
from sim.explore.story import fault_kinds_of, scenario_strategy
from sim.rng import derive_seed

DEFAULT_SHRINK_BUDGET = 80


def run_seed_for(seed: int, index: int) -> int:
    """The seed of run `index` of an exploration with `--seed seed` (also the scenario's `seed`)."""
    return derive_seed(seed, "explore", "run", str(index)) % 1_000_000_000


@dataclass
class RunOutcome:
    index: int
    seed: int
    invariant: str | None = None          # the first broken invariant (oracle order), if any
    detail: str = ""
    also: list[str] = field(default_factory=list)   # other invariants the run broke
    cut_short: str | None = None
    steps: int = 0
    kinds: list[str] = field(default_factory=list)
    doc: dict | None = None               # the story (kept only for a violation)
    refused: list[str] = field(default_factory=list)   # bookings / cancels refused, the story went on
    skipped: int = 0                      # steps skipped because they needed a refused booking
    wall_s: float = 0.0

    def to_dict(self) -> dict:
        return asdict(self)


@dataclass
class Finding:
    index: int
    seed: int
    invariant: str
    detail: str                           # of the shrunk scenario
    doc: dict                             # the shrunk (or, unshrunk, the original) document
    steps: int
    original_steps: int
    shrunk: bool
    shrink_runs: int = 0
    kinds: list[str] = field(default_factory=list)
    original_detail: str = ""
    wall_s: float = 0.0

    def to_dict(self) -> dict:
        return asdict(self)


class _Judge:
    """hypothesis' condition: skip the simplest example, play the others (up to a budget)."""

    def __init__(self, target: str | None = None, budget: int | None = None, mutant: str | None = None):
        self.calls = 0
        self.runs = 0
        self.target = target
        self.budget = budget
        self.mutant = mutant
        self.first: tuple[dict, Verdict] | None = None
        self.last_hit: tuple[dict, Verdict] | None = None
        self.seen: dict[str, Verdict] = {}   # the same document twice (hypothesis replays its result) runs once

    def __call__(self, doc: dict) -> bool:
        self.calls += 1
        if self.calls == 1:
            return False   # hypothesis' simplest example: the same in every run, not this run's story
        key = json.dumps(doc, sort_keys=True)
        verdict = self.seen.get(key)
        if verdict is None:
            if self.budget is not None and self.runs >= self.budget:
                return False
            self.runs += 1
            verdict = self.seen[key] = _judge(doc, self.mutant)
        if self.first is None:
            self.first = (doc, verdict)
        hit = verdict.breaks(self.target) if self.target else bool(verdict.broken)
        if hit:
            self.last_hit = (doc, verdict)
        return hit


def _judge(doc: dict, mutant: str | None) -> Verdict:
    if not mutant:
        return judge(doc)
    from sim.explore.mutants import active

    with active(mutant):
        return judge(doc)


def _find(strategy, condition, *, run_seed: int, shrink: bool):
    from hypothesis import HealthCheck, Phase, find, settings
    from hypothesis.errors import HypothesisWarning, NoSuchExample

    phases = [Phase.generate, Phase.shrink] if shrink else [Phase.generate]
    conf = settings(max_examples=2, database=None, phases=phases, deadline=None,
                    suppress_health_check=list(HealthCheck), report_multiple_bugs=False)
    from hypothesis.internal.conjecture import engine

    with warnings.catch_warnings(), mock.patch.object(engine, "MAX_SHRINKING_SECONDS", 10**9), \
            _without_local_constants():
        # the world raises the recursion limit (a warning); hypothesis would stop shrinking after five
        # minutes of wall time — that would make findings depend on the machine: the budget bounds it
        warnings.simplefilter("ignore", HypothesisWarning)
        try:
            return find(strategy, condition, settings=conf, random=random.Random(run_seed))
        except NoSuchExample:
            return None


def _without_local_constants():
    """Draw with hypothesis' global constants only. Its provider also mixes in constants collected
    from the source of every *local* module loaded so far (sim/, handlers/, tests/), so a story
    would depend on what this process imported before — on which runs it played earlier and on
    the directory it runs from — and `--seed` would not give the same runs whatever `-j` is."""
    import contextlib

    from hypothesis.internal.cache import LRUCache
    from hypothesis.internal.conjecture import providers

    empty = providers.Constants(integers=providers.SortedSet(),
                                floats=providers.SortedSet(key=providers.float_to_int),
                                bytes=providers.SortedSet(), strings=providers.SortedSet())
    stack = contextlib.ExitStack()
    stack.enter_context(mock.patch.object(providers, "_get_local_constants", lambda: empty))
    stack.enter_context(mock.patch.object(providers, "CONSTANTS_CACHE", LRUCache(1024)))
    return stack


def search_run(index: int, *, seed: int, kinds: tuple[str, ...], mutant: str | None = None) -> RunOutcome:
    """Run `index` of the exploration: draw its story, play it, judge it."""
    started = time.perf_counter()
    run_seed = run_seed_for(seed, index)
    judge_ = _Judge(mutant=mutant)
    _find(scenario_strategy(run_seed, kinds), judge_, run_seed=run_seed, shrink=False)
    out = RunOutcome(index=index, seed=run_seed)
    if judge_.first is not None:
        doc, verdict = judge_.first
        out.steps, out.cut_short, out.kinds = verdict.steps, verdict.cut_short, fault_kinds_of(doc)
        out.refused, out.skipped = list(verdict.refused), verdict.skipped
        if verdict.broken:
            out.invariant, out.detail = verdict.broken[0]
            out.also = [name for name, _ in verdict.broken[1:]]
            out.doc = doc
    out.wall_s = time.perf_counter() - started
    return out


def shrink_run(outcome: RunOutcome, *, seed: int, kinds: tuple[str, ...], budget: int = DEFAULT_SHRINK_BUDGET,
               mutant: str | None = None) -> Finding:
    """Shrink a violating run to the smallest story hypothesis finds that breaks the same invariant."""
    started = time.perf_counter()
    assert outcome.invariant and outcome.doc is not None
    judge_ = _Judge(target=outcome.invariant, budget=budget + 1, mutant=mutant)  # +1: the run itself again
    result = _find(scenario_strategy(outcome.seed, kinds), judge_, run_seed=outcome.seed, shrink=True)
    if result is None or judge_.last_hit is None:
        # not reproduced (should not happen: the world is deterministic); keep the original story
        return unshrunk(outcome, wall_s=time.perf_counter() - started)
    verdict = judge_.last_hit[1] if judge_.last_hit[0] == result else None
    if verdict is None:  # the final example was judged earlier; judge it again for its detail
        verdict = _judge(result, mutant)
    detail = next((d for n, d in verdict.broken if n == outcome.invariant), outcome.detail)
    return Finding(index=outcome.index, seed=outcome.seed, invariant=outcome.invariant, detail=detail, doc=result,
                   steps=len(result["steps"]), original_steps=outcome.steps, shrunk=True,
                   shrink_runs=judge_.runs, kinds=fault_kinds_of(result), original_detail=outcome.detail,
                   wall_s=time.perf_counter() - started)


def unshrunk(outcome: RunOutcome, wall_s: float = 0.0) -> Finding:
    assert outcome.invariant and outcome.doc is not None
    return Finding(index=outcome.index, seed=outcome.seed, invariant=outcome.invariant, detail=outcome.detail,
                   doc=outcome.doc, steps=outcome.steps, original_steps=outcome.steps, shrunk=False,
                   kinds=list(outcome.kinds), original_detail=outcome.detail, wall_s=wall_s)


def draw_story(run_seed: int, kinds: tuple[str, ...]) -> dict:
    """The story run `run_seed` plays, drawn without playing it (for tests and inspection)."""
    drawn: list[dict] = []

    def keep(doc: dict) -> bool:
        drawn.append(doc)
        return False

    _find(scenario_strategy(run_seed, kinds), keep, run_seed=run_seed, shrink=False)
    return drawn[1]
