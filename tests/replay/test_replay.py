"""Replaying the shipped incident end to end: the invariants hold, the never-delivered dispute is
healed by the 02:00 reconciliation, and the same file and seed give the same trace hash (through
the API, the CLI, and `sim run` of the emitted scenario)."""

from __future__ import annotations

import json

import pytest

from sim.cli import main
from sim.replay import build_plan, load_export, render_scenario, replay
from sim.scenario.loader import parse_scenario
from sim.scenario.runner import run_scenario
from tests.replay.conftest import DELIVERIES, INCIDENT

EXPECT = """expect:
  booking.b1: {status: confirmed, paymentStatus: succeeded, platformFee: 960, providerEarnings: 11040}
  booking.b2: {paymentStatus: refunded, amountRefunded: 8500}
  booking.b3: {status: confirmed}
  webhooks.e3_payment_intent_succeeded: {status: COMPLETED}
  webhooks.e12_charge_refunded: {status: COMPLETED}
  webhooks.e19_charge_dispute_created: {status: COMPLETED}
  webhooks.e20_charge_dispute_funds_withdrawn: {status: COMPLETED}
  table.Dispute: {count: 1}
  bus: {Payment Succeeded: 3}
"""


@pytest.fixture(scope="module")
def plan():
    return build_plan(load_export([str(INCIDENT)], str(DELIVERIES)))


@pytest.fixture(scope="module")
def outcome(plan):
    return replay(plan, run_seed=1)


def test_the_incident_replays_and_every_invariant_holds(outcome):
    result = outcome.result
    assert result.status == "passed", (result.failures, result.broken)
    assert len(result.invariants) >= 9 and all(i["ok"] for i in result.invariants)
    assert result.replay.startswith("sim replay ") and "--seed 1" in result.replay
    assert len(outcome.deliveries) == 20
    assert all(d.replayed is not None and 200 <= d.replayed < 300 for d in outcome.deliveries)
    assert not [d for d in outcome.deliveries if d.differs]


def test_the_story_ends_as_stripe_says(plan):
    text = render_scenario(plan) + EXPECT
    result = run_scenario(parse_scenario(text, str(INCIDENT)), run_seed=1)
    assert result.status == "passed", [(f.name, f.message, f.actual) for f in result.failures]


def test_without_reconciliation_the_dispute_stays_missed(plan):
    quiet = build_plan(plan.export, reconcile=False)
    expect = ("expect:\n  webhooks.e19_charge_dispute_created: {absent: true}\n"
              "  webhooks.e16_payment_intent_succeeded: {status: COMPLETED}\n  table.Dispute: {count: 0}\n")
    result = run_scenario(parse_scenario(render_scenario(quiet) + expect, str(INCIDENT)), run_seed=1)
    assert result.status == "passed", [(f.name, f.message, f.actual) for f in result.failures]
    assert result.sim_time_s < 6 * 3600


def test_same_file_and_seed_same_trace_hash_and_sim_run_of_the_emitted_yaml_agrees(outcome, tmp_path):
    emitted = tmp_path / INCIDENT.name   # same base name: the trace names the file by it
    j1, j2 = tmp_path / "replay.json", tmp_path / "run.json"
    assert main(["replay", str(INCIDENT), "--deliveries", str(DELIVERIES), "--seed", "1", "--emit", str(emitted),
                 "--json", str(j1), "-q"]) == 0
    assert main(["run", str(emitted), "--seed", "1", "--json", str(j2), "-j", "1", "-q"]) == 0
    replayed, ran = json.loads(j1.read_text()), json.loads(j2.read_text())
    assert replayed["scenarios"][0]["trace_hash"] == outcome.result.trace_hash
    assert ran["scenarios"][0]["trace_hash"] == outcome.result.trace_hash
    summary = replayed["summary"]["replay"]
    assert summary["events"] == 20 and summary["attempts"] == 40 and len(summary["never_delivered"]) == 2
    assert set(replayed["scenarios"][0]) == {"name", "file", "tags", "status", "trace_hash", "invariants",
                                             "sim_time_s", "wall_s"}
