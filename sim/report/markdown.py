"""Markdown per scenario: status, invariants, failures, a mermaid sequence diagram drawn from the
trace, and the final state of the records the scenario touched."""

from __future__ import annotations

import json
from pathlib import Path

from sim.report.mermaid import sequence_diagram
from sim.report.model import ScenarioResult
from sim.report.terminal import sim_time


def _cell(text) -> str:
    return str(text).replace("|", "\\|").replace("\n", " ")


def render(result: ScenarioResult, trace: list[dict], touched: dict[str, list[dict]] | None = None,
           description: str = "") -> str:
    status = "✅ passed" if result.passed else "❌ failed"
    out = [f"# {result.name}", ""]
    if description:
        out += [description.strip(), ""]
    out += ["| | |", "|---|---|",
            f"| status | {status} |", f"| file | `{result.file}` |", f"| tags | {', '.join(result.tags)} |",
            f"| seed | {result.seed} (from `--seed {result.run_seed}`) |", f"| trace hash | `{result.trace_hash}` |",
            f"| simulated time | {sim_time(result.sim_time_s)} |", f"| wall time | {result.wall_s:.2f} s |",
            f"| steps | {result.steps_run}/{result.steps_total} |",
            f"| replay | `{result.replay}` |", ""]
    out += ["## Invariants", "", "| invariant | ok | detail |", "|---|---|---|"]
    for inv in result.invariants:
        out.append(f"| {inv['name']} | {'✅' if inv['ok'] else '❌'} | {_cell(inv['detail'])} |")
    out.append("")
    if result.failures:
        out += ["## Failures", ""]
        for f in result.failures:
            out.append(f"- **{f.kind} {f.name}**{f' ({f.where})' if f.where else ''}: {f.message}")
            if f.expected is not None:
                out.append(f"  - expected: `{f.expected}`")
            if f.actual is not None:
                out.append(f"  - actual: `{f.actual}`")
        out.append("")
    out += ["## Sequence", "", "```mermaid", sequence_diagram(trace), "```", ""]
    if touched:
        out += ["## Final state of the records it touched", ""]
        for table in sorted(touched):
            out += [f"### {table}", ""]
            for item in touched[table]:
                out += ["```json", json.dumps(item, indent=2, sort_keys=True, ensure_ascii=False, default=str),
                        "```", ""]
    return "\n".join(out)


def write(result: ScenarioResult, trace: list[dict], directory: str | Path,
          touched: dict[str, list[dict]] | None = None, description: str = "") -> Path:
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / f"{Path(result.file).stem}.md"
    path.write_text(render(result, trace, touched, description), encoding="utf-8")
    return path


def index(results: list[ScenarioResult], directory: str | Path) -> Path:
    """README.md in the report folder: one line per scenario, linking its page."""
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    lines = ["# Scenario report", "", "| | scenario | tags | invariants | sim time | wall |", "|---|---|---|---|---|---|"]
    for r in results:
        ok = sum(1 for i in r.invariants if i["ok"])
        lines.append(f"| {'✅' if r.passed else '❌'} | [{_cell(r.name)}]({Path(r.file).stem}.md) | "
                     f"{', '.join(r.tags)} | {ok}/{len(r.invariants)} | {sim_time(r.sim_time_s)} | {r.wall_s:.2f}s |")
    path = directory / "README.md"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path
