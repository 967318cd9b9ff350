"""Cognito's PostConfirmation trigger, which moto does not run: when a user of the world's pool
is confirmed (ConfirmSignUp / AdminConfirmSignUp through the endpoint, or `POST /_sim/users`),
post-confirmation-trigger gets Cognito's event and writes the UserProfile, as after a real
sign-up."""

from __future__ import annotations

import json

CONFIRMING = frozenset({"ConfirmSignUp", "AdminConfirmSignUp"})


def after_moto_call(world, target: str | None, body: bytes, status: int) -> None:
    """Run the trigger after a successful confirmation of a user in the world's pool."""
    prefix, _, operation = (target or "").rpartition(".")
    if prefix != "AWSCognitoIdentityProviderService" or operation not in CONFIRMING or status >= 300:
        return
    try:
        params = json.loads(body or b"{}")
    except (ValueError, UnicodeDecodeError):
        return
    if not isinstance(params, dict) or not isinstance(params.get("Username"), str):
        return
    pool = params.get("UserPoolId") or world.user_pool_id
    if pool != world.user_pool_id:
        return
    post_confirmation(world, params["Username"], client_id=params.get("ClientId") or world.user_pool_client_id)


def post_confirmation(world, username: str, client_id: str | None = None, groups: list[str] | None = None):
    """Invoke post-confirmation-trigger for a confirmed user; the user's attributes."""
    idp = world.client("cognito-idp")
    with world.internal():
        user = idp.admin_get_user(UserPoolId=world.user_pool_id, Username=username)
        if groups is None:
            groups = [g["GroupName"] for g in idp.admin_list_groups_for_user(
                UserPoolId=world.user_pool_id, Username=username).get("Groups", [])]
    attrs = {a["Name"]: a["Value"] for a in user.get("UserAttributes", [])}
    world.invoke("post-confirmation-trigger", {
        "version": "1", "region": world.region, "userPoolId": world.user_pool_id, "userName": username,
        "triggerSource": "PostConfirmation_ConfirmSignUp",
        "callerContext": {"awsSdkVersion": "sim", "clientId": client_id or world.user_pool_client_id},
        "request": {"userAttributes": {**attrs, "cognito:user_status": "CONFIRMED"}, "groups": groups},
        "response": {}})
    return attrs
