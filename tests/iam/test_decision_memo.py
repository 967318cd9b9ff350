"""The monitor remembers its decisions (a pure function of principal, action, resource and
condition keys): a scenario's trace, tallies and report are the same remembered or not, and a
remembered decision is really the one given back."""

from __future__ import annotations

from sim import iam
from sim.iam import monitor as monitor_module
from sim.scenario.loader import load_scenario
from sim.scenario.runner import run_scenario

SCENARIO = "scenarios/happy-payment.yaml"


def _run(monkeypatch, limit):
    monkeypatch.setattr(monitor_module, "MAX_DECISIONS", limit)
    return run_scenario(load_scenario(SCENARIO), run_seed=5)


def test_remembered_or_not_the_run_is_the_same(monkeypatch):
    remembered, fresh = _run(monkeypatch, 65_536), _run(monkeypatch, 0)
    assert remembered.trace_hash == fresh.trace_hash
    assert remembered.iam == fresh.iam and remembered.iam


def test_a_remembered_decision_is_the_one_given(monkeypatch):
    from sim.world import World

    with World(seed=3, stripe=False) as w:
        mon = iam.monitor_of(w)
        principal = mon.principal("post-confirmation-trigger")
        request = monitor_module.Request("dynamodb:PutItem", f"arn:aws:dynamodb:{w.region}:{w.account}:table/UserProfile")
        assert mon.check(principal, request).allowed
        key = monitor_module._decision_key(principal, request)
        mon._decisions[key] = (principal, monitor_module.Decision.EXPLICIT_DENY, ())   # a memo gone wrong
        assert mon.check(principal, request) is monitor_module.Decision.EXPLICIT_DENY
        other = monitor_module.Request(request.action, request.resource, {"dynamodb:LeadingKeys": ["x"]})
        assert mon.check(principal, other).allowed    # other condition keys: another question
