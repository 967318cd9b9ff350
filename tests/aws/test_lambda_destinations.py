"""An asynchronous invocation that failed on every one of Lambda's retries sends Lambda's invocation
record to the function's on-failure destination (webhook-reconciliation → critical-system-alerts),
and the destination is deployed the AWS way (EventInvokeConfig)."""

import json

import boto3
from moto import mock_aws

from sim.aws.deploy import Deployer
from sim.aws.stack import marketplace_stack
from tests.aws import toy_handlers as toy

CRITICAL = ":critical-system-alerts"


def _critical(world):
    return [m for m in world.sns_messages if str(m["topic"]).endswith(CRITICAL)]


def test_reconciliation_failed_on_every_retry_reaches_critical_system_alerts(world):
    # this world has no Stripe: every attempt of the 02:00 run fails (ReconciliationIncomplete)
    world.advance_to("2026-03-03T02:02:00Z")
    assert _critical(world) == []          # two attempts so far, one retry to go
    world.advance_to("2026-03-03T03:00:00Z")
    starts = [r for r in world.trace.select("lambda", "invoke.start")
              if r["details"]["function"] == "webhook-reconciliation"]
    (msg,) = _critical(world)
    record = json.loads(msg["message"])
    assert record["requestContext"] == {
        "requestId": starts[-1]["details"]["requestId"], "condition": "RetriesExhausted",
        "functionArn": world.stack.function_arn("webhook-reconciliation") + ":$LATEST", "approximateInvokeCount": 3}
    assert record["version"] == "1.0" and record["timestamp"] == "2026-03-03T02:03:00.000Z"
    assert record["requestPayload"]["detail-type"] == "Scheduled Event"
    assert record["responseContext"]["functionError"] == "Unhandled"
    assert record["responsePayload"]["errorType"] == "ReconciliationIncomplete"


def test_no_destination_record_when_a_retry_succeeds_or_the_function_has_none(world):
    world.add_function("toy", toy.whoami)
    world.lambdas.fail("toy", "RuntimeError", times=5)
    world.lambdas.invoke_async("toy", {})
    world.advance(600)
    assert [r["details"]["function"] for r in world.trace.select("lambda", "async.exhausted")] == ["toy"]
    fn = world.stack.function("webhook-reconciliation")
    world.lambdas.handler_for(fn)  # load it, then swap in a handler that fails once
    calls = []

    def flaky(event, context):
        calls.append(context.aws_request_id)
        if len(calls) == 1:
            raise RuntimeError("first attempt")
        return {"ok": True}

    world.lambdas._handlers[fn.name] = flaky
    world.lambdas.invoke_async(fn.name, {})
    world.advance(600)
    assert len(calls) == 2 and world.sns_messages == []


def test_the_destination_is_deployed_as_an_event_invoke_config():
    stack = marketplace_stack()
    fn = stack.function("webhook-reconciliation")
    assert fn.on_failure == "critical-system-alerts" and fn.async_retries == 2
    with mock_aws():
        iam = boto3.client("iam", region_name=stack.region)
        role = iam.create_role(RoleName="r", AssumeRolePolicyDocument="{}")["Role"]["Arn"]
        lam = boto3.client("lambda", region_name=stack.region)
        lam.create_function(FunctionName=fn.name, Runtime="python3.12", Role=role, Handler=fn.handler,
                            Code={"ZipFile": b"PK\x05\x06" + b"\x00" * 18})
        deployer = Deployer(stack, lambda service: boto3.client(service, region_name=stack.region))
        deployer.event_invoke_config(lam, fn)
        deployer.event_invoke_config(lam, fn)  # idempotent: unchanged the second time
        got = lam.get_function_event_invoke_config(FunctionName=fn.name)
    assert got["MaximumRetryAttempts"] == 2
    assert got["DestinationConfig"]["OnFailure"]["Destination"] == stack.topic_arn("critical-system-alerts")
    assert [c.name for c in deployer.changes] == [f"{fn.name} event invoke config"]
