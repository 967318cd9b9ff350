"""Play scenarios: one world per scenario, steps in order, expectations, then the oracle.

`run_scenario(path, …)` plays one file in this process and returns a `ScenarioResult` (plain data);
`run_many(paths, jobs=N, …)` plays many in parallel processes (spawned, one world at a time each).
The world's seed is derived from the run's `--seed` and the scenario's own `seed`, so replaying a
file with the same `--seed` replays it exactly. Wall time is measured for reports only.
"""

from __future__ import annotations

import os
import shlex
import time
import traceback
from concurrent.futures import ProcessPoolExecutor, as_completed
from pathlib import Path

from sim.report.model import Failure, ScenarioResult
from sim.rng import derive_seed
from sim.scenario import degraded, oracle
from sim.scenario.loader import load_scenario
from sim.scenario.model import Scenario

FINAL_ONLY = oracle.END_ONLY


def world_seed(run_seed: int, scenario: Scenario) -> int:
    return derive_seed(run_seed, "scenario", str(scenario.seed))


def run_stats(world) -> dict[str, int]:
    """What a run did, counted from its trace (for storms and the bench)."""
    kinds = {("stripe", "event.created"): "stripe_events", ("stripe", "webhook.attempt"): "webhook_attempts",
             ("lambda", "invoke.end"): "invocations", ("aws", "call"): "aws_calls",
             ("eventbridge", "event"): "bus_events", ("aws", "fault"): "aws_faults"}
    stats = dict.fromkeys(kinds.values(), 0)
    counts = getattr(world.trace, "counts", None)
    if counts is not None:
        for kind, key in kinds.items():
            stats[key] += counts.get(kind, 0)
        return stats
    for record in world.trace.records:
        key = kinds.get((record["component"], record["kind"]))
        if key:
            stats[key] += 1
    return stats


def replay_command(file: str, run_seed: int, backend: str = "embedded", check_every_step: bool = False,
                   enforce_iam: bool = False) -> str:
    parts = ["sim", "run", file, "--seed", str(run_seed)]
    if backend != "embedded":
        parts += ["--backend", backend]
    if check_every_step:
        parts.append("--check-every-step")
    if enforce_iam:
        parts.append("--enforce-iam")
    return shlex.join(parts)


def run_scenario(path: str | Path | Scenario, *, run_seed: int = 1, backend: str = "embedded",
                 check_every_step: bool = False, report_dir: str | Path | None = None,
                 keep_trace: bool = False, world_options: dict | None = None,
                 on_step=None, enforce_iam: bool = False) -> ScenarioResult:
    """Play one scenario in this process. `world_options` go to `World(...)` (e.g.
    `trace_spool=True`); `on_step(run, item)` is called after every step (progress displays);
    `enforce_iam`: denied AWS calls fail, as on AWS."""
    scenario = path if isinstance(path, Scenario) else load_scenario(path)
    seed = world_seed(run_seed, scenario)
    result = ScenarioResult(name=scenario.name, file=scenario.file, tags=list(scenario.tags), status="failed",
                            trace_hash="", invariants=[], sim_time_s=0.0, wall_s=0.0, seed=seed,
                            run_seed=run_seed, replay=replay_command(scenario.file, run_seed, backend,
                                                                     check_every_step, enforce_iam),
                            steps_total=len(scenario.steps))
    started = time.perf_counter()
    try:
        _play(scenario, result, seed, backend, check_every_step, report_dir, keep_trace, started,
              world_options or {}, on_step, enforce_iam)
    except Exception as exc:  # noqa: BLE001 - the world itself failed: report, never crash the run
        result.failures.append(Failure("error", type(exc).__name__, f"{exc}",
                                       where=scenario.file, actual=_short_tb(exc)))
    result.wall_s = time.perf_counter() - started
    if result.failures or not result.invariants or any(not i["ok"] for i in result.invariants):
        result.status = "failed"
    else:
        result.status = "passed"
    return result


def _play(scenario: Scenario, result: ScenarioResult, seed: int, backend: str, check_every_step: bool,
          report_dir, keep_trace: bool, started: float, world_options: dict, on_step,
          enforce_iam: bool = False) -> None:
    from sim import iam
    from sim.report import markdown
    from sim.scenario import observe, steps
    from sim.scenario.checks_final import final_expectations
    from sim.scenario.context import ScenarioRun, StepFailed, StepSkipped
    from sim.scenario.steps import faults as fault_steps
    from sim.scenario.steps import world as world_steps
    from sim.scenario.worldext import endpoints
    from sim.world import World

    with World(seed=seed, backend=backend, start=scenario.start, **world_options) as w:
        run = ScenarioRun(w, scenario)
        if enforce_iam or scenario.iam == "enforce":
            iam.enforce(w)
        run.trace("start", None, name=scenario.name, file=Path(scenario.file).name, seed=seed)
        if scenario.delivery.get("mode", "auto") == "manual" and w.stripe is not None:
            for ep in endpoints(w):
                ep.enabled = False
        if scenario.delivery.get("retries") and w.stripe is not None:
            from sim.stripe.retry import RetrySchedule

            w.stripe.channel.retry = RetrySchedule.named(scenario.delivery["retries"])
        world_steps.build(run)
        before = {t.name: w.table_items(t.name) for t in w.stack.tables} if report_dir else {}
        item = None
        try:
            fault_steps.apply_all(run, scenario.faults)
            for item in scenario.steps:
                run.trace("step", None, index=item.index, step=item.kind, line=item.line,
                          text=_describe(item))
                try:
                    steps.execute(run, item)
                except StepSkipped as skipped:  # it needs what the marketplace refused earlier: go on
                    run.trace("step.skipped", None, index=item.index, step=item.kind, alias=skipped.alias)
                    result.steps_skipped += 1
                    continue
                result.steps_run += 1
                run.observe_statuses()
                if on_step is not None:
                    on_step(run, item)
                if check_every_step:
                    snap = observe.snapshot(w, run)
                    declared = {d["name"] for d in scenario.broken_invariants}
                    broken = [r for r in oracle.check(snap)
                              if not r.ok and r.name not in FINAL_ONLY and r.name not in declared]
                    if broken:
                        result.failures.append(Failure(
                            "invariant", broken[0].name, f"broken after this step: {broken[0].detail}",
                            where=_where(scenario, item)))
                        break
            else:
                item = None
                for m in final_expectations(run, scenario.expect):
                    result.failures.append(Failure("expectation", m.key, m.message,
                                                   where=_where(scenario, None, ("expect",)),
                                                   expected=m.expected, actual=m.actual))
        except StepFailed as exc:
            result.failures.append(Failure(exc.kind, exc.name or item.kind, exc.message, where=_where(scenario, item),
                                           expected=_str(exc.expected), actual=_str(exc.actual)))
        except Exception as exc:  # noqa: BLE001 - a crash in a step fails the scenario with its location
            result.failures.append(Failure("error", type(exc).__name__, str(exc) or type(exc).__name__,
                                           where=_where(scenario, item), actual=_short_tb(exc)))
        run.observe_statuses()
        result.refused = list(run.refusals)
        snap = observe.snapshot(w, run)
        result.invariants = [r.as_dict() for r in degraded.apply(oracle.check(snap), scenario.broken_invariants)]
        run.trace("end", None, steps=result.steps_run)
        result.trace_hash = w.trace.hash()
        result.stats = run_stats(w)
        result.iam = iam.monitor_of(w).summary()
        result.sim_time_s = (w.now() - scenario.start).total_seconds()
        if report_dir:
            result.wall_s = time.perf_counter() - started
            result.status = "passed" if not result.failures and all(i["ok"] for i in result.invariants) \
                else "failed"
            keys = {t.name: t.hash_key for t in w.stack.tables}
            touched = observe.touched(before, snap.tables.load_all(), keys)
            path = markdown.write(result, w.trace.records, report_dir, touched, scenario.description)
            result.report_file = str(path)
            if keep_trace:
                w.trace.write(Path(report_dir) / f"{Path(scenario.file).stem}.trace.jsonl")


def _where(scenario: Scenario, item, path: tuple | None = None) -> str:
    if item is not None:
        return f"{scenario.file}:{item.line} {item.where}"
    if path is not None:
        return f"{scenario.file}:{scenario.line(*path)} {'.'.join(path)}"
    return scenario.file


def _describe(item) -> str:
    spec = item.spec
    if isinstance(spec, dict):
        inner = ", ".join(f"{k}: {v}" for k, v in spec.items() if not isinstance(v, (dict, list)))
        return f"{item.kind} {inner}".strip()
    return f"{item.kind} {spec}" if spec is not None else item.kind


def _str(value) -> str | None:
    return None if value is None else str(value)


def _short_tb(exc: BaseException) -> str:
    frames = traceback.extract_tb(exc.__traceback__)[-4:]
    return " ← ".join(f"{Path(f.filename).name}:{f.lineno} {f.name}" for f in reversed(frames))


# -- many -------------------------------------------------------------------------------------------
def _worker(args: tuple) -> dict:
    path, kwargs = args
    return run_scenario(path, **kwargs).to_dict()


def run_many(paths: list[str], *, jobs: int | None = None, on_result=None, **kwargs) -> list[ScenarioResult]:
    """Play scenarios in `jobs` processes (1: in this process); results in the order of `paths`."""
    jobs = max(1, jobs or os.cpu_count() or 1)
    results: dict[str, ScenarioResult] = {}
    if jobs == 1 or len(paths) == 1:
        for p in paths:
            results[p] = run_scenario(p, **kwargs)
            if on_result:
                on_result(results[p])
    else:
        import multiprocessing

        ctx = multiprocessing.get_context("spawn")
        with ProcessPoolExecutor(max_workers=min(jobs, len(paths)), mp_context=ctx) as pool:
            futures = {pool.submit(_worker, (p, kwargs)): p for p in paths}
            for fut in as_completed(futures):
                res = ScenarioResult.from_dict(fut.result())
                results[futures[fut]] = res
                if on_result:
                    on_result(res)
    return [results[p] for p in paths]
