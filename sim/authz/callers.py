"""The AppSync identity (and headers) each kind of caller presents: a Cognito user (customer,
provider, admin), the backend's IAM principal, the development API key, the webhook authorizer,
and no identity at all."""

from __future__ import annotations

from typing import Any

ACCOUNT = "123456789012"
API_KEY = "da2-simulatedmarketplacekey"
IAM_IDENTITY: dict[str, Any] = {"accountId": ACCOUNT, "userArn": f"arn:aws:iam::{ACCOUNT}:role/marketplace-backend",
                                "username": "AROASIMULATEDBACKEND:backend", "sourceIp": ["10.0.0.1"],
                                "cognitoIdentityPoolId": None, "cognitoIdentityId": None}
WEBHOOK_IDENTITY: dict[str, Any] = {"resolverContext": {"source": "stripe"}}


def cognito(user_id: str, user_type: str, email: str | None = None, *, admin: bool = False) -> dict[str, Any]:
    groups = ["admin"] if admin else [user_type + "s"]
    return {"sub": user_id, "username": user_id, "issuer": "https://cognito-idp.us-east-1.amazonaws.com/sim",
            "claims": {"sub": user_id, "email": email, "cognito:groups": groups, "custom:userType": user_type},
            "groups": groups, "sourceIp": ["203.0.113.10"], "defaultAuthStrategy": "ALLOW"}


def presented(kind: str, user_id: str | None = None, user_type: str = "customer",
              email: str | None = None) -> tuple[dict[str, Any] | None, dict[str, str]]:
    """(identity, extra request headers) for a caller kind: user, admin, iam, api_key, none, webhook."""
    if kind == "user":
        return cognito(user_id or "", user_type, email), {}
    if kind == "admin":
        return cognito(user_id or "admin", user_type, email, admin=True), {}
    if kind == "iam":
        return dict(IAM_IDENTITY), {}
    if kind == "api_key":
        return None, {"x-api-key": API_KEY}
    if kind == "webhook":
        return dict(WEBHOOK_IDENTITY), {}
    return None, {}
