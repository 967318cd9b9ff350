"""A toy handler for the enforcement tests: one DynamoDB read, its error reported back."""

import boto3
from botocore.exceptions import ClientError


def read_booking(event, context):
    try:
        boto3.client("dynamodb").get_item(TableName="Booking", Key={"id": {"S": "b1"}})
    except ClientError as exc:
        return {"code": exc.response["Error"]["Code"], "message": exc.response["Error"]["Message"],
                "status": exc.response["ResponseMetadata"]["HTTPStatusCode"]}
    return {"code": None}
