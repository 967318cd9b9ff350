"""`sim run [PATH…]`: play scenarios (files or folders) in parallel processes and report.

Exit status: 0 every scenario passed, 1 a scenario failed (an expectation or an invariant), 2 bad
input (a scenario that does not load, a bad argument); nothing runs unless every file loads.
"""

from __future__ import annotations

import os
import shlex
import sys
import time

from sim.errors import InputError


def register(sub) -> None:
    p = sub.add_parser("run", help="play YAML scenarios and check the invariants",
                       description="Play scenarios deterministically (virtual time, seeded) and report. "
                                   "Exit 0 all passed, 1 a scenario failed, 2 bad input.")
    p.add_argument("paths", nargs="*", metavar="PATH", default=["scenarios"],
                   help="scenario files or folders of them (default: scenarios)")
    p.add_argument("--backend", default="embedded", metavar="embedded|URL[,svc=URL…]",
                   help="embedded moto (default) or an AWS endpoint URL (moto server, LocalStack); "
                        "',dynamodb=URL' and the like send a service elsewhere (see docs/backends.md)")
    p.add_argument("--seed", type=int, default=1, metavar="N",
                   help="run seed; each scenario's world seed derives from it and the scenario's seed (default 1)")
    p.add_argument("--junit", metavar="FILE", help="write a JUnit XML report")
    p.add_argument("--json", metavar="FILE", help="write the JSON report (docs/contracts.md §5)")
    p.add_argument("--report", metavar="DIR", help="write a Markdown page per scenario (mermaid sequence diagram)")
    p.add_argument("--check-every-step", action="store_true",
                   help="check the invariants after every step, not only at the end")
    p.add_argument("--enforce-iam", action="store_true",
                   help="AWS calls outside the calling principal's IAM policy fail as on AWS (AccessDenied…)")
    p.add_argument("--tag", action="append", metavar="T", help="only scenarios with this tag (repeatable)")
    p.add_argument("-j", "--jobs", type=int, metavar="N", default=None,
                   help="parallel processes (default: the number of CPUs)")
    p.add_argument("-q", "--quiet", action="store_true", help="only the failures and the summary line")
    p.set_defaults(func=run)


def _check_args(args) -> None:
    from sim.aws.backend import make_backend

    make_backend(args.backend)  # refuses a malformed spec (InputError naming --backend)
    if args.jobs is not None and args.jobs < 1:
        raise InputError(f"expected at least 1, got {args.jobs}", field="--jobs")
    if args.seed < 0:
        raise InputError(f"expected a seed >= 0, got {args.seed}", field="--seed")


def run(args) -> int:
    from rich.console import Console

    from sim.report import json_report, junit, markdown, terminal
    from sim.report.model import RunSummary
    from sim.scenario.discover import find, load_all, with_tags
    from sim.scenario.runner import run_many

    _check_args(args)
    scenarios = with_tags(load_all(find(args.paths)), args.tag)
    jobs = args.jobs or os.cpu_count() or 1
    console = Console()
    if not console.is_terminal:
        console = Console(width=150)
    started = time.perf_counter()

    def progress(result) -> None:
        if not args.quiet:
            mark = "[green]PASS[/]" if result.passed else "[bold red]FAIL[/]"
            console.print(f"{mark} {result.file} [dim]({result.wall_s:.1f}s)[/]", highlight=False)

    results = run_many([s.file for s in scenarios], jobs=jobs, on_result=progress, run_seed=args.seed,
                       backend=args.backend, check_every_step=args.check_every_step, report_dir=args.report,
                       enforce_iam=args.enforce_iam)
    summary = RunSummary(results, seed=args.seed, backend=args.backend, jobs=min(jobs, len(results)),
                         wall_s=time.perf_counter() - started,
                         command=shlex.join(["sim", "run", *sys.argv[2:]]) if sys.argv[1:2] == ["run"] else "")
    if args.quiet:
        for r in results:
            if not r.passed:
                console.print(terminal.failure_panel(r))
        terminal.summary_line(summary, console)
    else:
        terminal.render(summary, console)
    if args.junit:
        junit.write(summary, args.junit)
    if args.json:
        json_report.write(summary, args.json)
    if args.report:
        markdown.index(results, args.report)
    return 0 if summary.ok else 1
