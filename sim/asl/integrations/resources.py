"""Task resource ARNs parsed into what dispatch and the history events need."""

from __future__ import annotations

import re
from dataclasses import dataclass


@dataclass
class ParsedResource:
    arn: str
    resource_type: str  # "lambda", "dynamodb", "aws-sdk:dynamodb", …
    resource: str  # "invoke", "putItem.waitForTaskToken", the function ARN for legacy Lambda
    service: str  # "lambda", "aws-sdk:dynamodb"
    action: str
    pattern: str  # "", "sync", "sync:2", "waitForTaskToken"
    legacy_lambda: bool = False
    activity: bool = False


_SVC_RE = re.compile(r"^arn:aws[\w-]*:states:[^:]*:[^:]*:(?P<rest>.+)$")


def parse_resource(arn: str) -> ParsedResource:
    if re.match(r"^arn:aws[\w-]*:lambda:", arn):
        return ParsedResource(arn, "lambda", arn, "lambda", "invoke", "", legacy_lambda=True)
    m = _SVC_RE.match(arn)
    if m is None:
        return ParsedResource(arn, "unknown", arn, "unknown", "", "")
    rest = m.group("rest")
    if rest.startswith("activity:"):
        return ParsedResource(arn, "activity", arn, "activity", "", "", activity=True)
    pattern = ""
    for suffix in (".sync:2", ".sync", ".waitForTaskToken"):
        if rest.endswith(suffix):
            pattern = suffix[1:]
            rest = rest[: -len(suffix)]
            break
    if rest.startswith("aws-sdk:"):
        _, service, action = (rest.split(":", 2) + ["", ""])[:3]
        rtype = f"aws-sdk:{service}"
    else:
        service, _, action = rest.partition(":")
        rtype = service
    res = action + (f".{pattern}" if pattern else "")
    return ParsedResource(arn, rtype, res, rtype, action, pattern)


def canonical(parsed: ParsedResource) -> str:
    """The ARN an adapter is registered under: `arn:aws:states:::<service>:<action>` for the
    service integrations (region, account and the .sync / .waitForTaskToken suffix dropped), the
    ARN itself for a Lambda function or an activity."""
    if parsed.legacy_lambda or parsed.activity or parsed.resource_type == "unknown":
        return parsed.arn
    return f"arn:aws:states:::{parsed.service}:{parsed.action}"


def base_arn(parsed: ParsedResource) -> str:
    """The ARN without its integration-pattern suffix."""
    return parsed.arn[: -(len(parsed.pattern) + 1)] if parsed.pattern else parsed.arn
