"""Local, deterministic simulation harness for the ecosystem marketplace (AWS + Stripe).

What a user imports (each loaded on first use, so `import sim` stays cheap):

    from sim import World, run_scenario, load_scenario, InputError
    from sim import FaultPlane, AwsCallFault, DeliveryFault, LambdaFault, LambdaTimeoutFault, \\
        PutEventsFault, TaskMock, StripeApiFault, draw
    from sim import execute, matches, InvalidEventPattern

- `World` (sim.world): the whole stack on virtual time (docs/contracts.md §1);
- `run_scenario(path, run_seed=1) -> ScenarioResult`, `load_scenario(path)` (sim.scenario);
- `InputError` (sim.errors): every bad-input error (exit status 2), see the tree there;
- the fault plane's spec types and `draw` (sim.faults, docs/faults.md);
- `execute` (sim.asl, §2) and `matches` / `InvalidEventPattern` (sim.aws.eventbridge, §3).
"""

from __future__ import annotations

from sim.lazy import exports

__version__ = "0.1.0"

_EXPORTS = {
    "World": "sim.world",
    "InputError": "sim.errors",
    "run_scenario": "sim.scenario.runner",
    "load_scenario": "sim.scenario.loader",
    "ScenarioResult": "sim.report.model",
    "execute": "sim.asl",
    "matches": "sim.aws.eventbridge",
    "InvalidEventPattern": "sim.aws.eventbridge",
    **{name: "sim.faults" for name in ("FaultPlane", "FaultSpec", "AwsCallFault", "DeliveryFault", "LambdaFault",
                                       "LambdaTimeoutFault", "PutEventsFault", "TaskMock", "StripeApiFault",
                                       "LambdaCrash", "draw", "DRAW_KINDS")},
}

__all__ = sorted(_EXPORTS)


__getattr__, __dir__ = exports(__name__, globals(), _EXPORTS)
