"""account.application.deauthorized: a provider disconnected their Connect account from the platform.

The provider's profile follows the account's state: stripeAccountStatus "disconnected",
stripeChargesEnabled / stripePayoutsEnabled false, stripeConnected false, stripeDeauthorizedAt —
written once, through the webhook's exactly-once step (`run.apply`), with the event's time as the
account-state key, so an older account.updated delivered later cannot make it look active again.
From then on booking_rules refuses new bookings with them and payout-manager pays them nothing
(common/provider_state.py). The change is announced as Provider Updated (accountStatus
disconnected), and the provider's bookings in flight (pending or confirmed) are reported in an SNS
alert to CRITICAL_ALERTS_TOPIC_ARN: the platform can no longer charge, refund or pay out on that
account, so someone must look at them.
"""

from __future__ import annotations

import json
from typing import Any

from handlers.common import clock
from handlers.common.clients import client
from handlers.common.config import env
from handlers.common.events import DomainEvent
from handlers.common.log import get_logger
from handlers.common.precedence import ACCOUNT_WATCH
from handlers.common.provider_state import DISCONNECTED
from handlers.common.repositories import BookingRepository, UserProfileRepository

EVENT_TYPE = "account.application.deauthorized"
IN_FLIGHT = ("pending", "confirmed")
WATCH = ACCOUNT_WATCH + ("stripeConnected", "stripeDeauthorizedAt")
VIEW = WATCH + ("id", "stripeAccountId")
_log = get_logger("deauthorization")


def disconnect(old: dict[str, Any] | None, at: int, event_id: str) -> dict[str, Any]:
    """The profile changes that mark it disconnected (none when it already is)."""
    old = old or {}
    if old.get("stripeAccountStatus") == DISCONNECTED and old.get("stripeConnected") is False:
        return {}
    return {"stripeAccountStatus": DISCONNECTED, "stripeChargesEnabled": False, "stripePayoutsEnabled": False,
            "stripeConnected": False, "stripeDeauthorizedAt": clock.iso_from_s(at),
            "stripeAccountStateAt": max(int(at), int(old.get("stripeAccountStateAt") or 0)),
            "stripeAccountStateEventId": event_id}


def in_flight(provider_id: str) -> list[dict[str, Any]]:
    return [b for b in BookingRepository().by_provider(provider_id) if b.get("status") in IN_FLIGHT]


def _alert(profile: dict[str, Any], account_id: str, bookings: list[dict[str, Any]], event_id: str) -> None:
    topic = env("CRITICAL_ALERTS_TOPIC_ARN")
    ids = sorted(b["id"] for b in bookings)
    if not topic:
        _log.error("provider disconnected with bookings in flight (no alert topic configured)",
                   providerId=profile["id"], bookings=ids)
        return
    client("sns").publish(TopicArn=topic, Subject=f"Provider {profile['id']} disconnected their Stripe account",
                          Message=json.dumps({"alert": "provider_deauthorized", "providerId": profile["id"],
                                              "stripeAccountId": account_id, "stripeEventId": event_id,
                                              "bookingsInFlight": ids}, sort_keys=True))


def on_deauthorized(run: Any) -> None:
    """The dispatch step of account.application.deauthorized (`run`: stripe_events' _Run)."""
    account_id = run.account
    if not account_id:
        run.notes["unmatched"] = "account.application.deauthorized without an account"
        return
    repo = UserProfileRepository()
    profile = repo.by_stripe_account(account_id)
    if profile is None:
        run.notes["unmatched"] = f"no profile for account {account_id}"
        return
    tr = run.apply(f"profile:{profile['id']}:deauthorized", repo, profile["id"],
                   lambda old: disconnect(old, run.at, run.id), WATCH, VIEW)
    if not tr or not tr.get("changed"):
        return
    bookings = in_flight(profile["id"])
    run.notes["bookingsInFlight"] = sorted(b["id"] for b in bookings)
    run.events.append(DomainEvent("marketplace.provider", "Provider Updated", run.base_detail(
        providerId=profile["id"], stripeAccountId=account_id, chargesEnabled=False, payoutsEnabled=False,
        accountStatus=DISCONNECTED, bookingsInFlight=len(bookings))))
    if bookings:
        _alert(profile, account_id, bookings, run.id)
