"""The API's catalog, Checkout and transfer resources (the lists are in routes_lists.py):

    POST /v1/products, GET /v1/products/:id
    POST /v1/prices, GET /v1/prices/:id                       one-time prices (product or product_data)
    POST /v1/checkout/sessions, GET /v1/checkout/sessions/:id  mode=payment, line_items price / price_data
    POST /v1/checkout/sessions/:id/expire, GET /v1/checkout/sessions/:id/line_items
    POST /v1/test_helpers/checkout/sessions/:id/complete      fake-only: the customer pays on the hosted
                                                              page (`outcome=failed`: the card is declined)
    GET /v1/transfers/:id, GET /v1/transfers/:id/reversals, GET /v1/application_fees/:id/refunds
"""

from __future__ import annotations

from sim.stripe import errors, listing
from sim.stripe.flows_catalog import PRODUCT_FIELDS

SESSION_CREATE = ("line_items", "mode", "success_url", "cancel_url", "customer", "customer_email",
                  "client_reference_id", "metadata", "payment_intent_data", "expires_at", "locale", "submit_type",
                  "payment_method_types")


def _get(kind: str):
    def handler(call, obj_id: str):
        call.only()
        return 200, call.ledger.get(obj_id, kind, as_account=call.account)

    handler.__name__ = f"get_{kind.replace('.', '_')}"
    return handler


def create_product(call):
    q = call.only(*PRODUCT_FIELDS)
    return 200, call.ledger.create_product(account=call.account, idempotency_key=call.idempotency_key, **q).product


def create_price(call):
    q = call.only("currency", "unit_amount", "product", "product_data", "nickname", "metadata", "active",
                  "lookup_key", "recurring")
    return 200, call.ledger.create_price(account=call.account, idempotency_key=call.idempotency_key, **q).price


def create_checkout_session(call):
    q = dict(call.only(*SESSION_CREATE))
    pmt = q.pop("payment_method_types", None)
    if pmt is not None and pmt != ["card"]:
        raise errors.invalid("payment_method_types", "Only payment_method_types[0]=card is supported by this fake.")
    result = call.ledger.create_checkout_session(account=call.account, idempotency_key=call.idempotency_key, **q)
    return 200, result.checkout_session


def _session(call, session_id: str) -> dict:
    return call.ledger.get(session_id, "checkout.session", as_account=call.account)


def expire_checkout_session(call, session_id: str):
    call.only()
    _session(call, session_id)
    return 200, call.ledger.expire_checkout_session(session_id, idempotency_key=call.idempotency_key).checkout_session


def complete_checkout_session(call, session_id: str):
    q = call.only("outcome", "name", "email")
    _session(call, session_id)
    return 200, call.ledger.complete_checkout_session(session_id, **q).checkout_session


def list_line_items(call, session_id: str):
    q = call.only("ending_before", "limit", "starting_after")
    _session(call, session_id)
    items = call.ledger.checkout_line_items(session_id)  # in the order given, as Stripe lists them
    position = {item["id"]: -n for n, item in enumerate(items)}  # paginate's key: larger comes first
    page, more = listing.paginate(items, position.get, q, "item")
    return 200, listing.list_object(f"/v1/checkout/sessions/{session_id}/line_items", page, more)


def _sublist(kind: str, field: str, item_kind: str):
    """`GET /v1/<kind>s/:id/<field>`: the object's embedded list (newest first), paged."""
    def handler(call, obj_id: str):
        q = call.only("ending_before", "limit", "starting_after")
        parent = call.ledger.get(obj_id, kind, as_account=call.account)
        page, more = listing.paginate(parent[field]["data"], call.ledger.order_of, q, item_kind)
        return 200, listing.list_object(parent[field]["url"], page, more)

    handler.__name__ = f"list_{kind}_{field}"
    return handler


_ID = r"([A-Za-z0-9_]+)"
ROUTES = [
    ("POST", r"/v1/products", create_product),
    ("GET", rf"/v1/products/{_ID}", _get("product")),
    ("POST", r"/v1/prices", create_price),
    ("GET", rf"/v1/prices/{_ID}", _get("price")),
    ("POST", r"/v1/checkout/sessions", create_checkout_session),
    ("GET", rf"/v1/checkout/sessions/{_ID}", _get("checkout.session")),
    ("POST", rf"/v1/checkout/sessions/{_ID}/expire", expire_checkout_session),
    ("GET", rf"/v1/checkout/sessions/{_ID}/line_items", list_line_items),
    ("POST", rf"/v1/test_helpers/checkout/sessions/{_ID}/complete", complete_checkout_session),
    ("GET", rf"/v1/transfers/{_ID}", _get("transfer")),
    ("GET", rf"/v1/transfers/{_ID}/reversals", _sublist("transfer", "reversals", "transfer_reversal")),
    ("GET", rf"/v1/application_fees/{_ID}/refunds", _sublist("application_fee", "refunds", "fee_refund")),
]
