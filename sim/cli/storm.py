"""`sim storm`: many bookings and payments under duplicated, dropped, delayed and reordered
webhooks, then the 02:00 reconciliation; the oracle's invariants must hold. The generated
scenario is written out (`--emit`, default build/storm-<bookings>-<seed>.yaml) so a failing
storm is replayed with `sim run FILE --seed N`. `-j N` plays N independent seeded storms in N
processes (see sim.storm_run); `--json F` writes the figures CI tracks."""

from __future__ import annotations

import json
from pathlib import Path

from sim.errors import InputError


def register(sub) -> None:
    p = sub.add_parser("storm", help="a storm of bookings, payments and faulty webhooks; invariants must hold",
                       description="Generate and run a storm scenario. Exit 0 the invariants held, 1 not, 2 bad input.")
    size = p.add_mutually_exclusive_group()
    size.add_argument("--bookings", type=int, default=None, metavar="N",
                      help="bookings to create and pay (default 100)")
    size.add_argument("--deliveries", type=int, default=None, metavar="N",
                      help="size the storm for about N webhook deliveries (~10.7 per booking); no upper limit")
    p.add_argument("--seed", type=int, default=1, metavar="N", help="storm and world seed (default 1)")
    p.add_argument("-j", "--jobs", type=int, default=1, metavar="N",
                   help="N independent seeded storms in N processes, one merged report (default 1)")
    p.add_argument("--duplicate-rate", type=float, default=0.2, metavar="R",
                   help="fraction of deliveries duplicated (default 0.2)")
    p.add_argument("--copies", type=int, default=3, metavar="K", help="copies of a duplicated delivery (default 3)")
    p.add_argument("--drop-rate", type=float, default=0.05, metavar="R",
                   help="fraction of payments whose payment_intent.* events are never delivered (default 0.05)")
    p.add_argument("--delay-rate", type=float, default=0.05, metavar="R",
                   help="fraction of deliveries three hours late (default 0.05)")
    p.add_argument("--reorder-window", default="2m", metavar="DURATION",
                   help="events within this window may arrive shuffled (default 2m; 0 for none)")
    p.add_argument("--emit", metavar="FILE",
                   help="where to write the generated scenario (default: build/storm-N-SEED.yaml under the "
                        "current directory, created if missing)")
    p.add_argument("--json", metavar="FILE",
                   help="write the figures (deliveries, invocations, aws_calls, wall_s, sim_time_s, peak_rss_mib, "
                        "deliveries_per_s) with the scenario report (docs/contracts.md §5)")
    p.add_argument("--report", metavar="DIR", help="write a Markdown page with the sequence diagram")
    p.add_argument("-q", "--quiet", action="store_true", help="no progress bar and no table: one summary line")
    p.set_defaults(func=run)


def run(args) -> int:
    from rich.console import Console

    from sim import storm_run
    from sim.report import json_report, terminal
    from sim.report.model import RunSummary
    from sim.report.progress import DeliveryProgress

    if args.jobs < 1:
        raise InputError(f"expected at least one job, got {args.jobs}", field="-j")
    if args.deliveries is not None and args.deliveries < 1:
        raise InputError(f"expected at least one delivery, got {args.deliveries}", field="--deliveries")
    bookings = storm_run.bookings_for(args.deliveries) if args.deliveries is not None else \
        (args.bookings if args.bookings is not None else 100)
    if bookings < 1:
        raise InputError(f"a storm needs at least one booking, got {bookings}", field="--bookings")
    window = None if args.reorder_window in ("0", "0s", "none", "") else args.reorder_window
    options = {"duplicate_rate": args.duplicate_rate, "copies": args.copies, "drop_rate": args.drop_rate,
               "delay_rate": args.delay_rate, "reorder_window": window}
    parts = storm_run.plan(bookings, args.seed, args.jobs, args.emit)
    for part in parts:
        storm_run.write_part(part, options)
    console = Console()
    if not args.quiet:
        where = parts[0].path if len(parts) == 1 else f"{len(parts)} parts: {parts[0].path} …"
        console.print(f"storm: {bookings} bookings, seed {args.seed} → {where}", highlight=False)
    expected = round(bookings * storm_run.DELIVERIES_PER_BOOKING)
    progress = DeliveryProgress(expected if len(parts) == 1 else len(parts), enabled=not args.quiet,
                                label="storm" if len(parts) == 1 else "storm parts")
    with progress:
        on_part = None
        if len(parts) > 1:
            def on_part(out):
                progress.deliveries += 1
                progress._refresh(None)
        outcome = storm_run.run(parts, progress=progress if len(parts) == 1 else None,
                                report_dir=args.report, on_part=on_part)
    figures = outcome.figures
    command = " ; ".join(f"sim run {p.path} --seed {p.seed}" for p in parts)
    summary = RunSummary(outcome.results, seed=args.seed, backend="embedded", jobs=len(parts),
                         wall_s=figures["wall_s"], command=command)
    passed = all(r.passed for r in outcome.results)
    if args.quiet:
        for result in outcome.results:
            if not result.passed:
                console.print(terminal.failure_panel(result))
    else:
        terminal.render(summary, console)
    console.print(
        f"{figures['deliveries']} webhook deliveries, {figures['invocations']} Lambda invocations, "
        f"{figures['aws_calls']} AWS calls in {figures['wall_s']:.1f}s wall ({figures['deliveries_per_s']:.1f} "
        f"deliveries/s), {figures['sim_time_s'] / 3600:.1f}h simulated, peak RSS {figures['peak_rss_mib']:.0f} MiB"
        + ("" if passed else " — invariants broken"), highlight=False)
    if args.json:
        path = Path(args.json)
        path.parent.mkdir(parents=True, exist_ok=True)
        data = {**figures, "bookings": bookings, "seed": args.seed, "jobs": len(parts), "passed": passed,
                "parts": outcome.parts, **json_report.render(summary)}
        path.write_text(json.dumps(data, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    return 0 if passed else 1
