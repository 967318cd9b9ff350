"""Checkout sessions in payment mode: created from line items (a price id or inline `price_data`,
and a quantity), paid through the ordinary payment flow, or expired.

    create_checkout_session(line_items, …)      none (as Stripe); status open, payment_status unpaid
    complete_checkout_session(session)          the customer pays on the hosted page: the payment
                                                intent's chain (`pay`, with `payment_intent_data`) →
                                                checkout.session.completed (complete, paid)
    complete_checkout_session(…, outcome="failed")  the card is declined: payment_intent.payment_failed;
                                                the session stays open (its payment_intent set); paying
                                                again confirms that payment intent
    expire_checkout_session(session)            checkout.session.expired (the API's /expire, or the
                                                customer never paid; expiry is not automatic here)

A session lives on the account the request is made as (Stripe-Account: a direct charge; with
`payment_intent_data[transfer_data][destination]` a destination charge on the platform).
"""

from __future__ import annotations

from sim.stripe import errors, objects_checkout, params
from sim.stripe.objects_checkout import SESSION_MIN_TTL_S, SESSION_TTL_S
from sim.stripe.ops import OpResult, operation

COMPLETE_OUTCOMES = ("succeeded", "failed")
LINE_ITEM_KEYS = ("price", "price_data", "quantity")
PRICE_DATA_KEYS = ("currency", "unit_amount", "product", "product_data")
PI_DATA_KEYS = ("application_fee_amount", "capture_method", "description", "metadata", "receipt_email",
                "transfer_data")


class CheckoutFlows:
    @operation
    def create_checkout_session(self, line_items=None, mode="payment", success_url: str | None = None,
                                cancel_url: str | None = None, customer=None, customer_email: str | None = None,
                                client_reference_id: str | None = None, metadata: dict | None = None,
                                payment_intent_data: dict | None = None, expires_at=None, locale: str | None = None,
                                submit_type: str | None = None, account: str | None = None,
                                idempotency_key: str | None = None) -> OpResult:
        if mode is None:
            raise errors.required("mode")
        if mode != "payment":
            raise errors.invalid("mode", f"mode={mode} is not supported by this fake: only mode=payment (one-time "
                                         "payments) is.")
        owner = self._account_id(account, allow_platform=True)
        now, result = self.now(), OpResult()
        items = self._line_items(line_items, owner, now)
        currency = items[0]["currency"]
        if any(item["currency"] != currency for item in items):
            raise errors.invalid("line_items", "All line items must use the same currency.")
        amount = params.amount("line_items", sum(item["amount_total"] for item in items), currency)
        if customer is not None and customer_email is not None:
            raise errors.invalid("customer_email", "You may only specify one of these parameters: customer, "
                                                   "customer_email.")
        cus_id = self.get(customer, "customer", as_account=owner, param="customer")["id"] if customer else None
        pi_data = self._pi_data(payment_intent_data, amount, owner)
        expiry = now + SESSION_TTL_S
        if expires_at is not None:
            expiry = params.integer("expires_at", expires_at)
            if not now + SESSION_MIN_TTL_S <= expiry <= now + SESSION_TTL_S:
                raise errors.invalid("expires_at", "The `expires_at` timestamp must be between 30 minutes and 24 "
                                                   "hours from Checkout Session creation.")
        session = objects_checkout.checkout_session(
            self.ids, now, amount=amount, currency=currency, expires_at=expiry,
            success_url=params.string("success_url", success_url), cancel_url=params.string("cancel_url", cancel_url),
            customer=cus_id, customer_email=params.string("customer_email", customer_email),
            client_reference_id=params.string("client_reference_id", client_reference_id, max_length=200),
            metadata=params.metadata(metadata), locale=params.string("locale", locale),
            submit_type=params.choice("submit_type", submit_type, ("auto", "book", "donate", "pay"), allow_none=True))
        self._put(session, owner)
        self._checkout[session["id"]] = {"line_items": items, "payment_intent_data": pi_data}
        result.objects["checkout_session"] = session
        return result

    def _line_items(self, line_items, owner: str, now: int) -> list[dict]:
        if line_items is None:
            raise errors.required("line_items")
        if not isinstance(line_items, list) or not line_items:
            raise errors.invalid("line_items", "Invalid array")
        items = []
        for i, spec in enumerate(line_items):
            param = f"line_items[{i}]"
            if not isinstance(spec, dict):
                raise errors.invalid(param, "Invalid object")
            for key in spec:
                if key not in LINE_ITEM_KEYS:
                    raise errors.unknown_param(f"{param}[{key}]")
            if (spec.get("price") is None) == (spec.get("price_data") is None):
                raise errors.invalid(f"{param}[price]", "You must specify either `price` or `price_data` in each "
                                                        "line item.")
            if spec.get("quantity") is None:
                raise errors.required(f"{param}[quantity]")
            quantity = params.integer(f"{param}[quantity]", spec["quantity"], minimum=1, maximum=999999)
            if spec.get("price") is not None:
                price = self.get(spec["price"], "price", as_account=owner, param=f"{param}[price]")
                if not price["active"]:
                    raise errors.invalid(f"{param}[price]", f"The price specified ({price['id']}) is inactive. This "
                                                            "field only accepts active prices.")
                description = self._objects[price["product"]]["name"]
            else:
                data = spec["price_data"]
                if not isinstance(data, dict):
                    raise errors.invalid(f"{param}[price_data]", "Invalid object")
                for key in data:
                    if key not in PRICE_DATA_KEYS:
                        raise errors.unknown_param(f"{param}[price_data][{key}]")
                price, description = self._new_price(owner, OpResult(), {}, param=f"{param}[price_data]",
                                                      announce=False, **{k: data.get(k) for k in PRICE_DATA_KEYS})
            items.append(objects_checkout.line_item(self.ids, now, owner, price=price, quantity=quantity,
                                                    description=description))
        return items

    def _pi_data(self, data, amount: int, owner: str) -> dict:
        """`payment_intent_data`, validated as the payment intent would validate it."""
        if data is None:
            return {}
        if not isinstance(data, dict):
            raise errors.invalid("payment_intent_data", "Invalid object")
        for key in data:
            if key not in PI_DATA_KEYS:
                raise errors.unknown_param(f"payment_intent_data[{key}]")
        if data.get("capture_method", "automatic") not in ("automatic", "automatic_async"):
            raise errors.invalid("payment_intent_data[capture_method]", "Only automatic capture is supported by "
                                                                        "this fake.")
        fee = params.integer("payment_intent_data[application_fee_amount]", data.get("application_fee_amount"),
                             minimum=0, allow_none=True)
        destination = self._destination(data.get("transfer_data"), amount, owner, fee)
        self._check_fee(fee, amount, owner, destination, "payment_intent_data[application_fee_amount]")
        return {"application_fee_amount": fee, "transfer_data": destination,
                "metadata": params.metadata(data.get("metadata"), "payment_intent_data[metadata]"),
                "description": params.string("payment_intent_data[description]", data.get("description")),
                "receipt_email": params.string("payment_intent_data[receipt_email]", data.get("receipt_email"))}

    def checkout_line_items(self, session_id: str) -> list[dict]:
        """A session's line items (the `…/line_items` list), oldest first."""
        return self._checkout[session_id]["line_items"]

    @operation
    def complete_checkout_session(self, session, outcome: str = "succeeded", name: str | None = None,
                                  email: str | None = None) -> OpResult:
        """The customer pays the session on Stripe's hosted page (the fake's stand-in for it)."""
        params.choice("outcome", outcome, COMPLETE_OUTCOMES)
        session = self._open_session(session)
        owner = self._owner[session["id"]]
        pid = self._checkout[session["id"]]["payment_intent_data"]
        cus = self._objects[session["customer"]] if session["customer"] else None
        first, last = self.factory.person_name()
        name = params.string("name", name) or (cus["name"] if cus else f"{first} {last}")
        email = params.string("email", email) or (cus["email"] if cus else session["customer_email"]) \
            or self.factory.email(first, last)
        if session["payment_intent"]:  # an earlier attempt was declined: the same payment intent again
            card = "pm_card_visa" if outcome == "succeeded" else "pm_card_chargeDeclined"
            result = self.confirm(session["payment_intent"], outcome=outcome, payment_method=card)
        else:
            result = self.pay(session["amount_total"], session["currency"],
                              account=owner if owner != self.platform_id else None,
                              application_fee_amount=pid.get("application_fee_amount"), metadata=pid.get("metadata"),
                              outcome=outcome, customer=session["customer"], description=pid.get("description"),
                              receipt_email=pid.get("receipt_email") or email, transfer_data=pid.get("transfer_data"))
        pi = result.payment_intent
        if pi["status"] != "succeeded":
            session, _ = self._update(session["id"], payment_intent=pi["id"])
            result.objects["checkout_session"] = session
            return result
        details = {"address": None, "email": email, "name": name, "phone": None, "tax_exempt": "none", "tax_ids": []}
        session, _ = self._update(session["id"], status="complete", payment_status="paid", payment_intent=pi["id"],
                                     customer_details=details, url=None)
        self._emit("checkout.session.completed", session, account=owner, result=result)
        result.objects["checkout_session"] = session
        return result

    @operation
    def expire_checkout_session(self, session, idempotency_key: str | None = None) -> OpResult:
        """An open session expires: checkout.session.expired (its payment can no longer be made)."""
        session = self._open_session(session)
        owner, result = self._owner[session["id"]], OpResult()
        session, _ = self._update(session["id"], status="expired", url=None)
        self._emit("checkout.session.expired", session, account=owner, request=self._request(idempotency_key),
                   result=result)
        result.objects["checkout_session"] = session
        return result

    def _open_session(self, ref) -> dict:
        session = self._resolve(ref, "checkout.session")
        if session["status"] != "open":
            raise errors.invalid("session", f"Checkout Session {session['id']} is {session['status']}: only an open "
                                            "session can be paid or expired.")
        return session
