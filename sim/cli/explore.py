"""`sim explore`: search for invariant violations with random stories and faults; shrink each.

Exit status: 0 nothing found, 1 a violation found, 2 bad input. See docs/explore.md.
"""

from __future__ import annotations

import argparse
import shlex
import sys
import time

from sim.errors import InputError

DEFAULT_OUT = "build/explore"


def register(sub) -> None:
    p = sub.add_parser("explore", help="search for invariant violations; shrink each to a scenario",
                       description="Random stories, random faults (swarm testing), the oracle; every violation "
                                   "is shrunk to a scenario file. Exit 0 nothing found, 1 a violation, 2 bad input.")
    bound = p.add_mutually_exclusive_group()
    bound.add_argument("--runs", type=int, metavar="N", help="number of runs (default 100)")
    bound.add_argument("--time", metavar="DURATION",
                       help="search for this long (wall time, e.g. 10m); runs stay seed-derived")
    p.add_argument("--seed", type=int, default=1, metavar="N", help="exploration seed (default 1)")
    p.add_argument("-j", "--jobs", type=int, default=None, metavar="N",
                   help="parallel processes (default: the number of CPUs)")
    p.add_argument("--faults", metavar="KIND,…", help="only these fault kinds (see docs/explore.md)")
    p.add_argument("--out", default=DEFAULT_OUT, metavar="DIR",
                   help=f"where findings are written as scenario files (default {DEFAULT_OUT})")
    p.add_argument("--json", metavar="FILE", help="write the JSON report")
    p.add_argument("--junit", metavar="FILE", help="write JUnit XML: one test case per finding")
    p.add_argument("--no-shrink", action="store_true", help="write violations as found, unshrunk")
    p.add_argument("--shrink-budget", type=int, default=None, metavar="N",
                   help="world runs per shrink at most (default 80)")
    p.add_argument("--shrink-max", type=int, default=None, metavar="N",
                   help="shrink the first N violations of each invariant; keep later ones as found (default 3)")
    p.add_argument("--ray", metavar="ADDRESS", help="run on a Ray cluster (ADDRESS, auto, or local); needs .[cluster]")
    p.add_argument("--mutant", help=argparse.SUPPRESS)
    p.add_argument("-q", "--quiet", action="store_true", help="no progress line")
    p.set_defaults(func=run)


def _check(args):
    from sim.durations import parse_duration
    from sim.explore.kinds import parse_kinds

    if args.runs is not None and args.runs < 1:
        raise InputError(f"expected at least 1, got {args.runs}", field="--runs")
    time_s = None
    if args.time is not None:
        try:
            time_s = parse_duration(args.time).total_seconds()
        except ValueError as exc:
            raise InputError(f"expected a duration like 10m, got {args.time!r} ({exc})", field="--time") from None
        if time_s <= 0:
            raise InputError(f"expected a positive duration, got {args.time!r}", field="--time")
    if args.seed < 0:
        raise InputError(f"expected a seed >= 0, got {args.seed}", field="--seed")
    if args.jobs is not None and args.jobs < 1:
        raise InputError(f"expected at least 1, got {args.jobs}", field="--jobs")
    for name in ("shrink_budget", "shrink_max"):
        value = getattr(args, name)
        if value is not None and value < (1 if name == "shrink_budget" else 0):
            raise InputError(f"expected a positive number, got {value}", field="--" + name.replace("_", "-"))
    if args.mutant:
        from sim.explore.mutants import MUTANTS

        if args.mutant not in MUTANTS:
            raise InputError(f"unknown mutant {args.mutant!r}; mutants are {', '.join(MUTANTS)}", field="--mutant")
    kinds = parse_kinds(args.faults)
    return kinds, time_s


class _Progress:
    """The live line: runs done, runs/s, violations, per-invariant counts."""

    def __init__(self, console, total: int | None, quiet: bool):
        from collections import Counter

        self.console = console
        self.total = total
        self.done = 0
        self.cut = 0
        self.by_invariant = Counter()
        self.started = time.monotonic()
        self.live = None
        if not quiet and console.is_terminal:
            from rich.live import Live

            self.live = Live(self.render(), console=console, refresh_per_second=4, transient=True)

    def render(self):
        from rich.text import Text

        rate = self.done / max(1e-9, time.monotonic() - self.started)
        parts = [f"runs {self.done}" + (f"/{self.total}" if self.total else ""), f"{rate:.2f} runs/s",
                 f"{sum(self.by_invariant.values())} violations"]
        if self.by_invariant:
            parts.append(", ".join(f"{k} {v}" for k, v in sorted(self.by_invariant.items())))
        if self.cut:
            parts.append(f"{self.cut} cut short")
        return Text(" · ".join(parts), style="bold" if self.by_invariant else "")

    def outcome(self, o) -> None:
        self.done += 1
        self.cut += bool(o.cut_short)
        if o.invariant:
            self.by_invariant[o.invariant] += 1
            self.console.print(f"[red]violation[/] run {o.index} (seed {o.seed}): {o.invariant}", highlight=False)
        if self.live:
            self.live.update(self.render())

    def __enter__(self):
        if self.live:
            self.live.__enter__()
        return self

    def __exit__(self, *exc):
        if self.live:
            self.live.__exit__(*exc)


def run(args) -> int:
    import os

    from rich.console import Console
    from rich.markup import escape
    from rich.table import Table

    from sim.explore import drivers, findings
    from sim.explore.search import DEFAULT_SHRINK_BUDGET

    kinds, time_s = _check(args)
    runs = args.runs if args.runs is not None else (None if time_s is not None else 100)
    jobs = args.jobs or os.cpu_count() or 1
    console = Console(stderr=False)
    command = shlex.join(["sim", "explore", *sys.argv[2:]]) if sys.argv[1:2] == ["explore"] else ""
    started = time.monotonic()
    paths: dict[int, str] = {}

    def on_finding(f) -> None:
        paths[f.index] = str(findings.write_finding(f, args.out, seed=args.seed, command=command))
        shrunk = f" (shrunk from {f.original_steps})" if f.shrunk else " (not shrunk)"
        console.print(f"[red]finding[/] {escape(f.invariant)} (run {f.index}, seed {f.seed}): {f.steps} steps{shrunk}"
                      f" → sim run {escape(paths[f.index])}", highlight=False)

    with _Progress(console, runs, args.quiet) as progress:
        result = drivers.explore(seed=args.seed, kinds=kinds, runs=runs, time_s=time_s, jobs=jobs,
                                 shrink=not args.no_shrink,
                                 shrink_budget=args.shrink_budget or DEFAULT_SHRINK_BUDGET,
                                 shrink_max=drivers.DEFAULT_SHRINK_MAX if args.shrink_max is None else args.shrink_max,
                                 mutant=args.mutant, ray=args.ray, on_outcome=progress.outcome)
    for f in result.findings:  # in run order, whatever order the workers finished in
        on_finding(f)
    wall = time.monotonic() - started
    table = Table(title=f"sim explore — seed {args.seed}, {result.runs} runs, {jobs} job{'s' if jobs != 1 else ''}"
                        + (f", mutant {args.mutant}" if args.mutant else ""))
    table.add_column("invariant")
    table.add_column("violations", justify="right")
    table.add_column("smallest finding", overflow="fold")
    for name, count in sorted(result.invariant_counts().items()):
        best = min((f for f in result.findings if f.invariant == name), key=lambda f: f.steps)
        table.add_row(name, str(count), f"{paths[best.index]} ({best.steps} steps)")
    if result.findings:
        console.print(table)
    per_min = result.runs / max(1e-9, result.search_s) * 60 / jobs
    console.print(f"{result.runs} runs, {len(result.findings)} violations, {result.cut_short} cut short by a step, "
                  f"{result.refused} judged after a refused booking or cancel ({result.skipped} steps skipped); "
                  f"{per_min:.1f} runs/min/core; search {result.search_s:.1f}s, shrink {result.shrink_s:.1f}s",
                  highlight=False)
    if args.json:
        findings.json_report(result, paths, args.json, wall_s=wall)
    if args.junit:
        findings.junit_report(result, paths, args.junit, wall_s=wall)
    return 1 if result.findings else 0
