"""API calls → the IAM action and resource ARN AWS authorises them as."""

from __future__ import annotations

import pytest

from sim.iam.actions import requests_for

ACCT, REGION = "123456789012", "us-east-1"
T = f"arn:aws:dynamodb:{REGION}:{ACCT}:table"

CASES = [
    ("dynamodb", "GetItem", {"TableName": "Booking", "Key": {}}, [("dynamodb:GetItem", f"{T}/Booking")]),
    ("dynamodb", "Query", {"TableName": "Booking", "IndexName": "PaymentIntentIndex"},
     [("dynamodb:Query", f"{T}/Booking/index/PaymentIntentIndex")]),
    ("dynamodb", "Query", {"TableName": "Booking"}, [("dynamodb:Query", f"{T}/Booking")]),
    ("dynamodb", "Scan", {"TableName": "UserProfile", "IndexName": "EmailIndex"},
     [("dynamodb:Scan", f"{T}/UserProfile/index/EmailIndex")]),
    ("dynamodb", "TransactWriteItems", {"TransactItems": [
        {"Put": {"TableName": "Refund"}}, {"Update": {"TableName": "Booking"}},
        {"ConditionCheck": {"TableName": "Dispute"}}, {"Delete": {"TableName": "Payout"}}]},
     [("dynamodb:PutItem", f"{T}/Refund"), ("dynamodb:UpdateItem", f"{T}/Booking"),
      ("dynamodb:ConditionCheckItem", f"{T}/Dispute"), ("dynamodb:DeleteItem", f"{T}/Payout")]),
    ("dynamodb", "BatchWriteItem", {"RequestItems": {"Message": []}}, [("dynamodb:BatchWriteItem", f"{T}/Message")]),
    ("eventbridge", "PutEvents", {"Entries": [{"Source": "marketplace.booking", "DetailType": "Booking Confirmed",
                                               "EventBusName": "ecosystem-marketplace-events"}]},
     [("events:PutEvents", f"arn:aws:events:{REGION}:{ACCT}:event-bus/ecosystem-marketplace-events")]),
    ("eventbridge", "PutEvents", {"Entries": [{"Source": "s", "DetailType": "d"}]},
     [("events:PutEvents", f"arn:aws:events:{REGION}:{ACCT}:event-bus/default")]),
    ("sfn", "StartExecution", {"stateMachineArn": f"arn:aws:states:{REGION}:{ACCT}:stateMachine:m"},
     [("states:StartExecution", f"arn:aws:states:{REGION}:{ACCT}:stateMachine:m")]),
    ("sfn", "DescribeExecution", {"executionArn": f"arn:aws:states:{REGION}:{ACCT}:execution:m:e"},
     [("states:DescribeExecution", f"arn:aws:states:{REGION}:{ACCT}:execution:m:e")]),
    ("sfn", "SendTaskSuccess", {"taskToken": "t", "output": "{}"}, [("states:SendTaskSuccess", "*")]),
    ("s3", "GetObject", {"Bucket": "b", "Key": "a/b.txt"}, [("s3:GetObject", "arn:aws:s3:::b/a/b.txt")]),
    ("s3", "HeadObject", {"Bucket": "b", "Key": "k"}, [("s3:GetObject", "arn:aws:s3:::b/k")]),
    ("s3", "ListObjectsV2", {"Bucket": "b"}, [("s3:ListBucket", "arn:aws:s3:::b")]),
    ("sns", "Publish", {"TopicArn": f"arn:aws:sns:{REGION}:{ACCT}:alerts", "Message": "m"},
     [("sns:Publish", f"arn:aws:sns:{REGION}:{ACCT}:alerts")]),
    ("cloudwatch", "PutMetricData", {"Namespace": "N", "MetricData": []}, [("cloudwatch:PutMetricData", "*")]),
    ("lambda", "Invoke", {"FunctionName": "payout-manager"},
     [("lambda:InvokeFunction", f"arn:aws:lambda:{REGION}:{ACCT}:function:payout-manager")]),
    ("bedrock-runtime", "Converse", {"modelId": "anthropic.claude-3-haiku-20240307-v1:0"},
     [("bedrock:InvokeModel", f"arn:aws:bedrock:{REGION}::foundation-model/anthropic.claude-3-haiku-20240307-v1:0")]),
    ("secrets-manager", "GetSecretValue", {"SecretId": "stripe/webhook"},
     [("secretsmanager:GetSecretValue", f"arn:aws:secretsmanager:{REGION}:{ACCT}:secret:stripe/webhook-??????")]),
    ("sqs", "SendMessage", {"QueueUrl": f"https://sqs.{REGION}.amazonaws.com/{ACCT}/q1", "MessageBody": "x"},
     [("sqs:SendMessage", f"arn:aws:sqs:{REGION}:{ACCT}:q1")]),
    ("sts", "GetCallerIdentity", {}, [("sts:GetCallerIdentity", "*")]),
]


@pytest.mark.parametrize(("service", "operation", "params", "want"), CASES,
                         ids=[f"{c[0]}.{c[1]}" for c in CASES])
def test_requests(service, operation, params, want):
    got = requests_for(service, operation, params, ACCT, REGION)
    assert [(r.action, r.resource) for r in got] == want


def test_put_metric_data_carries_the_namespace_condition_key():
    (req,) = requests_for("cloudwatch", "PutMetricData", {"Namespace": "ECOSYSTEMAWS/Webhooks"}, ACCT, REGION)
    assert req.context == {"cloudwatch:namespace": "ECOSYSTEMAWS/Webhooks"}
