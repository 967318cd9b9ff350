"""messaging-handler: conversations, messages, read status and attachments (S3).

AppSync:
  sendMessage(content, conversationId? | bookingId? | recipientId?, attachments?, senderId?)
      The sender is the caller (a trusted caller without identity names senderId). A booking's
      conversation (id "conv-<bookingId>") has its customer and provider as participants; a direct
      one is derived from the two participants. Attachments: [{fileName, contentType,
      contentBase64}] (≤ 5 MiB each, at most 5) are stored at
      s3://$ATTACHMENTS_BUCKET/conversations/<conversationId>/<messageId>/<fileName>; a
      {key} already uploaded must lie under the conversation's prefix and exist.
      → the message {id, conversationId, senderId, content, attachments, createdAt, readBy}
  getMessages(conversationId? | bookingId?, limit?, since?, markAsRead? (default true))
      → {"conversation", "messages"} oldest first; the caller must be a participant; messages
      from others become read by the caller (readBy, readAt) and their unread count resets.
EventBridge (rule marketplace-booking-events): Booking Confirmed opens the booking's conversation
with a system message; Booking Cancelled and Booking Updated (completed) add a system message.
Ids are derived (common/idgen.py) and writes conditional, so a redelivered event adds nothing.
"""

from __future__ import annotations

import base64
import binascii
import re
from typing import Any

from botocore.exceptions import ClientError

from handlers.common import authz
from handlers.common.appsync import (
    NotFoundError,
    ResolverEvent,
    UnauthorizedError,
    ValidationError,
    optional_str,
)
from handlers.common.clients import client
from handlers.common.config import require
from handlers.common.idgen import derived_id
from handlers.common.invocation import dispatch
from handlers.common.isotime import now_utc, parse_iso, to_iso
from handlers.common.log import get_logger
from handlers.common.repositories import BookingRepository, ConversationRepository, MessageRepository

NAME = "messaging-handler"
SYSTEM = "system"
MAX_CONTENT = 5000
MAX_ATTACHMENTS = 5
MAX_ATTACHMENT_BYTES = 5 * 1024 * 1024
_FILE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9 ._()-]{0,127}$")
_log = get_logger(NAME)


# -- conversations ------------------------------------------------------------------------------------
def _booking_conversation(booking: dict[str, Any], *, create: bool = True) -> dict[str, Any]:
    conv_id = f"conv-{booking['id']}"
    repo = ConversationRepository()
    existing = repo.get(conv_id)
    if existing is not None:
        return existing
    now = to_iso(now_utc())
    item = {"id": conv_id, "bookingId": booking["id"], "createdAt": now, "updatedAt": now,
            "participants": sorted({booking["customerId"], booking["providerId"]}), "unreadCounts": {}}
    return _save(item) if create else {**item, "_new": True}


def _save(item: dict[str, Any]) -> dict[str, Any]:
    item = {k: v for k, v in item.items() if k != "_new"}
    if ConversationRepository().create(item):
        return item
    return ConversationRepository().get(item["id"]) or item


def _resolve_conversation(args: dict[str, Any], caller: str | None) -> dict[str, Any]:
    """The conversation to post to; a new one is returned unsaved (flag `_new`), see _save."""
    conv_id = optional_str(args, "conversationId", max_len=128)
    booking_id = optional_str(args, "bookingId", max_len=128)
    recipient = optional_str(args, "recipientId", max_len=128)
    if conv_id:
        conv = ConversationRepository().get(conv_id)
        if conv is None:
            raise NotFoundError(f"conversation {conv_id} not found")
        return conv
    if booking_id:
        booking = BookingRepository().get(booking_id)
        if booking is None:
            raise NotFoundError(f"booking {booking_id} not found")
        return _booking_conversation(booking, create=False)
    if recipient and caller:
        if recipient == caller:
            raise ValidationError("you cannot message yourself")
        participants = sorted({caller, recipient})
        now = to_iso(now_utc())
        conv_id = derived_id("conv", *participants)
        return ConversationRepository().get(conv_id) or {
            "id": conv_id, "participants": participants, "createdAt": now, "updatedAt": now, "unreadCounts": {},
            "_new": True}
    raise ValidationError("conversationId, bookingId or recipientId is required")


def _check_participant(conv: dict[str, Any], user: str | None) -> None:
    if user is None or user == SYSTEM:
        return
    if user not in (conv.get("participants") or []):
        raise UnauthorizedError("you are not a participant of this conversation")


def conversation_owner(conv: dict[str, Any]) -> authz.Owner:
    """A booking's conversation belongs to the booking's customer and provider; a direct one to its
    two participants."""
    if conv.get("bookingId"):
        booking = BookingRepository().get(conv["bookingId"])
        if booking is not None:
            return authz.booking_owner(booking)
    people = sorted(conv.get("participants") or []) + [None, None]
    return authz.Owner(customer=people[0], provider=people[1])


# -- attachments ----------------------------------------------------------------------------------------
def _parse_attachments(raw: Any) -> list[dict[str, Any]]:
    if raw is None:
        return []
    if not isinstance(raw, list) or len(raw) > MAX_ATTACHMENTS:
        raise ValidationError(f"attachments must be a list of at most {MAX_ATTACHMENTS}")
    out = []
    for a in raw:
        if not isinstance(a, dict):
            raise ValidationError("each attachment must be an object")
        if "key" in a:
            if not isinstance(a["key"], str):
                raise ValidationError("attachment key must be a string")
            out.append({"key": a["key"]})
            continue
        name, ctype, data = a.get("fileName"), a.get("contentType"), a.get("contentBase64")
        if not isinstance(name, str) or not _FILE.match(name):
            raise ValidationError("attachment fileName must be a plain file name")
        if not isinstance(ctype, str) or "/" not in ctype or len(ctype) > 100:
            raise ValidationError("attachment contentType must be a MIME type")
        try:
            body = base64.b64decode(data, validate=True) if isinstance(data, str) else None
        except (binascii.Error, ValueError):
            body = None
        if body is None:
            raise ValidationError("attachment contentBase64 must be base64")
        if len(body) > MAX_ATTACHMENT_BYTES:
            raise ValidationError("an attachment is at most 5 MiB")
        out.append({"fileName": name, "contentType": ctype, "body": body})
    return out


def _check_uploads(conv_id: str, parsed: list[dict[str, Any]]) -> None:
    """Attachments uploaded beforehand must lie under the conversation's prefix and exist."""
    bucket, s3 = require("ATTACHMENTS_BUCKET"), client("s3")
    prefix = f"conversations/{conv_id}/"
    for a in parsed:
        if "key" not in a:
            continue
        if not a["key"].startswith(prefix) or ".." in a["key"]:
            raise ValidationError(f"an uploaded attachment must be under {prefix}")
        try:
            head = s3.head_object(Bucket=bucket, Key=a["key"])
        except ClientError as exc:
            raise NotFoundError(f"attachment {a['key']} not found") from exc
        a.update(fileName=a["key"].rsplit("/", 1)[-1], contentType=head.get("ContentType"),
                 size=head.get("ContentLength"))


def _store_attachments(conv_id: str, msg_id: str, parsed: list[dict[str, Any]]) -> list[dict[str, Any]]:
    bucket, s3, stored = require("ATTACHMENTS_BUCKET"), client("s3"), []
    prefix = f"conversations/{conv_id}/"
    for a in parsed:
        if "key" in a:
            stored.append({k: a.get(k) for k in ("key", "fileName", "contentType", "size")})
            continue
        key = f"{prefix}{msg_id}/{a['fileName']}"
        s3.put_object(Bucket=bucket, Key=key, Body=a["body"], ContentType=a["contentType"])
        stored.append({"key": key, "fileName": a["fileName"], "contentType": a["contentType"], "size": len(a["body"])})
    return stored


# -- messages -------------------------------------------------------------------------------------------
def post(conv: dict[str, Any], sender: str, content: str, attachments: list[dict[str, Any]],
         msg_id: str | None = None) -> dict[str, Any]:
    now = to_iso(now_utc())
    msg_id = msg_id or derived_id("msg", conv["id"], sender, content, now)
    message = {"id": msg_id, "conversationId": conv["id"], "senderId": sender, "content": content,
               "createdAt": now, "readBy": [sender], "readAt": {sender: now}}
    stored = _store_attachments(conv["id"], msg_id, attachments)
    if stored:
        message["attachments"] = stored
    if not MessageRepository().create(message):
        return MessageRepository().get(msg_id) or message
    counts = dict(conv.get("unreadCounts") or {})
    for p in conv.get("participants") or []:
        if p != sender:
            counts[p] = int(counts.get(p, 0)) + 1
    ConversationRepository().update(conv["id"], {"lastMessageAt": now, "lastMessagePreview": content[:120],
                                                 "lastSenderId": sender, "unreadCounts": counts, "updatedAt": now})
    return message


def op_send(ev: ResolverEvent) -> dict[str, Any]:
    args = ev.arguments
    principal = authz.principal_of(ev)
    if principal.kind in ("user", "admin"):
        sender = principal.id
    elif principal.kind == "iam":
        sender = optional_str(args, "senderId", max_len=128)
    else:
        authz.authorize("sendMessage", principal)
    if not sender:
        raise ValidationError("senderId is required")
    content = args.get("content")
    if not isinstance(content, str) or not content.strip() or len(content) > MAX_CONTENT:
        raise ValidationError(f"content must be 1 to {MAX_CONTENT} characters")
    attachments = _parse_attachments(args.get("attachments"))
    conv = _resolve_conversation(args, sender)
    authz.authorize("sendMessage", principal, conversation_owner(conv))
    _check_participant(conv, sender)
    _check_uploads(conv["id"], attachments)
    if conv.get("_new"):
        conv = _save(conv)
    return post(conv, sender, content.strip(), attachments)


def op_get(ev: ResolverEvent) -> dict[str, Any]:
    args = ev.arguments
    limit = args.get("limit", 100)
    if isinstance(limit, bool) or not isinstance(limit, int) or not 1 <= limit <= 500:
        raise ValidationError("limit must be an integer from 1 to 500")
    since = args.get("since")
    if since is not None:
        try:
            since = to_iso(parse_iso(since, "since"))
        except ValueError as exc:
            raise ValidationError(str(exc)) from exc
    conv_id = optional_str(args, "conversationId", max_len=128)
    booking_id = optional_str(args, "bookingId", max_len=128)
    if not conv_id and not booking_id:
        raise ValidationError("conversationId or bookingId is required")
    conv = ConversationRepository().get(conv_id or f"conv-{booking_id}")
    if conv is None:
        raise NotFoundError("conversation not found")
    principal = authz.principal_of(ev)
    authz.authorize("getMessages", principal, conversation_owner(conv))
    reader = principal.id if principal.kind == "user" else None
    messages = MessageRepository().by_conversation(conv["id"], since=since)[:limit]
    if reader and args.get("markAsRead", True):
        now = to_iso(now_utc())
        for m in messages:
            if reader not in (m.get("readBy") or []):
                m["readBy"] = sorted({*(m.get("readBy") or []), reader})
                m["readAt"] = {**(m.get("readAt") or {}), reader: now}
                MessageRepository().update(m["id"], {"readBy": m["readBy"], "readAt": m["readAt"]})
        if (conv.get("unreadCounts") or {}).get(reader):
            conv["unreadCounts"] = {**conv["unreadCounts"], reader: 0}
            ConversationRepository().update(conv["id"], {"unreadCounts": conv["unreadCounts"]})
    return {"conversation": conv, "messages": messages}


# -- bus events -----------------------------------------------------------------------------------------
_SYSTEM_TEXT = {"Booking Confirmed": "Booking {id} is confirmed for {start}. Use this conversation to "
                                     "coordinate with each other.",
                "Booking Cancelled": "Booking {id} was cancelled.",
                "Booking Updated": "Booking {id} is now {status}."}


def on_event(event: dict[str, Any]) -> dict[str, Any]:
    kind, detail = event["detail-type"], event["detail"]
    if kind not in _SYSTEM_TEXT:
        raise ValidationError(f"unexpected detail-type {kind!r}")
    booking_id = detail.get("bookingId")
    if not isinstance(booking_id, str) or not booking_id:
        raise ValidationError("the event names no bookingId")
    booking = BookingRepository().get(booking_id)
    if booking is None:
        raise NotFoundError(f"booking {booking_id} not found")
    status = detail.get("status") or booking.get("status")
    if kind == "Booking Updated" and status != "completed":
        return {"ignored": f"booking {booking_id} update ({status})"}
    conv = ConversationRepository().get(f"conv-{booking_id}")
    if conv is None:
        if kind != "Booking Confirmed":
            return {"ignored": f"no conversation for booking {booking_id}"}
        conv = _booking_conversation(booking)
    text = _SYSTEM_TEXT[kind].format(id=booking_id, start=booking.get("startDateTime"), status=status)
    msg = post(conv, SYSTEM, text, [], msg_id=derived_id("msg", conv["id"], kind, status))
    return {"conversationId": conv["id"], "messageId": msg["id"]}


def handler(event: Any, context: Any = None) -> Any:
    return dispatch(NAME, event, context, fields={"sendMessage": op_send, "getMessages": op_get},
                    on_event=on_event)
