"""Run a replay plan as a scenario (the same runner, oracle and reports as `sim run`) and compare
what the endpoint answered in the replay with what it answered in the incident.

The runner keeps the world to itself, so the replay reads its trace file back (written next to the
Markdown report, or in a temporary folder without `--report`): the `webhook.manual` records give
each replayed delivery's status, matched to the recorded attempts of the same event in time order.
"""

from __future__ import annotations

import json
import shlex
import tempfile
from dataclasses import asdict, dataclass, field
from pathlib import Path

from sim.replay.emit import render_scenario
from sim.replay.parse import iso
from sim.replay.timeline import Plan
from sim.report.model import ScenarioResult


@dataclass
class Delivery:
    """One replayed delivery beside its recorded attempt."""

    event_id: str
    type: str
    at: str
    recorded: int | None      # the recorded HTTP status (None: no response / no log)
    replayed: int | None      # what the replayed endpoint answered (None: not run)

    @property
    def differs(self) -> bool:
        ok = lambda s: s is not None and 200 <= s < 300  # noqa: E731
        return self.recorded is not None and ok(self.recorded) != ok(self.replayed)


@dataclass
class ReplayOutcome:
    result: ScenarioResult
    scenario_text: str
    deliveries: list[Delivery] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def summary(self, plan: Plan) -> dict:
        """The `replay` entry of the JSON summary."""
        export = plan.export
        return {
            "files": export.files, "speed": plan.speed, "events": len(export.events),
            "attempts": len(export.attempts) if export.attempts is not None else None,
            "deliveries_replayed": len(self.deliveries),
            "never_delivered": export.never_delivered, "unknown_types": export.unknown_types,
            "accounts": [p.account for p in plan.cast.providers if p.account],
            "bookings": [{"alias": b.alias, "bookingId": b.booking_id, "paymentIntent": b.payment_intent,
                          "amount": b.amount, "currency": b.currency} for b in plan.cast.bookings],
            "status_differences": [asdict(d) for d in self.deliveries if d.differs],
            "notes": self.notes,
        }


def command(files: list[str], run_seed: int, *, deliveries: str | None = None, speed: str = "as-recorded",
            reconcile: bool = True, backend: str = "embedded") -> str:
    parts = ["sim", "replay", *files, "--seed", str(run_seed)]
    if deliveries:
        parts += ["--deliveries", deliveries]
    if speed != "as-recorded":
        parts += ["--speed", speed]
    if not reconcile:
        parts.append("--no-reconcile")
    if backend != "embedded":
        parts += ["--backend", backend]
    return shlex.join(parts)


def replay(plan: Plan, *, run_seed: int = 1, backend: str = "embedded", report_dir: str | None = None,
           replay_command: str | None = None, progress=None) -> ReplayOutcome:
    from sim.scenario.loader import parse_scenario
    from sim.scenario.runner import run_scenario

    text = render_scenario(plan)
    scenario = parse_scenario(text, plan.export.files[0])
    with tempfile.TemporaryDirectory(prefix="sim-replay-") as tmp:
        folder = report_dir or tmp
        live = {"world_options": {"trace_listeners": [progress.on_record]}, "on_step": progress.on_step} \
            if progress is not None else {}
        result = run_scenario(scenario, run_seed=run_seed, backend=backend, report_dir=folder, keep_trace=True, **live)
        trace_file = Path(folder) / f"{Path(scenario.file).stem}.trace.jsonl"
        records = _read_trace(trace_file)
        if report_dir is None:
            result.report_file = None
    result.replay = replay_command or command(plan.export.files, run_seed, speed=plan.speed,
                                              reconcile=plan.reconcile, backend=backend)
    outcome = ReplayOutcome(result, text, compare(plan, records),
                            [*plan.export.notes, *plan.cast.notes])
    return outcome


def _read_trace(path: Path) -> list[dict]:
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def compare(plan: Plan, records: list[dict]) -> list[Delivery]:
    """Each planned delivery with its recorded status and the status the replay got."""
    replayed: dict[str, list[int | None]] = {}
    for rec in records:
        if rec.get("component") == "stripe" and rec.get("kind") == "webhook.manual":
            d = rec.get("details") or {}
            replayed.setdefault(d.get("event_id"), []).append(d.get("status"))
    taken: dict[str, int] = {}
    out = []
    for a in plan.deliveries:
        k = taken.get(a.event_id, 0)
        taken[a.event_id] = k + 1
        got = replayed.get(a.event_id, [])
        out.append(Delivery(a.event_id, plan.export.event(a.event_id).type, iso(a.at),
                            a.attempt.status if a.attempt else None, got[k] if k < len(got) else None))
    return out
