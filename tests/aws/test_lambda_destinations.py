"""Asynchronous invocations the way Lambda's event queue retries them: function errors against
MaximumRetryAttempts (1 then 2 minutes later), throttles with a backoff for as long as the event is
younger than MaximumEventAgeInSeconds; an event that failed on every retry, or outlived its maximum
age, sends Lambda's invocation record to the function's on-failure destination
(webhook-reconciliation → critical-system-alerts), deployed the AWS way (EventInvokeConfig)."""

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
    assert got["MaximumRetryAttempts"] == 2 and got["MaximumEventAgeInSeconds"] == 21600
    assert got["DestinationConfig"]["OnFailure"]["Destination"] == stack.topic_arn("critical-system-alerts")
    assert [c.name for c in deployer.changes] == [f"{fn.name} event invoke config"]


def _lambda_records(world, kind, function):
    return [r for r in world.trace.select("lambda", kind) if r["details"]["function"] == function]


def test_throttles_are_no_retry_attempts_the_event_is_retried_with_backoff_until_it_runs(world):
    world.add_function("toy", toy.whoami)
    world.lambdas.throttle("toy", times=5)
    world.lambdas.invoke_async("toy", {})
    world.advance(600)
    (end,) = _lambda_records(world, "invoke.end", "toy")
    assert end["details"]["status"] == "succeeded" and end["t"] == "2026-03-02T09:00:31.000Z"  # 1+2+4+8+16 s
    retries = _lambda_records(world, "async.retry", "toy")
    assert [(r["details"]["throttled"], r["details"]["delay"]) for r in retries] == [
        (1, 1.0), (2, 2.0), (3, 4.0), (4, 8.0), (5, 16.0)]
    assert _lambda_records(world, "async.exhausted", "toy") == [] and world.lambdas.async_failures == []


def test_an_event_throttled_past_its_maximum_age_is_discarded_to_the_on_failure_destination(world):
    name = "webhook-reconciliation"
    assert world.stack.function(name).async_max_event_age == 6 * 3600  # Lambda's default
    world.lambdas.throttle(name, times=None)
    world.lambdas.invoke_async(name, {"detail-type": "Scheduled Event"})
    world.advance_to("2026-03-02T14:59:59Z")
    assert _critical(world) == [] and _lambda_records(world, "invoke.start", name) == []
    delays = [r["details"]["delay"] for r in _lambda_records(world, "async.retry", name)]
    assert delays[:10] == [1.0, 2.0, 4.0, 8.0, 16.0, 32.0, 64.0, 128.0, 256.0, 300.0] and max(delays) == 300.0
    world.advance_to("2026-03-02T15:10:00Z")
    (exhausted,) = _lambda_records(world, "async.exhausted", name)
    assert exhausted["t"] == "2026-03-02T15:00:00.000Z" and exhausted["details"]["condition"] == "EventAgeExceeded"
    (msg,) = _critical(world)
    record = json.loads(msg["message"])
    assert record["requestContext"]["condition"] == "EventAgeExceeded"
    assert record["requestContext"]["approximateInvokeCount"] == len(delays) + 1
    assert record["responsePayload"]["errorType"] == "TooManyRequestsException"


def test_a_shorter_maximum_event_age_discards_sooner(world):
    world.add_function("toy", toy.whoami)
    world.lambdas.throttle("toy", times=None)
    world.lambdas.invoke_async("toy", {}, max_event_age=60)
    world.advance(600)
    (exhausted,) = _lambda_records(world, "async.exhausted", "toy")
    assert exhausted["t"] == "2026-03-02T09:01:00.000Z"
    assert world.lambdas.async_failures[0]["condition"] == "EventAgeExceeded"


def test_function_errors_still_exhaust_after_two_retries_whatever_the_throttles_before(world):
    world.add_function("toy", toy.fails)
    world.lambdas.throttle("toy", times=3)
    world.lambdas.invoke_async("toy", {})
    world.advance(600)
    ends = _lambda_records(world, "invoke.end", "toy")
    assert [r["t"][11:19] for r in ends] == ["09:00:07", "09:01:07", "09:03:07"]  # after 1+2+4 s of throttles
    assert [r["details"]["attempt"] for r in _lambda_records(world, "async.retry", "toy")
            if "attempt" in r["details"]] == [1, 2]
    (exhausted,) = _lambda_records(world, "async.exhausted", "toy")
    assert "condition" not in exhausted["details"] and world.lambdas.async_failures[0]["condition"] == "RetriesExhausted"
