"""Ledger operations on accounts and money out: customers, Connect onboarding, payouts.

Causal chains (as Stripe emits them; docs/stripe.md, "Ledger operations and their events"):
  onboard enabled:  person.created → account.external_account.created → account.updated (details
                    submitted, verification pending) → person.updated → capability.updated ×2 →
                    account.updated (charges_enabled, payouts_enabled)
  onboard rejected: person.created → account.updated (details submitted) → capability.updated ×2
                    (inactive) → account.updated (disabled_reason rejected.fraud)
  payout:           payout.created → payout.updated (in_transit) → payout.paid | payout.failed,
                    paid_then_failed: … → payout.paid → payout.failed;  canceled: payout.canceled
                    A connected account's payout above what its balance allows (payable.py) is
                    refused: 400 invalid_request_error balance_insufficient, nothing written.
"""

from __future__ import annotations

import itertools

from sim.stripe import errors, params
from sim.stripe.factory import ACCOUNT_REQUIREMENTS, COUNTRY_OF_CURRENCY, requirements
from sim.stripe.ops import OpResult, operation
from sim.stripe.payable import payable

CAPABILITIES = ("card_payments", "transfers")
ONBOARD_OUTCOMES = ("enabled", "rejected")
PAYOUT_OUTCOMES = ("paid", "failed", "paid_then_failed", "canceled")
PAYOUT_SETTLE = ("paid", "failed", "canceled")
INSUFFICIENT = ("You have insufficient funds in your Stripe account for this payout. You can use the /v1/balance "
                "endpoint to view your Stripe balance (for more details, see stripe.com/docs/api#balance).")


class AccountFlows:
    # -- customers --------------------------------------------------------------------------
    @operation
    def create_customer(self, email: str | None = None, name: str | None = None, metadata: dict | None = None,
                        account: str | None = None, idempotency_key: str | None = None) -> OpResult:
        meta = params.metadata(metadata)
        params.string("email", email)
        params.string("name", name)
        owner = self._account_id(account, allow_platform=True)
        result = OpResult()
        cus = self.factory.customer(self.now(), owner, email=email, name=name, metadata=meta)
        self._put(cus, owner)
        result.objects["customer"] = cus
        self._emit("customer.created", cus, account=owner, request=self._request(idempotency_key), result=result)
        return result

    @operation
    def update_customer(self, customer: str, account: str | None = None, idempotency_key: str | None = None,
                        **changes) -> OpResult:
        owner = self._account_id(account, allow_platform=True)
        cus = self.get(customer, "customer", as_account=owner, param="customer")
        allowed = {"email", "name", "metadata", "description", "phone"}
        for key in changes:
            if key not in allowed:
                raise errors.unknown_param(key)
        if "metadata" in changes:
            changes["metadata"] = {**cus["metadata"], **params.metadata(changes["metadata"])}
        result = OpResult()
        new, prev = self._update(cus["id"], **changes)
        result.objects["customer"] = new
        if prev:
            self._emit("customer.updated", new, account=owner, previous=prev,
                       request=self._request(idempotency_key), result=result)
        return result

    # -- connected accounts -----------------------------------------------------------------
    @operation
    def create_connected_account(self, country: str = "US", email: str | None = None,
                                 business_type: str = "individual", type: str = "express",
                                 metadata: dict | None = None, enabled: bool = False,
                                 business_name: str | None = None, idempotency_key: str | None = None) -> OpResult:
        """A Connect account with requirements due (no events, like Stripe). `enabled=True` makes
        one that finished onboarding before the simulation began (still no events)."""
        params.choice("type", type, ("express", "standard", "custom"))
        params.choice("business_type", business_type, ("individual", "company", "non_profit",
                                                       "government_entity"))
        params.choice("country", country, sorted({*COUNTRY_OF_CURRENCY.values(), "FR", "IE"}))
        params.string("email", email)
        meta = params.metadata(metadata)
        now = self.now()
        acct_id = self.ids.account(now)
        acct = self.factory.account(now, acct_id, country=country, email=email, business_type=business_type,
                                    type=type, metadata=meta, business_name=business_name,
                                    application=self.application["id"])
        self._put(acct, acct_id)
        result = OpResult(objects={"account": acct})
        for name in CAPABILITIES:
            self._put_capability(self.factory.capability(now, acct_id, name, "inactive", ACCOUNT_REQUIREMENTS))
        if enabled:
            person = self.factory.person(now, acct_id, country=country, email=acct["email"])
            self._put(person, acct_id)
            bank = self.factory.bank_account(now, acct_id, country=country, currency=acct["default_currency"],
                                             holder=f"{person['first_name']} {person['last_name']}")
            self._put(bank, acct_id)
            for name in CAPABILITIES:
                self._put_capability(self.factory.capability(now, acct_id, name, "active", []))
            acct, _ = self._update(acct_id, **self._enabled_changes(acct, bank, now))
            result.objects.update(account=acct, person=person, bank_account=bank)
        return result

    def _enabled_changes(self, acct: dict, bank: dict | None, now: int) -> dict:
        changes = {"charges_enabled": True, "payouts_enabled": True, "details_submitted": True,
                   "capabilities": {n: "active" for n in CAPABILITIES},
                   "requirements": requirements([]),
                   "tos_acceptance": {"date": now, "ip": "203.0.113.7", "user_agent": "Mozilla/5.0"},
                   "business_profile": {**acct["business_profile"], "mcc": "7299",
                                        "url": "https://marketplace.example.com"}}
        if bank is not None:
            ext = acct["external_accounts"]
            changes["external_accounts"] = {**ext, "data": [*ext["data"], bank],
                                            "total_count": ext["total_count"] + 1}
        return changes

    @operation
    def update_account(self, account: str, idempotency_key: str | None = None, **changes) -> OpResult:
        acct = self._connected(account)
        allowed = {"email", "metadata", "business_profile", "default_currency", "tos_acceptance"}
        for key in changes:
            if key not in allowed:
                raise errors.unknown_param(key)
        if "metadata" in changes:
            changes["metadata"] = {**acct["metadata"], **params.metadata(changes["metadata"])}
        if "business_profile" in changes:
            if not isinstance(changes["business_profile"], dict):
                raise errors.invalid("business_profile", "Invalid object")
            unknown = set(changes["business_profile"]) - set(acct["business_profile"])
            if unknown:
                raise errors.unknown_param(f"business_profile[{sorted(unknown)[0]}]")
            changes["business_profile"] = {**acct["business_profile"], **changes["business_profile"]}
        if "default_currency" in changes:
            changes["default_currency"] = params.currency("default_currency", changes["default_currency"])
        if "tos_acceptance" in changes:
            tos = changes["tos_acceptance"]
            if not isinstance(tos, dict):
                raise errors.invalid("tos_acceptance", "Invalid object")
            tos = {**acct["tos_acceptance"], **tos}
            if tos.get("date") is not None:
                tos["date"] = params.integer("tos_acceptance[date]", tos["date"])
            changes["tos_acceptance"] = tos
        result = OpResult()
        new, prev = self._update(acct["id"], **changes)
        result.objects["account"] = new
        if prev:
            self._emit("account.updated", new, account=acct["id"], previous=prev,
                       request=self._request(idempotency_key), result=result)
        return result

    @operation
    def onboard(self, account: str, outcome: str = "enabled") -> OpResult:
        """The account holder completes hosted onboarding; verification then enables or rejects."""
        params.choice("outcome", outcome, ONBOARD_OUTCOMES)
        acct = self._connected(account)
        if acct["details_submitted"]:
            raise errors.invalid("account", f"Account {acct['id']} has already completed onboarding.")
        acct_id, now, result = acct["id"], self.now(), OpResult()
        person = self.factory.person(now, acct_id, country=acct["country"], email=acct["email"])
        person["verification"] = {**person["verification"], "status": "pending"}
        self._put(person, acct_id)
        self._emit("person.created", person, account=acct_id, result=result)
        bank = None
        if outcome == "enabled":
            bank = self.factory.bank_account(now, acct_id, country=acct["country"],
                                             currency=acct["default_currency"],
                                             holder=f"{person['first_name']} {person['last_name']}")
            self._put(bank, acct_id)
            self._emit("account.external_account.created", bank, account=acct_id, result=result)
            result.objects["bank_account"] = bank
        enabled = self._enabled_changes(acct, bank, now)
        pending = ["individual.id_number", "individual.verification.document"]
        submitted = {k: enabled[k] for k in ("details_submitted", "tos_acceptance", "business_profile")}
        if bank is not None:
            submitted["external_accounts"] = enabled["external_accounts"]
        submitted["requirements"] = requirements([], pending=pending,
                                                 disabled_reason="requirements.pending_verification")
        acct, prev = self._update(acct_id, **submitted)
        self._emit("account.updated", acct, account=acct_id, previous=prev, result=result)
        if outcome == "enabled":
            person, prev = self._update(person["id"], verification={**person["verification"],
                                                                    "status": "verified"})
            self._emit("person.updated", person, account=acct_id, previous=prev, result=result)
            for name in CAPABILITIES:
                cap = self._put_capability(self.factory.capability(now, acct_id, name, "active", []))
                self._emit("capability.updated", cap, account=acct_id, previous={"status": "inactive"},
                           result=result)
            final = {k: enabled[k] for k in ("charges_enabled", "payouts_enabled", "capabilities", "requirements")}
        else:
            for name in CAPABILITIES:
                cap = self.factory.capability(now, acct_id, name, "inactive", [])
                cap["requirements"] = {**cap["requirements"], "disabled_reason": "rejected.fraud"}
                self._put_capability(cap)
                self._emit("capability.updated", cap, account=acct_id,
                           previous={"requirements": {"disabled_reason": "requirements.past_due"}}, result=result)
            final = {"requirements": requirements([], disabled_reason="rejected.fraud"),
                     "charges_enabled": False, "payouts_enabled": False}
        acct, prev = self._update(acct_id, **final)
        self._emit("account.updated", acct, account=acct_id, previous=prev, result=result)
        result.objects.update(account=acct, person=self._objects[person["id"]])
        return result

    @operation
    def deauthorize(self, account: str) -> OpResult:
        """The account disconnects from the platform: account.application.deauthorized."""
        acct = self._connected(account)
        result = OpResult(objects={"account": acct, "application": self.application})
        self._emit("account.application.deauthorized", dict(self.application), account=acct["id"], result=result)
        self.deauthorized.add(acct["id"])
        return result

    def account_link(self, account: str, type: str = "account_onboarding", refresh_url: str | None = None,
                     return_url: str | None = None) -> dict:
        """An onboarding link (no state, no event, as in Stripe)."""
        acct = self._connected(account, param="account")
        params.choice("type", type, ("account_onboarding", "account_update"))
        return self.factory.account_link(self.now(), acct["id"], type)

    # -- payouts ----------------------------------------------------------------------------
    @operation
    def payout(self, account: str | None, amount: int, currency: str | None = None, outcome: str | None = "paid",
               method: str = "standard", metadata: dict | None = None, description: str | None = None,
               idempotency_key: str | None = None) -> OpResult:
        """A payout to the account's bank account; `outcome=None` leaves it in transit (see settle_payout)."""
        params.choice("outcome", outcome, PAYOUT_OUTCOMES, allow_none=True)
        params.choice("method", method, ("standard", "instant"))
        owner = self._account_id(account, allow_platform=True)
        acct = self._objects[owner]
        currency = params.currency("currency", currency or acct["default_currency"])
        amount = params.integer("amount", amount, minimum=1)
        meta = params.metadata(metadata)
        if not acct["payouts_enabled"]:
            raise errors.StripeError("Your account cannot currently make payouts.", code="payouts_not_allowed")
        banks = [b for b in acct["external_accounts"]["data"] if b["currency"] == currency]
        if owner != self.platform_id and not banks:
            raise errors.StripeError(f"You do not have a bank account for {currency}.", code="no_account",
                                     param="currency")
        if owner != self.platform_id and amount > self.payable(owner, currency):
            raise errors.StripeError(INSUFFICIENT, code="balance_insufficient")
        now, result = self.now(), OpResult()
        po = self.factory.payout(now, owner, amount=amount, currency=currency,
                                 destination=banks[0]["id"] if banks else None, metadata=meta,
                                 description=description, method=method, balance_transaction=None)
        txn = self.factory.balance_transaction(now, owner, amount=-amount, currency=currency, type="payout",
                                               reporting_category="payout", source=po["id"],
                                               description=po["description"])
        self._put(txn, owner)
        po["balance_transaction"] = txn["id"]
        self._put(po, owner)
        self._emit("payout.created", po, account=owner, request=self._request(idempotency_key), result=result)
        result.objects["payout"] = po
        if outcome == "canceled":
            return self._settle_payout(po["id"], "canceled", result)
        po, prev = self._update(po["id"], status="in_transit")
        self._emit("payout.updated", po, account=owner, previous=prev, result=result)
        result.objects["payout"] = po
        if outcome in ("paid", "paid_then_failed"):
            self._settle_payout(po["id"], "paid", result)
        if outcome in ("failed", "paid_then_failed"):
            self._settle_payout(po["id"], "failed", result)
        return result

    def payable(self, account: str, currency: str | None = None) -> int:
        """What a connected account may still pay out (payable.py; default: its default currency)."""
        acct = self._connected(account)
        own, fee_refunds = self._index.ids(None, acct["id"]), self._index.ids("fee_refund")
        return payable(self._objects, self._owner, acct["id"], currency or acct["default_currency"],
                       dict.fromkeys(itertools.chain(own, fee_refunds)))

    @operation
    def settle_payout(self, payout: str, outcome: str) -> OpResult:
        """Finish a payout: paid, failed (also after paid) or canceled (only while pending)."""
        params.choice("outcome", outcome, PAYOUT_SETTLE)
        return self._settle_payout(payout, outcome, OpResult())

    def _settle_payout(self, payout_id: str, outcome: str, result: OpResult) -> OpResult:
        po = self._objects.get(payout_id)
        if po is None or po["object"] != "payout":
            raise errors.missing("payout", str(payout_id), "payout")
        owner, now = self._owner[payout_id], self.now()
        allowed = {"paid": ("pending", "in_transit"), "failed": ("pending", "in_transit", "paid"),
                   "canceled": ("pending",)}[outcome]
        if po["status"] not in allowed:
            raise errors.invalid("payout", f"Payout {payout_id} has status {po['status']}; it cannot become "
                                           f"{outcome}.", code="payout_status_invalid")
        if outcome == "paid":
            po, prev = self._update(payout_id, status="paid")
            self._emit("payout.paid", po, account=owner, previous=prev, result=result)
        else:
            kind = "payout_failure" if outcome == "failed" else "payout_cancel"
            txn = self.factory.balance_transaction(now, owner, amount=po["amount"], currency=po["currency"],
                                                   type=kind, reporting_category="payout_reversal",
                                                   source=po["id"], description=po["description"])
            self._put(txn, owner)
            changes = {"status": outcome, "failure_balance_transaction": txn["id"] if outcome == "failed" else None}
            if outcome == "failed":
                changes.update(failure_code="account_closed",
                               failure_message="The bank account has been closed.")
            po, prev = self._update(payout_id, **changes)
            self._emit(f"payout.{outcome}", po, account=owner, previous=prev, result=result)
        result.objects["payout"] = po
        return result

    # -- helpers ----------------------------------------------------------------------------
    def _account_id(self, account, *, allow_platform: bool, param: str = "account") -> str:
        if isinstance(account, dict):
            account = account.get("id")
        if account is None or account == self.platform_id:
            if allow_platform:
                return self.platform_id
            raise errors.required(param)
        acct = self._objects.get(account)
        if acct is None or acct["object"] != "account":
            raise errors.missing("account", str(account), param)
        if account in self.deauthorized:
            raise errors.StripeError(f"The provided key does not have access to account '{account}' (or that "
                                     "account does not exist). Application access may have been revoked.",
                                     http_status=403, type="invalid_request_error", code="account_invalid",
                                     param=param)
        return account

    def _connected(self, account, param: str = "account") -> dict:
        acct_id = self._account_id(account, allow_platform=False, param=param)
        return self._objects[acct_id]
