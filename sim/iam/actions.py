"""What IAM checks for one API call: the action(s) and the resource ARN(s), as AWS forms them.

`requests_for(service, operation, params, account, region) -> [Request]`. Most operations are
checked as `<prefix>:<Operation>` on one resource; the exceptions are where AWS's IAM names differ
from the API: S3 HeadObject is `s3:GetObject`, Lambda Invoke is `lambda:InvokeFunction`, Bedrock
Converse is `bedrock:InvokeModel`, and DynamoDB's transactions are checked item by item
(`TransactWriteItems` → PutItem/UpdateItem/DeleteItem/ConditionCheckItem on each table).
A Query or Scan on an index is checked on `table/T/index/I`, PutEvents on each entry's bus,
CloudWatch PutMetricData on `*` with the `cloudwatch:namespace` condition key.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

# botocore's hyphenised service id → the IAM service prefix
PREFIX = {
    "dynamodb": "dynamodb", "dynamodb-streams": "dynamodb", "eventbridge": "events", "sfn": "states",
    "sns": "sns", "sqs": "sqs", "cloudwatch": "cloudwatch", "cloudwatch-logs": "logs", "s3": "s3",
    "secrets-manager": "secretsmanager", "bedrock-runtime": "bedrock", "bedrock": "bedrock", "lambda": "lambda",
    "cognito-identity-provider": "cognito-idp", "sts": "sts", "ssm": "ssm", "kms": "kms", "scheduler": "scheduler",
    "appsync": "appsync", "iam": "iam",
}

# (service id, operation) → IAM action name, where it is not the operation's own name
RENAMED = {
    ("s3", "HeadObject"): "GetObject", ("s3", "ListObjectsV2"): "ListBucket", ("s3", "ListObjects"): "ListBucket",
    ("s3", "HeadBucket"): "ListBucket", ("s3", "DeleteObjects"): "DeleteObject",
    ("s3", "GetObjectAttributes"): "GetObject",
    ("lambda", "Invoke"): "InvokeFunction", ("lambda", "InvokeAsync"): "InvokeFunction",
    ("lambda", "InvokeWithResponseStream"): "InvokeFunction",
    ("bedrock-runtime", "Converse"): "InvokeModel",
    ("bedrock-runtime", "ConverseStream"): "InvokeModelWithResponseStream",
}

_TRANSACT = {"Put": "PutItem", "Update": "UpdateItem", "Delete": "DeleteItem", "ConditionCheck": "ConditionCheckItem",
             "Get": "GetItem"}


@dataclass(frozen=True)
class Request:
    action: str            # "dynamodb:UpdateItem"
    resource: str          # "arn:aws:dynamodb:us-east-1:123456789012:table/Booking"
    context: dict[str, Any] = field(default_factory=dict, compare=False, hash=False)


class Arns:
    """ARN builders for one account and region."""

    def __init__(self, account: str, region: str):
        self.account, self.region = account, region

    def arn(self, service: str, resource: str, *, region: str | None = None, account: str | None = None) -> str:
        return (f"arn:aws:{service}:{self.region if region is None else region}:"
                f"{self.account if account is None else account}:{resource}")

    def table(self, name: str, index: str | None = None) -> str:
        if str(name).startswith("arn:"):
            base = str(name)
        else:
            base = self.arn("dynamodb", f"table/{name}")
        return f"{base}/index/{index}" if index else base

    def bus(self, name: str | None) -> str:
        name = name or "default"
        return name if name.startswith("arn:") else self.arn("events", f"event-bus/{name}")

    def state_machine(self, arn_or_name: str) -> str:
        s = str(arn_or_name or "")
        return s if s.startswith("arn:") else self.arn("states", f"stateMachine:{s}")

    def function(self, name: str) -> str:
        s = str(name or "")
        if s.startswith("arn:"):
            return s
        if ":" in s:   # "name:qualifier"
            base, _, qualifier = s.partition(":")
            return self.arn("lambda", f"function:{base}:{qualifier}")
        return self.arn("lambda", f"function:{s}")

    def log_group(self, name: str) -> str:
        return self.arn("logs", f"log-group:{name}:*")

    def log_stream(self, group: str, stream: str) -> str:
        return self.arn("logs", f"log-group:{group}:log-stream:{stream}")


def iam_action(service: str, operation: str) -> str:
    prefix = PREFIX.get(service, service.replace("-", ""))
    return f"{prefix}:{RENAMED.get((service, operation), operation)}"


def requests_for(service: str, operation: str, params: dict[str, Any], account: str, region: str) -> list[Request]:
    """Every (action, resource) IAM authorises for this call; at least one."""
    arns = Arns(account, region)
    p = params or {}
    action = iam_action(service, operation)
    builder = _BUILDERS.get(service)
    if builder is not None:
        found = builder(arns, operation, p, action)
        if found:
            return found
    return [Request(action, "*")]


def _dynamodb(arns: Arns, op: str, p: dict, action: str) -> list[Request]:
    if op in ("TransactWriteItems", "TransactGetItems"):
        out = []
        for item in p.get("TransactItems") or []:
            for kind, spec in (item or {}).items():
                out.append(Request(f"dynamodb:{_TRANSACT.get(kind, kind)}", arns.table((spec or {}).get("TableName"))))
        return out
    if op in ("BatchGetItem", "BatchWriteItem"):
        return [Request(action, arns.table(name)) for name in (p.get("RequestItems") or {})]
    if "TableName" in p:
        index = p.get("IndexName") if op in ("Query", "Scan") else None
        return [Request(action, arns.table(p["TableName"], index))]
    if "StreamArn" in p:
        return [Request(action, str(p["StreamArn"]))]
    return []


def _events(arns: Arns, op: str, p: dict, action: str) -> list[Request]:
    if op == "PutEvents":
        out, seen = [], set()
        for entry in p.get("Entries") or []:
            bus = arns.bus((entry or {}).get("EventBusName"))
            ctx = {"events:source": entry.get("Source"), "events:detail-type": entry.get("DetailType")}
            key = (bus, entry.get("Source"), entry.get("DetailType"))
            if key not in seen:
                seen.add(key)
                out.append(Request(action, bus, {k: v for k, v in ctx.items() if v is not None}))
        return out
    if "EventBusName" in p and op in ("PutRule", "PutTargets", "DescribeRule", "DeleteRule", "RemoveTargets"):
        bus = p.get("EventBusName") or "default"
        prefix = "" if bus == "default" else f"{bus}/"
        return [Request(action, arns.arn("events", f"rule/{prefix}{p.get('Name') or p.get('Rule')}"))]
    return []


def _states(arns: Arns, op: str, p: dict, action: str) -> list[Request]:
    if "executionArn" in p:
        return [Request(action, str(p["executionArn"]))]
    if "stateMachineArn" in p:
        return [Request(action, arns.state_machine(p["stateMachineArn"]))]
    return []


def _sns(arns: Arns, op: str, p: dict, action: str) -> list[Request]:
    target = p.get("TopicArn") or p.get("TargetArn")
    return [Request(action, str(target))] if target else []


def _sqs(arns: Arns, op: str, p: dict, action: str) -> list[Request]:
    url = p.get("QueueUrl")
    if url:
        return [Request(action, arns.arn("sqs", str(url).rstrip("/").rsplit("/", 1)[-1]))]
    return []


def _cloudwatch(arns: Arns, op: str, p: dict, action: str) -> list[Request]:
    if op == "PutMetricData":
        return [Request(action, "*", {"cloudwatch:namespace": p.get("Namespace")})]
    if "AlarmName" in p:
        return [Request(action, arns.arn("cloudwatch", f"alarm:{p['AlarmName']}"))]
    return []


def _s3(arns: Arns, op: str, p: dict, action: str) -> list[Request]:
    bucket = p.get("Bucket")
    if not bucket:
        return []
    if op == "DeleteObjects":
        keys = [o.get("Key") for o in (p.get("Delete") or {}).get("Objects") or []]
        return [Request(action, f"arn:aws:s3:::{bucket}/{k}") for k in keys]
    if op == "CopyObject":
        src = p.get("CopySource")
        src = f"{src.get('Bucket')}/{src.get('Key')}" if isinstance(src, dict) else str(src or "").lstrip("/")
        return [Request("s3:PutObject", f"arn:aws:s3:::{bucket}/{p.get('Key')}"),
                Request("s3:GetObject", f"arn:aws:s3:::{src}")]
    if "Key" in p:
        return [Request(action, f"arn:aws:s3:::{bucket}/{p['Key']}")]
    return [Request(action, f"arn:aws:s3:::{bucket}")]


def _secrets(arns: Arns, op: str, p: dict, action: str) -> list[Request]:
    sid = p.get("SecretId")
    if not sid:
        return []
    # a name stands for the secret's ARN, which AWS suffixes with six random characters
    return [Request(action, sid if str(sid).startswith("arn:") else arns.arn("secretsmanager", f"secret:{sid}-??????"))]


def _bedrock(arns: Arns, op: str, p: dict, action: str) -> list[Request]:
    model = p.get("modelId")
    if not model:
        return []
    model = str(model)
    return [Request(action, model if model.startswith("arn:") else arns.arn("bedrock", f"foundation-model/{model}",
                                                                           account=""))]


def _lambda(arns: Arns, op: str, p: dict, action: str) -> list[Request]:
    fn = p.get("FunctionName")
    if not fn:
        return []
    arn = arns.function(fn)
    if p.get("Qualifier") and arn.count(":") == 6:
        arn = f"{arn}:{p['Qualifier']}"
    return [Request(action, arn)]


def _cognito(arns: Arns, op: str, p: dict, action: str) -> list[Request]:
    pool = p.get("UserPoolId")
    return [Request(action, arns.arn("cognito-idp", f"userpool/{pool}"))] if pool else []


_BUILDERS = {
    "dynamodb": _dynamodb, "dynamodb-streams": _dynamodb, "eventbridge": _events, "sfn": _states, "sns": _sns,
    "sqs": _sqs, "cloudwatch": _cloudwatch, "s3": _s3, "secrets-manager": _secrets, "bedrock-runtime": _bedrock,
    "lambda": _lambda, "cognito-identity-provider": _cognito,
}
