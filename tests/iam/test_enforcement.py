"""Under enforcement a call outside the principal's policy fails as AWS fails it; without, it is
recorded as denied and goes through."""

from __future__ import annotations

import json

import pytest

from sim import iam
from sim.aws.lambdas import LambdaError
from sim.world import World
from tests.iam.conftest import COGNITO_EVENT, with_workflow_rule

DENIED = ("User: arn:aws:sts::123456789012:assumed-role/post-confirmation-trigger-role/post-confirmation-trigger "
          "is not authorized to perform: dynamodb:PutItem on resource: "
          "arn:aws:dynamodb:us-east-1:123456789012:table/UserProfile because no identity-based policy allows the "
          "dynamodb:PutItem action")


def test_a_removed_permission_fails_with_awss_error_under_enforcement(remove_permission):
    remove_permission("post-confirmation-trigger", "dynamodb:PutItem")
    with World(seed=3, stripe=False) as w:
        iam.enforce(w)
        with pytest.raises(LambdaError):
            w.invoke("post-confirmation-trigger", COGNITO_EVENT)
        logged = " ".join(line["message"] for line in w.logs)
        assert "AccessDeniedException" in logged and DENIED in logged
        assert w.get_item("UserProfile", {"id": "user-ada-1"}) is None
        (denied,) = iam.monitor_of(w).denied
        assert (denied["principal"], denied["action"], denied["enforced"]) == \
            ("post-confirmation-trigger", "dynamodb:PutItem", True)
        deny = [r for r in w.trace.records if r["component"] == "iam" and r["kind"] == "deny"]
        assert deny[0]["details"]["resource"] == "arn:aws:dynamodb:us-east-1:123456789012:table/UserProfile"


def test_without_enforcement_the_call_goes_through_and_is_recorded(remove_permission):
    remove_permission("post-confirmation-trigger", "dynamodb:PutItem")
    with World(seed=3, stripe=False) as w:
        w.invoke("post-confirmation-trigger", COGNITO_EVENT)
        assert w.get_item("UserProfile", {"id": "user-ada-1"})["email"] == "ada@example.com"
        assert [(d["action"], d["enforced"]) for d in iam.monitor_of(w).denied] == [("dynamodb:PutItem", False)]


def test_the_intact_policy_allows_the_same_call():
    with World(seed=3, stripe=False) as w:
        iam.enforce(w)
        w.invoke("post-confirmation-trigger", COGNITO_EVENT)
        assert w.get_item("UserProfile", {"id": "user-ada-1"}) is not None
        mon = iam.monitor_of(w)
        assert mon.denied == []
        assert mon.used["post-confirmation-trigger"]["dynamodb:PutItem"] == {
            "arn:aws:dynamodb:us-east-1:123456789012:table/UserProfile"}


def test_the_client_error_is_awss_json_protocol_denial():
    with World(seed=3, stripe=False) as w:
        w.add_function("toy-reader", "tests.iam.toy.read_booking")   # no policy at all
        iam.enforce(w)
        out = w.invoke("toy-reader", {})
        assert out == {"code": "AccessDeniedException", "status": 400, "message": (
            "User: arn:aws:sts::123456789012:assumed-role/toy-reader-role/toy-reader is not authorized to perform: "
            "dynamodb:GetItem on resource: arn:aws:dynamodb:us-east-1:123456789012:table/Booking because no "
            "identity-based policy allows the dynamodb:GetItem action")}


def test_harness_calls_are_never_checked():
    with World(seed=3, stripe=False) as w:
        iam.enforce(w)
        w.client("dynamodb").get_item(TableName="Booking", Key={"id": {"S": "x"}})   # top level: no principal
        assert w.table_items("Booking") == []
        assert iam.monitor_of(w).checked == 0


def test_a_state_machine_without_invoke_permission_fails_its_task(monkeypatch):
    from sim.aws.stack import Stack

    original = Stack.state_machine_policy

    def no_lambda(self, sm):
        return tuple(st for st in original(self, sm) if "lambda:InvokeFunction" not in st["Action"])

    monkeypatch.setattr(Stack, "state_machine_policy", no_lambda)
    with World(seed=3, stripe=False) as w:
        iam.enforce(w)
        sfn = w.client("stepfunctions")
        arn = w.stack.state_machine_arn("ecosystem-provider-onboarding")
        run = sfn.start_execution(stateMachineArn=arn, input=json.dumps({"providerId": "p1", "country": "US"}))
        w.advance("10m")
        history = sfn.get_execution_history(executionArn=run["executionArn"])["events"]
        failed = [e["taskFailedEventDetails"] for e in history if e["type"] == "TaskFailed"]
        assert failed and failed[0]["error"] == "Lambda.AWSLambdaException"
        assert "assumed-role/ecosystem-provider-onboarding-role/" in failed[0]["cause"]
        assert "lambda:InvokeFunction" in failed[0]["cause"]
        assert not [i for i in w.lambdas.invocations if i.function in ("profile-events", "notification-handler")]


def test_a_rule_whose_target_role_is_denied_starts_nothing(monkeypatch):
    import sim.world
    from sim.aws.stack import Stack, marketplace_stack

    monkeypatch.setattr(sim.world, "marketplace_stack", lambda *a, **k: with_workflow_rule(marketplace_stack(*a, **k)))
    monkeypatch.setattr(Stack, "target_role_policy", lambda self, rule: (
        {"Effect": "Deny", "Action": ["states:*"], "Resource": ["*"]},) if rule.name == "iam-test-workflows" else ())
    with World(seed=3, stripe=False) as w:
        iam.enforce(w)
        w.client("events").put_events(Entries=[{
            "Source": "iam.test", "DetailType": "Anything", "EventBusName": w.stack.bus,
            "Detail": json.dumps({"bookingId": "b1"})}])
        w.settle()
        failed = [r for r in w.trace.records if r["kind"] == "target.failed"]
        assert failed and failed[0]["details"]["error"] == "AccessDeniedException"
        assert w.services.started_by_rules == []
        (denied,) = iam.monitor_of(w).denied
        assert denied["decision"] == "explicit-deny" and denied["via"] == "eventbridge"


def test_recorded_and_enforced_on_an_endpoint_backend_too():
    from tests.moto_server import moto_server

    with moto_server() as url, World(seed=3, backend=url, stripe=False) as w:
        w.add_function("toy-reader", "tests.iam.toy.read_booking")
        iam.enforce(w)
        assert w.invoke("toy-reader", {})["code"] == "AccessDeniedException"
        w.invoke("post-confirmation-trigger", COGNITO_EVENT)
        assert iam.monitor_of(w).used["post-confirmation-trigger"]["dynamodb:PutItem"]
