"""What every AWS-SDK-backed integration shares: the client from the World's factory, one call with
AWS's error naming (`<Prefix>.<Code>`, the Java SDK's cause wording), response metadata."""

from __future__ import annotations

import re
from typing import Any

from sim.asl.errors import StatesError
from sim.asl.integrations.calls import TaskCall
from sim.asl.jsonutil import dumps, to_json_value

SERVICE_PREFIX = {
    "dynamodb": "DynamoDb", "s3": "S3", "sqs": "Sqs", "sns": "Sns", "lambda": "Lambda", "eventbridge": "EventBridge",
    "events": "EventBridge", "sfn": "Sfn", "states": "Sfn", "secretsmanager": "SecretsManager", "ssm": "Ssm",
    "ec2": "Ec2", "iam": "Iam", "sts": "Sts", "kms": "Kms", "cloudwatch": "CloudWatch", "ecs": "Ecs",
    "apigateway": "ApiGateway", "cognitoidentityprovider": "CognitoIdentityProvider", "ses": "Ses",
    "sesv2": "SesV2", "kinesis": "Kinesis", "athena": "Athena", "glue": "Glue", "rds": "Rds", "bedrock": "Bedrock",
}
BOTO_NAME = {"eventbridge": "events", "sfn": "stepfunctions", "cognitoidentityprovider": "cognito-idp"}
OPTIMIZED_PREFIX = {"dynamodb": "DynamoDB", "sns": "SNS", "sqs": "SQS", "events": "EventBridge",
                    "lambda": "Lambda", "states": "StepFunctions", "s3": "S3"}


def sdk_metadata(run, content_length: int, content_type: str = "application/x-amz-json-1.0") -> dict:
    rid = run.rng.uuid4() if hasattr(run.rng, "uuid4") else "00000000-0000-0000-0000-000000000000"
    date = run.clock.now().strftime("%a, %d %b %Y %H:%M:%S GMT")
    headers = {"Connection": "keep-alive", "Content-Length": str(content_length), "Content-Type": content_type,
               "Date": date, "x-amzn-RequestId": rid}
    return {
        "SdkHttpMetadata": {"AllHttpHeaders": {k: [v] for k, v in headers.items()}, "HttpHeaders": headers,
                            "HttpStatusCode": 200},
        "SdkResponseMetadata": {"RequestId": rid},
    }


def java_sdk_cause(message: str, service: str, status: int, code: str, request_id: str) -> str:
    """How Step Functions words an AWS error its Java SDK met (recorded for a missing function)."""
    return (f"{message} (Service: {service}; Status Code: {status}; Error Code: {code}; "
            f"Request ID: {request_id}; Proxy: null)")


def camel_to_snake(name: str) -> str:
    s = re.sub(r"([a-z0-9])([A-Z])", r"\1_\2", name)
    s = re.sub(r"([A-Z]+)([A-Z][a-z])", r"\1_\2", s)
    return s.lower()


def client_error(exc: Exception) -> tuple[str, str, int, str] | None:
    resp = getattr(exc, "response", None)
    if not isinstance(resp, dict) or "Error" not in resp:
        return None
    err = resp.get("Error") or {}
    meta = resp.get("ResponseMetadata") or {}
    return (str(err.get("Code") or type(exc).__name__), str(err.get("Message") or ""),
            int(meta.get("HTTPStatusCode") or 400), str(meta.get("RequestId") or ""))


def client(call: TaskCall, service: str):
    factory = call.run.integrations.client_factory
    if factory is None:
        raise StatesError("States.TaskFailed",
                          f"No AWS client is configured for '{service}' in this simulation")
    return factory(BOTO_NAME.get(service, service))

def sdk_call(call: TaskCall, service: str, method: str, params: dict, prefix: str, sdk_style: bool):
    sdk_client = client(call, service)
    try:
        fn = getattr(sdk_client, method)
    except AttributeError:
        raise StatesError("States.Runtime", f"The API action '{call.parsed.action}' is not supported by "
                                            f"{service}") from None
    try:
        resp = fn(**params)
    except Exception as exc:  # noqa: BLE001 - AWS errors become <Prefix>.<Code>
        info = client_error(exc)
        if info is None:
            if type(exc).__name__ in ("ParamValidationError", "TypeError"):
                raise StatesError("States.TaskFailed", str(exc)) from None
            raise
        code, msg, status, rid = info
        if sdk_style and not code.endswith("Exception"):
            code = code.split(".")[-1] + "Exception"
        raise StatesError(f"{prefix}.{code}",
                          f"{msg} (Service: {prefix}, Status Code: {status}, Request ID: {rid})") from None
    resp = dict(resp)
    resp.pop("ResponseMetadata", None)
    return to_json_value(resp)


def optimized(call: TaskCall, service: str, params: dict | None = None, metadata: bool = False) -> Any:
    """An optimized integration (`arn:aws:states:::<service>:<action>`): the SDK call with errors
    named `<DynamoDB|SNS|SQS|EventBridge|S3>.<Code>`, and AWS's SdkHttpMetadata when `metadata`."""
    if params is None:
        params = dict(call.params) if isinstance(call.params, dict) else {}
    resp = sdk_call(call, service, camel_to_snake(call.parsed.action), params, OPTIMIZED_PREFIX.get(service, service),
                    False)
    if metadata:
        resp.update(sdk_metadata(call.run, len(dumps(resp))))
    return resp


def serialised(call: TaskCall, field: str) -> dict:
    """The task's parameters with `field` as JSON text when it is an object (SNS Message, SQS MessageBody)."""
    params = dict(call.params) if isinstance(call.params, dict) else {}
    if field in params and not isinstance(params[field], str):
        params[field] = dumps(params[field])
    return params
