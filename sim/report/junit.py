"""JUnit XML: one testsuite, one testcase per scenario; a failure carries the broken invariants,
unmet expectations and the replay command."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path

from sim.report.model import RunSummary, ScenarioResult, first_reason


def failure_text(r: ScenarioResult) -> str:
    lines = [f"{inv['name']}: {inv['detail']}" for inv in r.broken]
    for f in r.failures:
        line = f"{f.where + ': ' if f.where else ''}{f.kind} {f.name}: {f.message}"
        if f.expected is not None:
            line += f"\n  expected: {f.expected}"
        if f.actual is not None:
            line += f"\n  actual:   {f.actual}"
        lines.append(line)
    lines += [f"seed: {r.seed} (from --seed {r.run_seed})", f"replay: {r.replay}"]
    return "\n".join(lines)


def render(run: RunSummary, suite: str = "scenarios") -> ET.Element:
    root = ET.Element("testsuites", name="sim run", tests=str(len(run.results)), failures=str(run.failed),
                      errors="0", time=f"{run.wall_s:.3f}")
    ts = ET.SubElement(root, "testsuite", name=suite, tests=str(len(run.results)), failures=str(run.failed),
                       errors="0", skipped="0", time=f"{sum(r.wall_s for r in run.results):.3f}")
    props = ET.SubElement(ts, "properties")
    for key, value in (("seed", run.seed), ("backend", run.backend), ("jobs", run.jobs)):
        ET.SubElement(props, "property", name=key, value=str(value))
    for r in run.results:
        case = ET.SubElement(ts, "testcase", classname=f"scenarios.{Path(r.file).stem}", name=r.name,
                             file=r.file, time=f"{r.wall_s:.3f}")
        cprops = ET.SubElement(case, "properties")
        for key, value in (("seed", r.seed), ("trace_hash", r.trace_hash), ("sim_time_s", r.sim_time_s),
                           ("tags", ",".join(r.tags))):
            ET.SubElement(cprops, "property", name=key, value=str(value))
        if not r.passed:
            fail = ET.SubElement(case, "failure", message=first_reason(r)[:500], type="ScenarioFailed")
            fail.text = failure_text(r)
        out = ET.SubElement(case, "system-out")
        out.text = "\n".join(f"{'ok  ' if i['ok'] else 'FAIL'} {i['name']}: {i['detail']}" for i in r.invariants)
    return root


def write(run: RunSummary, path: str | Path) -> None:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tree = ET.ElementTree(render(run))
    ET.indent(tree)
    tree.write(path, encoding="utf-8", xml_declaration=True)
