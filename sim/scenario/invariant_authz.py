"""The authz invariant: no booking, dispute, refund, message, notification or profile is changed by
a caller the authorization matrix (handlers/common/authz_matrix.json) does not allow.

Every write is attributed through the trace: an `aws call` record names the Lambda request that
made it and the items it wrote (sim/authz/identity.py), and that request's `lambda invoke.start`
names its caller — an AppSync principal and operation, or a Step Functions task whose execution's
recorded actor (and start operation) is the caller. Writes made on the backend's own behalf
(EventBridge targets, streams, schedules, executions started without an actor) are not a caller's.
The written item's owner is read from the tables at the end (a booking's customer and provider; a
dispute's; a refund's or a message's booking; a notification's, preference's or profile's user);
the caller's relation to it must be a cell the matrix allows for the operation. Items no longer in
the tables (a withdrawn booking) are not judged.
"""

from __future__ import annotations

from handlers.common import authz
from sim.authz.identity import start_operation
from sim.scenario.oracle import invariant
from sim.scenario.snapshot import Snapshot
from sim.trace import of_components

PROTECTED = ("Booking", "Dispute", "Refund", "Message", "Notification", "NotificationPreference", "UserProfile")
MACHINE_TYPES = {"booking-lifecycle": "BOOKING", "payment-processing": "PAYMENT", "dispute-resolution": "DISPUTE",
                 "provider-onboarding": "ONBOARDING"}


def _logical(table: str | None) -> str | None:
    for name in PROTECTED:
        if table == name or (isinstance(table, str) and table.endswith(name) and not table.endswith("s" + name)):
            return name
    return None


def caller_of(start: dict | None, executions: dict) -> tuple[authz.Principal, str | None] | None:
    """(principal, matrix operation) of an invocation, None when it acted for the backend itself."""
    if not start:
        return None
    if start.get("via") == "appsync":
        return (authz.Principal(start.get("principal") or "none", start.get("principalId"), start.get("userType")),
                start.get("operation"))
    if start.get("via") == "stepfunctions":
        ex = executions.get(start.get("executionArn"))
        if ex is None or not isinstance(ex.input, dict):
            return None
        actor = authz.actor_of(ex.input)
        if actor.kind == "iam":
            return None
        kind = MACHINE_TYPES.get(ex.machine.removeprefix("ecosystem-"))
        return actor, start_operation(kind, ex.input) if kind else None
    return None


class _Index:
    """The snapshot's tables by id, built once per check."""

    def __init__(self, snap: Snapshot):
        self.snap, self._maps = snap, {}

    def items_by_id(self, name: str, key: str = "id") -> dict[str, dict]:
        if (name, key) not in self._maps:
            self._maps[(name, key)] = self.snap.items_by_id(name, key)
        return self._maps[(name, key)]


def owner_of(snap, table: str, key: dict) -> authz.Owner | None:
    """The owner of a written item (`snap`: a Snapshot, or an _Index of one)."""
    by_id = lambda name, ident: snap.items_by_id(name).get(str(ident))  # noqa: E731
    if table == "Booking":
        item = by_id("Booking", key.get("id"))
        return authz.booking_owner(item) if item else None
    if table == "Dispute":
        item = by_id("Dispute", key.get("id"))
        if not item:
            return None
        return authz.Owner(customer=item.get("customerId"), provider=item.get("providerId")) \
            if item.get("customerId") or item.get("providerId") else authz.booking_owner(by_id("Booking", item.get("bookingId")))
    if table == "Refund":
        item = by_id("Refund", key.get("id"))
        return authz.booking_owner(by_id("Booking", item.get("bookingId"))) if item else None
    if table == "Message":
        item = by_id("Message", key.get("id"))
        conv = by_id("Conversation", item.get("conversationId")) if item else None
        if not conv:
            return None
        if conv.get("bookingId"):
            return authz.booking_owner(by_id("Booking", conv["bookingId"]))
        people = sorted(conv.get("participants") or []) + [None, None]
        return authz.Owner(customer=people[0], provider=people[1])
    if table in ("Notification", "NotificationPreference"):
        item = by_id("Notification", key.get("id")) if table == "Notification" else \
            snap.items_by_id("NotificationPreference", "userId").get(str(key.get("userId")))
        if not item:
            return None
        profile = by_id("UserProfile", item.get("userId")) or {}
        return authz.user_owner(item.get("userId"), profile.get("userType"))
    item = by_id("UserProfile", key.get("id"))
    return authz.user_owner(item["id"], item.get("userType")) if item else None


@invariant("writes-authorized", "no booking, dispute, refund, message, notification or profile is changed by a "
                                "caller the authorization matrix does not allow")
def writes_authorized(snap: Snapshot):
    starts: dict[str, dict] = {}
    executions = {e.arn: e for e in snap.executions}
    index = _Index(snap)
    problems, checked = [], 0
    for rec in of_components(snap.trace, "lambda", "aws"):
        details = rec.get("details") or {}
        if rec.get("component") == "lambda" and rec.get("kind") == "invoke.start":
            starts[details.get("requestId")] = details
            continue
        if rec.get("component") != "aws" or rec.get("kind") != "call" or not details.get("writes"):
            continue
        who = caller_of(starts.get(details.get("requestId")), executions)
        if who is None:
            continue
        principal, operation = who
        for table, key in details["writes"]:
            logical = _logical(table)
            if logical is None:
                continue
            owner = owner_of(index, logical, key or {})
            if owner is None:
                continue
            checked += 1
            relation = authz.relation(principal, owner)
            if operation is None or not authz.allowed(operation, relation):
                ident = next(iter((key or {}).values()), "?")
                problems.append(f"{logical} {ident} changed by {principal.kind} {principal.id or ''} "
                                f"({relation}) through {operation or 'an operation the matrix does not name'} "
                                f"({details.get('function')}): the matrix refuses that")
    return problems, f"{checked} write(s) by callers, each allowed by the matrix"
