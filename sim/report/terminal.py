"""The terminal report (rich): one row per scenario — status, invariants, simulated and wall time —
then, for each failure, what broke (expected against actual), the seed and the replay command."""

from __future__ import annotations

from rich.console import Console
from rich.markup import escape
from rich.panel import Panel
from rich.table import Table

from sim.report.model import RunSummary, ScenarioResult


def sim_time(seconds: float) -> str:
    seconds = int(round(seconds))
    days, rest = divmod(seconds, 86400)
    hours, rest = divmod(rest, 3600)
    minutes, secs = divmod(rest, 60)
    if days:
        return f"{days}d{hours:02d}h{minutes:02d}m"
    if hours:
        return f"{hours}h{minutes:02d}m{secs:02d}s"
    if minutes:
        return f"{minutes}m{secs:02d}s"
    return f"{secs}s"


def table(run: RunSummary) -> Table:
    t = Table(title=f"sim run — seed {run.seed}, {run.backend}, {run.jobs} job{'s' if run.jobs != 1 else ''}",
              show_lines=False, expand=False)
    t.add_column("", width=4)
    t.add_column("scenario", overflow="fold")
    t.add_column("tags", style="dim", overflow="fold")
    t.add_column("invariants", justify="right")
    t.add_column("sim time", justify="right")
    t.add_column("wall", justify="right")
    for r in run.results:
        ok_inv = sum(1 for i in r.invariants if i["ok"])
        inv = f"{ok_inv}/{len(r.invariants)}"
        t.add_row("[green]PASS[/]" if r.passed else "[bold red]FAIL[/]",
                  f"{escape(r.name)}\n[dim]{escape(r.file)}[/]", escape(", ".join(r.tags)),
                  inv if ok_inv == len(r.invariants) else f"[red]{inv}[/]", sim_time(r.sim_time_s),
                  f"{r.wall_s:.2f}s")
    return t


def failure_panel(r: ScenarioResult) -> Panel:
    lines = []
    for inv in r.broken:
        lines.append(f"[bold red]invariant[/] [bold]{escape(inv['name'])}[/]: {escape(inv['detail'])}")
    for f in r.failures:
        head = f"[bold red]{escape(f.kind)}[/] [bold]{escape(f.name)}[/]"
        if f.where:
            head += f" [dim]({escape(f.where)})[/]"
        lines.append(f"{head}: {escape(f.message)}")
        if f.expected is not None:
            lines.append(f"    expected: [green]{escape(str(f.expected))}[/]")
        if f.actual is not None:
            lines.append(f"    actual:   [red]{escape(str(f.actual))}[/]")
    lines.append(f"[dim]seed[/] {r.seed} (derived from --seed {r.run_seed}); trace {r.trace_hash[:16]}")
    lines.append(f"[dim]replay[/] [bold]{escape(r.replay)}[/]")
    if r.report_file:
        lines.append(f"[dim]report[/] {escape(r.report_file)}")
    return Panel("\n".join(lines), title=f"[red]FAIL[/] {escape(r.name)}", title_align="left",
                 subtitle=escape(r.file), subtitle_align="right")


def render(run: RunSummary, console: Console | None = None) -> None:
    console = console or Console()
    console.print(table(run))
    for r in run.results:
        if not r.passed:
            console.print(failure_panel(r))
    summary_line(run, console)


def summary_line(run: RunSummary, console: Console) -> None:
    """'N passed, N failed' (the closing line CI and people read), wall and simulated time."""
    colour = "green" if run.ok else "red"
    console.print(f"[bold {colour}]{run.passed} passed, {run.failed} failed[/] "
                  f"in {run.wall_s:.1f}s wall, {sim_time(sum(r.sim_time_s for r in run.results))} simulated")
