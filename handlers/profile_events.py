"""profile-events: provider profile changes, the Stripe account status mirror, onboarding steps.

Invocations:
  DynamoDB stream records of UserProfile ({"Records": [{"eventSource": "aws:dynamodb", "eventName",
      "dynamodb": {"NewImage", "OldImage"}}]}): for a provider whose own fields changed (not only
      the Stripe mirror fields this function writes, so there is no loop), the Stripe account is
      retrieved through the SDK, the mirror (stripeChargesEnabled, stripePayoutsEnabled,
      stripeDetailsSubmitted, stripeAccountStatus, ...) updated under the webhook's precedence,
      and Provider Updated published (source marketplace.provider) with the changed fields.
  Step Functions (provider-onboarding, docs/workflows.md):
      createStripeAccount {providerId, email?, country?, businessType?} (+ attempt "initial" |
          "retry") → {status CREATED|FAILED, accountId, providerId, error}: an Express account,
          reused when the profile already has one, stored on the profile at once (so the retry
          path, which skips UpdateProviderProfile, leaves the profile linked); each attempt has its
          own idempotency key, since Stripe replays a failed request's saved result for a key.
      updateProviderProfile {providerId, stripeAccountId} → {profile}: userType provider,
          onboardingStatus ACCOUNT_CREATED, the Stripe mirror synced.
      syncStripeAccount {providerId} → {profile, changed}: the mirror refreshed, Provider Updated
          published when it changed.
Anything else fails closed with a ValidationError.
"""

from __future__ import annotations

from typing import Any

import stripe
from boto3.dynamodb.types import TypeDeserializer

from handlers.common import stripe_client as stripe_factory
from handlers.common.appsync import NotFoundError, PaymentError, ValidationError
from handlers.common.ddb import Expr
from handlers.common.events import publish
from handlers.common.invocation import dispatch, task_input
from handlers.common.isotime import now_utc, to_iso
from handlers.common.log import get_logger, set_correlation_id
from handlers.common.precedence import ACCOUNT_VISIBLE, account_snapshot, reduce_account
from handlers.common.repositories import ConditionFailed, UserProfileRepository
from handlers.common.stripe_objects import plain

NAME = "profile-events"
SOURCE = "marketplace.provider"
_log = get_logger(NAME)
_MIRROR = set(ACCOUNT_VISIBLE) | {"stripeAccountStateAt", "stripeAccountStateEventId", "updatedAt",
                                   "onboardingStatus", "stripeAccountSyncedAt"}
_DESER = TypeDeserializer()


def _transient(exc: stripe.StripeError) -> bool:
    return isinstance(exc, stripe.APIConnectionError | stripe.RateLimitError | stripe.APIError
                      | stripe.AuthenticationError | stripe.PermissionError)


def _profile(provider_id: Any) -> dict[str, Any]:
    if not isinstance(provider_id, str) or not provider_id:
        raise ValidationError("providerId is required")
    profile = UserProfileRepository().get(provider_id)
    if profile is None:
        raise NotFoundError(f"profile {provider_id} not found")
    return profile


def sync_account(profile: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """Retrieve the connected account and mirror it; (profile after, changed mirror fields)."""
    account_id = profile.get("stripeAccountId")
    if not account_id:
        return profile, {}
    try:
        account = plain(stripe_factory.stripe_client().v1.accounts.retrieve(account_id))
    except stripe.StripeError as exc:
        if _transient(exc):
            raise PaymentError("the payment provider is unavailable; try again") from exc
        raise PaymentError(f"Stripe account {account_id}: {getattr(exc, 'code', None) or 'error'}") from exc
    snapshot = account_snapshot(account)
    repo = UserProfileRepository()
    for _ in range(5):
        old = repo.get(profile["id"]) or profile
        at = int(now_utc().timestamp())
        changes = reduce_account(old, snapshot, at, f"api:{account_id}:{at}")
        if not any(k in ACCOUNT_VISIBLE for k in changes):
            return old, {}
        try:
            new = repo.cas_update(profile["id"], old, changes,
                                  ("stripeAccountStateAt", "stripeAccountStateEventId")) or old
        except ConditionFailed:
            continue
        return new, {k: new.get(k) for k in ACCOUNT_VISIBLE if old.get(k) != new.get(k)}
    return repo.get(profile["id"]) or profile, {}


def _announce(profile: dict[str, Any], changed: dict[str, Any], reason: str) -> None:
    publish(SOURCE, "Provider Updated", {
        "providerId": profile["id"], "stripeAccountId": profile.get("stripeAccountId"),
        "accountStatus": profile.get("stripeAccountStatus"), "chargesEnabled": profile.get("stripeChargesEnabled"),
        "payoutsEnabled": profile.get("stripePayoutsEnabled"), "changed": sorted(changed), "reason": reason,
        "origin": NAME})


# -- Step Functions -----------------------------------------------------------------------------------
def sfn_create_account(event: dict[str, Any]) -> dict[str, Any]:
    data = task_input(event)
    provider_id = data.get("providerId")
    profile = _profile(provider_id)
    if profile.get("stripeAccountId"):
        return {"status": "CREATED", "accountId": profile["stripeAccountId"], "providerId": profile["id"],
                "error": None}
    email = data.get("email") or profile.get("email")
    params: dict[str, Any] = {"type": "express", "country": data.get("country") or "US",
                              "business_type": data.get("businessType") or "individual",
                              "metadata": {"providerId": profile["id"]},
                              "capabilities": {"card_payments": {"requested": True}, "transfers": {"requested": True}}}
    if isinstance(email, str) and email:
        params["email"] = email
    attempt = event.get("attempt") if event.get("attempt") in ("initial", "retry") else "initial"
    try:
        account = plain(stripe_factory.stripe_client().v1.accounts.create(
            params=params, options={"idempotency_key": f"onboarding-{profile['id']}-{attempt}"}))
    except stripe.StripeError as exc:
        _log.warning("account creation failed", providerId=profile["id"], attempt=attempt, error=str(exc))
        return {"status": "FAILED", "accountId": None, "providerId": profile["id"],
                "error": getattr(exc, "code", None) or type(exc).__name__}
    e = Expr()
    try:
        UserProfileRepository().update(profile["id"], {"stripeAccountId": account["id"], "userType": "provider",
                                                      "updatedAt": to_iso(now_utc())},
                                       condition=f"attribute_not_exists({e.name('stripeAccountId')})", expr=e)
    except ConditionFailed:
        current = UserProfileRepository().get(profile["id"]) or {}
        return {"status": "CREATED", "accountId": current.get("stripeAccountId"), "providerId": profile["id"],
                "error": None}
    return {"status": "CREATED", "accountId": account["id"], "providerId": profile["id"], "error": None}


def sfn_update_profile(event: dict[str, Any]) -> dict[str, Any]:
    data = task_input(event)
    profile = _profile(data.get("providerId"))
    account_id = data.get("stripeAccountId")
    if not isinstance(account_id, str) or account_id != profile.get("stripeAccountId"):
        raise ValidationError("stripeAccountId must be the profile's Stripe account")
    UserProfileRepository().update(profile["id"], {"userType": "provider", "onboardingStatus": "ACCOUNT_CREATED",
                                                   "updatedAt": to_iso(now_utc())})
    new, _changed = sync_account(UserProfileRepository().get(profile["id"]) or profile)
    return {"profile": new}


def sfn_sync(event: dict[str, Any]) -> dict[str, Any]:
    profile = _profile(task_input(event).get("providerId"))
    new, changed = sync_account(profile)
    if changed:
        _announce(new, changed, "stripe-sync")
    return {"profile": new, "changed": sorted(changed)}


# -- DynamoDB stream --------------------------------------------------------------------------------------
def _image(record: dict[str, Any], which: str) -> dict[str, Any]:
    raw = (record.get("dynamodb") or {}).get(which) or {}
    return {k: _DESER.deserialize(v) for k, v in raw.items()}


def on_stream(event: dict[str, Any]) -> dict[str, Any]:
    results = []
    for record in event["Records"]:
        if not isinstance(record, dict) or record.get("eventSource") != "aws:dynamodb":
            raise ValidationError("only DynamoDB stream records are accepted")
        if record.get("eventName") not in ("INSERT", "MODIFY"):
            continue
        new, old = _image(record, "NewImage"), _image(record, "OldImage")
        if not new.get("id") or (new.get("userType") != "provider" and not new.get("stripeAccountId")):
            continue
        changed = sorted(k for k in set(new) | set(old) if new.get(k) != old.get(k) and k not in _MIRROR)
        if not changed:
            continue
        profile, mirror = sync_account(UserProfileRepository().get(str(new["id"])) or dict(new))
        _announce(profile, {**dict.fromkeys(changed), **mirror}, "profile-change")
        results.append({"providerId": profile["id"], "changed": changed + sorted(mirror)})
    return {"processed": results}


def handler(event: Any, context: Any = None) -> Any:
    if isinstance(event, dict) and isinstance(event.get("Records"), list):
        first = event["Records"][0] if event["Records"] and isinstance(event["Records"][0], dict) else {}
        set_correlation_id(str(first.get("eventID") or "stream"))
        return on_stream(event)
    return dispatch(NAME, event, context,
                    actions={"createStripeAccount": sfn_create_account, "updateProviderProfile": sfn_update_profile,
                             "syncStripeAccount": sfn_sync})
