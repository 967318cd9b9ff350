"""Task states: integrations (fake callables, moto), Retry/Catch, timeouts, callbacks, mocks."""

from __future__ import annotations

import json

import pytest

from sim.asl import execute
from sim.asl.integrations import Integrations, camel_to_snake, parse_resource
from sim.asl.mocks import MockConfig, MockConfigError
from tests.asl.helpers import machine, prevs, types

INVOKE = "arn:aws:states:::lambda:invoke"


def fake_lambda(responses):
    """invoke_lambda that returns/raises the given responses in turn and records its calls."""
    calls = []

    def invoke(function, payload, invocation_type):
        calls.append((function, payload, invocation_type))
        r = responses[min(len(calls) - 1, len(responses) - 1)]
        if isinstance(r, Exception):
            raise r
        return r

    invoke.calls = calls
    return invoke


def test_lambda_invoke_envelope_and_events():
    fn = fake_lambda([(200, json.dumps({"ok": True}), None, "$LATEST")])
    d = machine({"Call": {"Type": "Task", "Resource": INVOKE, "Parameters": {"FunctionName": "pay", "Payload.$": "$"},
                          "ResultSelector": {"p.$": "$.Payload", "code.$": "$.StatusCode"}, "End": True}})
    ex = execute(d, {"amount": 5}, integrations=Integrations(invoke_lambda=fn))
    assert ex.output == {"p": {"ok": True}, "code": 200}
    assert fn.calls == [("pay", {"amount": 5}, "RequestResponse")]
    assert types(ex) == ["ExecutionStarted", "TaskStateEntered", "TaskScheduled", "TaskStarted", "TaskSucceeded",
                         "TaskStateExited", "ExecutionSucceeded"]
    sched = ex.history[2]["taskScheduledEventDetails"]
    assert sched["resourceType"] == "lambda" and sched["resource"] == "invoke" and sched["region"] == "us-east-1"
    assert json.loads(sched["parameters"]) == {"FunctionName": "pay", "Payload": {"amount": 5}}
    out = json.loads(ex.history[4]["taskSucceededEventDetails"]["output"])
    assert set(out) >= {"ExecutedVersion", "Payload", "StatusCode", "SdkHttpMetadata", "SdkResponseMetadata"}


def test_legacy_function_arn_returns_bare_payload():
    fn = fake_lambda([(200, b'{"v": 1}', None, "$LATEST")])
    arn = "arn:aws:lambda:us-east-1:123456789012:function:f"
    ex = execute(machine({"T": {"Type": "Task", "Resource": arn, "End": True}}), {"a": 1},
                 integrations=Integrations(invoke_lambda=fn))
    assert ex.output == {"v": 1}
    assert types(ex)[2:5] == ["LambdaFunctionScheduled", "LambdaFunctionStarted", "LambdaFunctionSucceeded"]
    assert ex.history[2]["lambdaFunctionScheduledEventDetails"]["resource"] == arn


def test_function_error_mapping_retry_and_catch():
    err = json.dumps({"errorMessage": "card declined", "errorType": "CardError"})
    compact = '{"errorMessage":"card declined","errorType":"CardError"}'  # lambda:invoke's Cause (recorded)
    fn = fake_lambda([(200, err, "Unhandled", "$LATEST"), (200, err, "Unhandled", "$LATEST"), (200, "{}", None, "1")])
    d = machine({"T": {"Type": "Task", "Resource": INVOKE, "Parameters": {"FunctionName": "f"},
                       "Retry": [{"ErrorEquals": ["CardError"], "IntervalSeconds": 2, "BackoffRate": 3}],
                       "End": True}})
    ex = execute(d, {}, integrations=Integrations(invoke_lambda=fn))
    assert ex.status == "SUCCEEDED"
    assert types(ex).count("TaskFailed") == 2 and types(ex).count("TaskScheduled") == 3
    assert (ex.stop_date - ex.start_date).total_seconds() == 2 + 6
    failed = ex.history[4]["taskFailedEventDetails"]
    assert failed["error"] == "CardError" and failed["cause"] == compact
    # uncaught: TaskFailed then ExecutionFailed pointing at it
    fn = fake_lambda([(200, err, "Unhandled", "$LATEST")])
    d = machine({"T": {"Type": "Task", "Resource": INVOKE, "Parameters": {"FunctionName": "f"}, "End": True}})
    ex = execute(d, {}, integrations=Integrations(invoke_lambda=fn))
    assert (ex.error, ex.cause) == ("CardError", compact)
    assert types(ex)[-2:] == ["TaskFailed", "ExecutionFailed"] and prevs(ex)[-1] == 5
    # Lambda.Unknown without an error type
    fn = fake_lambda([(200, '"oops"', "Unhandled", "$LATEST")])
    ex = execute(d, {}, integrations=Integrations(invoke_lambda=fn))
    assert ex.error == "Lambda.Unknown" and "Returned payload: \"oops\"" in ex.cause


def test_catch_result_path_default_and_task_failed_semantics():
    fn = fake_lambda([(200, json.dumps({"errorType": "Boom", "errorMessage": "x"}), "Unhandled", "$LATEST")])
    d = machine({"T": {"Type": "Task", "Resource": INVOKE, "Parameters": {"FunctionName": "f"},
                       "Catch": [{"ErrorEquals": ["States.Timeout"], "Next": "No"},
                                 {"ErrorEquals": ["States.TaskFailed"], "Next": "Yes"}], "Next": "No"},
                 "No": {"Type": "Fail", "Error": "wrong"}, "Yes": {"Type": "Pass", "End": True}})
    ex = execute(d, {"in": 1}, integrations=Integrations(invoke_lambda=fn))
    assert ex.status == "SUCCEEDED"
    assert ex.output["Error"] == "Boom"
    assert types(ex)[4:7] == ["TaskFailed", "TaskStateExited", "PassStateEntered"]


def test_no_integration_fails_like_aws():
    d = machine({"T": {"Type": "Task", "Resource": INVOKE, "Parameters": {"FunctionName": "missing"}, "End": True}})
    ex = execute(d, {})
    assert ex.error == "Lambda.ResourceNotFoundException"
    assert ex.cause.startswith("Function not found: arn:aws:lambda:us-east-1:123456789012:function:missing")


def test_task_timeout_and_jitter_deterministic():
    def slow(call):
        call.scheduler.sleep(100)
        return {"late": True}

    integ = Integrations()
    integ.register("arn:aws:states:::sqs:sendMessage", slow)
    d = machine({"T": {"Type": "Task", "Resource": "arn:aws:states:::sqs:sendMessage", "TimeoutSeconds": 10,
                       "Parameters": {"QueueUrl": "q", "MessageBody": "m"},
                       "Retry": [{"ErrorEquals": ["States.Timeout"], "MaxAttempts": 2, "IntervalSeconds": 5,
                                  "JitterStrategy": "FULL", "MaxDelaySeconds": 6}], "End": True}})
    ex = execute(d, {}, integrations=integ, seed=1)
    assert ex.error == "States.Timeout"
    assert types(ex).count("TaskTimedOut") == 3
    assert ex.history[2]["taskScheduledEventDetails"]["timeoutInSeconds"] == 10
    again = execute(d, {}, integrations=integ, seed=1)
    assert again.stop_date == ex.stop_date


def test_wait_for_task_token_success_and_heartbeat_timeout():
    integ = Integrations()
    seen = {}

    def send(call):
        seen["token"] = call.params["MessageBody"]["token"]
        sched = call.scheduler
        sched.call_later(30, lambda: integ.tokens.success(seen["token"], {"approved": True}))
        return {"MessageId": "m1"}

    integ.register("arn:aws:states:::sqs:sendMessage", send)
    d = machine({"T": {"Type": "Task", "Resource": "arn:aws:states:::sqs:sendMessage.waitForTaskToken",
                       "Parameters": {"QueueUrl": "q", "MessageBody": {"token.$": "$$.Task.Token"}}, "End": True}})
    ex = execute(d, {}, integrations=integ)
    assert ex.output == {"approved": True}
    assert types(ex)[2:6] == ["TaskScheduled", "TaskStarted", "TaskSubmitted", "TaskSucceeded"]
    assert ex.history[3]["taskStartedEventDetails"]["resource"] == "sendMessage.waitForTaskToken"
    d["States"]["T"]["HeartbeatSeconds"] = 10
    ex = execute(d, {}, integrations=integ)
    assert ex.error == "States.HeartbeatTimeout" and "TaskTimedOut" in types(ex)
    with pytest.raises(LookupError):
        integ.tokens.success(seen["token"], {})


def test_mocks_sequence_like_mock_config_file(tmp_path):
    cfg = {"StateMachines": {"Checkout": {"TestCases": {"Flaky": {"ProcessPayment": "FlakyPayment"}}}},
           "MockedResponses": {"FlakyPayment": {
               "0-1": {"Throw": {"Error": "Lambda.ServiceException", "Cause": "down"}},
               "2": {"Return": {"StatusCode": 200, "Payload": {"paid": True}}}}}}
    path = tmp_path / "mocks.json"
    path.write_text(json.dumps(cfg))
    d = machine({"ProcessPayment": {"Type": "Task", "Resource": INVOKE, "OutputPath": "$.Payload",
                                    "Parameters": {"FunctionName": "pay"},
                                    "Retry": [{"ErrorEquals": ["Lambda.ServiceException"], "MaxAttempts": 3}],
                                    "End": True}})
    ex = execute(d, {}, mocks=str(path), test_case="Flaky",
                 state_machine_arn="arn:aws:states:us-east-1:123456789012:stateMachine:Checkout")
    assert ex.output == {"paid": True}
    assert types(ex).count("TaskFailed") == 2
    with pytest.raises(MockConfigError):
        MockConfig.load({"MockedResponses": {"X": {"zero": {"Return": 1}}}})


def test_aws_sdk_and_optimized_dynamodb_with_moto():
    boto3 = pytest.importorskip("boto3")
    from moto import mock_aws

    with mock_aws():
        ddb = boto3.client("dynamodb", region_name="us-east-1")
        ddb.create_table(TableName="t", KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}],
                         AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"}],
                         BillingMode="PAY_PER_REQUEST")
        integ = Integrations(client_factory=lambda s: boto3.client(s, region_name="us-east-1"))
        d = machine({
            "Put": {"Type": "Task", "Resource": "arn:aws:states:::dynamodb:putItem", "ResultPath": None,
                    "Parameters": {"TableName": "t", "Item": {"id": {"S.$": "$.id"}}}, "Next": "Get"},
            "Get": {"Type": "Task", "Resource": "arn:aws:states:::aws-sdk:dynamodb:getItem",
                    "Parameters": {"TableName": "t", "Key": {"id": {"S.$": "$.id"}}}, "ResultPath": "$.got",
                    "Next": "Again"},
            "Again": {"Type": "Task", "Resource": "arn:aws:states:::aws-sdk:dynamodb:putItem",
                      "Parameters": {"TableName": "t", "Item": {"id": {"S.$": "$.id"}},
                                     "ConditionExpression": "attribute_not_exists(id)"}, "End": True}})
        ex = execute(d, {"id": "k1"}, integrations=integ)
        assert ex.status == "FAILED"
        assert ex.error == "DynamoDb.ConditionalCheckFailedException"
        exited = [e for e in ex.history if e["type"] == "TaskStateExited"][1]
        assert json.loads(exited["stateExitedEventDetails"]["output"])["got"]["Item"] == {"id": {"S": "k1"}}


def test_events_sns_sqs_with_moto():
    boto3 = pytest.importorskip("boto3")
    from moto import mock_aws

    with mock_aws():
        mk = lambda s: boto3.client(s, region_name="us-east-1")  # noqa: E731
        q = mk("sqs").create_queue(QueueName="q")["QueueUrl"]
        topic = mk("sns").create_topic(Name="t")["TopicArn"]
        d = machine({
            "Ev": {"Type": "Task", "Resource": "arn:aws:states:::events:putEvents", "ResultPath": "$.ev",
                   "Parameters": {"Entries": [{"Source": "m", "DetailType": "x", "Detail": {"a": 1}}]}, "Next": "Sq"},
            "Sq": {"Type": "Task", "Resource": "arn:aws:states:::sqs:sendMessage", "ResultPath": "$.sq",
                   "Parameters": {"QueueUrl": q, "MessageBody": {"hello.$": "$.who"}}, "Next": "Sn"},
            "Sn": {"Type": "Task", "Resource": "arn:aws:states:::sns:publish", "ResultPath": "$.sn",
                   "Parameters": {"TopicArn": topic, "Message": "hi"}, "End": True}})
        ex = execute(d, {"who": "world"}, integrations=Integrations(client_factory=mk))
        assert ex.status == "SUCCEEDED", ex.cause
        assert ex.output["ev"]["FailedEntryCount"] == 0 and "MessageId" in ex.output["sq"]
        body = mk("sqs").receive_message(QueueUrl=q)["Messages"][0]["Body"]
        assert json.loads(body) == {"hello": "world"}


def test_resource_parsing_and_snake_case():
    p = parse_resource("arn:aws:states:::states:startExecution.sync:2")
    assert (p.resource_type, p.resource, p.pattern) == ("states", "startExecution.sync:2", "sync:2")
    p = parse_resource("arn:aws:states:::aws-sdk:dynamodb:getItem")
    assert (p.resource_type, p.resource) == ("aws-sdk:dynamodb", "getItem")
    assert camel_to_snake("getItem") == "get_item" and camel_to_snake("listObjectsV2") == "list_objects_v2"
