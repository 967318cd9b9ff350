"""The list endpoints beyond events, accounts and application fees, with Stripe's filters and
cursor paging (newest first, `limit` 1–100, `starting_after` / `ending_before`), on the account
the request is made as (the `Stripe-Account` header, else the platform):

    GET /v1/customers            created, email
    GET /v1/payment_intents      created, customer
    GET /v1/charges              created, customer, payment_intent, transfer_group
    GET /v1/refunds              created, charge, payment_intent
    GET /v1/disputes             created, charge, payment_intent
    GET /v1/payouts              created, arrival_date, destination, status
    GET /v1/balance_transactions created, currency, payout, source, type
    GET /v1/transfers            created, destination, transfer_group
    GET /v1/products             created, active
    GET /v1/prices               created, active, currency, product, type
    GET /v1/checkout/sessions    created, customer, payment_intent, status

Boolean filters (`active=true`) compare with the object's boolean.

An unknown parameter is Stripe's 400 naming it, as for every endpoint.
"""

from __future__ import annotations

from sim.stripe import listing, params

PAGING = ("ending_before", "limit", "starting_after")

# kind -> (url, {filter param: object field}, {range filter param: object field})
LISTS = {
    "customer": ("/v1/customers", {"email": "email"}, {}),
    "payment_intent": ("/v1/payment_intents", {"customer": "customer"}, {}),
    "charge": ("/v1/charges", {"customer": "customer", "payment_intent": "payment_intent",
                               "transfer_group": "transfer_group"}, {}),
    "refund": ("/v1/refunds", {"charge": "charge", "payment_intent": "payment_intent"}, {}),
    "dispute": ("/v1/disputes", {"charge": "charge", "payment_intent": "payment_intent"}, {}),
    "payout": ("/v1/payouts", {"destination": "destination", "status": "status"}, {"arrival_date": "arrival_date"}),
    "balance_transaction": ("/v1/balance_transactions", {"currency": "currency", "payout": "payout",
                                                         "source": "source", "type": "type"}, {}),
    "transfer": ("/v1/transfers", {"destination": "destination", "transfer_group": "transfer_group"}, {}),
    "product": ("/v1/products", {"active": "active"}, {}),
    "price": ("/v1/prices", {"active": "active", "currency": "currency", "product": "product", "type": "type"}, {}),
    "checkout.session": ("/v1/checkout/sessions", {"customer": "customer", "payment_intent": "payment_intent",
                                                   "status": "status"}, {}),
}


def _id_of(value):
    """A field as a filter sees it: an expanded object's id, a boolean as the form's true/false."""
    if isinstance(value, bool):
        return "true" if value else "false"
    return value.get("id") if isinstance(value, dict) else value


def list_of(kind: str):
    """The route handler for `GET <url>` of `kind`."""
    url, exact, ranges = LISTS[kind]

    def handler(call):
        q = call.only("created", *PAGING, *exact, *ranges)
        created = listing.created_filter(q.get("created"))
        wanted = {name: params.string(name, q[name]) for name in exact if name in q}
        bounded = {name: listing.created_filter(q[name]) for name in ranges if name in q}
        ledger = call.ledger

        def keep(obj: dict) -> bool:
            if not created(obj.get("created") or 0):
                return False
            if any(_id_of(obj.get(exact[name])) != value for name, value in wanted.items()):
                return False
            return all(test(obj.get(ranges[name]) or 0) for name, test in bounded.items())

        items = [o for o in ledger.objects(kind, call.viewer) if keep(o)]
        items.sort(key=lambda o: ledger.order_of(o["id"]), reverse=True)
        page, more = listing.paginate(items, ledger.order_of, q, kind)
        return 200, listing.list_object(url, page, more)

    handler.__name__ = f"list_{kind.replace('.', '_')}s"
    return handler


ROUTES = [("GET", url, list_of(kind)) for kind, (url, _, _) in LISTS.items()]
