"""stripe-connect — the `stripeConnect` query: Stripe Connect accounts and direct charges.

Arguments {action, ...}; action (case and `_`/`-` insensitive):
  createAccount      {userId?, email?, country?} → an Express account (capabilities card_payments and
                     transfers requested), stored as UserProfile.stripeAccountId. Idempotent: a profile
                     that already has an account gets it back; the Stripe call carries the idempotency
                     key "connect-account-<userId>".
  createAccountLink  {accountId? | userId?, refreshUrl, returnUrl} → an account_onboarding link.
  createPaymentIntent {amount, currency?="usd", bookingId?, providerId? | connectedAccountId?, customerId?}
                     → a DIRECT charge on the provider's connected account (Stripe-Account header),
                     application_fee_amount = 8 % of the amount (handlers.common.money: ROUND_HALF_UP
                     to the minor unit), metadata {bookingId, providerId, customerId}; idempotency key
                     "booking-pi-<bookingId>-<amount>" when a booking is named.
  getAccountStatus   {accountId? | userId?} → the account's status; mirrors it into UserProfile with
                     the webhook's precedence (a snapshot newer than the stored one wins) and publishes
                     Provider Updated when it changed.
The caller is `identity.sub` unless an admin (group admin/admins) or an IAM caller names another
user; who may do what is the matrix in common/authz_matrix.json (stripeConnect.<action>). Errors: raised AppSyncError subclasses (class name = errorType): ValidationError
(unknown action, missing field, non-positive amount, ...), NotFoundError, UnauthorizedError,
PaymentError (Stripe refused); nothing is written on an error.
"""

from __future__ import annotations

from typing import Any

import stripe

from handlers.common import authz, clock, money, provider_state
from handlers.common.appsync import (
    NotFoundError,
    PaymentError,
    ResolverEvent,
    ValidationError,
    optional_str,
    require_str,
    resolver,
)
from handlers.common.ddb import Expr
from handlers.common.events import DomainEvent, publish_all
from handlers.common.log import get_logger
from handlers.common.precedence import ACCOUNT_VISIBLE, ACCOUNT_WATCH, account_snapshot, reduce_account
from handlers.common.repositories import BookingRepository, ConditionFailed, UserProfileRepository
from handlers.common.stripe_client import stripe_client

_log = get_logger("stripe-connect")


def _norm(action: Any) -> str:
    if not isinstance(action, str):
        raise ValidationError("action is required")
    return action.replace("_", "").replace("-", "").lower()


def _operation(ev: ResolverEvent) -> str:
    name = {"createaccount": "createAccount", "createaccountlink": "createAccountLink",
            "createpaymentintent": "createPaymentIntent"}.get(_norm(ev.arguments.get("action")), "getAccountStatus")
    return f"stripeConnect.{name}"


def _authorize_user(ev: ResolverEvent, user_id: str | None, profile: dict[str, Any] | None = None) -> None:
    if profile is None and user_id:
        profile = UserProfileRepository().get(user_id)
    authz.authorize(_operation(ev), authz.principal_of(ev),
                    authz.user_owner(user_id, (profile or {}).get("userType")))


def _user_id(ev: ResolverEvent) -> str:
    named = optional_str(ev.arguments, "userId", max_len=128)
    principal = authz.principal_of(ev)
    user_id = named or (principal.id if principal.kind == "user" else None)
    _authorize_user(ev, user_id)
    if not user_id:
        raise ValidationError("userId is required")
    return user_id


def _stripe_error(exc: stripe.StripeError) -> PaymentError:
    message = getattr(exc, "user_message", None) or str(exc) or type(exc).__name__
    _log.warning("stripe call failed", error=type(exc).__name__, message=str(exc))
    return PaymentError(f"Stripe: {message}"[:500])


def _as_dict(obj: Any) -> dict[str, Any]:
    return obj.to_dict() if hasattr(obj, "to_dict") else dict(obj)


def _account_id(ev: ResolverEvent) -> tuple[str, dict[str, Any] | None]:
    account_id = optional_str(ev.arguments, "accountId", max_len=255)
    if account_id:
        if not account_id.startswith("acct_"):
            raise ValidationError("accountId must be a Stripe account id (acct_...)")
        profile = UserProfileRepository().by_stripe_account(account_id)
        _authorize_user(ev, profile["id"] if profile else None, profile)
        return account_id, profile
    user_id = _user_id(ev)
    profile = UserProfileRepository().get(user_id)
    if profile is None:
        raise NotFoundError(f"user {user_id} not found")
    if not profile.get("stripeAccountId"):
        raise NotFoundError(f"user {user_id} has no Stripe account")
    return profile["stripeAccountId"], profile


def create_account(ev: ResolverEvent) -> dict[str, Any]:
    user_id = _user_id(ev)
    repo = UserProfileRepository()
    profile = repo.get(user_id)
    if profile is None:
        raise NotFoundError(f"user {user_id} not found")
    if profile.get("stripeAccountId"):
        return {"accountId": profile["stripeAccountId"], "userId": user_id, "created": False}
    email = optional_str(ev.arguments, "email", max_len=254) or profile.get("email")
    country = optional_str(ev.arguments, "country", max_len=2)
    params: dict[str, Any] = {"type": "express", "capabilities": {"card_payments": {"requested": True},
                                                                   "transfers": {"requested": True}},
                              "metadata": {"userId": user_id}}
    if email:
        params["email"] = email
    if country:
        params["country"] = country.upper()
    try:
        account = stripe_client().v1.accounts.create(params=params,
                                                     options={"idempotency_key": f"connect-account-{user_id}"})
    except stripe.StripeError as exc:
        raise _stripe_error(exc) from exc
    try:
        e = Expr()
        repo.update(user_id, {"stripeAccountId": account.id, "updatedAt": clock.now_iso()},
                    condition=f"attribute_exists({e.name('id')}) AND attribute_not_exists({e.name('stripeAccountId')})",
                    expr=e)
    except ConditionFailed:
        current = repo.get(user_id) or {}
        return {"accountId": current.get("stripeAccountId") or account.id, "userId": user_id, "created": False}
    return {"accountId": account.id, "userId": user_id, "created": True}


def _url(args: dict[str, Any], name: str) -> str:
    value = require_str(args, name, max_len=2048)
    if not value.startswith(("https://", "http://")):
        raise ValidationError(f"{name} must be an http(s) URL")
    return value


def create_account_link(ev: ResolverEvent) -> dict[str, Any]:
    refresh, ret = _url(ev.arguments, "refreshUrl"), _url(ev.arguments, "returnUrl")
    account_id, _ = _account_id(ev)
    try:
        link = stripe_client().v1.account_links.create(params={
            "account": account_id, "refresh_url": refresh, "return_url": ret, "type": "account_onboarding"})
    except stripe.StripeError as exc:
        raise _stripe_error(exc) from exc
    return {"accountId": account_id, "url": link.url, "expiresAt": getattr(link, "expires_at", None)}


def create_payment_intent(ev: ResolverEvent) -> dict[str, Any]:
    args = ev.arguments
    try:
        amount = money.parse_amount(args.get("amount"))
        currency = money.parse_currency(args.get("currency") or "usd")
    except ValueError as exc:
        raise ValidationError(str(exc)) from exc
    booking_id = optional_str(args, "bookingId", max_len=128)
    provider_id = optional_str(args, "providerId", max_len=128)
    principal = authz.principal_of(ev)
    customer_id = optional_str(args, "customerId", max_len=128) or principal.id
    account_id = optional_str(args, "connectedAccountId", max_len=255)
    if booking_id:
        booking = BookingRepository().get(booking_id)
        if booking is None:
            raise NotFoundError(f"booking {booking_id} not found")
        authz.authorize("stripeConnect.createPaymentIntent", principal, authz.booking_owner(booking))
        if booking.get("amount") is not None and int(booking["amount"]) != amount:
            raise ValidationError("amount does not match the booking's amount")
        if booking.get("status") not in (None, "pending"):
            raise ValidationError(f"booking {booking_id} is {booking.get('status')}, not pending")
        provider_id = provider_id or booking.get("providerId")
        customer_id = booking.get("customerId") or customer_id
    else:
        authz.authorize("stripeConnect.createPaymentIntent", principal, authz.Owner(customer=customer_id))
    if not account_id:
        if not provider_id:
            raise ValidationError("providerId or connectedAccountId is required")
        provider = UserProfileRepository().get(provider_id)
        if provider is None:
            raise NotFoundError(f"provider {provider_id} not found")
        account_id = provider.get("stripeAccountId")
        if not account_id:
            raise ValidationError(f"provider {provider_id} has no Stripe account")
    elif not account_id.startswith("acct_"):
        raise ValidationError("connectedAccountId must be a Stripe account id (acct_...)")
    fees = money.split(amount)
    metadata = {k: v for k, v in {"bookingId": booking_id, "providerId": provider_id,
                                   "customerId": customer_id}.items() if v}
    options: dict[str, Any] = {"stripe_account": account_id}
    if booking_id:
        options["idempotency_key"] = f"booking-pi-{booking_id}-{amount}"
    try:
        pi = stripe_client().v1.payment_intents.create(params={
            "amount": amount, "currency": currency, "application_fee_amount": fees.platform_fee,
            "metadata": metadata, "automatic_payment_methods": {"enabled": True}}, options=options)
    except stripe.StripeError as exc:
        raise _stripe_error(exc) from exc
    return {"paymentIntentId": pi.id, "clientSecret": getattr(pi, "client_secret", None), "status": pi.status,
            "amount": amount, "currency": currency, "platformFee": fees.platform_fee,
            "providerEarnings": fees.provider_earnings, "connectedAccountId": account_id, "bookingId": booking_id}


def get_account_status(ev: ResolverEvent) -> dict[str, Any]:
    account_id, profile = _account_id(ev)
    try:
        account = _as_dict(stripe_client().v1.accounts.retrieve(account_id))
    except stripe.StripeError as exc:
        raise _stripe_error(exc) from exc
    snapshot = account_snapshot(account)
    if profile is not None:
        _sync_profile(profile["id"], account_id, snapshot)
    return {"accountId": account_id, "chargesEnabled": snapshot["stripeChargesEnabled"],
            "payoutsEnabled": snapshot["stripePayoutsEnabled"], "detailsSubmitted": snapshot["stripeDetailsSubmitted"],
            "status": snapshot["stripeAccountStatus"], "requirementsDue": snapshot["stripeRequirementsDue"],
            "disabledReason": snapshot["stripeDisabledReason"]}


def _sync_profile(user_id: str, account_id: str, snapshot: dict[str, Any]) -> None:
    repo = UserProfileRepository()
    marker = f"sync_{clock.now_ms()}"
    for _ in range(5):
        old = repo.get(user_id)
        if old is None or provider_state.disconnected(old):  # deauthorized: the profile stays disconnected
            return
        changes = reduce_account(old, snapshot, clock.now_s(), marker)
        if not any(old.get(k) != changes.get(k, old.get(k)) for k in ACCOUNT_VISIBLE):
            return  # nothing visible changed: leave the stored snapshot alone
        try:
            repo.cas_update(user_id, old, {**changes, "updatedAt": clock.now_iso()}, ACCOUNT_WATCH)
        except ConditionFailed:
            continue
        publish_all([DomainEvent("marketplace.provider", "Provider Updated", {
            "origin": "stripe-connect", "providerId": user_id, "stripeAccountId": account_id,
            "chargesEnabled": snapshot["stripeChargesEnabled"], "payoutsEnabled": snapshot["stripePayoutsEnabled"],
            "detailsSubmitted": snapshot["stripeDetailsSubmitted"], "accountStatus": snapshot["stripeAccountStatus"],
            "requirementsDue": snapshot["stripeRequirementsDue"]})])
        return


ACTIONS = {"createaccount": create_account, "createaccountlink": create_account_link,
           "createpaymentintent": create_payment_intent, "getaccountstatus": get_account_status,
           "retrieveaccountstatus": get_account_status, "getaccount": get_account_status}


@resolver("stripe-connect")
def handler(ev: ResolverEvent, context):
    action = _norm(ev.arguments.get("action"))
    fn = ACTIONS.get(action)
    if fn is None:
        raise ValidationError(f"unknown action {ev.arguments.get('action')!r}; expected one of createAccount, "
                              "createAccountLink, createPaymentIntent, getAccountStatus")
    return {"action": ev.arguments["action"], **fn(ev)}
