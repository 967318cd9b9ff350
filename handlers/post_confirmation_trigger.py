"""post-confirmation-trigger: Cognito post-confirmation → the user's UserProfile.

Event: Cognito's {version, region, userPoolId, userName, triggerSource, callerContext,
request: {userAttributes: {sub, email, given_name?, family_name?, custom:userType?}, ...},
response: {}}. On PostConfirmation_ConfirmSignUp the profile {id: sub, email, firstName,
lastName, userType, profileOwner: "<sub>::<userName>", createdAt} is created with a conditional
put; an existing profile only gets its missing fields (idempotent: a repeated trigger changes
nothing). userType comes from `custom:userType`, else from the groups the event carries
(request.groupConfiguration.groupsToOverride, request.groups or userAttributes cognito:groups):
admin > provider > customer, default customer. PostConfirmation_ConfirmForgotPassword writes
nothing. Returns the event, as Cognito requires. A malformed event (no sub or e-mail) raises a
ValidationError, which blocks the confirmation; nothing is written.
"""

from __future__ import annotations

from typing import Any

from handlers.common.appsync import InternalError, ValidationError
from handlers.common.invocation import COGNITO, kind_of
from handlers.common.isotime import now_utc, to_iso
from handlers.common.log import correlation_id_from, get_logger, set_correlation_id
from handlers.common.repositories import UserProfileRepository

NAME = "post-confirmation-trigger"
USER_TYPES = ("customer", "provider", "admin")
_log = get_logger(NAME)


def _groups(request: dict[str, Any], attrs: dict[str, Any]) -> list[str]:
    found: list[str] = []
    config = request.get("groupConfiguration") if isinstance(request.get("groupConfiguration"), dict) else {}
    for source in (config.get("groupsToOverride"), request.get("groups"), attrs.get("cognito:groups")):
        if isinstance(source, str):
            source = [g.strip() for g in source.replace(",", " ").split()]
        if isinstance(source, list):
            found += [g for g in source if isinstance(g, str)]
    return found


def user_type(attrs: dict[str, Any], groups: list[str]) -> str:
    declared = attrs.get("custom:userType")
    if isinstance(declared, str) and declared.strip().lower() in USER_TYPES:
        return declared.strip().lower()
    names = {g.lower().rstrip("s") for g in groups}
    for candidate in ("admin", "provider", "customer"):
        if candidate in names:
            return candidate
    return "customer"


def create_profile(event: dict[str, Any]) -> dict[str, Any]:
    request = event.get("request") if isinstance(event.get("request"), dict) else None
    attrs = request.get("userAttributes") if request and isinstance(request.get("userAttributes"), dict) else None
    if attrs is None:
        raise ValidationError("the Cognito event has no request.userAttributes")
    sub, email = attrs.get("sub"), attrs.get("email")
    if not isinstance(sub, str) or not sub or not isinstance(email, str) or "@" not in email:
        raise ValidationError("the Cognito user needs a sub and an e-mail address")
    user_name = event.get("userName") if isinstance(event.get("userName"), str) else sub
    profile = {"id": sub, "email": email.strip().lower(), "firstName": attrs.get("given_name"),
               "lastName": attrs.get("family_name"), "userType": user_type(attrs, _groups(request, attrs)),
               "profileOwner": f"{sub}::{user_name}", "createdAt": to_iso(now_utc())}
    profile = {k: v for k, v in profile.items() if v is not None}
    repo = UserProfileRepository()
    if not repo.create(profile):
        existing = repo.get(sub) or {}
        missing = {k: v for k, v in profile.items() if existing.get(k) is None and k not in ("id", "createdAt")}
        if missing:
            repo.update(sub, missing)
        _log.info("profile already existed", userId=sub, filled=sorted(missing))
    else:
        _log.info("profile created", userId=sub, userType=profile["userType"])
    return event


def handler(event: Any, context: Any = None) -> Any:
    set_correlation_id(correlation_id_from(event, context))
    if kind_of(event) != COGNITO:
        raise ValidationError("post-confirmation-trigger only handles Cognito post-confirmation events")
    trigger = event["triggerSource"]
    if trigger == "PostConfirmation_ConfirmForgotPassword":
        return event
    if trigger != "PostConfirmation_ConfirmSignUp":
        raise ValidationError(f"unexpected trigger {trigger!r}")
    try:
        return create_profile(event)
    except ValidationError:
        raise
    except Exception as exc:  # noqa: BLE001 - fail closed without leaking internals
        _log.error("profile creation failed", error=repr(exc))
        raise InternalError("internal error") from exc
