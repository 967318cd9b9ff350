"""The writes-authorized invariant: a back door (a mutant whose checks all pass) is caught from the
trace alone, and the real handlers keep it green."""

from __future__ import annotations

import pytest

from handlers.common import authz
from sim.scenario.loader import parse_scenario
from sim.scenario.runner import run_scenario

STORY = """
name: a stranger tries to cancel another customer's booking, then to read their notifications
seed: 3
tags: [authz]
world: {customers: 2, providers: 1, services: 1}
steps:
  - book: {id: b1}
  - stripe: {pay: b1}
  - advance: 1m
  - appsync: {field: getNotifications, identity: c1, arguments: {userId: "{{c0}}", markAsRead: true}}
  - appsync: {field: processBooking, identity: c1, arguments: {action: cancel, bookingId: "{{b1}}"}}
"""


def _invariant(result) -> dict:
    return next(i for i in result.invariants if i["name"] == "writes-authorized")


def test_real_handlers_refuse_and_the_invariant_holds():
    result = run_scenario(parse_scenario(STORY, "stranger.yaml"))
    assert result.status == "failed"  # the stranger's first call is refused: the step fails
    assert "Unauthorized" in result.failures[0].message
    inv = _invariant(result)
    assert inv["ok"], inv["detail"]


@pytest.fixture
def back_door(monkeypatch):
    """A mutant marketplace: every check passes (what the orchestrator's tasks did before issue 16)."""
    monkeypatch.setattr(authz, "authorize", lambda operation, principal, owner=None: authz.relation(principal, owner))


def test_a_back_door_breaks_the_invariant(back_door):
    result = run_scenario(parse_scenario(STORY, "stranger.yaml"))
    assert not result.failures, result.failures  # the stranger got through
    inv = _invariant(result)
    assert not inv["ok"]
    assert "Booking" in inv["detail"] and "other_customer" in inv["detail"]
    assert "processBooking.cancel" in inv["detail"]
    assert "Notification" in inv["detail"]


WORKFLOW_STORY = """
name: a stranger cancels another customer's booking through startWorkflow
seed: 3
tags: [authz]
world: {customers: 2, providers: 1, services: 1}
steps:
  - book: {id: b1}
  - stripe: {pay: b1}
  - advance: 1m
  - workflow: {start: booking-lifecycle, via: orchestrator, identity: c1, input: {action: CANCEL, bookingId: "{{b1}}"}}
  - advance: 1m
"""


def test_workflow_task_writes_are_attributed_to_the_execution_actor(back_door):
    result = run_scenario(parse_scenario(WORKFLOW_STORY, "stranger-wf.yaml"))
    inv = _invariant(result)
    assert not inv["ok"]
    assert "startWorkflow.BOOKING.CANCEL" in inv["detail"] and "booking-processor" in inv["detail"]
