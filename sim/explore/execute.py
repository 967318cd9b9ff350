"""One explored run: a scenario document → one world → the oracle's verdict.

`judge(doc)` renders the document as the YAML a finding file holds, loads it with the project's
loader (so every explored story is exactly a valid scenario file) and plays it with
`run_scenario` at run seed 1 — the default of `sim run`, so `sim run <finding>.yaml` replays the
very same world. The `Verdict` names the broken invariants (oracle order) and whether a step cut
the story short (a step that could not do what it says: not judged). A booking or a cancel the
marketplace answered with an error does not cut it short: the generator writes them with
`expect_error: "*"`, so the story takes either answer, skips the steps that need a refused booking
and is judged; the Verdict lists those refusals and counts the steps skipped.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import yaml

from sim.explore.story import document

HEADER = "# yaml-language-server: $schema=../sim/scenario/schema.json\n"
RUN_SEED = 1  # what `sim run` uses by default


@dataclass
class Verdict:
    broken: list[tuple[str, str]] = field(default_factory=list)   # (invariant, detail), oracle order
    cut_short: str | None = None     # why a step stopped the story (then nothing is judged)
    steps: int = 0
    trace_hash: str = ""
    refused: list[str] = field(default_factory=list)   # "book b1: PaymentError: …" (the story went on)
    skipped: int = 0                 # steps that needed a refused booking

    @property
    def invariant(self) -> str | None:
        return self.broken[0][0] if self.broken else None

    def breaks(self, invariant: str) -> bool:
        return any(name == invariant for name, _ in self.broken)


def render(doc: dict, comment: str = "") -> str:
    """The scenario file's text."""
    lines = HEADER + "".join(f"# {line}\n" if line else "#\n" for line in comment.splitlines())
    return lines + yaml.safe_dump(document(doc), sort_keys=False, width=120, allow_unicode=True)


def judge(doc: dict, *, file: str = "<explore>") -> Verdict:
    from sim.scenario.loader import parse_scenario
    from sim.scenario.runner import run_scenario

    scenario = parse_scenario(render(doc), file)
    result = run_scenario(scenario, run_seed=RUN_SEED)
    verdict = Verdict(steps=len(scenario.steps), trace_hash=result.trace_hash, refused=list(result.refused),
                      skipped=result.steps_skipped)
    stopped = [f for f in result.failures if f.kind in ("step", "error")]
    if stopped:
        verdict.cut_short = f"{stopped[0].kind} {stopped[0].name}: {stopped[0].message}"[:300]
        return verdict
    verdict.broken = [(i["name"], i["detail"]) for i in result.invariants if not i["ok"]]
    return verdict
