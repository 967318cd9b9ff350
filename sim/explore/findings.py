"""What an exploration writes: a scenario file per finding, the JSON report, JUnit XML.

A finding's file is `DIR/<invariant>-<seed>.yaml`: the shrunk story as a scenario document (the
generator's format is the project's own), named and tagged for the invariant, with a comment
header saying where it came from and how to replay it (`sim run FILE`; the file's `seed` is the
run's seed and `sim run`'s default `--seed 1` is the one the exploration played it with).
"""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from pathlib import Path

from sim.explore.execute import render
from sim.explore.search import Finding


def finding_doc(f: Finding) -> dict:
    head = {"name": f"{f.invariant}: found by sim explore (run seed {f.seed})",
            "description": f"Broken invariant {f.invariant}: {f.detail}"[:1000],
            "tags": ["explore", f.invariant]}
    return {**head, **{k: v for k, v in f.doc.items() if k not in head}}


def write_finding(f: Finding, out_dir: str | Path, *, seed: int, command: str = "") -> Path:
    path = Path(out_dir) / f"{f.invariant}-{f.seed}.yaml"
    path.parent.mkdir(parents=True, exist_ok=True)
    how = (f"shrunk by hypothesis from {f.original_steps} to {f.steps} steps in {f.shrink_runs} runs"
           if f.shrunk else f"not shrunk ({f.steps} steps)")
    comment = "\n".join([
        f"found by `sim explore --seed {seed}` (run {f.index}, run seed {f.seed}); {how}",
        f"invariant: {f.invariant}",
        f"replay: sim run {path}",
        *([f"exploration: {command}"] if command else []),
    ])
    path.write_text(render(finding_doc(f), comment), encoding="utf-8")
    return path


def json_report(exploration, paths: dict[int, str], path: str | Path, *, wall_s: float) -> None:
    data = {
        "runs": exploration.runs,
        "seed": exploration.seed,
        "violations": [{"seed": f.seed, "invariant": f.invariant, "detail": f.detail,
                        "scenario": paths.get(f.index, ""), "steps": f.steps, "run": f.index,
                        "shrunk": f.shrunk, "original_steps": f.original_steps}
                       for f in exploration.findings],
        "fault_kinds": exploration.kind_counts(),
        "invariants": exploration.invariant_counts(),
        "cut_short": exploration.cut_short,
        "cut_short_runs": [{"run": o.index, "seed": o.seed, "reason": o.cut_short}
                           for o in exploration.outcomes if o.cut_short],
        "refused": exploration.refused,
        "refused_runs": [{"run": o.index, "seed": o.seed, "refused": o.refused, "skipped": o.skipped}
                         for o in exploration.outcomes if o.refused],
        "skipped_steps": exploration.skipped,
        "wall_s": round(wall_s, 3),
    }
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(data, indent=2) + "\n", encoding="utf-8")


def junit_report(exploration, paths: dict[int, str], path: str | Path, *, wall_s: float) -> None:
    findings = exploration.findings
    root = ET.Element("testsuites", name="sim explore", tests=str(max(1, len(findings))),
                      failures=str(len(findings)), errors="0", time=f"{wall_s:.3f}")
    suite = ET.SubElement(root, "testsuite", name="explore", tests=str(max(1, len(findings))),
                          failures=str(len(findings)), errors="0", skipped="0", time=f"{wall_s:.3f}")
    props = ET.SubElement(suite, "properties")
    for key, value in (("seed", exploration.seed), ("runs", exploration.runs),
                       ("fault_kinds", ",".join(exploration.kinds))):
        ET.SubElement(props, "property", name=key, value=str(value))
    for f in findings:
        case = ET.SubElement(suite, "testcase", classname=f"explore.{f.invariant}", name=f"{f.invariant}-{f.seed}",
                             file=paths.get(f.index, ""), time=f"{f.wall_s:.3f}")
        fail = ET.SubElement(case, "failure", message=f"{f.invariant}: {f.detail}"[:500], type="InvariantBroken")
        fail.text = "\n".join([f"{f.invariant}: {f.detail}", f"run {f.index}, seed {f.seed}, {f.steps} steps",
                               f"replay: sim run {paths.get(f.index, '')}"])
    if not findings:
        ET.SubElement(suite, "testcase", classname="explore", name=f"{exploration.runs} runs, no violation",
                      time=f"{wall_s:.3f}")
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    ET.ElementTree(root).write(path, encoding="utf-8", xml_declaration=True)
