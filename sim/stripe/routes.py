"""The API's resources: one function per endpoint, mapping Stripe's parameters onto the ledger.

Each handler takes the parsed `Call` (params, the Stripe-Account header's account, …) and path
ids, and returns `(http_status, json_object)` or raises `StripeError`. Unknown parameters are
rejected with Stripe's 400 naming them, before anything is written.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from sim.stripe import errors, listing, params, routes_checkout, routes_lists


@dataclass
class Call:
    method: str
    path: str
    params: dict
    account: str | None  # the Stripe-Account header (None: the platform)
    idempotency_key: str | None
    request_id: str
    ledger: object

    def only(self, *allowed: str) -> dict:
        """The params, after rejecting any not in `allowed` (plus `expand`, which we ignore)."""
        for key in self.params:
            if key not in allowed and key != "expand":
                raise errors.unknown_param(key)
        return self.params

    @property
    def viewer(self) -> str:
        return self.account or self.ledger.platform_id


def _obj(call: Call, obj_id: str, kind: str) -> dict:
    return call.ledger.get(obj_id, kind, as_account=call.account)


# -- events -----------------------------------------------------------------------------------
def list_events(call: Call):
    q = call.only("created", "delivery_success", "ending_before", "limit", "starting_after", "type", "types")
    keep = listing.event_filter(q)
    # filter and page on the ledger's entries (id, type, created, pending); rebuild only the page
    entries = call.ledger.events_for(call.account).entries()
    items = [e for e in reversed(entries) if keep(e)]
    page, more = listing.paginate(items, call.ledger.order_of_event, q, "event")
    return 200, listing.list_object("/v1/events", [e.event() for e in page], more)


def get_event(call: Call, event_id: str):
    call.only()
    return 200, call.ledger.event(event_id, as_account=call.account)


# -- accounts ---------------------------------------------------------------------------------
ACCOUNT_CREATE = ("type", "country", "email", "business_type", "metadata", "capabilities", "business_profile",
                  "controller", "default_currency", "tos_acceptance")


def create_account(call: Call):
    q = call.only(*ACCOUNT_CREATE)
    if call.account:
        raise errors.StripeError("Connected accounts cannot create accounts.", http_status=400,
                                 code="platform_api_key_expired")
    ledger = call.ledger
    with ledger.lock, ledger._atomic():
        result = ledger.create_connected_account(
            country=q.get("country", "US"), email=q.get("email"), business_type=q.get("business_type", "individual"),
            type=q.get("type", "express"), metadata=params.metadata(q.get("metadata")),
            idempotency_key=call.idempotency_key)
        acct = result.account
        extra = {k: q[k] for k in ("business_profile", "default_currency", "tos_acceptance") if k in q}
        if extra:
            bp = extra.get("business_profile")
            if bp is not None:
                if not isinstance(bp, dict) or set(bp) - set(acct["business_profile"]):
                    raise errors.invalid("business_profile", "Invalid business_profile")
                extra["business_profile"] = {**acct["business_profile"], **bp}
            if "default_currency" in extra:
                extra["default_currency"] = params.currency("default_currency", extra["default_currency"])
            if "tos_acceptance" in extra:
                if not isinstance(extra["tos_acceptance"], dict):
                    raise errors.invalid("tos_acceptance", "Invalid object")
                extra["tos_acceptance"] = {**acct["tos_acceptance"], **extra["tos_acceptance"]}
            acct, _ = ledger._update(acct["id"], **extra)
    return 200, acct


def get_account(call: Call, account_id: str):
    call.only()
    if call.account and account_id != call.account:
        raise errors.StripeError(f"The provided key does not have access to account '{account_id}'.",
                                 http_status=403, code="account_invalid")
    return 200, call.ledger.get(account_id, "account", as_account=call.account)


def get_own_account(call: Call):
    call.only()
    return 200, call.ledger.get(call.viewer, "account", as_account=call.account)


def update_account(call: Call, account_id: str):
    q = call.only("email", "metadata", "business_profile", "default_currency", "tos_acceptance")
    result = call.ledger.update_account(account_id, idempotency_key=call.idempotency_key, **q)
    return 200, result.account


def list_accounts(call: Call):
    q = call.only("created", "ending_before", "limit", "starting_after")
    ledger = call.ledger
    created = listing.created_filter(q.get("created"))
    items = [a for a in ledger.objects("account") if a["id"] != ledger.platform_id and created(a["created"])]
    items.sort(key=lambda a: ledger.order_of(a["id"]), reverse=True)
    page, more = listing.paginate(items, ledger.order_of, q, "account")
    return 200, listing.list_object("/v1/accounts", page, more)


def create_account_link(call: Call):
    q = call.only("account", "type", "refresh_url", "return_url", "collect", "collection_options")
    if "account" not in q:
        raise errors.required("account")
    if "type" not in q:
        raise errors.required("type")
    link = call.ledger.account_link(q["account"], q["type"], q.get("refresh_url"), q.get("return_url"))
    return 200, link


# -- customers --------------------------------------------------------------------------------
def create_customer(call: Call):
    q = call.only("email", "name", "metadata", "description", "phone")
    ledger = call.ledger
    with ledger.lock, ledger._atomic():
        result = ledger.create_customer(email=q.get("email"), name=q.get("name"), metadata=q.get("metadata"),
                                        account=call.account, idempotency_key=call.idempotency_key)
        cus = result.customer
        extra = {k: params.string(k, q[k]) for k in ("description", "phone") if k in q}
        if extra:
            cus, _ = ledger._update(cus["id"], **extra)
    return 200, cus


def get_customer(call: Call, customer_id: str):
    call.only()
    return 200, _obj(call, customer_id, "customer")


def update_customer(call: Call, customer_id: str):
    q = call.only("email", "name", "metadata", "description", "phone")
    result = call.ledger.update_customer(customer_id, account=call.account, idempotency_key=call.idempotency_key, **q)
    return 200, result.customer


# -- payment intents --------------------------------------------------------------------------
PI_CREATE = ("amount", "currency", "application_fee_amount", "customer", "description", "metadata", "on_behalf_of",
             "payment_method", "payment_method_types", "confirm", "receipt_email", "capture_method",
             "automatic_payment_methods", "return_url", "statement_descriptor_suffix", "transfer_group",
             "transfer_data")


def create_payment_intent(call: Call):
    q = call.only(*PI_CREATE)
    if "amount" not in q:
        raise errors.required("amount")
    if "currency" not in q:
        raise errors.required("currency")
    if q.get("capture_method", "automatic") not in ("automatic", "automatic_async"):
        raise errors.invalid("capture_method", "Only automatic capture is supported by this fake.")
    pmt = q.get("payment_method_types")
    if pmt is not None and pmt != ["card"]:
        raise errors.invalid("payment_method_types", "Only payment_method_types[0]=card is supported by this fake.")
    result = call.ledger.create_payment_intent(
        q["amount"], q["currency"], call.account, q.get("application_fee_amount"), q.get("metadata"),
        q.get("customer"), q.get("description"), q.get("receipt_email"), q.get("on_behalf_of"),
        q.get("payment_method"), params.boolean("confirm", q.get("confirm")), idempotency_key=call.idempotency_key,
        transfer_data=q.get("transfer_data"))
    return _pi_answer(result.payment_intent)


def get_payment_intent(call: Call, pi_id: str):
    call.only("client_secret")
    return 200, _obj(call, pi_id, "payment_intent")


def update_payment_intent(call: Call, pi_id: str):
    q = call.only("metadata", "description", "receipt_email")
    ledger = call.ledger
    pi = _obj(call, pi_id, "payment_intent")
    changes = {}
    if "metadata" in q:
        changes["metadata"] = {**pi["metadata"], **params.metadata(q["metadata"])}
    for key in ("description", "receipt_email"):
        if key in q:
            changes[key] = params.string(key, q[key])
    with ledger.lock, ledger._atomic():
        pi, _ = ledger._update(pi_id, **changes)
    return 200, pi


def confirm_payment_intent(call: Call, pi_id: str):
    q = call.only("payment_method", "return_url", "off_session", "receipt_email", "payment_method_types")
    _obj(call, pi_id, "payment_intent")
    result = call.ledger.confirm(pi_id, payment_method=q.get("payment_method"),
                                 idempotency_key=call.idempotency_key)
    return _pi_answer(result.payment_intent)


def cancel_payment_intent(call: Call, pi_id: str):
    q = call.only("cancellation_reason")
    _obj(call, pi_id, "payment_intent")
    return 200, call.ledger.cancel(pi_id, q.get("cancellation_reason"),
                                   idempotency_key=call.idempotency_key).payment_intent


def _pi_answer(pi: dict):
    """A declined confirmation is Stripe's 402 card_error carrying the payment intent."""
    err = pi.get("last_payment_error")
    if pi["status"] == "requires_payment_method" and err:
        body = {"error": {"charge": err["charge"], "code": err["code"], "decline_code": err["decline_code"],
                          "doc_url": err["doc_url"], "message": err["message"], "payment_intent": pi,
                          "type": "card_error"}}
        return 402, body
    return 200, pi


# -- refunds, payouts, fees, charges, disputes ------------------------------------------------
def create_refund(call: Call):
    q = call.only("charge", "payment_intent", "amount", "reason", "refund_application_fee", "metadata",
                  "reverse_transfer", "instructions_email")
    if q.get("charge") is None and q.get("payment_intent") is None:
        raise errors.required("charge")
    if q.get("charge") is not None:
        target = _obj(call, q["charge"], "charge")["id"]
    else:
        target = _obj(call, q["payment_intent"], "payment_intent")["id"]
    result = call.ledger.refund(target, amount=q.get("amount"),
                                refund_application_fee=q.get("refund_application_fee", False), reason=q.get("reason"),
                                metadata=q.get("metadata"), idempotency_key=call.idempotency_key,
                                reverse_transfer=q.get("reverse_transfer", False))
    return 200, result.refund


def get_refund(call: Call, refund_id: str):
    call.only()
    return 200, _obj(call, refund_id, "refund")


def create_payout(call: Call):
    q = call.only("amount", "currency", "description", "metadata", "method", "destination", "statement_descriptor",
                  "source_type")
    if "amount" not in q:
        raise errors.required("amount")
    if "currency" not in q:
        raise errors.required("currency")
    result = call.ledger.payout(call.account, q["amount"], q["currency"], outcome="paid",
                                method=q.get("method", "standard"), metadata=q.get("metadata"),
                                description=q.get("description"), idempotency_key=call.idempotency_key)
    return 200, result.payout


def get_payout(call: Call, payout_id: str):
    call.only()
    return 200, _obj(call, payout_id, "payout")


def list_application_fees(call: Call):
    q = call.only("charge", "created", "ending_before", "limit", "starting_after")
    ledger = call.ledger
    created = listing.created_filter(q.get("created"))
    items = [f for f in ledger.objects("application_fee", call.viewer)
             if created(f["created"]) and (q.get("charge") is None or f["charge"] == q["charge"])]
    items.sort(key=lambda f: ledger.order_of(f["id"]), reverse=True)
    page, more = listing.paginate(items, ledger.order_of, q, "application_fee")
    return 200, listing.list_object("/v1/application_fees", page, more)


def get_application_fee(call: Call, fee_id: str):
    call.only()
    return 200, _obj(call, fee_id, "application_fee")


def get_charge(call: Call, charge_id: str):
    call.only()
    return 200, _obj(call, charge_id, "charge")


def list_disputes(call: Call):
    q = call.only("charge", "payment_intent", "created", "ending_before", "limit", "starting_after")
    ledger = call.ledger
    created = listing.created_filter(q.get("created"))
    items = [d for d in ledger.objects("dispute", call.viewer)
             if created(d["created"]) and (q.get("charge") is None or d["charge"] == q["charge"])
             and (q.get("payment_intent") is None or d.get("payment_intent") == q["payment_intent"])]
    items.sort(key=lambda d: ledger.order_of(d["id"]), reverse=True)
    page, more = listing.paginate(items, ledger.order_of, q, "dispute")
    return 200, listing.list_object("/v1/disputes", page, more)


def get_dispute(call: Call, dispute_id: str):
    call.only()
    return 200, _obj(call, dispute_id, "dispute")


def get_balance(call: Call):
    call.only()
    return 200, call.ledger.balance(call.viewer)


def get_balance_transaction(call: Call, txn_id: str):
    call.only()
    return 200, _obj(call, txn_id, "balance_transaction")


_ID = r"([A-Za-z0-9_]+)"
ROUTES = [
    ("GET", r"/v1/events", list_events),
    ("GET", rf"/v1/events/{_ID}", get_event),
    ("POST", r"/v1/accounts", create_account),
    ("GET", r"/v1/accounts", list_accounts),
    ("GET", r"/v1/account", get_own_account),
    ("GET", rf"/v1/accounts/{_ID}", get_account),
    ("POST", rf"/v1/accounts/{_ID}", update_account),
    ("POST", r"/v1/account_links", create_account_link),
    ("POST", r"/v1/customers", create_customer),
    ("GET", rf"/v1/customers/{_ID}", get_customer),
    ("POST", rf"/v1/customers/{_ID}", update_customer),
    ("POST", r"/v1/payment_intents", create_payment_intent),
    ("GET", rf"/v1/payment_intents/{_ID}", get_payment_intent),
    ("POST", rf"/v1/payment_intents/{_ID}", update_payment_intent),
    ("POST", rf"/v1/payment_intents/{_ID}/confirm", confirm_payment_intent),
    ("POST", rf"/v1/payment_intents/{_ID}/cancel", cancel_payment_intent),
    ("POST", r"/v1/refunds", create_refund),
    ("GET", rf"/v1/refunds/{_ID}", get_refund),
    ("POST", r"/v1/payouts", create_payout),
    ("GET", rf"/v1/payouts/{_ID}", get_payout),
    ("GET", r"/v1/application_fees", list_application_fees),
    ("GET", rf"/v1/application_fees/{_ID}", get_application_fee),
    ("GET", rf"/v1/charges/{_ID}", get_charge),
    ("GET", r"/v1/disputes", list_disputes),
    ("GET", rf"/v1/disputes/{_ID}", get_dispute),
    ("GET", r"/v1/balance", get_balance),
    ("GET", rf"/v1/balance_transactions/{_ID}", get_balance_transaction),
]
ROUTES += routes_lists.ROUTES + routes_checkout.ROUTES
COMPILED = [(m, re.compile(p + r"/?$"), fn) for m, p, fn in ROUTES]


def route(method: str, path: str):
    """(handler, path ids) for a request, or None."""
    for m, pattern, fn in COMPILED:
        if m == method:
            match = pattern.match(path)
            if match:
                return fn, match.groups()
    return None
