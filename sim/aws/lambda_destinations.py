"""Lambda's on-failure destination record for an asynchronous invocation that exhausted its retries.

The JSON Lambda sends to the destination (here an SNS topic, the message body) when every attempt
of an asynchronous invocation failed: `requestContext` (the last attempt's requestId, the
function's `$LATEST` ARN, condition RetriesExhausted — or EventAgeExceeded: an event throttled
until it was older than MaximumEventAgeInSeconds —, approximateInvokeCount: every attempt), the
original event as `requestPayload`, and the last error as `responsePayload` with
`functionError: Unhandled`
(https://docs.aws.amazon.com/lambda/latest/dg/invocation-async-retain-records.html).
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any


def failure_record(function_arn: str, request_id: str, event: Any, error: dict[str, Any] | None,
                   attempts: int, now: datetime, condition: str = "RetriesExhausted") -> dict[str, Any]:
    return {
        "version": "1.0",
        "timestamp": now.strftime("%Y-%m-%dT%H:%M:%S.") + f"{now.microsecond // 1000:03d}Z",
        "requestContext": {"requestId": request_id, "functionArn": f"{function_arn}:$LATEST",
                           "condition": condition, "approximateInvokeCount": attempts},
        "requestPayload": event,
        "responseContext": {"statusCode": 200, "executedVersion": "$LATEST", "functionError": "Unhandled"},
        "responsePayload": error or {},
    }


def message(record: dict[str, Any]) -> str:
    return json.dumps(record, default=str)
