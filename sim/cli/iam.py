"""`sim iam check [PATH…] [--json F]`: run scenarios and check every principal's AWS calls
against its IAM policy from the stack.

Prints, per function, state machine and EventBridge target role, the calls its policy denies (each
with the scenario and step that made it) and the grants no call used. Exit 0 no call denied, 1 a
call denied, 2 bad input.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

from sim.errors import InputError


def register(sub) -> None:
    p = sub.add_parser("iam", help="IAM: check every principal's calls against its least-privilege policy",
                       description="IAM as AWS enforces it (see docs/iam.md).")
    verbs = p.add_subparsers(dest="iam_verb", metavar="VERB")
    c = verbs.add_parser("check", help="run scenarios; report denied calls and unused grants per principal",
                         description="Run scenarios (default: scenarios) recording every AWS call each "
                                     "function, state machine and rule target role makes, evaluated "
                                     "against its policy. Exit 0 nothing denied, 1 a call denied, 2 bad input.")
    c.add_argument("paths", nargs="*", metavar="PATH", default=["scenarios"],
                   help="scenario files or folders of them (default: scenarios)")
    c.add_argument("--json", metavar="FILE", help="write the report as JSON")
    c.add_argument("--seed", type=int, default=1, metavar="N", help="run seed (default 1)")
    c.add_argument("-j", "--jobs", type=int, default=None, metavar="N",
                   help="parallel processes (default: the number of CPUs)")
    c.add_argument("--tag", action="append", metavar="T", help="only scenarios with this tag (repeatable)")
    c.add_argument("-q", "--quiet", action="store_true", help="only the denied calls and the summary line")
    c.set_defaults(func=check)
    p.set_defaults(func=lambda args: (p.print_help(), 2)[1])


def check(args) -> int:
    from rich.console import Console

    from sim.aws.stack import marketplace_stack
    from sim.iam import report as iam_report
    from sim.scenario.discover import find, load_all, with_tags
    from sim.scenario.runner import run_many

    if args.jobs is not None and args.jobs < 1:
        raise InputError(f"expected at least 1, got {args.jobs}", field="--jobs")
    if args.seed < 0:
        raise InputError(f"expected a seed >= 0, got {args.seed}", field="--seed")
    scenarios = with_tags(load_all(find(args.paths)), args.tag)
    results = run_many([s.file for s in scenarios], jobs=args.jobs or os.cpu_count() or 1, run_seed=args.seed)
    report = iam_report.build(results, marketplace_stack())
    report["scenarios"] = [{"file": r.file, "status": r.status} for r in results]
    console = Console() if Console().is_terminal else Console(width=150)
    render(report, console, quiet=args.quiet)
    if args.json:
        Path(args.json).parent.mkdir(parents=True, exist_ok=True)
        Path(args.json).write_text(json.dumps(report, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    return 1 if iam_report.denied_count(report) else 0


def render(report: dict, console, *, quiet: bool = False) -> None:
    denied_total = 0
    unused_total = 0
    for name, p in report["principals"].items():
        denied_total += len(p["denied"])
        unused_total += len(p["unused_grants"])
        if quiet and not p["denied"]:
            continue
        calls = sum(len(r) for r in p["used"].values())
        state = "[bold red]DENIED[/]" if p["denied"] else ("[green]ok[/]" if p["exercised"] else "[dim]not run[/]")
        console.print(f"{state} [bold]{name}[/] [dim]({p['kind']}, role {p['role']}, "
                      f"{len(p['used'])} actions on {calls} resources)[/]", highlight=False)
        groups: dict[tuple, list[dict]] = {}
        for d in p["denied"]:
            groups.setdefault((d["action"], d["resource"], d.get("via")), []).append(d)
        for (action, resource, via), ds in groups.items():
            d = ds[0]
            where = f"{d['scenario']}:{d['line']} steps[{d['step']}]" if d.get("step") is not None else d["scenario"]
            more = f" and {len(ds) - 1} more" if len(ds) > 1 else ""
            by = "" if via in (None, "sdk") else f" [dim](by {via})[/]"
            console.print(f"    [red]denied[/] {action} on {resource}  [dim]{where}{more}[/]{by}", highlight=False)
        if not quiet:
            unused: dict[str, list[str]] = {}
            for g in p["unused_grants"]:
                unused.setdefault(g["action"], []).append(_short(g["resource"]))
            for action, resources in unused.items():
                console.print(f"    [yellow]unused[/] {action} on {', '.join(resources)}", highlight=False)
    console.print(f"{len(report['principals'])} principals, {denied_total} denied calls, "
                  f"{unused_total} unused grants", highlight=False)


def _short(arn: str) -> str:
    """`arn:aws:dynamodb:us-east-1:123456789012:table/Booking` → `table/Booking` (the account is one)."""
    parts = arn.split(":", 5)
    return parts[5] if len(parts) == 6 and parts[0] == "arn" else arn
