"""The ledger: Stripe's state (objects per account) and the events that record every change.

Objects are never mutated in place: an update stores a new version, so an event's `data.object`
stays the object as it was when the event was emitted, and `data.previous_attributes` is the
(nested) difference. Every operation runs atomically: it validates first, and should anything
fail half-way the journal restores every object it touched and no event is emitted. Events are
committed together at the end of an operation, serialised once (the webhook body), counted
against the webhook endpoints (`pending_webhooks`), traced, and passed to listeners (the channel).
A committed event is kept only as its packed body (`sim/packed.py`, zlib) and its current
`pending_webhooks`, and rebuilt on read (`eventlog.py`); `body()` gives back the exact bytes.

The marketplace operations themselves live in `flows_accounts.py`, `flows_payments.py`,
`flows_transfers.py`, `flows_catalog.py` and `flows_checkout.py`.
"""

from __future__ import annotations

import itertools
import json
import random
import threading
from collections.abc import Callable
from contextlib import contextmanager

from sim.stripe import errors
from sim.stripe.eventlog import EventLog, EventView
from sim.stripe.events import API_VERSION
from sim.stripe.factory import Factory, requirements
from sim.stripe.flows_accounts import AccountFlows
from sim.stripe.flows_catalog import CatalogFlows
from sim.stripe.flows_checkout import CheckoutFlows
from sim.stripe.flows_payments import PaymentFlows
from sim.stripe.flows_transfers import TransferFlows
from sim.stripe.ids import IdFactory
from sim.stripe.object_index import ObjectIndex
from sim.stripe.ops import OPERATIONS, OpResult
from sim.stripe.streams import child

_MISSING = object()


def diff(old, new):
    """Stripe's previous_attributes: the old values of what changed, nested for sub-objects."""
    out = {}
    for key, value in new.items():
        before = old.get(key, None)
        if before == value:
            continue
        if isinstance(before, dict) and isinstance(value, dict) and before.get("object") != "list":
            out[key] = diff(before, value)
        else:
            out[key] = before
    return out


def dumps_body(event: dict) -> bytes:
    """The webhook body: pretty JSON as Stripe sends it (the signed raw bytes)."""
    return json.dumps(event, ensure_ascii=False).encode("utf-8")


class Ledger(AccountFlows, PaymentFlows, TransferFlows, CatalogFlows, CheckoutFlows):
    """Stripe's state on a virtual clock. `rng` is the only source of randomness."""

    def __init__(self, clock, rng: random.Random, *, trace=None, api_version: str = API_VERSION,
                 platform_name: str = "Ecosystem Marketplace"):
        self.clock = clock
        self.trace = trace
        self.api_version = api_version
        self.lock = threading.RLock()
        self.ids = IdFactory(child(rng, "ids"))
        self.factory = Factory(child(rng, "people"), self.ids)
        self._objects: dict[str, dict] = {}
        self._owner: dict[str, str] = {}
        self._capabilities: dict[tuple[str, str], dict] = {}
        self._log = EventLog()  # every committed event, packed (`events`, `event()`, `body()` read it)
        self.listeners: list[Callable[[dict, bytes], None]] = []
        self.pending_counter: Callable[[dict], int] = lambda event: 0
        self._journal: list | None = None
        self._staged: list[tuple[dict, str]] = []
        self.deauthorized: set[str] = set()
        self._pi_cards: dict[str, dict | None] = {}
        self._checkout: dict[str, dict] = {}  # session id -> its line items and payment_intent_data
        self._seq: dict[str, int] = {}
        self._index = ObjectIndex(self._seq)  # ids by owner and by kind (list calls, payable)
        self._counter = itertools.count()
        self._current_request: dict | None = None
        self._imported: set[str] = set()  # ids of events imported by import_event (sim replay)
        now = self.clock.timestamp()
        self.platform_id = self.ids.account(now)
        self.application = Factory.application(self.ids.new("ca", now), platform_name)
        platform = self.factory.account(now, self.platform_id, type="standard", business_name=platform_name)
        platform.update(charges_enabled=True, payouts_enabled=True, details_submitted=True,
                        capabilities={"card_payments": "active", "transfers": "active"},
                        requirements=requirements([]))
        self._put(platform, self.platform_id)

    # -- reading ----------------------------------------------------------------------------
    def now(self) -> int:
        return self.clock.timestamp()

    def get(self, obj_id: str, kind: str | None = None, *, as_account: str | None = None,
            param: str | None = None) -> dict:
        """The current version of an object, as seen by `as_account` (None: the platform).

        Objects on a connected account are invisible to the platform without the Stripe-Account
        header, exactly like Stripe (404 resource_missing). Accounts are visible to the platform.
        """
        obj = self._objects.get(obj_id) if isinstance(obj_id, str) else None
        viewer = as_account or self.platform_id
        if obj is not None and kind is not None and obj["object"] != kind:
            obj = None
        if obj is not None:
            owner = self._owner[obj_id]
            visible = owner == viewer or (obj["object"] == "account" and viewer == self.platform_id)
            if not visible:
                obj = None
        if obj is None:
            raise errors.missing(kind or "object", str(obj_id), param)
        return obj

    def find(self, obj_id: str) -> dict | None:
        """An object by id regardless of account (harness-side lookups)."""
        return self._objects.get(obj_id)

    def owner(self, obj_id: str) -> str:
        return self._owner[obj_id]

    def objects(self, kind: str | None = None, account: str | None = None) -> list[dict]:
        """The current versions of the objects of `kind` owned by `account` (None: any), in the
        order they were first stored."""
        ids = self._index.ids(kind, account)
        if ids is None:
            return list(self._objects.values())
        objects, owners = self._objects, self._owner
        return [o for o in map(objects.__getitem__, ids)
                if (kind is None or o["object"] == kind) and (account is None or owners[o["id"]] == account)]

    def latest(self, kind: str, test: Callable[[dict], bool]) -> dict | None:
        """The last of `objects(kind)` (in the order first stored) that passes `test`, or None;
        searched from the newest, so finding a recent object does not read every older one."""
        for obj_id in reversed(self._index.ids(kind)):
            obj = self._objects[obj_id]
            if test(obj):
                return obj
        return None

    def capability(self, account: str, name: str) -> dict:
        return self._capabilities[(account, name)]

    @property
    def events(self) -> EventView:
        """Every committed event, oldest first (a list-like; each event rebuilt when read)."""
        return self._log.all()

    def event(self, event_id: str, *, as_account: str | None = None) -> dict:
        entry = self._log.entry(event_id)
        if entry is None or entry.account != (as_account if as_account != self.platform_id else None):
            raise errors.missing("event", event_id)
        return entry.event()

    def find_event(self, event_id: str) -> dict | None:
        """An event by id regardless of account (harness-side lookups), or None."""
        entry = self._log.entry(event_id)
        return entry.event() if entry is not None else None

    def events_for(self, account: str | None) -> EventView:
        """The events of one account (None: the platform's own), oldest first."""
        return self._log.of_account(None if account == self.platform_id else account)

    def body(self, event_id: str) -> bytes:
        """The event's webhook body: the exact bytes serialised when it was committed."""
        entry = self._log.entry(event_id)
        if entry is None:
            raise KeyError(event_id)
        return entry.body()

    def packed_body(self, event_id: str, body: bytes) -> bytes | None:
        """The ledger's packed copy of `body` when `body` is that event's webhook body (a lane
        then shares it instead of packing its own), else None."""
        entry = self._log.entry(event_id)
        return entry.packed if entry is not None and entry.body() == body else None

    def balance(self, account: str | None = None) -> dict:
        account = account or self.platform_id
        avail: dict[str, int] = {}
        pending: dict[str, int] = {}
        now = self.now()
        for txn in self.objects("balance_transaction", account):
            bucket = avail if txn["available_on"] <= now else pending
            bucket[txn["currency"]] = bucket.get(txn["currency"], 0) + txn["net"]
        def rows(d):
            return [{"amount": v, "currency": c, "source_types": {"card": v}} for c, v in sorted(d.items())]
        return {"object": "balance", "available": rows(avail) or [{"amount": 0, "currency": "usd",
                                                                   "source_types": {"card": 0}}],
                "livemode": False, "pending": rows(pending) or [{"amount": 0, "currency": "usd",
                                                                 "source_types": {"card": 0}}]}

    # -- operations by name -----------------------------------------------------------------
    def perform(self, name: str, /, **kwargs) -> OpResult:
        if name not in OPERATIONS:
            raise errors.UnknownName("operation", name, OPERATIONS)
        return getattr(self, OPERATIONS[name])(**kwargs)

    # -- writing (inside an operation) ------------------------------------------------------
    @contextmanager
    def _atomic(self):
        if self._journal is not None:
            yield
            return
        self._journal = []
        self._staged = []
        try:
            yield
        except BaseException:
            for kind, key, old in reversed(self._journal):
                store = self._capabilities if kind == "cap" else self._objects
                if old is _MISSING:
                    gone = store.pop(key, None)
                    if kind == "obj":
                        owner = self._owner.pop(key, None)
                        if gone is not None and owner is not None:
                            self._index.drop(key, gone["object"], owner)
                else:
                    store[key] = old
            self._journal = None
            self._staged = []
            raise
        staged, self._staged = self._staged, []
        self._journal = None
        for event, _ in staged:
            self._commit_event(event)

    def _put(self, obj: dict, owner: str) -> dict:
        if self._journal is not None:
            self._journal.append(("obj", obj["id"], self._objects.get(obj["id"], _MISSING)))
        if obj["id"] not in self._seq:
            self._seq[obj["id"]] = next(self._counter)
        self._index.add(obj["id"], obj["object"], owner, self._owner.get(obj["id"]))
        self._objects[obj["id"]] = obj
        self._owner[obj["id"]] = owner
        return obj

    def _update(self, obj_id: str, **changes) -> tuple[dict, dict]:
        old = self._objects[obj_id]
        new = {**old, **changes}
        if self._journal is not None:
            self._journal.append(("obj", obj_id, old))
        self._objects[obj_id] = new
        return new, diff(old, new)

    def _put_capability(self, cap: dict) -> dict:
        key = (cap["account"], cap["id"])
        if self._journal is not None:
            self._journal.append(("cap", key, self._capabilities.get(key, _MISSING)))
        self._capabilities[key] = cap
        return cap

    def _request(self, idempotency_key: str | None = None) -> dict:
        """The `request` of events caused by an API call: the HTTP request being served, or a
        fresh req_ id for a harness-side call."""
        if self._current_request is not None:
            return dict(self._current_request)
        return {"id": self.ids.new("req", self.now()), "idempotency_key": idempotency_key}

    @contextmanager
    def request_context(self, request_id: str, idempotency_key: str | None):
        """Events emitted inside carry this API request's id and idempotency key."""
        previous = self._current_request
        self._current_request = {"id": request_id, "idempotency_key": idempotency_key}
        try:
            yield
        finally:
            self._current_request = previous

    def order_of(self, obj_id: str) -> int | None:
        return self._seq.get(obj_id)

    def order_of_event(self, event_id: str) -> int | None:
        entry = self._log.entry(event_id)
        return entry.seq if entry is not None else None

    def _emit(self, event_type: str, obj: dict, *, account: str | None, previous: dict | None = None,
              request: dict | None = None, result: OpResult | None = None) -> dict:
        """Stage an event about `obj` (as it is now); `account` is the owning account id."""
        now = self.now()
        connected = account if account and account != self.platform_id else None
        event = {"id": self.ids.new("evt", now, connected or self.platform_id), "object": "event"}
        if connected:
            event["account"] = connected
        event["api_version"] = self.api_version
        event["created"] = now
        data = {"object": obj}
        if previous is not None:
            data["previous_attributes"] = previous
        event["data"] = data
        event["livemode"] = False
        event["pending_webhooks"] = 0
        event["request"] = request or {"id": None, "idempotency_key": None}
        event["type"] = event_type
        self._staged.append((event, event_type))
        if result is not None:
            result.events.append(event)
        return event

    def _commit_event(self, event: dict) -> None:
        event["pending_webhooks"] = self.pending_counter(event)
        body = dumps_body(event)
        self._log.append(event, body)
        if self.trace is not None:
            obj = event["data"]["object"]
            meta = obj.get("metadata") or {}
            self.trace.record("stripe", "event.created", event["id"], type=event["type"],
                              account=event.get("account"), object=obj.get("id"),
                              booking_id=meta.get("booking_id") if isinstance(meta, dict) else None)
        for listener in self.listeners:
            listener(event, body)

    def delivered(self, event_id: str) -> None:
        """One endpoint received the event successfully (the channel calls this)."""
        entry = self._log.entry(event_id)
        if entry is None:
            raise KeyError(event_id)
        entry.delivered()

    # -- imports (recorded objects and events: `sim replay`) ---------------------------------
    def import_object(self, obj: dict, owner: str | None = None) -> dict:
        """Store a recorded object version as the current one, keeping Stripe's id.

        `owner` is the connected account it lives on (None: the platform). A later import of the
        same id replaces it (imports come in the order they happened). No event is emitted."""
        if not isinstance(obj, dict) or not isinstance(obj.get("id"), str) or not isinstance(obj.get("object"), str):
            raise ValueError("an imported object needs a string id and object")
        owner = owner or self.platform_id
        with self.lock:
            self.ids._issued.add(obj["id"])
            return self._put(json.loads(json.dumps(obj)), owner)

    def import_account(self, acct_id: str, *, email: str | None = None, metadata: dict | None = None,
                       enabled: bool = True, country: str = "US") -> dict:
        """A connected account with a recorded id (onboarded before the story unless `enabled=False`),
        built like `create_connected_account`; no events. An already known id is returned as is."""
        if not (isinstance(acct_id, str) and acct_id.startswith("acct_")):
            raise ValueError(f"a Connect account id starts with 'acct_', got {acct_id!r}")
        with self.lock:
            if acct_id in self._objects:
                return self._objects[acct_id]
            now = self.now()
            self.ids._issued.add(acct_id)
            acct = self.factory.account(now, acct_id, country=country, email=email, metadata=metadata,
                                        application=self.application["id"])
            self._put(acct, acct_id)
            status = "active" if enabled else "inactive"
            for name in ("card_payments", "transfers"):
                self._put_capability(self.factory.capability(now, acct_id, name, status, []))
            if enabled:
                acct, _ = self._update(acct_id, **self._enabled_changes(acct, None, now))
            return acct

    def import_customer(self, cus_id: str, *, email: str | None = None, name: str | None = None,
                        metadata: dict | None = None) -> dict:
        """A platform customer with a recorded id; no events. An already known id is returned as is."""
        if not (isinstance(cus_id, str) and cus_id.startswith("cus_")):
            raise ValueError(f"a customer id starts with 'cus_', got {cus_id!r}")
        with self.lock:
            if cus_id in self._objects:
                return self._objects[cus_id]
            cus = {**self.factory.customer(self.now(), None, email=email, name=name, metadata=metadata),
                   "id": cus_id}
            self.ids._issued.add(cus_id)
            return self._put(cus, self.platform_id)

    def import_event(self, event: dict, *, pending: int | None = None, notify: bool = False) -> dict:
        """Store a recorded event with Stripe's id, and its `data.object` as that object's current
        version, so the Events API (`/v1/events`, the reconciliation's source) and the retrieve
        endpoints answer with them. The body is the event re-serialised (signatures are over it).

        `pending` is its `pending_webhooks` (default: the endpoints that accept it): it stays
        undelivered (`delivery_success=false`) until `delivered()` is called for it. `notify=True`
        also hands it to the listeners (the delivery channel would then deliver it on its own);
        by default the caller delivers it. Raises ValueError for a malformed or already known event.
        """
        if not isinstance(event, dict):
            raise ValueError("an event is a JSON object")
        eid = event.get("id")
        if not (isinstance(eid, str) and eid.startswith("evt_")):
            raise ValueError(f"an event id starts with 'evt_', got {eid!r}")
        if not isinstance(event.get("type"), str) or not isinstance(event.get("created"), int):
            raise ValueError(f"event {eid}: needs a string type and integer created")
        obj = (event.get("data") or {}).get("object") if isinstance(event.get("data"), dict) else None
        if not isinstance(obj, dict):
            raise ValueError(f"event {eid}: data.object must be an object")
        with self.lock:
            if eid in self._log:
                raise ValueError(f"event {eid} is already in the ledger")
            account = event.get("account")
            if account is not None and not (isinstance(account, str) and account.startswith("acct_")):
                raise ValueError(f"event {eid}: account must be an acct_ id, got {account!r}")
            if account == self.platform_id:
                account = None
            event = json.loads(json.dumps(event))
            if account is None:
                event.pop("account", None)
            event["pending_webhooks"] = self.pending_counter(event) if pending is None else int(pending)
            if isinstance(obj.get("id"), str) and isinstance(obj.get("object"), str):
                self.import_object(obj, account)
            self.ids._issued.add(eid)
            self._imported.add(eid)
            body = dumps_body(event)
            self._log.append(event, body)
            if self.trace is not None:
                meta = obj.get("metadata") or {}
                booking = (meta.get("bookingId") or meta.get("booking_id")) if isinstance(meta, dict) else None
                self.trace.record("stripe", "event.created", eid, type=event["type"], account=event.get("account"),
                                  object=obj.get("id"), booking_id=booking, imported=True)
            if notify:
                for listener in self.listeners:
                    listener(event, body)
            return event

    def is_imported(self, event_id: str) -> bool:
        """Was this event imported (a recorded event) rather than emitted by an operation?"""
        return event_id in self._imported
