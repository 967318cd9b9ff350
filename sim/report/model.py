"""Results of a run, as plain data that crosses process boundaries and feeds every report."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field


@dataclass
class Failure:
    """Why a scenario failed: a broken invariant, an unmet expectation, a step error, a crash."""

    kind: str                 # "invariant" | "expectation" | "step" | "error"
    name: str                 # invariant name, expectation key or step kind
    message: str
    where: str = ""           # "scenarios/x.yaml:14 steps[3].deliver"
    expected: str | None = None
    actual: str | None = None


@dataclass
class ScenarioResult:
    name: str
    file: str
    tags: list[str]
    status: str               # "passed" | "failed"
    trace_hash: str
    invariants: list[dict]    # [{"name", "ok", "detail"}]
    sim_time_s: float
    wall_s: float
    seed: int = 0             # the world's seed (derived)
    run_seed: int = 1         # the --seed it was derived from
    replay: str = ""          # the exact command that replays it
    failures: list[Failure] = field(default_factory=list)
    steps_run: int = 0
    steps_total: int = 0
    steps_skipped: int = 0    # needing what the marketplace refused (a `book` with expect_error "*")
    refused: list[str] = field(default_factory=list)   # book/cancel steps taking either answer that got an error
    report_file: str | None = None
    stats: dict = field(default_factory=dict)   # counts from the trace (run_stats)
    iam: dict = field(default_factory=dict)     # per-principal IAM usage (sim.iam.monitor.summary)

    @property
    def passed(self) -> bool:
        return self.status == "passed"

    @property
    def broken(self) -> list[dict]:
        return [i for i in self.invariants if not i["ok"]]

    def contract(self) -> dict:
        """The contract-5 entry, exactly these keys."""
        return {"name": self.name, "file": self.file, "tags": list(self.tags), "status": self.status,
                "trace_hash": self.trace_hash,
                "invariants": [{"name": i["name"], "ok": bool(i["ok"]), "detail": i["detail"]}
                               for i in self.invariants],
                "sim_time_s": round(float(self.sim_time_s), 3), "wall_s": round(float(self.wall_s), 3)}

    def to_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict) -> ScenarioResult:
        data = dict(data)
        data["failures"] = [Failure(**f) for f in data.get("failures", [])]
        return cls(**data)


@dataclass
class RunSummary:
    results: list[ScenarioResult]
    seed: int
    backend: str
    jobs: int
    wall_s: float
    command: str = ""

    @property
    def passed(self) -> int:
        return sum(r.passed for r in self.results)

    @property
    def failed(self) -> int:
        return len(self.results) - self.passed

    @property
    def ok(self) -> bool:
        return self.failed == 0

    def summary(self) -> dict:
        broken: dict[str, int] = {}
        for r in self.results:
            for inv in r.broken:
                broken[inv["name"]] = broken.get(inv["name"], 0) + 1
        return {
            "total": len(self.results), "passed": self.passed, "failed": self.failed,
            "seed": self.seed, "backend": self.backend, "jobs": self.jobs,
            "wall_s": round(self.wall_s, 3),
            "sim_time_s": round(sum(r.sim_time_s for r in self.results), 3),
            "invariants_broken": dict(sorted(broken.items())),
            "failures": [{"name": r.name, "file": r.file, "reason": first_reason(r), "replay": r.replay}
                         for r in self.results if not r.passed],
            "command": self.command,
        }


def first_reason(result: ScenarioResult) -> str:
    """One line saying why a scenario failed (a broken invariant first)."""
    for inv in result.broken:
        return f"invariant {inv['name']}: {inv['detail']}"
    for f in result.failures:
        return f"{f.kind} {f.name}: {f.message}"
    return ""
