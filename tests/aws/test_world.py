"""Contract 1: the World, its Lambda runtime, faults, TTL and schedules."""

from datetime import timedelta

import pytest

from sim.aws.lambdas import LambdaError
from sim.errors import InputError
from sim.world import World
from tests.aws import toy_handlers as toy


def test_world_deploys_the_stack(world):
    tables = world.client("dynamodb").list_tables()["TableNames"]
    for name in ("ProcessedWebhooks", "UserProfile", "Booking"):
        assert name in tables
    booking = world.client("dynamodb").describe_table(TableName="Booking")["Table"]
    assert {ix["IndexName"] for ix in booking["GlobalSecondaryIndexes"]} >= {
        "PaymentIntentIndex",
        "ProviderBookingsIndex",
        "CustomerBookingsIndex",
    }
    ttl = world.client("dynamodb").describe_time_to_live(TableName="ProcessedWebhooks")
    assert ttl["TimeToLiveDescription"]["AttributeName"] == "ttl"
    buses = [b["Name"] for b in world.client("events").list_event_buses()["EventBuses"]]
    assert "ecosystem-marketplace-events" in buses


def test_now_and_advance_are_virtual(world):
    start = world.now()
    assert start.tzinfo is not None
    world.advance(timedelta(days=7))
    assert world.now() - start == timedelta(days=7)
    world.advance("26h")
    assert world.now() - start == timedelta(days=8, hours=2)


def test_env_is_the_functions_environment(world):
    env = world.env("webhook-authorizer")
    assert env["STRIPE_WEBHOOK_SECRET"].startswith("whsec_")
    assert env["PROCESSED_WEBHOOKS_TABLE"] == "ProcessedWebhooks"
    assert env["AWS_LAMBDA_FUNCTION_NAME"] == "webhook-authorizer"
    orchestrator = world.env("workflow-orchestrator")
    assert orchestrator["BOOKING_STATE_MACHINE_ARN"].endswith(":stateMachine:ecosystem-booking-lifecycle")
    assert orchestrator["MARKETPLACE_EVENT_BUS_ARN"].endswith(":event-bus/ecosystem-marketplace-events")


def test_unknown_function_lists_the_known_ones(world):
    with pytest.raises(InputError, match="stripe-webhook"):
        world.invoke("no-such-function", {})


def test_invocation_sees_its_environment_context_and_virtual_time(world):
    world.add_function("toy", toy.whoami, timeout=30, env={"TOY_VAR": "hello"})
    out = world.invoke("toy", {})
    assert out["env"] == "hello" and out["fn"] == "toy"
    assert out["remaining"] == 30_000
    assert out["now"] == world.now().timestamp()
    import os

    assert os.environ.get("TOY_VAR") is None  # restored after the invocation


def test_handler_errors_come_back_as_lambda_reports_them(world):
    world.add_function("boom", toy.fails)
    with pytest.raises(LambdaError) as info:
        world.invoke("boom", {})
    assert info.value.error_type == "ValueError"
    assert "amount must be positive" in info.value.error_message
    assert info.value.payload["stackTrace"]
    # AWS's Python runtime orders the keys errorMessage, errorType, requestId, stackTrace
    assert list(info.value.payload) == ["errorMessage", "errorType", "requestId", "stackTrace"]


def test_timeout_in_virtual_time(world):
    world.add_function("slow", toy.slow, timeout=3)
    world.faults.add("dynamodb.PutItem", function="slow", latency=10, after=1)
    with pytest.raises(LambdaError) as info:
        world.invoke("slow", {})
    assert info.value.error_type == "Sandbox.Timedout"
    assert "Task timed out after 3.00 seconds" in info.value.error_message
    ids = {i["id"] for i in world.table_items("Service")}
    assert "before" in ids and "after" not in ids


def test_throttle_fault_then_success(world):
    world.add_function("toy", toy.whoami)
    world.lambdas.throttle("toy", times=1)
    with pytest.raises(LambdaError) as info:
        world.invoke("toy", {})
    assert info.value.throttled and info.value.error_type == "TooManyRequestsException"
    assert world.invoke("toy", {})["fn"] == "toy"


def test_concurrency_limit_throttles_the_excess(world):
    world.add_function("slow", toy.slow, concurrency=1)
    world.faults.add("dynamodb.PutItem", function="slow", latency=1, times=None)
    tasks = [world.spawn_invoke("slow", {}) for _ in range(3)]
    world.advance(10)
    statuses = sorted(t.result().status for t in tasks)
    assert statuses == ["succeeded", "throttled", "throttled"]


def test_throttling_is_absorbed_by_the_sdk_retries_on_virtual_time(world):
    world.add_function("five", toy.five_calls)
    world.faults.add("dynamodb.PutItem", function="five", error="ProvisionedThroughputExceededException", times=2)
    start = world.now()
    assert world.invoke("five", {}) == 5  # DynamoDB clients make 4 attempts in standard mode
    faults = world.trace.select("aws", "fault")
    assert [f["details"]["attempt"] for f in faults] == [1, 2]
    assert world.now() > start  # the backoff slept, virtually


def test_persistent_throttling_reaches_the_handler(world):
    world.add_function("five", toy.five_calls)
    world.faults.add("dynamodb.PutItem", function="five", error="ProvisionedThroughputExceededException", times=10)
    with pytest.raises(LambdaError) as info:
        world.invoke("five", {})
    assert info.value.error_type == "ProvisionedThroughputExceededException"
    assert len(world.trace.select("aws", "fault")) == 4


def test_non_retryable_errors_are_not_retried(world):
    world.add_function("five", toy.five_calls)
    world.faults.add("dynamodb.PutItem", function="five", error="ConditionalCheckFailedException", times=1)
    with pytest.raises(LambdaError) as info:
        world.invoke("five", {})
    assert info.value.error_type == "ConditionalCheckFailedException"
    assert world.invoke("five", {}) == 5


def test_faults_match_table_and_ignore_harness_calls(world):
    world.add_function("five", toy.five_calls)
    world.faults.add("dynamodb.*", table="Booking", error="InternalServerError", times=None)
    assert world.invoke("five", {}) == 5  # the Service table is not faulted
    world.client("dynamodb").put_item(TableName="Booking", Item={"id": {"S": "harness"}})  # not in a task


def test_crash_after_the_call_took_effect(world):
    world.add_function("crashy", toy.swallow_everything)
    world.faults.add("dynamodb.PutItem", function="crashy", crash_after=True)
    with pytest.raises(LambdaError) as info:
        world.invoke("crashy", {})
    assert info.value.error_type == "Runtime.ExitError"
    assert [i["id"] for i in world.table_items("Service")] == ["crash"]


def test_bad_fault_is_a_clear_error(world):
    with pytest.raises(InputError, match="service.Operation"):
        world.faults.add("UpdateItem", error="X")
    with pytest.raises(InputError, match="one of error, latency or crash_after"):
        world.faults.add("dynamodb.UpdateItem")


def test_ttl_sweep_removes_expired_items(world):
    ddb = world.client("dynamodb")
    expires = int(world.now().timestamp()) + 3600
    ddb.put_item(TableName="ProcessedWebhooks", Item={"eventId": {"S": "evt_1"}, "ttl": {"N": str(expires)}})
    world.advance(1800)
    assert len(world.table_items("ProcessedWebhooks")) == 1
    world.advance(3600)
    assert world.table_items("ProcessedWebhooks") == []


def test_daily_reconciliation_fires_at_two_am(world):
    world.advance_to("2026-03-04T03:00:00Z")
    fired = [r for r in world.trace if r["kind"] == "schedule" and r["details"]["rule"] == "webhook-reconciliation-daily"]
    assert [r["t"] for r in fired] == ["2026-03-03T02:00:00.000Z", "2026-03-04T02:00:00.000Z"]
    starts = [
        r
        for r in world.trace.select("lambda", "invoke.start")
        if r["details"]["function"] == "webhook-reconciliation"
    ]
    # this world has no Stripe: each run fails (ReconciliationIncomplete) and Lambda retries it twice
    assert [r["t"] for r in starts if r["t"].endswith("T02:00:00.000Z")] == [r["t"] for r in fired]
    assert len(starts) == 6


def test_bedrock_is_answered_deterministically(world):
    import json

    rt = world.client("bedrock-runtime")
    body = json.dumps(
        {
            "anthropic_version": "bedrock-2023-05-31",
            "max_tokens": 50,
            "messages": [{"role": "user", "content": "describe a plumber"}],
        }
    )
    a = json.loads(
        rt.invoke_model(modelId="anthropic.claude-3-haiku-20240307-v1:0", body=body)["body"].read()
    )
    b = json.loads(
        rt.invoke_model(modelId="anthropic.claude-3-haiku-20240307-v1:0", body=body)["body"].read()
    )
    assert a == b and a["content"][0]["text"]


def test_lambda_invoke_through_boto3_runs_in_process(world):
    import json

    world.add_function("toy", toy.whoami, env={"TOY_VAR": "via-boto3"})
    out = world.client("lambda").invoke(FunctionName="toy", Payload=b"{}")
    assert json.loads(out["Payload"].read())["env"] == "via-boto3"


def test_world_restores_the_process_on_exit():
    import os
    import time

    before = os.environ.get("AWS_ACCESS_KEY_ID")
    with World(seed=3, stripe=False) as w:
        assert time.time() == w.now().timestamp()
    assert os.environ.get("AWS_ACCESS_KEY_ID") == before
    assert abs(time.time() - w.now().timestamp()) > 1000


def _story(seed: int) -> tuple[str, int]:
    with World(seed=seed, stripe=False) as w:
        w.add_function("five", toy.five_calls)
        w.add_function("toy", toy.conditional_once)
        tasks = [w.spawn_invoke("toy", {"id": f"evt_{n % 2}"}) for n in range(4)]
        w.invoke("five", {})
        w.advance("1d")
        assert all(t.done for t in tasks)
        return w.trace.hash(), len(w.trace)


def test_same_seed_and_actions_give_an_identical_trace():
    assert _story(11) == _story(11)
    assert len({_story(seed)[0] for seed in (11, 12, 13)}) > 1


def test_function_output_is_captured_as_its_log_lines(world):
    def chatty(event, context):
        print('{"level": "INFO", "message": "hello", "bookingId": "b1"}')
        print("plain text line")
        return "ok"

    world.add_function("chatty", chatty)
    world.invoke("chatty", {})
    lines = [entry for entry in world.logs if entry["function"] == "chatty"]
    assert [entry["text"] for entry in lines] == ["hello", "plain text line"]
    assert lines[0]["fields"]["bookingId"] == "b1" and lines[0]["requestId"]


def test_injected_function_failure_and_set_env(world):
    world.add_function("toy", toy.whoami, env={"TOY_VAR": "one"})
    world.lambdas.fail("toy", "ImportModuleError", times=1)
    with pytest.raises(LambdaError) as info:
        world.invoke("toy", {})
    assert info.value.error_type == "ImportModuleError"
    assert world.set_env("TOY_VAR", "two") == ["toy"]
    assert world.invoke("toy", {})["env"] == "two"


def test_the_attachments_bucket_exists(world):
    names = [b["Name"] for b in world.client("s3").list_buckets()["Buckets"]]
    assert "ecosystem-marketplace-attachments" in names


def test_faults_accept_boto3_client_names(world):
    from sim.aws.faults import service_id

    assert service_id("events") == "eventbridge" and service_id("stepfunctions") == "sfn"
    assert service_id("eventbridge") == "eventbridge" and service_id("dynamodb") == "dynamodb"

    def publish(event, context):
        import boto3

        boto3.client("events").put_events(Entries=[{"Source": "s", "DetailType": "d", "Detail": "{}",
                                                    "EventBusName": "ecosystem-marketplace-events"}])
        return "published"

    world.add_function("publisher", publish)
    world.faults.add("events.PutEvents", function="publisher", error="InternalException", times=5)
    with pytest.raises(LambdaError):
        world.invoke("publisher", {})


WIRED = ("stripe", "stack", "environments", "writes", "lambdas", "router", "targets", "sfn", "services",
         "streams", "observer", "webhook_ingress")


def test_every_attribute_exists_from_construction_and_start_wires_them(world):
    fresh = World(seed=1)
    assert all(getattr(fresh, name) is None for name in WIRED) and fresh.stripe_endpoints == []
    assert all(getattr(world, name) is not None for name in WIRED if name != "stripe")  # a stripe=False world
    assert world.stripe is None and world.stripe_endpoints == []


def test_the_runtime_remembers_every_invocation_but_not_its_response(world):
    world.add_function("toy", toy.whoami, timeout=30, env={"TOY_VAR": "hello"})
    first = world.lambdas.invoke_detailed("toy", {})
    second = world.lambdas.invoke_detailed("toy", {})
    assert first.result["fn"] == "toy"          # the caller has the response
    records = [r for r in world.lambdas.invocations if r.function == "toy"]
    assert [(r.request_id, r.started) for r in records] == [(first.request_id, first.started),
                                                            (second.request_id, second.started)]
    assert not hasattr(records[0], "result")    # the runtime does not keep it (storms stay flat)
