"""workflow-orchestrator: start/stop/status through boto3 stepfunctions; Workflow events; errors."""

from __future__ import annotations

import json

import pytest

from handlers.common.appsync import NotFoundError, UnauthorizedError, ValidationError
from handlers.common.repositories import BookingRepository
from sim.aws.stack import marketplace_stack
from tests.handlers.conftest_business import business_env

ROLE = "arn:aws:iam::123456789012:role/sfn"


@pytest.fixture
def env():
    with business_env("workflow-orchestrator") as e:
        stack = marketplace_stack()
        sfn = e.client("stepfunctions")
        for sm in stack.state_machines:
            sfn.create_state_machine(name=sm.name, definition=stack.definition(sm), roleArn=ROLE)
        BookingRepository().put({"id": "b1", "customerId": "c1", "providerId": "prov-1", "status": "confirmed"})
        yield e


def test_start_status_stop(env):
    started = env.appsync("startWorkflow", {"workflowType": "BOOKING", "input": json.dumps(
        {"action": "CREATE", "booking": {"serviceId": "svc-1"}})}, sub=None)
    arn = started["executionArn"]
    assert ":execution:ecosystem-booking-lifecycle:" in arn and started["workflowType"] == "BOOKING"
    with pytest.raises(UnauthorizedError):  # not the caller's execution
        env.appsync("getWorkflowStatus", {"executionArn": arn}, sub="cust-1")
    status = env.appsync("getWorkflowStatus", {"executionArn": arn}, sub="ops", groups=["admin"])
    assert status["status"] == "RUNNING" and status["input"]["action"] == "CREATE"
    assert status["input"]["actor"] == {"kind": "iam"}
    stopped = env.appsync("stopWorkflow", {"executionArn": arn, "cause": "test"}, sub="ops", groups=["admin"])
    assert stopped["executionArn"] == arn
    assert env.appsync("getWorkflowStatus", {"executionArn": arn}, sub=None)["status"] == "ABORTED"
    events = env.events()
    assert [e["detail-type"] for e in events] == ["Workflow Started", "Workflow Stopped"]
    assert all(e["source"] == "marketplace.workflow" for e in events)
    assert events[0]["detail"]["stateMachineArn"].endswith(":stateMachine:ecosystem-booking-lifecycle")


def test_users_start_only_their_own_workflows(env):
    out = env.appsync("startWorkflow", {"workflowType": "provider-onboarding", "input": {}}, sub="prov-1")
    desc = env.client("stepfunctions").describe_execution(executionArn=out["executionArn"])
    assert json.loads(desc["input"]) == {"providerId": "prov-1", "actor": {"kind": "user", "id": "prov-1"}}
    own = env.appsync("getWorkflowStatus", {"executionArn": out["executionArn"]}, sub="prov-1")
    assert own["input"]["providerId"] == "prov-1"
    with pytest.raises(UnauthorizedError, match="Not Authorized to access getWorkflowStatus"):
        env.appsync("getWorkflowStatus", {"executionArn": out["executionArn"]}, sub="c1")
    dispute = env.appsync("startWorkflow", {"workflowType": "DISPUTE", "input": {"bookingId": "b1",
                                                                                 "raisedBy": "someone"}}, sub="c1")
    desc = env.client("stepfunctions").describe_execution(executionArn=dispute["executionArn"])
    assert json.loads(desc["input"])["raisedBy"] == "c1"
    with pytest.raises(UnauthorizedError):
        env.appsync("startWorkflow", {"workflowType": "PAYMENT", "input": {"paymentType": "REFUND",
                                                                             "bookingId": "b1"}}, sub="c1")
    with pytest.raises(UnauthorizedError):  # a stranger cancels someone else's booking
        env.appsync("startWorkflow", {"workflowType": "BOOKING", "input": {"action": "CANCEL", "bookingId": "b1"}},
                    sub="c2")
    with pytest.raises(UnauthorizedError):  # no identity, an API key: refused
        env.appsync("startWorkflow", {"workflowType": "BOOKING", "input": {"action": "CANCEL", "bookingId": "b1"}},
                    identity={})
    with pytest.raises(UnauthorizedError):
        env.appsync("startWorkflow", {"workflowType": "BOOKING", "input": {
            "action": "CREATE", "booking": {"customerId": "other"}}}, sub="c1")
    with pytest.raises(UnauthorizedError):
        env.appsync("stopWorkflow", {"executionArn": out["executionArn"]}, sub="prov-1")


def test_same_request_same_instant_is_one_execution(env):
    args = {"workflowType": "PAYMENT", "input": {"paymentType": "PAYOUT", "bookingId": "b1"}}
    a = env.appsync("startWorkflow", args, sub=None)
    b = env.appsync("startWorkflow", args, sub=None)
    assert a["executionArn"] == b["executionArn"]


@pytest.mark.parametrize("args", [
    {"input": {}},
    {"workflowType": "LAUNDRY", "input": {}},
    {"workflowType": "BOOKING", "input": "{not json"},
    {"workflowType": "BOOKING", "input": [1, 2]},
    {"workflowType": "BOOKING", "input": {}, "name": "bad name!"},
])
def test_bad_starts_do_nothing(env, args):
    with pytest.raises(ValidationError):
        env.appsync("startWorkflow", args, sub=None)
    assert env.client("stepfunctions").list_executions(
        stateMachineArn="arn:aws:states:us-east-1:123456789012:stateMachine:ecosystem-booking-lifecycle"
    )["executions"] == []
    assert env.events() == []


def test_bad_arns_and_missing_executions(env):
    with pytest.raises(ValidationError):
        env.appsync("getWorkflowStatus", {"executionArn": "arn:aws:states:us-east-1:123456789012:execution:x"},
                    sub=None)
    with pytest.raises(ValidationError, match="marketplace workflow"):
        env.appsync("getWorkflowStatus", {"executionArn":
                    "arn:aws:states:us-east-1:123456789012:execution:someone-else:run1"}, sub=None)
    missing = "arn:aws:states:us-east-1:123456789012:execution:ecosystem-dispute-resolution:nope"
    with pytest.raises(NotFoundError):
        env.appsync("getWorkflowStatus", {"executionArn": missing}, sub=None)
    with pytest.raises(NotFoundError):
        env.appsync("stopWorkflow", {"executionArn": missing}, sub=None)
    assert [e["detail-type"] for e in env.events()] == ["Workflow Error"]
    with pytest.raises(ValidationError):
        env.appsync("pauseWorkflow", {}, sub=None)
