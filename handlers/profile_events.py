"""profile-events: provider profile changes, the Stripe account status mirror, onboarding steps.

Invocations:
  DynamoDB stream records of UserProfile (NEW_AND_OLD_IMAGES, as Lambda's event source mapping
      sends them: {"Records": [{"eventID", "eventName": INSERT|MODIFY|REMOVE, "eventSource":
      "aws:dynamodb", "awsRegion", "dynamodb": {"Keys", "NewImage", "OldImage", "SequenceNumber",
      "StreamViewType"}, "eventSourceARN"}]}, images in DynamoDB JSON, deserialised with boto3's
      TypeDeserializer): for a MODIFY of a provider (userType provider or a stripeAccountId) whose
      own attributes changed — INSERT (a profile is created: sign-up, onboarding announces
      Provider Onboarded) and REMOVE are not updates and are ignored — the Stripe account is
      retrieved through the SDK, the mirror (stripeChargesEnabled, stripePayoutsEnabled,
      stripeDetailsSubmitted, stripeAccountStatus, ...) updated under the webhook's precedence,
      Provider Updated published (source marketplace.provider) with the changed fields, and the
      record's SequenceNumber stored as providerEventSequence.
      No loop: a change only to what this function writes (the mirror, its precedence key,
      onboardingStatus, updatedAt, providerEventSequence) — or what stripe-webhook writes on
      account.updated, which announces its own Provider Updated — is never announced, so the
      records caused by those writes stop here. Once per change: the stream retries a failed batch
      whole; a record whose SequenceNumber is ≤ the profile's providerEventSequence was announced
      by an earlier attempt and is skipped (a crash between PutEvents and that write republishes).
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

from handlers.common import authz, provider_state
from handlers.common import stripe_client as stripe_factory
from handlers.common.appsync import PaymentError, ValidationError
from handlers.common.ddb import Expr
from handlers.common.events import publish
from handlers.common.invocation import dispatch, task_input
from handlers.common.isotime import now_utc, to_iso
from handlers.common.log import get_logger
from handlers.common.precedence import ACCOUNT_VISIBLE, ACCOUNT_WATCH, account_snapshot, reduce_account
from handlers.common.repositories import ConditionFailed, UserProfileRepository
from handlers.common.stripe_objects import plain

NAME = "profile-events"
SOURCE = "marketplace.provider"
_log = get_logger(NAME)
STREAM_MARK = "providerEventSequence"  # the last stream record whose Provider Updated is on the bus
STREAM_EVENTS = ("INSERT", "MODIFY", "REMOVE")
# what this function (and stripe-webhook's account mirror) writes: changes to these alone are our own
# writes and are never announced, so the writes a stream record causes do not trigger another one
_OWN = set(ACCOUNT_WATCH) | {"updatedAt", "onboardingStatus", "stripeAccountSyncedAt", STREAM_MARK,
                             "stripeConnected", "stripeDeauthorizedAt"}
_DESER = TypeDeserializer()



def _profile(provider_id: Any) -> dict[str, Any]:
    return UserProfileRepository().must_get(provider_id, field="providerId", what="profile")


def sync_account(profile: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """Retrieve the connected account and mirror it; (profile after, changed mirror fields)."""
    account_id = profile.get("stripeAccountId")
    if not account_id or provider_state.disconnected(profile):  # a deauthorized account is not ours to read
        return profile, {}
    try:
        account = plain(stripe_factory.stripe_client().v1.accounts.retrieve(account_id))
    except stripe.StripeError as exc:
        if stripe_factory.is_transient(exc):
            raise stripe_factory.unavailable(exc) from exc
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
    authz.authorize("startWorkflow.ONBOARDING", authz.actor_of(data),
                    authz.user_owner(profile["id"], profile.get("userType") or "provider"))
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
    raw = record["dynamodb"].get(which)
    if raw is None:
        return {}
    if not isinstance(raw, dict):
        raise ValidationError(f"{which} must be a DynamoDB item")
    try:
        return {k: _DESER.deserialize(v) for k, v in raw.items()}
    except (TypeError, ValueError, KeyError, AttributeError) as exc:
        raise ValidationError(f"{which} is not in DynamoDB JSON: {exc}") from exc


def _sequence(record: dict[str, Any]) -> int:
    seq = record["dynamodb"].get("SequenceNumber")
    if not isinstance(seq, str) or not seq.isdigit() or len(seq) > 40:
        raise ValidationError("dynamodb.SequenceNumber must be a string of digits")
    return int(seq)


def _stream_record(record: Any) -> tuple[str, dict[str, Any], dict[str, Any], int]:
    """(eventName, new image, old image, sequence number) of a well-formed record; ValidationError
    for anything else (the whole batch is checked before anything is done)."""
    if not isinstance(record, dict) or record.get("eventSource") != "aws:dynamodb":
        raise ValidationError("only DynamoDB stream records are accepted")
    if record.get("eventName") not in STREAM_EVENTS or not isinstance(record.get("dynamodb"), dict):
        raise ValidationError("a stream record needs eventName INSERT|MODIFY|REMOVE and a dynamodb object")
    return record["eventName"], _image(record, "NewImage"), _image(record, "OldImage"), _sequence(record)


def relevant_changes(new: dict[str, Any], old: dict[str, Any]) -> list[str]:
    """The provider's own attributes that changed (never what this function or stripe-webhook writes)."""
    if not isinstance(new.get("id"), str) or not new["id"]:
        return []
    if new.get("userType") != "provider" and not new.get("stripeAccountId"):
        return []
    return sorted(k for k in set(new) | set(old) if new.get(k) != old.get(k) and k not in _OWN)


def _already_published(profile: dict[str, Any], seq: int) -> bool:
    seen = profile.get(STREAM_MARK)
    return isinstance(seen, str) and seen.isdigit() and int(seen) >= seq


def _mark(provider_id: str, seq: int) -> None:
    """Record that the Provider Updated of stream record `seq` is on the bus (never lowers it)."""
    repo = UserProfileRepository()
    for _ in range(5):
        current = repo.get(provider_id)
        if current is None or _already_published(current, seq):
            return
        try:
            repo.cas_update(provider_id, current, {STREAM_MARK: str(seq)}, (STREAM_MARK,))
            return
        except ConditionFailed:
            continue


def on_stream(event: dict[str, Any]) -> dict[str, Any]:
    """Records are handled in order; a failure fails the batch (Lambda retries it whole), and the
    records already announced are recognised by the profile's providerEventSequence."""
    records = [_stream_record(r) for r in event["Records"]]
    results, skipped = [], 0
    for name, new, old, seq in records:
        if name != "MODIFY":
            skipped += 1
            continue
        changed = relevant_changes(new, old)
        if not changed:
            skipped += 1
            continue
        current = UserProfileRepository().get(str(new["id"]))
        if current is None:  # deleted since: nothing to announce
            continue
        if _already_published(current, seq):
            _log.info("stream record already announced", providerId=current["id"], sequence=str(seq))
            continue
        profile, mirror = sync_account(current)
        _announce(profile, {**dict.fromkeys(changed), **mirror}, "profile-change")
        _mark(profile["id"], seq)
        results.append({"providerId": profile["id"], "changed": changed + sorted(mirror)})
    return {"processed": results, "ignored": skipped}


def handler(event: Any, context: Any = None) -> Any:
    return dispatch(NAME, event, context, on_stream=on_stream,
                    actions={"createStripeAccount": sfn_create_account, "updateProviderProfile": sfn_update_profile,
                             "syncStripeAccount": sfn_sync})
