"""messaging-handler: conversations, messages, read status, attachments, booking events."""

from __future__ import annotations

import base64

import pytest

from handlers.common.appsync import NotFoundError, UnauthorizedError, ValidationError
from tests.handlers.conftest_business import business_env

BUCKET = "ecosystem-marketplace-attachments"


@pytest.fixture
def env():
    with business_env("messaging-handler") as e:
        e.p = e.provider()
        e.customer()
        e.booking("b1", provider=e.p, pay=False)
        yield e


def test_booking_confirmed_opens_the_conversation_once(env):
    for _ in range(2):
        env.bus("marketplace.booking", "Booking Confirmed", {"bookingId": "b1", "status": "confirmed"})
    (conv,) = env.table("Conversation")
    assert conv["id"] == "conv-b1" and conv["participants"] == ["cust-1", "prov-1"]
    (msg,) = env.table("Message")
    assert msg["senderId"] == "system" and "b1" in msg["content"]
    env.bus("marketplace.booking", "Booking Cancelled", {"bookingId": "b1", "status": "cancelled"})
    assert len(env.table("Message")) == 2
    assert "ignored" in env.bus("marketplace.booking", "Booking Updated", {"bookingId": "b1", "status": "confirmed"})


def test_send_read_and_attach(env):
    data = base64.b64encode(b"%PDF-1.4 invoice").decode()
    sent = env.appsync("sendMessage", {"bookingId": "b1", "content": "See you tomorrow",
                                       "attachments": [{"fileName": "invoice.pdf", "contentType": "application/pdf",
                                                        "contentBase64": data}]}, sub="cust-1")
    (att,) = sent["attachments"]
    assert att["key"].startswith("conversations/conv-b1/") and att["size"] == 16
    body = env.client("s3").get_object(Bucket=BUCKET, Key=att["key"])["Body"].read()
    assert body == b"%PDF-1.4 invoice"
    conv = env.table("Conversation")[0]
    assert conv["unreadCounts"] == {"prov-1": 1} and conv["lastMessagePreview"] == "See you tomorrow"
    got = env.appsync("getMessages", {"bookingId": "b1"}, sub="prov-1")
    assert [m["content"] for m in got["messages"]] == ["See you tomorrow"]
    assert env.table("Message")[0]["readBy"] == ["cust-1", "prov-1"]
    assert env.table("Conversation")[0]["unreadCounts"] == {"prov-1": 0}
    env.client("s3").put_object(Bucket=BUCKET, Key="conversations/conv-b1/up/photo.jpg", Body=b"jpg",
                                ContentType="image/jpeg")
    reply = env.appsync("sendMessage", {"conversationId": "conv-b1", "content": "Photo",
                                        "attachments": [{"key": "conversations/conv-b1/up/photo.jpg"}]}, sub="prov-1")
    assert reply["attachments"][0]["contentType"] == "image/jpeg"


def test_direct_conversation(env):
    sent = env.appsync("sendMessage", {"recipientId": "prov-1", "content": "Hello"}, sub="cust-1")
    got = env.appsync("getMessages", {"conversationId": sent["conversationId"]}, sub="prov-1")
    assert got["conversation"]["participants"] == ["cust-1", "prov-1"]


@pytest.mark.parametrize("args,error", [
    ({"bookingId": "b1"}, ValidationError),
    ({"bookingId": "b1", "content": "x" * 5001}, ValidationError),
    ({"content": "hi"}, ValidationError),
    ({"bookingId": "zz", "content": "hi"}, NotFoundError),
    ({"conversationId": "zz", "content": "hi"}, NotFoundError),
    ({"bookingId": "b1", "content": "hi", "attachments": [{"fileName": "../x", "contentType": "a/b",
                                                           "contentBase64": "aGk="}]}, ValidationError),
    ({"bookingId": "b1", "content": "hi", "attachments": [{"fileName": "a.txt", "contentType": "text/plain",
                                                           "contentBase64": "***"}]}, ValidationError),
    ({"bookingId": "b1", "content": "hi", "attachments": [{"key": "conversations/other/x"}]}, ValidationError),
])
def test_bad_messages_write_nothing(env, args, error):
    before = env.snapshot()
    with pytest.raises(error):
        env.appsync("sendMessage", args, sub="cust-1")
    assert env.snapshot() == before


def test_strangers_are_kept_out(env):
    env.bus("marketplace.booking", "Booking Confirmed", {"bookingId": "b1"})
    before = env.snapshot()
    with pytest.raises(UnauthorizedError):
        env.appsync("sendMessage", {"bookingId": "b1", "content": "hi"}, sub="mallory")
    with pytest.raises(UnauthorizedError):
        env.appsync("getMessages", {"bookingId": "b1"}, sub="mallory")
    with pytest.raises(ValidationError):
        env.appsync("getMessages", {"bookingId": "b1", "limit": 0}, sub="cust-1")
    with pytest.raises(ValidationError):
        env.call({"action": "sendMessage"})
    assert env.snapshot() == before
