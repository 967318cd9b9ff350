"""`sim replay`: play a real incident — the events Stripe recorded and, optionally, the delivery
attempts its endpoint saw — deterministically against the simulated marketplace.

    export = load_export(["incident.json"])            # parse.py: validate (exit 2 on bad input)
    plan = build_plan(export, speed="as-recorded")       # cast.py + timeline.py: world and actions
    text = render_scenario(plan)                         # emit.py: the equivalent scenario YAML
    outcome = replay(plan, run_seed=1)                   # play.py: run it, compare with the record

The replay is an ordinary scenario (`stripe_import` steps put the recorded events, with their ids,
into the fake Stripe; `deliver` steps replay the recorded attempts), so it is reported, hashed and
checked by the oracle exactly like `sim run`.
"""

from __future__ import annotations

from sim.replay.cast import Cast, build_cast
from sim.replay.emit import render_scenario
from sim.replay.export import Attempt, Export, Recorded
from sim.replay.parse import load_export, parse_text
from sim.replay.play import ReplayOutcome, replay
from sim.replay.timeline import Plan, build_plan

__all__ = ["Attempt", "Cast", "Export", "Plan", "Recorded", "ReplayOutcome", "build_cast", "build_plan",
           "load_export", "parse_text", "render_scenario", "replay"]
