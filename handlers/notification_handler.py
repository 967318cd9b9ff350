"""notification-handler: multi-channel notifications, recorded (never sent), preferences honoured.

Channels: email, push, in_app. A notification is one Notification item per (user, channel):
{id, userId, createdAt, channel, type, title, body, data, status ("recorded" for email/push,
"unread"/"read" for in_app), to (the e-mail address for email), dedupKey}. Its id is derived from
(dedupKey, userId, channel), and written with a conditional put, so the same fact announced twice
(the booking workflow's SendBookingNotifications and the bus's Booking Confirmed, or a redelivered
event) is recorded once.
Preferences (NotificationPreference, key userId, written by the app through AppSync): {email,
push, inApp: bool (default true), mutedTypes: [type, ...]}; a muted channel or type is skipped.

AppSync (who may: common/authz_matrix.json): `updateNotificationPreferences(userId?, email?,
push?, inApp?, mutedTypes?)` (the user themself or an admin) → {"preferences"};
`sendNotification(userId, title, message, type?, channels?, data?)` (an admin or the backend) → {"notifications": [...], "skipped": [...]}; `getNotifications(userId?, limit?,
unreadOnly?, markAsRead?)` → the caller's history, newest first (an admin may name a user).
Step Functions: sendBookingNotifications {event: "BOOKING_CONFIRMED", booking},
sendWelcomeNotification {userId, stripeAccountId} → {"notifications": [...]}.
EventBridge: Booking Confirmed / Cancelled / Updated (customer and provider), Dispute Created /
Resolved (customer and provider of the booking), Provider Onboarded / Updated (the provider).
"""

from __future__ import annotations

from typing import Any

from handlers.common import authz
from handlers.common.appsync import (
    ResolverEvent,
    ValidationError,
    json_object,
    optional_str,
    require_str,
)
from handlers.common.idgen import derived_id
from handlers.common.invocation import dispatch, task_input
from handlers.common.isotime import now_utc, to_iso
from handlers.common.log import get_logger
from handlers.common.repositories import (
    BookingRepository,
    NotificationPreferenceRepository,
    NotificationRepository,
    UserProfileRepository,
)

NAME = "notification-handler"
CHANNELS = ("email", "push", "in_app")
_PREF_KEY = {"email": "email", "push": "push", "in_app": "inApp"}
_log = get_logger(NAME)

TEMPLATES = {
    "BOOKING_CONFIRMED": ("Booking confirmed", "Your booking {bookingId} on {start} is confirmed."),
    "BOOKING_CANCELLED": ("Booking cancelled", "Booking {bookingId} on {start} was cancelled."),
    "BOOKING_UPDATED": ("Booking updated", "Booking {bookingId} is now {status}."),
    "DISPUTE_CREATED": ("Dispute opened", "A dispute was opened for booking {bookingId}."),
    "DISPUTE_RESOLVED": ("Dispute resolved", "The dispute for booking {bookingId} was resolved ({outcome})."),
    "PROVIDER_ONBOARDED": ("Welcome to the marketplace", "Your payout account {stripeAccountId} is set up."),
    "PROVIDER_UPDATED": ("Account updated", "Your provider account status is {accountStatus}."),
}


def _render(kind: str, values: dict[str, Any]) -> tuple[str, str]:
    title, body = TEMPLATES[kind]

    class _Safe(dict):
        def __missing__(self, key: str) -> str:
            return "-"

    return title, body.format_map(_Safe({k: v for k, v in values.items() if v is not None}))


def _preferences(user_id: str) -> dict[str, Any]:
    return NotificationPreferenceRepository().get(user_id) or {}


def notify(user_id: str, kind: str, title: str, body: str, data: dict[str, Any], dedup_key: str,
           channels: tuple[str, ...] = CHANNELS) -> tuple[list[dict], list[dict]]:
    """Record the notification on each allowed channel; (recorded, skipped)."""
    prefs = _preferences(user_id)
    muted = prefs.get("mutedTypes") or []
    profile = UserProfileRepository().get(user_id) or {}
    recorded, skipped = [], []
    for channel in channels:
        if prefs.get(_PREF_KEY[channel]) is False or kind in muted:
            skipped.append({"userId": user_id, "channel": channel, "reason": "preference"})
            continue
        if channel == "email" and not profile.get("email"):
            skipped.append({"userId": user_id, "channel": channel, "reason": "no e-mail address"})
            continue
        item = {"id": derived_id("ntf", dedup_key, user_id, channel), "userId": user_id,
                "createdAt": to_iso(now_utc()), "channel": channel, "type": kind, "title": title, "body": body,
                "data": data, "dedupKey": dedup_key, "status": "unread" if channel == "in_app" else "recorded",
                "to": profile.get("email") if channel == "email" else None}
        repo = NotificationRepository()
        if not repo.create(item):
            item = repo.get(item["id"]) or item
        recorded.append(item)
    return recorded, skipped


def _booking_values(detail: dict[str, Any]) -> dict[str, Any]:
    booking = detail.get("booking") if isinstance(detail.get("booking"), dict) else None
    if booking is None and isinstance(detail.get("bookingId"), str):
        booking = BookingRepository().get(detail["bookingId"])
    booking = booking or {}
    return {"bookingId": detail.get("bookingId") or booking.get("id"), "start": booking.get("startDateTime"),
            "status": detail.get("status") or booking.get("status"),
            "customerId": detail.get("customerId") or booking.get("customerId"),
            "providerId": detail.get("providerId") or booking.get("providerId")}


def _notify_parties(kind: str, values: dict[str, Any], dedup_key: str, users: list[str | None]) -> list[dict]:
    title, body = _render(kind, values)
    out: list[dict] = []
    for user in dict.fromkeys(u for u in users if isinstance(u, str) and u):
        recorded, _ = notify(user, kind, title, body, {k: v for k, v in values.items() if v is not None}, dedup_key)
        out += recorded
    return out


# -- bus events ---------------------------------------------------------------------------------------
def on_event(event: dict[str, Any]) -> dict[str, Any]:
    kind = event["detail-type"].upper().replace(" ", "_")
    detail = event["detail"]
    if kind not in TEMPLATES:
        raise ValidationError(f"unexpected detail-type {event['detail-type']!r}")
    if kind.startswith("BOOKING") or kind.startswith("DISPUTE"):
        values = _booking_values(detail)
        if values["bookingId"] is None:
            raise ValidationError("the event names no bookingId")
        if kind.startswith("DISPUTE"):
            dispute = detail.get("dispute") if isinstance(detail.get("dispute"), dict) else {}
            resolution = detail.get("resolution") if isinstance(detail.get("resolution"), dict) else {}
            values.update(disputeId=detail.get("disputeId") or dispute.get("id"),
                          outcome=resolution.get("outcome") or detail.get("outcome") or detail.get("status"))
            key = f"{kind}:{values['disputeId'] or values['bookingId']}"
        elif kind == "BOOKING_UPDATED":
            key = f"{kind}:{values['bookingId']}:{values['status']}:{detail.get('paymentStatus')}:{detail.get('change')}"
        else:
            key = f"{kind}:{values['bookingId']}:{values['status']}"
        users = [values["customerId"], values["providerId"]]
    else:
        provider = detail.get("providerId")
        if not isinstance(provider, str) or not provider:
            raise ValidationError("the event names no providerId")
        values = {"providerId": provider, "stripeAccountId": detail.get("stripeAccountId"),
                  "accountStatus": detail.get("accountStatus") or detail.get("stripeAccountStatus")}
        key = f"{kind}:{provider}" if kind == "PROVIDER_ONBOARDED" else f"{kind}:{provider}:{event.get('id')}"
        users = [provider]
    return {"notifications": _notify_parties(kind, values, key, users)}


# -- Step Functions -----------------------------------------------------------------------------------
def sfn_booking(event: dict[str, Any]) -> dict[str, Any]:
    data = task_input(event)
    kind = data.get("event") or "BOOKING_CONFIRMED"
    if kind not in TEMPLATES or not kind.startswith("BOOKING") or not isinstance(data.get("booking"), dict):
        raise ValidationError("event (a BOOKING_* type) and booking are required")
    values = _booking_values({"booking": data["booking"]})
    if values["bookingId"] is None:
        raise ValidationError("booking.id is required")
    key = f"{kind}:{values['bookingId']}:{values['status']}"
    return {"notifications": _notify_parties(kind, values, key, [values["customerId"], values["providerId"]])}


def sfn_welcome(event: dict[str, Any]) -> dict[str, Any]:
    data = task_input(event)
    user = data.get("userId")
    if not isinstance(user, str) or not user:
        raise ValidationError("userId is required")
    values = {"providerId": user, "stripeAccountId": data.get("stripeAccountId")}
    return {"notifications": _notify_parties("PROVIDER_ONBOARDED", values, f"PROVIDER_ONBOARDED:{user}", [user])}


# -- AppSync ------------------------------------------------------------------------------------------
def _target(ev: ResolverEvent, operation: str) -> tuple[str, str]:
    """(the user whose notifications these are, the caller's kind), authorized for `operation`."""
    principal = authz.principal_of(ev)
    user = optional_str(ev.arguments, "userId", max_len=128) or (principal.id if principal.kind == "user" else None)
    if not user:
        authz.authorize(operation, principal)
        raise ValidationError("userId is required")
    profile = UserProfileRepository().get(user) or {}
    return user, authz.authorize(operation, principal, authz.user_owner(user, profile.get("userType")))


def op_send(ev: ResolverEvent) -> dict[str, Any]:
    args = ev.arguments
    user, _ = _target(ev, "sendNotification")
    title = require_str(args, "title", max_len=200)
    body = require_str(args, "message", max_len=4000)
    kind = (optional_str(args, "type", max_len=64) or "GENERAL").upper()
    channels = args.get("channels") or list(CHANNELS)
    if not isinstance(channels, list) or not channels or any(c not in CHANNELS for c in channels):
        raise ValidationError(f"channels must be a non-empty list of {', '.join(CHANNELS)}")
    data = json_object(args, "data")
    key = optional_str(args, "idempotencyKey", max_len=128) or derived_id("send", user, kind, title, body,
                                                                          to_iso(now_utc()))
    recorded, skipped = notify(user, kind, title, body, data, key, tuple(dict.fromkeys(channels)))
    return {"notifications": recorded, "skipped": skipped}


def op_get(ev: ResolverEvent) -> dict[str, Any]:
    args = ev.arguments
    user, _ = _target(ev, "getNotifications")
    limit = args.get("limit", 50)
    if isinstance(limit, bool) or not isinstance(limit, int) or not 1 <= limit <= 200:
        raise ValidationError("limit must be an integer from 1 to 200")
    items = NotificationRepository().by_user(user)
    if args.get("unreadOnly"):
        items = [i for i in items if i.get("status") == "unread"]
    items = items[:limit]
    if args.get("markAsRead"):
        for item in items:
            if item.get("status") == "unread":
                NotificationRepository().update(item["id"], {"status": "read", "readAt": to_iso(now_utc())})
                item.update(status="read")
    return {"notifications": items, "preferences": _preferences(user)}


PREFERENCE_FLAGS = ("email", "push", "inApp")


def op_preferences(ev: ResolverEvent) -> dict[str, Any]:
    """updateNotificationPreferences(userId?, email?, push?, inApp?, mutedTypes?) → the preferences."""
    args = ev.arguments
    user, _ = _target(ev, "updateNotificationPreferences")
    changes: dict[str, Any] = {}
    for flag in PREFERENCE_FLAGS:
        if flag in args and args[flag] is not None:
            if not isinstance(args[flag], bool):
                raise ValidationError(f"{flag} must be true or false")
            changes[flag] = args[flag]
    if args.get("mutedTypes") is not None:
        muted = args["mutedTypes"]
        if not isinstance(muted, list) or len(muted) > 50 or not all(isinstance(m, str) and m for m in muted):
            raise ValidationError("mutedTypes must be a list of notification types")
        changes["mutedTypes"] = sorted({m.upper() for m in muted})
    if not changes:
        raise ValidationError("nothing to change: give email, push, inApp or mutedTypes")
    repo = NotificationPreferenceRepository()
    current = repo.get(user) or {}
    item = {**current, **changes, "userId": user, "updatedAt": to_iso(now_utc())}
    repo.put(item)
    return {"preferences": item}


def handler(event: Any, context: Any = None) -> Any:
    return dispatch(NAME, event, context, fields={"sendNotification": op_send, "getNotifications": op_get,
                                                  "updateNotificationPreferences": op_preferences},
                    actions={"sendBookingNotifications": sfn_booking, "sendWelcomeNotification": sfn_welcome},
                    on_event=on_event)
