"""boto3 in this process against `sim serve` in another: Step Functions by the interpreter,
moto for the rest (the same backends the handlers write), Lambda Invoke and PutEvents."""

from __future__ import annotations

import json

import boto3
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError

from tests.serve.workflow_input import MACHINE, booking_input


@pytest.fixture(scope="module")
def aws(served):
    session = boto3.session.Session(aws_access_key_id="test", aws_secret_access_key="test", region_name="us-east-1")
    cfg = Config(retries={"max_attempts": 1})
    return lambda name: session.client(name, endpoint_url=served.url, config=cfg)


def test_lists_the_four_state_machines(aws):
    names = sorted(m["name"] for m in aws("stepfunctions").list_state_machines()["stateMachines"])
    assert names == ["ecosystem-booking-lifecycle", "ecosystem-dispute-resolution",
                     "ecosystem-payment-processing", "ecosystem-provider-onboarding"]


def test_booking_lifecycle_runs_to_succeeded_and_its_history_reads_back(aws, served, catalogue):
    sfn = aws("stepfunctions")
    arn = sfn.start_execution(stateMachineArn=MACHINE, input=booking_input(catalogue), name="boto3-run")["executionArn"]
    status = None
    for _ in range(20):  # each poll is a request; virtual time moves only when we ask
        status = sfn.describe_execution(executionArn=arn)["status"]
        if status != "RUNNING":
            break
        served.post("/_sim/advance", {"seconds": 60})
    assert status == "SUCCEEDED"
    history = sfn.get_execution_history(executionArn=arn)["events"]
    assert history[0]["type"] == "ExecutionStarted" and history[-1]["type"] == "ExecutionSucceeded"
    states = [e["stateEnteredEventDetails"]["name"] for e in history if "stateEnteredEventDetails" in e]
    assert {"ValidateBooking", "ProcessPayment", "PublishBookingConfirmed"} <= set(states)
    listed = sfn.list_executions(stateMachineArn=MACHINE, statusFilter="SUCCEEDED")["executions"]
    assert arn in [e["executionArn"] for e in listed]
    # the booking the handlers wrote is in the table an outside DynamoDB client reads (one moto)
    items = aws("dynamodb").scan(TableName="Booking")["Items"]
    assert any(i["status"]["S"] == "confirmed" and i["serviceId"]["S"] == catalogue["services"][0]["id"]
               for i in items)
    assert served.state()["counts"]["busEvents"] >= 1


def test_step_functions_errors_in_aws_shape(aws):
    sfn = aws("stepfunctions")
    with pytest.raises(ClientError) as err:
        sfn.describe_execution(executionArn=MACHINE.replace("stateMachine", "execution") + ":missing")
    assert err.value.response["Error"]["Code"] == "ExecutionDoesNotExist"
    with pytest.raises(ClientError) as err:
        sfn.start_execution(stateMachineArn=MACHINE, input="{not json")
    assert err.value.response["Error"]["Code"] == "InvalidExecutionInput"
    assert err.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400


def test_lambda_invoke_runs_the_handler(aws, catalogue):
    lam = aws("lambda")
    out = lam.invoke(FunctionName="booking-processor", Payload=json.dumps(
        {"arguments": {"action": "get", "bookingId": "bk_missing"}, "info": {"fieldName": "processBooking"}}))
    assert out["FunctionError"] == "Unhandled"
    assert json.loads(out["Payload"].read())["errorType"] == "NotFoundError"
    with pytest.raises(ClientError) as err:
        lam.invoke(FunctionName="no-such-function", Payload=b"{}")
    assert err.value.response["Error"]["Code"] == "ResourceNotFoundException"
    names = {f["FunctionName"] for f in lam.list_functions()["Functions"]}
    assert {"stripe-webhook", "webhook-authorizer", "booking-processor"} <= names


def test_put_events_goes_through_the_router(aws, served):
    before = served.state()["counts"]["busEvents"]
    out = aws("events").put_events(Entries=[{"Source": "frontend.test", "DetailType": "Clicked",
                                             "Detail": json.dumps({"x": 1}),
                                             "EventBusName": "ecosystem-marketplace-events"}])
    assert out["FailedEntryCount"] == 0 and out["Entries"][0]["EventId"]
    assert served.state()["counts"]["busEvents"] == before + 1
    bad = aws("events").put_events(Entries=[{"Source": "frontend.test", "DetailType": "Clicked", "Detail": "{x"}])
    assert bad["FailedEntryCount"] == 1


def test_moto_serves_the_rest(aws):
    tables = aws("dynamodb").list_tables()["TableNames"]
    assert {"Booking", "ProcessedWebhooks", "UserProfile"} <= set(tables)
    assert "ecosystem-marketplace-events" in [b["Name"] for b in aws("events").list_event_buses()["EventBuses"]]


def test_an_outside_write_to_a_streamed_table_reaches_its_stream_function(aws, served):
    before = served.state()["counts"]["invocations"]
    aws("dynamodb").put_item(TableName="UserProfile", Item={
        "id": {"S": "outside-writer"}, "email": {"S": "o@example.com"}, "userType": {"S": "customer"}})
    served.post("/_sim/advance", {"seconds": 5})  # the stream's polling interval
    trace = served.request("GET", "/_sim/trace")[2].decode()
    assert '"stream.record"' in trace and '"UserProfile"' in trace
    assert served.state()["counts"]["invocations"] > before  # profile-events ran on the record
