"""An access denial the way each AWS service answers it (error code and HTTP status).

JSON-protocol services (DynamoDB, Step Functions, EventBridge, Secrets Manager, CloudWatch's JSON
protocol …) answer `AccessDeniedException` with status 400; REST-JSON services (Lambda, Bedrock)
`AccessDeniedException` with 403; S3 and the query-protocol services `AccessDenied` with 403, and
SNS `AuthorizationError` with 403. The response goes back through the hook like an injected fault,
so botocore raises it as a `ClientError`.
"""

from __future__ import annotations

import functools

from sim.aws import hooks

_SPECIAL = {"sns": ("AuthorizationError", 403), "s3": ("AccessDenied", 403)}


@functools.cache
def _protocol(service: str) -> str:
    import botocore.session

    from sim.iam.actions import PREFIX

    session = botocore.session.get_session()
    for name in (service, PREFIX.get(service, service), service.replace("-", "")):
        try:
            return session.get_service_model(_CLIENT_NAME.get(name, name)).protocol
        except Exception:  # noqa: BLE001 - not a client name
            continue
    return "json"


_CLIENT_NAME = {"eventbridge": "events", "sfn": "stepfunctions", "secrets-manager": "secretsmanager",
                "cognito-identity-provider": "cognito-idp", "cloudwatch-logs": "logs",
                "dynamodb-streams": "dynamodbstreams"}


def code_and_status(service: str) -> tuple[str, int]:
    if service in _SPECIAL:
        return _SPECIAL[service]
    protocol = _protocol(service)
    if protocol in ("query", "ec2", "rest-xml"):
        return "AccessDenied", 403
    if protocol == "rest-json":
        return "AccessDeniedException", 403
    return "AccessDeniedException", 400


def denial_response(service: str, message: str):
    code, status = code_and_status(service)
    return hooks.error_response(code, message, status)
