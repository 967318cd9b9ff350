"""The four workflow diagrams (mermaid stateDiagram-v2) of docs/workflows.md, parsed.

`diagrams()` maps a machine name ("booking-lifecycle", …) to a Diagram: its states, its start
state, its labelled edges and the states that end the workflow. The diagrams are copies of the
architecture document's; `reference_diagrams()` parses the document itself when a copy is
beside the clone, so a test can check the copies still match.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
DOC = ROOT / "docs" / "workflows.md"
ASL = ROOT / "asl"
MACHINES = ("booking-lifecycle", "payment-processing", "dispute-resolution", "provider-onboarding")

_EDGE = re.compile(r"^(\[\*\]|\w+)\s*-->\s*(\[\*\]|\w+)\s*(?::\s*(.+))?$")
_CHOICE = re.compile(r"^state\s+(\w+)\s+<<choice>>$")


@dataclass
class Diagram:
    name: str
    start: str = ""
    edges: set[tuple[str, str, str]] = field(default_factory=set)   # (from, to, label or "")
    ends: set[str] = field(default_factory=set)
    choices: set[str] = field(default_factory=set)

    @property
    def states(self) -> set[str]:
        names = {a for a, _, _ in self.edges} | {b for _, b, _ in self.edges}
        return names | self.ends | {self.start} | self.choices

    def targets(self, state: str) -> set[str]:
        return {b for a, b, _ in self.edges if a == state}


def parse(name: str, text: str) -> Diagram:
    d = Diagram(name)
    for raw in text.splitlines():
        line = raw.strip()
        if not line or line == "stateDiagram-v2":
            continue
        if m := _CHOICE.match(line):
            d.choices.add(m.group(1))
            continue
        m = _EDGE.match(line)
        assert m, f"{name}: cannot parse diagram line {line!r}"
        a, b, label = m.group(1), m.group(2), (m.group(3) or "").strip()
        if a == "[*]":
            d.start = b
        elif b == "[*]":
            d.ends.add(a)
        else:
            d.edges.add((a, b, label))
    return d


def _blocks(text: str) -> list[str]:
    return re.findall(r"```mermaid\n(.*?)```", text, re.S)


def diagrams() -> dict[str, Diagram]:
    text = DOC.read_text(encoding="utf-8")
    out = {}
    for m in re.finditer(r"<!-- diagram: ([\w-]+) -->\n```mermaid\n(.*?)```", text, re.S):
        out[m.group(1)] = parse(m.group(1), m.group(2))
    assert set(out) == set(MACHINES), f"docs/workflows.md has diagrams for {sorted(out)}"
    return out


def reference_diagrams() -> dict[str, Diagram] | None:
    found = sorted((ROOT.parent / "shared" / "reference").glob("architecture-*.md"))
    if not found:
        return None
    text = found[0].read_text(encoding="utf-8")
    section = text.split("## Step Functions Workflows", 1)[1].split("## Lambda Functions", 1)[0]
    blocks = _blocks(section)
    assert len(blocks) == 4, "the architecture document should draw four workflows"
    return {name: parse(name, block) for name, block in zip(MACHINES, blocks, strict=True)}


def definition(name: str) -> dict:
    return json.loads((ASL / f"{name}.asl.json").read_text(encoding="utf-8"))
