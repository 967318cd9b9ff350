"""Ledger operations on money in: payment intents (direct charges with an application fee),
refunds and disputes.

Causal chains (as Stripe emits them; docs/stripe.md, "Ledger operations and their events"):
  pay succeeded:   payment_intent.created → charge.succeeded → payment_intent.succeeded →
                   charge.updated (balance_transaction) → application_fee.created
  pay failed:      payment_intent.created → charge.failed → payment_intent.payment_failed
  requires_action: payment_intent.created → payment_intent.requires_action (then confirm or cancel)
  cancel:          payment_intent.canceled
  refund:          refund.created → charge.refunded → application_fee.refunded (if the fee is refunded);
                   failed: refund.created (pending) → refund.updated → refund.failed
  dispute:         charge.dispute.created → charge.dispute.funds_withdrawn → [charge.dispute.updated →
                   charge.dispute.closed → charge.dispute.funds_reinstated (won)]

A direct charge lives on the connected account (its events carry `account`); the application fee
lives on the platform. Refunds and disputes are borne by the connected account.
"""

from __future__ import annotations

from sim.stripe import errors, params
from sim.stripe.factory import CARDS, DISPUTE_FEE, stripe_fee
from sim.stripe.ops import OpResult, operation

PAY_OUTCOMES = ("succeeded", "failed", "requires_action")
CANCELABLE = ("requires_payment_method", "requires_capture", "requires_confirmation", "requires_action",
              "processing")
CANCELLATION_REASONS = ("duplicate", "fraudulent", "requested_by_customer", "abandoned")
REFUND_REASONS = ("duplicate", "fraudulent", "requested_by_customer")
REFUND_OUTCOMES = ("succeeded", "failed")
DISPUTE_REASONS = ("fraudulent", "product_not_received", "duplicate", "subscription_canceled",
                   "product_unacceptable", "credit_not_processed", "general", "unrecognized")
DISPUTE_OUTCOMES = ("won", "lost")
AVAILABLE_AFTER_S = 2 * 86400

# Stripe's test payment methods: token -> (brand, last4, funding, outcome)
TEST_PAYMENT_METHODS = {
    "pm_card_visa": ("visa", "4242", "credit", "succeeded"),
    "pm_card_visa_debit": ("visa", "5556", "debit", "succeeded"),
    "pm_card_mastercard": ("mastercard", "4444", "credit", "succeeded"),
    "pm_card_amex": ("amex", "8431", "credit", "succeeded"),
    "pm_card_discover": ("discover", "1117", "credit", "succeeded"),
    "pm_card_chargeDeclined": ("visa", "0002", "credit", "failed"),
    "pm_card_visa_chargeDeclined": ("visa", "0002", "credit", "failed"),
    "pm_card_chargeDeclinedInsufficientFunds": ("visa", "9995", "credit", "failed"),
    "pm_card_authenticationRequired": ("visa", "3184", "credit", "requires_action"),
    "pm_card_threeDSecure2Required": ("visa", "3220", "credit", "requires_action"),
}
_DECLINE_CARD = ("visa", "0002", "credit")
_3DS_CARD = ("visa", "3184", "credit")


class PaymentFlows:
    platform_fee_percent = 8

    # -- payment intents --------------------------------------------------------------------
    @operation
    def create_payment_intent(self, amount, currency="usd", account: str | None = None,
                              application_fee_amount=None, metadata: dict | None = None, customer=None,
                              description: str | None = None, receipt_email: str | None = None,
                              on_behalf_of: str | None = None, payment_method: str | None = None,
                              confirm: bool = False, idempotency_key: str | None = None,
                              transfer_data: dict | None = None) -> OpResult:
        """`payment_intent.created` (and the confirmation chain when `confirm`). `account` is the
        connected account of a direct charge (the Stripe-Account header); `transfer_data` makes a
        destination charge on the platform (flows_transfers.py)."""
        currency = params.currency("currency", currency)
        amount = params.amount("amount", amount, currency)
        owner = self._account_id(account, allow_platform=True)
        fee = params.integer("application_fee_amount", application_fee_amount, minimum=0, allow_none=True)
        destination = self._destination(transfer_data, amount, owner, fee)
        self._check_fee(fee, amount, owner, destination)
        meta = params.metadata(metadata)
        params.string("description", description)
        params.string("receipt_email", receipt_email)
        if on_behalf_of is not None:
            self._account_id(on_behalf_of, allow_platform=False, param="on_behalf_of")
        if owner != self.platform_id:
            acct = self._objects[owner]
            if not acct["charges_enabled"]:
                raise errors.StripeError(
                    f"Your account {owner} cannot currently make live or test charges: the card_payments "
                    "capability is not active. Finish onboarding first.", code="account_invalid", param="account")
        cus_id = None
        if customer is not None:
            cus_id = customer["id"] if isinstance(customer, dict) else customer
            cus = self._objects.get(cus_id)
            if cus is None or cus["object"] != "customer":
                raise errors.missing("customer", str(cus_id), "customer")
        card = self._card_for(payment_method) if payment_method is not None else None
        now, result = self.now(), OpResult()
        pi = self.factory.payment_intent(
            now, self.ids.new("pi", now, owner), amount=amount, currency=currency,
            account=owner if owner != self.platform_id else None, customer=cus_id, metadata=meta,
            application_fee_amount=fee, on_behalf_of=on_behalf_of, description=description,
            payment_method=card["pm"] if card else None, receipt_email=receipt_email,
            application=self.application["id"] if owner != self.platform_id else None)
        if destination is not None:
            pi["transfer_data"] = destination
        self._put(pi, owner)
        self._pi_cards[pi["id"]] = card
        request = self._request(idempotency_key)
        self._emit("payment_intent.created", pi, account=owner, request=request, result=result)
        result.objects["payment_intent"] = pi
        if params.boolean("confirm", confirm):
            if card is None:
                raise errors.invalid("payment_method", "You cannot confirm this PaymentIntent because it's "
                                                       "missing a payment method.", code="payment_intent_unexpected_state")
            self._confirm(pi["id"], card, card["outcome"], result, request)
        return result

    def _check_fee(self, fee: int | None, amount: int, owner: str, destination: dict | None,
                   param: str = "application_fee_amount") -> None:
        """Stripe's rules for `application_fee_amount`: a direct or destination charge, at most the amount."""
        if fee is not None and owner == self.platform_id and destination is None:
            raise errors.invalid(param, "Can only apply an application_fee_amount when the PaymentIntent is attempting a "
                                        "direct payment (using an OAuth key or Stripe-Account header) or destination "
                                        "payment (using `transfer_data[destination]`).")
        if fee is not None and fee > amount:
            raise errors.invalid(param, "The application fee amount cannot be greater than the amount of the payment.")

    @operation
    def confirm(self, payment_intent, outcome: str | None = None, payment_method: str | None = None,
                idempotency_key: str | None = None) -> OpResult:
        """Confirm a payment intent. The outcome follows the test payment method (pm_card_visa,
        pm_card_chargeDeclined, pm_card_authenticationRequired, …) unless `outcome` says otherwise;
        confirming one in requires_action means the customer completed authentication."""
        params.choice("outcome", outcome, PAY_OUTCOMES, allow_none=True)
        pi = self._resolve(payment_intent, "payment_intent")
        if pi["status"] not in ("requires_payment_method", "requires_confirmation", "requires_action"):
            raise errors.StripeError(
                f"You cannot confirm this PaymentIntent because it has a status of {pi['status']}.",
                code="payment_intent_unexpected_state", param="payment_intent")
        card = self._card_for(payment_method) if payment_method is not None else self._pi_cards.get(pi["id"])
        if card is None:
            if outcome is None:
                raise errors.invalid("payment_method", "You cannot confirm this PaymentIntent because it's "
                                                       "missing a payment method.",
                                     code="payment_intent_unexpected_state")
            card = self._card_for(None, outcome)
        if outcome is None:
            outcome = "succeeded" if pi["status"] == "requires_action" else card["outcome"]
        result = OpResult(objects={"payment_intent": pi})
        self._pi_cards[pi["id"]] = card
        if pi["payment_method"] != card["pm"]:
            pi, _ = self._update(pi["id"], payment_method=card["pm"])
        self._confirm(pi["id"], card, outcome, result, self._request(idempotency_key))
        return result

    @operation
    def pay(self, amount, currency="usd", account: str | None = None, application_fee_amount="default",
            metadata: dict | None = None, outcome: str = "succeeded", customer=None,
            description: str | None = None, receipt_email: str | None = None,
            idempotency_key: str | None = None, transfer_data: dict | None = None) -> OpResult:
        """A booking payment: a payment intent created and confirmed with a card. On a connected
        account it is a direct charge whose application fee defaults to the platform's 8%; with
        `transfer_data` a destination charge whose transfer keeps the same 8% on the platform."""
        params.choice("outcome", outcome, PAY_OUTCOMES)
        if application_fee_amount == "default":
            application_fee_amount = None
            destination_charge = isinstance(transfer_data, dict) and "amount" not in transfer_data
            direct_charge = account is not None and self._account_id(account, allow_platform=True) != self.platform_id
            if destination_charge or direct_charge:
                application_fee_amount = round(params.integer("amount", amount) * self.platform_fee_percent / 100)
        card = self._card_for(None, outcome)
        result = self.create_payment_intent(amount, currency, account, application_fee_amount, metadata, customer,
                                            description, receipt_email, idempotency_key=idempotency_key,
                                            transfer_data=transfer_data)
        pi = result.payment_intent
        self._pi_cards[pi["id"]] = card
        pi, _ = self._update(pi["id"], payment_method=card["pm"], status="requires_confirmation")
        self._confirm(pi["id"], card, outcome, result, self._request(idempotency_key))
        return result

    @operation
    def cancel(self, payment_intent, cancellation_reason: str | None = None,
               idempotency_key: str | None = None) -> OpResult:
        params.choice("cancellation_reason", cancellation_reason, CANCELLATION_REASONS, allow_none=True)
        pi = self._resolve(payment_intent, "payment_intent")
        if pi["status"] not in CANCELABLE:
            raise errors.StripeError(
                f"You cannot cancel this PaymentIntent because it has a status of {pi['status']}. Only a "
                f"PaymentIntent with one of the following statuses may be canceled: {', '.join(CANCELABLE)}.",
                code="payment_intent_unexpected_state", param="payment_intent")
        result = OpResult()
        pi, prev = self._update(pi["id"], status="canceled", canceled_at=self.now(),
                                cancellation_reason=cancellation_reason, next_action=None)
        self._emit("payment_intent.canceled", pi, account=self._owner[pi["id"]],
                   request=self._request(idempotency_key), result=result)
        result.objects["payment_intent"] = pi
        return result

    def _confirm(self, pi_id: str, card: dict, outcome: str, result: OpResult, request: dict) -> None:
        pi, owner, now = self._objects[pi_id], self._owner[pi_id], self.now()
        if outcome == "requires_action":
            if pi["status"] == "requires_action":
                raise errors.StripeError("This PaymentIntent already requires action.",
                                         code="payment_intent_unexpected_state", param="payment_intent")
            next_action = {"type": "use_stripe_sdk", "use_stripe_sdk": {
                "type": "three_d_secure_redirect",
                "stripe_js": f"https://hooks.stripe.com/redirect/authenticate/src_{self.ids.random_chars(24)}"}}
            pi, _ = self._update(pi_id, status="requires_action", next_action=next_action)
            self._emit("payment_intent.requires_action", pi, account=owner, request=request, result=result)
            result.objects["payment_intent"] = pi
            return
        succeeded = outcome == "succeeded"
        cus = self._objects.get(pi["customer"]) if pi["customer"] else None
        name = cus["name"] if cus else " ".join(self.factory.person_name())
        email = cus["email"] if cus else pi["receipt_email"]
        connected = owner != self.platform_id
        app = self.application["id"] if connected else None
        charge = self.factory.charge(now, owner, pi, card, succeeded=succeeded, billing_name=name,
                                     billing_email=email, application=app, balance_transaction=None,
                                     application_fee=None)
        result.objects["charge"] = charge
        if not succeeded:
            self._put(charge, owner)
            self._emit("charge.failed", charge, account=owner, request=request, result=result)
            error = {"charge": charge["id"], "code": "card_declined", "decline_code": card.get("decline_code",
                                                                                               "generic_decline"),
                     "doc_url": "https://stripe.com/docs/error-codes/card-declined",
                     "message": "Your card was declined.", "type": "card_error"}
            pi, _ = self._update(pi_id, status="requires_payment_method", last_payment_error=error,
                                 latest_charge=charge["id"], next_action=None)
            self._emit("payment_intent.payment_failed", pi, account=owner, request=request, result=result)
            result.objects["payment_intent"] = pi
            return
        fee_amount = pi["application_fee_amount"] or 0
        fee = None
        if connected and fee_amount:
            fee = self.factory.application_fee(now, self.platform_id, account=owner, amount=fee_amount,
                                               currency=pi["currency"], charge=charge["id"], application=app,
                                               balance_transaction=None)
            charge["application_fee"] = fee["id"]
        if pi["transfer_data"]:
            self._transfer_ids(pi, charge, now)
        self._put(charge, owner)
        self._emit("charge.succeeded", charge, account=owner, request=request, result=result)
        pi, _ = self._update(pi_id, status="succeeded", amount_received=pi["amount"], latest_charge=charge["id"],
                             next_action=None, last_payment_error=None)
        self._emit("payment_intent.succeeded", pi, account=owner, request=request, result=result)
        details = [{"amount": stripe_fee(pi["amount"], pi["currency"]), "application": None,
                    "currency": pi["currency"], "description": "Stripe processing fees", "type": "stripe_fee"}]
        if fee is not None:
            details.append({"amount": fee_amount, "application": app, "currency": pi["currency"],
                            "description": "Application fee", "type": "application_fee"})
        txn = self.factory.balance_transaction(now, owner, amount=pi["amount"], currency=pi["currency"],
                                               type="charge", reporting_category="charge", source=charge["id"],
                                               description=pi["description"], fee_details=details,
                                               available_on=now + AVAILABLE_AFTER_S)
        self._put(txn, owner)
        charge, prev = self._update(charge["id"], balance_transaction=txn["id"])
        self._emit("charge.updated", charge, account=owner, previous=prev, request=request, result=result)
        result.objects.update(payment_intent=pi, charge=charge, balance_transaction=txn)
        if pi["transfer_data"]:
            self._transfer(pi, charge, result, request, now)
        if fee is not None:
            self._take_fee(fee, result, request, now)

    def _take_fee(self, fee: dict, result: OpResult, request: dict, now: int) -> None:
        """An application fee arrives on the platform: its balance transaction, application_fee.created."""
        fee_txn = self.factory.balance_transaction(now, self.platform_id, amount=fee["amount"],
                                                   currency=fee["currency"], type="application_fee",
                                                   reporting_category="platform_earning", source=fee["id"],
                                                   description="Application fee",
                                                   available_on=now + AVAILABLE_AFTER_S)
        self._put(fee_txn, self.platform_id)
        fee["balance_transaction"] = fee_txn["id"]
        self._put(fee, self.platform_id)
        self._emit("application_fee.created", fee, account=self.platform_id, request=request, result=result)
        result.objects["application_fee"] = fee

    # -- refunds ----------------------------------------------------------------------------
    @operation
    def refund(self, charge_or_payment_intent, amount=None, refund_application_fee: bool = False,
               reason: str | None = None, metadata: dict | None = None, outcome: str = "succeeded",
               idempotency_key: str | None = None, reverse_transfer: bool = False) -> OpResult:
        """Refund all or part of a charge (a direct charge's is borne by the connected account);
        optionally refund the application fee in proportion (Stripe's rule). `reverse_transfer` on
        a destination charge reverses its transfer in proportion (ignored for a charge without one)."""
        params.choice("outcome", outcome, REFUND_OUTCOMES)
        params.choice("reason", reason, REFUND_REASONS, allow_none=True)
        refund_fee = params.boolean("refund_application_fee", refund_application_fee)
        reverse = params.boolean("reverse_transfer", reverse_transfer)
        meta = params.metadata(metadata)
        charge = self._charge_of(charge_or_payment_intent)
        if charge["status"] != "succeeded":
            raise errors.invalid("charge", f"Charge {charge['id']} has status {charge['status']}; only "
                                           "succeeded charges can be refunded.", code="charge_not_refundable")
        if charge["disputed"]:
            raise errors.StripeError(f"Charge {charge['id']} has been charged back; cannot issue a refund.",
                                     code="charge_disputed", param="charge")
        remaining = charge["amount"] - charge["amount_refunded"]
        if remaining <= 0:
            raise errors.StripeError(f"Charge {charge['id']} has already been refunded.",
                                     code="charge_already_refunded", param="charge")
        amount = remaining if amount is None else params.integer("amount", amount, minimum=1)
        if amount > remaining:
            raise errors.invalid("amount", f"Refund amount ({amount}) is greater than unrefunded amount on "
                                           f"charge ({remaining})", code="amount_too_large")
        owner, now, result = self._owner[charge["id"]], self.now(), OpResult()
        request = self._request(idempotency_key)
        if outcome == "failed":
            re = self.factory.refund(now, owner, amount=amount, charge=charge, reason=reason, metadata=meta,
                                     status="pending", balance_transaction=None)
            self._put(re, owner)
            self._emit("refund.created", re, account=owner, request=request, result=result)
            txn = self.factory.balance_transaction(now, owner, amount=0, currency=charge["currency"],
                                                   type="refund_failure", reporting_category="refund_failure",
                                                   source=re["id"])
            self._put(txn, owner)
            re, prev = self._update(re["id"], status="failed", failure_reason="expired_or_canceled_card",
                                    failure_balance_transaction=txn["id"])
            self._emit("refund.updated", re, account=owner, previous=prev, result=result)
            self._emit("refund.failed", re, account=owner, result=result)
            result.objects.update(refund=re, charge=charge)
            return result
        txn = self.factory.balance_transaction(now, owner, amount=-amount, currency=charge["currency"],
                                               type="refund", reporting_category="refund",
                                               source="", description="REFUND FOR CHARGE")
        re = self.factory.refund(now, owner, amount=amount, charge=charge, reason=reason, metadata=meta,
                                 status="succeeded", balance_transaction=txn["id"])
        reverse = reverse and bool(charge.get("transfer"))
        if reverse:
            re["transfer_reversal"] = self.ids.new("trr", now, self.platform_id)
        txn["source"] = re["id"]
        self._put(txn, owner)
        self._put(re, owner)
        self._emit("refund.created", re, account=owner, request=request, result=result)
        refunded = charge["amount_refunded"] + amount
        lst = charge["refunds"]
        charge, prev = self._update(charge["id"], amount_refunded=refunded, refunded=refunded == charge["amount"],
                                    refunds={**lst, "data": [re, *lst["data"]], "total_count": lst["total_count"] + 1})
        self._emit("charge.refunded", charge, account=owner, previous=prev, request=request, result=result)
        result.objects.update(refund=re, charge=charge)
        if reverse:
            self._reverse_transfer(charge, re, refunded, result, request, now)
        if refund_fee and charge["application_fee"]:
            self._refund_fee(charge, amount, refunded, result, request, now)
        return result

    def _refund_fee(self, charge: dict, amount: int, refunded: int, result: OpResult, request: dict,
                    now: int) -> None:
        """The application fee refunded in proportion to a refund (what is left of it once the
        charge is fully refunded): a fee refund, application_fee.refunded. The fee goes back to the
        connected account it was taken from (a direct charge's account, or a destination charge's
        destination): an application_fee_refund balance transaction there, as in Stripe."""
        fee = self._objects[charge["application_fee"]]
        fee_left = fee["amount"] - fee["amount_refunded"]
        share = fee_left if refunded == charge["amount"] else min(fee_left, fee["amount"] * amount // charge["amount"])
        if share <= 0:
            return
        fee_txn = self.factory.balance_transaction(now, self.platform_id, amount=-share, currency=fee["currency"],
                                                   type="application_fee_refund",
                                                   reporting_category="platform_earning_refund", source="",
                                                   description="Application fee refund")
        fr = self.factory.fee_refund(now, self.platform_id, fee=fee["id"], amount=share, currency=fee["currency"],
                                     balance_transaction=fee_txn["id"])
        fee_txn["source"] = fr["id"]
        self._put(fee_txn, self.platform_id)
        self._put(fr, self.platform_id)
        back = self.factory.balance_transaction(now, fee["account"], amount=share, currency=fee["currency"],
                                                type="application_fee_refund", reporting_category="fee",
                                                source=fr["id"], description="Application fee refund")
        self._put(back, fee["account"])
        flst = fee["refunds"]
        fee, prev = self._update(fee["id"], amount_refunded=fee["amount_refunded"] + share,
                                 refunded=fee["amount_refunded"] + share == fee["amount"],
                                 refunds={**flst, "data": [fr, *flst["data"]], "total_count": flst["total_count"] + 1})
        self._emit("application_fee.refunded", fee, account=self.platform_id, previous=prev, request=request,
                   result=result)
        result.objects.update(application_fee=fee, fee_refund=fr)

    # -- disputes ---------------------------------------------------------------------------
    @operation
    def dispute(self, charge, outcome: str | None = None, reason: str = "fraudulent") -> OpResult:
        """The cardholder disputes a charge; with `outcome` the dispute is also closed (won or lost)."""
        params.choice("outcome", outcome, DISPUTE_OUTCOMES, allow_none=True)
        params.choice("reason", reason, DISPUTE_REASONS)
        charge = self._charge_of(charge)
        if charge["status"] != "succeeded":
            raise errors.invalid("charge", f"Charge {charge['id']} did not succeed; it cannot be disputed.")
        if charge["disputed"]:
            raise errors.invalid("charge", f"Charge {charge['id']} is already disputed.")
        owner, now, result = self._owner[charge["id"]], self.now(), OpResult()
        dp = self.factory.dispute(now, owner, charge=charge, reason=reason, balance_transactions=[])
        self._put(dp, owner)
        charge, _ = self._update(charge["id"], disputed=True)
        self._emit("charge.dispute.created", dp, account=owner, result=result)
        txn = self.factory.balance_transaction(
            now, owner, amount=-dp["amount"], currency=dp["currency"], type="adjustment",
            reporting_category="dispute", source=dp["id"], description=f"Chargeback withdrawal for {charge['id']}",
            fee_details=[{"amount": DISPUTE_FEE, "application": None, "currency": dp["currency"],
                          "description": "Dispute fee", "type": "stripe_fee"}])
        self._put(txn, owner)
        dp, prev = self._update(dp["id"], balance_transactions=[txn])
        self._emit("charge.dispute.funds_withdrawn", dp, account=owner, result=result)
        result.objects.update(dispute=dp, charge=charge)
        if outcome is not None:
            self._close_dispute(dp["id"], outcome, result)
        return result

    @operation
    def close_dispute(self, dispute, outcome: str) -> OpResult:
        """Evidence submitted (charge.dispute.updated), then the bank decides: won or lost."""
        params.choice("outcome", outcome, DISPUTE_OUTCOMES)
        return self._close_dispute(self._resolve(dispute, "dispute")["id"], outcome, OpResult())

    def _close_dispute(self, dp_id: str, outcome: str, result: OpResult) -> OpResult:
        dp, owner, now = self._objects[dp_id], self._owner[dp_id], self.now()
        if dp["status"] in ("won", "lost"):
            raise errors.invalid("dispute", f"Dispute {dp_id} is already closed ({dp['status']}).")
        evidence = {**dp["evidence"], "product_description": "Booked service, delivered as agreed",
                    "service_date": str(now), "uncategorized_text": "Booking confirmation and messages attached."}
        details = {**dp["evidence_details"], "has_evidence": True, "submission_count": 1}
        dp, prev = self._update(dp_id, status="under_review", evidence=evidence, evidence_details=details)
        self._emit("charge.dispute.updated", dp, account=owner, previous=prev, result=result)
        dp, prev = self._update(dp_id, status=outcome)
        self._emit("charge.dispute.closed", dp, account=owner, previous=prev, result=result)
        if outcome == "won":
            txn = self.factory.balance_transaction(
                now, owner, amount=dp["amount"], currency=dp["currency"], type="adjustment",
                reporting_category="dispute_reversal", source=dp_id,
                description=f"Chargeback reversal for {dp['charge']}")
            self._put(txn, owner)
            dp, _ = self._update(dp_id, balance_transactions=[*dp["balance_transactions"], txn])
            self._emit("charge.dispute.funds_reinstated", dp, account=owner, result=result)
        result.objects["dispute"] = dp
        return result

    # -- helpers ----------------------------------------------------------------------------
    def _card_for(self, payment_method: str | None, outcome: str = "succeeded") -> dict:
        """Card details for a test payment method token (or a random realistic card)."""
        if payment_method is None:
            if outcome == "succeeded":
                card = self.factory.card()
            else:
                brand, last4, funding = _DECLINE_CARD if outcome == "failed" else _3DS_CARD
                card = {**self.factory.card(), "brand": brand, "last4": last4, "funding": funding}
        else:
            spec = TEST_PAYMENT_METHODS.get(payment_method)
            if spec is None and payment_method.startswith("tok_"):
                brand = payment_method[4:]
                spec = next(((b, l4, f, "succeeded") for b, l4, f, _ in CARDS if b == brand), None)
            if spec is None:
                raise errors.missing("PaymentMethod", payment_method, "payment_method")
            brand, last4, funding, outcome = spec
            card = {**self.factory.card(), "brand": brand, "last4": last4, "funding": funding}
        card["outcome"] = outcome
        card["pm"] = self.ids.new("pm", self.now())
        return card

    def _resolve(self, ref, kind: str) -> dict:
        obj_id = ref.get("id") if isinstance(ref, dict) else ref
        obj = self._objects.get(obj_id) if isinstance(obj_id, str) else None
        if obj is None or obj["object"] != kind:
            raise errors.missing(kind, str(obj_id), kind)
        return obj

    def _charge_of(self, ref) -> dict:
        obj_id = ref.get("id") if isinstance(ref, dict) else ref
        if isinstance(obj_id, str) and obj_id.startswith("pi_"):
            pi = self._resolve(obj_id, "payment_intent")
            if pi["status"] != "succeeded" or not pi["latest_charge"]:
                raise errors.invalid("payment_intent", f"PaymentIntent {pi['id']} does not have a successful "
                                                       "charge.", code="charge_not_refundable")
            return self._objects[pi["latest_charge"]]
        return self._resolve(obj_id, "charge")
