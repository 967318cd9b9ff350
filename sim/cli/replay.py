"""`sim replay FILE…`: replay a real incident (Stripe's recorded events, optionally the endpoint's
delivery log) deterministically against the simulated marketplace, then the reconciliation and the
oracle; report like `sim run`.

Exit status: 0 every invariant held, 1 one broke (or a step failed), 2 bad input (nothing runs).
"""

from __future__ import annotations

import shlex
import sys
import time
from pathlib import Path

from sim.errors import InputError


def register(sub) -> None:
    p = sub.add_parser("replay", help="replay a recorded Stripe incident against the simulated marketplace",
                       description="Replay the events Stripe recorded (GET /v1/events pages, JSON lines, or a "
                                   "bundle with the delivery log) in their recorded delivery order and timing, "
                                   "on virtual time; then the 02:00 reconciliation and the oracle's invariants. "
                                   "Exit 0 all held, 1 an invariant broke, 2 bad input. See docs/replay.md.")
    p.add_argument("files", nargs="+", metavar="FILE",
                   help="event export(s): a {object: list, data: [...]} page, a JSON array, JSON lines, or a "
                        "bundle {events, deliveries}; several files are merged by event id")
    p.add_argument("--deliveries", metavar="FILE",
                   help="the endpoint's delivery attempts: [{event_id, attempted_at (unix or ISO), status, "
                        "reached?}] (JSON or JSON lines); events without a reaching attempt are never delivered")
    p.add_argument("--seed", type=int, default=1, metavar="N",
                   help="run seed (the world's seed derives from it, as in sim run; default 1)")
    p.add_argument("--speed", choices=("as-recorded", "compressed"), default="as-recorded",
                   help="as-recorded: every recorded instant (virtual time); compressed: same order, quiet gaps "
                        "shortened to --max-gap")
    p.add_argument("--max-gap", default="1s", metavar="DURATION",
                   help="with --speed compressed: the longest quiet gap kept (default 1s)")
    p.add_argument("--emit", metavar="SCENARIO.yaml", help="write the equivalent scenario YAML (sim run replays it)")
    p.add_argument("--json", metavar="FILE", help="write the JSON report (docs/contracts.md §5, summary.replay added)")
    p.add_argument("--report", metavar="DIR", help="write the Markdown report (and the replay's trace) here")
    p.add_argument("--no-reconcile", action="store_true",
                   help="stop a minute after the last recorded instant instead of running the next 02:00 "
                        "reconciliation")
    p.add_argument("--backend", default="embedded", metavar="embedded|URL[,svc=URL…]",
                   help="embedded moto (default) or an AWS endpoint URL")
    p.add_argument("--dry-run", action="store_true", help="validate and plan only (with --emit: write the YAML)")
    p.add_argument("-q", "--quiet", action="store_true", help="only the failures and the summary line")
    p.set_defaults(func=run)


def _check_args(args) -> float:
    from sim.durations import parse_duration

    if args.seed < 0:
        raise InputError(f"expected a seed >= 0, got {args.seed}", field="--seed")
    from sim.aws.backend import make_backend

    make_backend(args.backend)  # refuses a malformed spec (InputError naming --backend)
    try:
        return parse_duration(args.max_gap).total_seconds()
    except ValueError:
        raise InputError(f"expected a duration like 1s, 30s or 5m, got {args.max_gap!r}", field="--max-gap") \
            from None


def run(args) -> int:
    from rich.console import Console

    from sim.replay import build_plan, load_export, render_scenario
    from sim.replay.play import command, replay
    from sim.report import json_report, markdown, terminal
    from sim.report.model import RunSummary

    max_gap = _check_args(args)
    export = load_export(args.files, args.deliveries)
    plan = build_plan(export, speed=args.speed, max_gap=max_gap, reconcile=not args.no_reconcile)
    console = Console() if sys.stdout.isatty() else Console(width=150)
    if args.emit:
        Path(args.emit).parent.mkdir(parents=True, exist_ok=True)
        Path(args.emit).write_text(render_scenario(plan, emit_path=args.emit), encoding="utf-8")
    if not args.quiet:
        _describe(plan, console)
        if args.emit:
            console.print(f"[dim]scenario written to[/] {args.emit}")
    if args.dry_run:
        return 0
    started = time.perf_counter()
    replay_cmd = command(args.files, args.seed, deliveries=args.deliveries, speed=args.speed,
                         reconcile=not args.no_reconcile, backend=args.backend)
    from sim.report.progress import DeliveryProgress

    with DeliveryProgress(None, enabled=not args.quiet, label="replay") as progress:
        outcome = replay(plan, run_seed=args.seed, backend=args.backend, report_dir=args.report,
                         replay_command=replay_cmd, progress=progress)
    summary = RunSummary([outcome.result], seed=args.seed, backend=args.backend, jobs=1,
                         wall_s=time.perf_counter() - started,
                         command=shlex.join(["sim", "replay", *sys.argv[2:]]) if sys.argv[1:2] == ["replay"] else "")
    if args.quiet:
        if not outcome.result.passed:
            console.print(terminal.failure_panel(outcome.result))
    else:
        _deliveries(outcome, console)
        terminal.render(summary, console)
    if args.json:
        import json

        data = json_report.render(summary)
        data["summary"]["replay"] = outcome.summary(plan)
        Path(args.json).parent.mkdir(parents=True, exist_ok=True)
        Path(args.json).write_text(json.dumps(data, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    if args.report:
        markdown.index([outcome.result], args.report)
    return 0 if summary.ok else 1


def _describe(plan, console) -> None:
    from rich.markup import escape

    export, cast = plan.export, plan.cast
    attempts = export.attempts
    console.print(f"[bold]replay[/] {escape(', '.join(export.files))}: {len(export.events)} events"
                  + (f", {len(attempts)} recorded attempts" if attempts is not None else "")
                  + f", {len(cast.providers)} Connect accounts, {len(cast.customers)} customers, "
                    f"{len(cast.bookings)} bookings ({plan.speed})", highlight=False)
    never = export.never_delivered
    if never:
        console.print(f"  never delivered ({len(never)}): "
                      + ", ".join(f"{e} ({export.event(e).type})" for e in never), highlight=False)
    if export.unknown_types:
        console.print(f"  [yellow]unknown event types[/] (replayed; the handler may skip them): "
                      f"{', '.join(export.unknown_types)}", highlight=False)
    for note in [*export.notes, *cast.notes]:
        console.print(f"  [dim]note[/] {escape(note)}", highlight=False)


def _deliveries(outcome, console) -> None:
    from rich.table import Table

    differ = [d for d in outcome.deliveries if d.differs]
    if not outcome.deliveries:
        return
    if not differ:
        compared = any(d.recorded is not None for d in outcome.deliveries)
        console.print(f"  {len(outcome.deliveries)} deliveries replayed; "
                      + ("each answered as recorded (2xx or not)" if compared else "no recorded statuses to compare"),
                      highlight=False)
        return
    t = Table(title=f"{len(differ)} of {len(outcome.deliveries)} deliveries answered differently than recorded",
              title_justify="left")
    for col in ("at", "event", "type", "recorded", "replayed"):
        t.add_column(col)
    for d in differ:
        t.add_row(d.at, d.event_id, d.type, str(d.recorded), str(d.replayed))
    console.print(t)
