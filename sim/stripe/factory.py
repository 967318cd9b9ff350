"""Realistic Stripe objects built from the world's seed.

Every builder returns a plain dict shaped like the API's JSON (`id`, `object`, then the fields in
alphabetical order) that validates against Stripe's OpenAPI schema (see `schema.py`). Names,
emails, addresses and phone numbers come from Faker instances seeded from our random stream (one
per locale, created on first use); card brands and last4 are Stripe's test cards.
"""

from __future__ import annotations

import random

from faker import Faker

from sim.stripe.ids import IdFactory

COUNTRY_OF_CURRENCY = {"usd": "US", "eur": "DE", "gbp": "GB", "cad": "CA", "aud": "AU", "jpy": "JP"}
CURRENCY_OF_COUNTRY = {v: k for k, v in COUNTRY_OF_CURRENCY.items()} | {"FR": "eur", "IE": "eur"}
LOCALE_OF_COUNTRY = {"US": "en_US", "GB": "en_GB", "DE": "de_DE", "FR": "fr_FR", "CA": "en_CA", "AU": "en_AU",
                     "IE": "en_IE", "JP": "ja_JP"}
ZERO_DECIMAL = {"jpy", "krw", "vnd", "clp", "xof", "xaf", "ugx", "rwf"}

# Stripe's test cards: (brand, last4, funding, weight)
CARDS = [("visa", "4242", "credit", 50), ("mastercard", "4444", "credit", 25), ("amex", "8431", "credit", 10),
         ("discover", "1117", "credit", 5), ("visa", "5556", "debit", 10)]

STRIPE_FEE_PERCENT = 2.9
STRIPE_FEE_FIXED = 30
DISPUTE_FEE = 1500

ACCOUNT_REQUIREMENTS = [
    "business_profile.mcc", "business_profile.url", "external_account", "individual.address.city",
    "individual.address.line1", "individual.address.postal_code", "individual.address.state",
    "individual.dob.day", "individual.dob.month", "individual.dob.year", "individual.email",
    "individual.first_name", "individual.last_name", "individual.phone", "individual.ssn_last_4",
    "tos_acceptance.date", "tos_acceptance.ip",
]


def obj(obj_id: str | None, kind: str, **fields) -> dict:
    """`{"id", "object", …fields in alphabetical order}` (objects without an id omit it)."""
    head = {"id": obj_id, "object": kind} if obj_id is not None else {"object": kind}
    for key in sorted(fields):
        head[key] = fields[key]
    return head


def empty_list(url: str, data: list | None = None) -> dict:
    data = data or []
    return {"object": "list", "data": data, "has_more": False, "total_count": len(data), "url": url}


def requirements(due: list[str], *, disabled_reason: str | None = None, pending: list[str] | None = None,
                 deadline: int | None = None, future: bool = False) -> dict:
    req = {"alternatives": [], "current_deadline": deadline, "currently_due": list(due),
           "disabled_reason": disabled_reason, "errors": [], "eventually_due": list(due), "past_due": [],
           "pending_verification": list(pending or [])}
    if future:
        req.pop("current_deadline")
        req.pop("disabled_reason")
    return req


def stripe_fee(amount: int, currency: str) -> int:
    fixed = 0 if currency in ZERO_DECIMAL else STRIPE_FEE_FIXED
    return int(round(amount * STRIPE_FEE_PERCENT / 100)) + fixed


class Factory:
    """Builds objects; ids from `ids`, people from per-locale Fakers seeded from `rng`."""

    def __init__(self, rng: random.Random, ids: IdFactory):
        self.rng = rng
        self.ids = ids
        self._fakers: dict[str, Faker] = {}
        self._faker_seed = rng.getrandbits(64)

    def faker(self, country: str = "US") -> Faker:
        locale = LOCALE_OF_COUNTRY.get(country, "en_US")
        fake = self._fakers.get(locale)
        if fake is None:
            fake = Faker(locale)
            fake.seed_instance(f"{self._faker_seed}/{locale}")
            self._fakers[locale] = fake
        return fake

    # -- people -----------------------------------------------------------------------------
    def person_name(self, country: str = "US") -> tuple[str, str]:
        fake = self.faker(country)
        return fake.first_name(), fake.last_name()

    def email(self, first: str, last: str, country: str = "US") -> str:
        domain = self.faker(country).free_email_domain()
        local = "".join(ch for ch in f"{first}.{last}".lower() if ch.isascii() and (ch.isalnum() or ch == "."))
        return f"{local or 'user'}{self.rng.randint(1, 99)}@{domain}"

    def phone(self, country: str = "US") -> str:
        prefix = {"US": "+1", "CA": "+1", "GB": "+44", "DE": "+49", "FR": "+33", "AU": "+61", "IE": "+353",
                  "JP": "+81"}.get(country, "+1")
        return prefix + "".join(str(self.rng.randint(0, 9)) for _ in range(10))

    def address(self, country: str = "US") -> dict:
        fake = self.faker(country)
        state = fake.state_abbr() if country in ("US", "AU") else (fake.province_abbr() if country == "CA" else None)
        return {"city": fake.city(), "country": country, "line1": fake.street_address(), "line2": None,
                "postal_code": fake.postcode(), "state": state}

    def fingerprint(self) -> str:
        return self.ids.random_chars(16)

    def card(self) -> dict:
        brand, last4, funding, _ = self.rng.choices(CARDS, [c[3] for c in CARDS])[0]
        return {"brand": brand, "last4": last4, "funding": funding, "exp_month": self.rng.randint(1, 12),
                "exp_year": 2027 + self.rng.randint(0, 5), "fingerprint": self.fingerprint()}

    # -- objects ----------------------------------------------------------------------------
    def customer(self, now: int, account: str | None, *, email=None, name=None, metadata=None,
                 country="US", currency=None) -> dict:
        first, last = self.person_name(country)
        name = name or f"{first} {last}"
        cid = self.ids.new("cus", now)
        return obj(cid, "customer", address=self.address(country), balance=0, created=now, currency=currency,
                   default_source=None, delinquent=False, description=None, discount=None,
                   email=email or self.email(first, last, country),
                   invoice_prefix=self.ids.random_chars(8).upper(),
                   invoice_settings={"custom_fields": None, "default_payment_method": None, "footer": None,
                                     "rendering_options": None},
                   livemode=False, metadata=dict(metadata or {}), name=name, next_invoice_sequence=1,
                   phone=self.phone(country), preferred_locales=[], shipping=None, tax_exempt="none",
                   test_clock=None)

    def account(self, now: int, acct_id: str, *, country="US", email=None, business_type="individual",
                type="express", metadata=None, business_name=None, application: str | None = None) -> dict:
        first, last = self.person_name(country)
        fake = self.faker(country)
        name = business_name or fake.company()
        email = email or self.email(first, last, country)
        currency = CURRENCY_OF_COUNTRY.get(country, "usd")
        controller = ({"is_controller": True, "type": "application"} if type != "standard"
                      else {"type": "account"})
        return obj(acct_id, "account",
                   business_profile={"mcc": None, "name": name, "product_description": None,
                                     "support_address": None, "support_email": None, "support_phone": None,
                                     "support_url": None, "url": None},
                   business_type=business_type,
                   capabilities={"card_payments": "inactive", "transfers": "inactive"},
                   charges_enabled=False, controller=controller, country=country, created=now,
                   default_currency=currency, details_submitted=False, email=email,
                   external_accounts=empty_list(f"/v1/accounts/{acct_id}/external_accounts"),
                   future_requirements=requirements([]), metadata=dict(metadata or {}), payouts_enabled=False,
                   requirements=requirements(ACCOUNT_REQUIREMENTS, disabled_reason="requirements.past_due"),
                   settings={"bacs_debit_payments": {}, "branding": {"icon": None, "logo": None,
                                                                     "primary_color": None,
                                                                     "secondary_color": None},
                             "card_issuing": {"tos_acceptance": {"date": None, "ip": None}},
                             "card_payments": {"decline_on": {"avs_failure": False, "cvc_failure": False},
                                               "statement_descriptor_prefix": None},
                             "dashboard": {"display_name": name, "timezone": "Etc/UTC"},
                             "payments": {"statement_descriptor": name[:22].upper(),
                                          "statement_descriptor_kana": None,
                                          "statement_descriptor_kanji": None},
                             "payouts": {"debit_negative_balances": True,
                                         "schedule": {"delay_days": 2, "interval": "daily"},
                                         "statement_descriptor": None},
                             "sepa_debit_payments": {}},
                   tos_acceptance={"date": None, "ip": None, "user_agent": None}, type=type)

    def capability(self, now: int, account: str, name: str, status: str, due: list[str]) -> dict:
        return obj(name, "capability", account=account, future_requirements=requirements([], future=True),
                   requested=True, requested_at=now,
                   requirements=requirements(due, disabled_reason="requirements.past_due" if due else None),
                   status=status)

    def person(self, now: int, account: str, *, country="US", email=None) -> dict:
        first, last = self.person_name(country)
        return obj(self.ids.new("person", now, account), "person", account=account, address=self.address(country),
                   created=now, dob={"day": self.rng.randint(1, 28), "month": self.rng.randint(1, 12),
                                     "year": self.rng.randint(1950, 2000)},
                   email=email or self.email(first, last, country), first_name=first,
                   future_requirements={"alternatives": [], "currently_due": [], "errors": [],
                                        "eventually_due": [], "past_due": [], "pending_verification": []},
                   id_number_provided=False, last_name=last, metadata={}, phone=self.phone(country),
                   relationship={"director": False, "executive": False, "owner": False,
                                 "percent_ownership": None, "representative": True, "title": None},
                   requirements={"alternatives": [], "currently_due": [], "errors": [], "eventually_due": [],
                                 "past_due": [], "pending_verification": []},
                   ssn_last_4_provided=country == "US",
                   verification={"additional_document": {"back": None, "details": None, "details_code": None,
                                                         "front": None},
                                 "details": None, "details_code": None,
                                 "document": {"back": None, "details": None, "details_code": None, "front": None},
                                 "status": "verified"})

    def bank_account(self, now: int, account: str, *, country="US", currency="usd", holder=None) -> dict:
        return obj(self.ids.new("ba", now, account), "bank_account", account=account,
                   account_holder_name=holder, account_holder_type="individual", account_type=None,
                   available_payout_methods=["standard", "instant"], bank_name="STRIPE TEST BANK",
                   country=country, currency=currency, default_for_currency=True,
                   fingerprint=self.fingerprint(), last4="6789", metadata={},
                   routing_number="110000000" if country == "US" else None, status="new")

    def account_link(self, now: int, account: str, type: str) -> dict:
        kind = "e" if type == "account_onboarding" else "u"
        return obj(None, "account_link", created=now, expires_at=now + 300,
                   url=f"https://connect.stripe.com/setup/{kind}/{account}/{self.ids.random_chars(12)}")

    def payment_intent(self, now: int, pi_id: str, *, amount, currency, account, customer, metadata,
                       application_fee_amount, on_behalf_of, description, payment_method, receipt_email,
                       application: str | None, capture_method: str = "automatic") -> dict:
        secret = f"{pi_id}_secret_{self.ids.random_chars(25)}"
        return obj(pi_id, "payment_intent", amount=amount, amount_capturable=0,
                   amount_details={"tip": {}}, amount_received=0,
                   application=application,
                   application_fee_amount=application_fee_amount, automatic_payment_methods=None,
                   canceled_at=None, cancellation_reason=None, capture_method=capture_method,
                   client_secret=secret, confirmation_method="automatic", created=now, currency=currency,
                   customer=customer, description=description, invoice=None, last_payment_error=None,
                   latest_charge=None, livemode=False, metadata=dict(metadata or {}), next_action=None,
                   on_behalf_of=on_behalf_of, payment_method=payment_method,
                   payment_method_configuration_details=None,
                   payment_method_options={"card": {"installments": None, "mandate_options": None,
                                                    "network": None, "request_three_d_secure": "automatic"}},
                   payment_method_types=["card"], processing=None, receipt_email=receipt_email, review=None,
                   setup_future_usage=None, shipping=None, statement_descriptor=None,
                   statement_descriptor_suffix=None,
                   status="requires_confirmation" if payment_method else "requires_payment_method",
                   transfer_data=None, transfer_group=None)

    def charge(self, now: int, account: str, pi: dict, card: dict, *, succeeded: bool,
               billing_name: str | None, billing_email: str | None, application: str | None,
               balance_transaction: str | None, application_fee: str | None) -> dict:
        ch_id = self.ids.new("ch", now, account)
        risk = self.rng.randint(5, 60)
        if succeeded:
            outcome = {"network_status": "approved_by_network", "reason": None, "risk_level": "normal",
                       "risk_score": risk, "seller_message": "Payment complete.", "type": "authorized"}
        else:
            outcome = {"network_status": "declined_by_network", "reason": "generic_decline",
                       "risk_level": "normal", "risk_score": risk,
                       "seller_message": "The bank did not return any further details with this decline.",
                       "type": "issuer_declined"}
        return obj(ch_id, "charge", amount=pi["amount"], amount_captured=pi["amount"] if succeeded else 0,
                   amount_refunded=0, application=application,
                   application_fee=application_fee,
                   application_fee_amount=pi["application_fee_amount"] if succeeded else None,
                   balance_transaction=balance_transaction,
                   billing_details={"address": {"city": None, "country": None, "line1": None, "line2": None,
                                                "postal_code": card.get("postal_code"), "state": None},
                                    "email": billing_email, "name": billing_name, "phone": None},
                   calculated_statement_descriptor="MARKETPLACE*BOOKING", captured=succeeded, created=now,
                   currency=pi["currency"], customer=pi["customer"], description=pi["description"],
                   disputed=False, failure_balance_transaction=None,
                   failure_code=None if succeeded else "card_declined",
                   failure_message=None if succeeded else "Your card was declined.", fraud_details={},
                   invoice=None, livemode=False, metadata=dict(pi["metadata"]),
                   on_behalf_of=pi["on_behalf_of"], outcome=outcome, paid=succeeded,
                   payment_intent=pi["id"], payment_method=pi["payment_method"],
                   payment_method_details={"card": {
                       "amount_authorized": pi["amount"] if succeeded else None, "brand": card["brand"],
                       "checks": {"address_line1_check": None, "address_postal_code_check": None,
                                  "cvc_check": "pass"},
                       "country": "US", "exp_month": card["exp_month"], "exp_year": card["exp_year"],
                       "fingerprint": card["fingerprint"], "funding": card["funding"], "installments": None,
                       "last4": card["last4"], "mandate": None, "network": card["brand"],
                       "network_token": {"used": False}, "three_d_secure": None, "wallet": None},
                       "type": "card"},
                   receipt_email=pi["receipt_email"], receipt_number=None,
                   receipt_url=f"https://pay.stripe.com/receipts/payment/{account}/{ch_id}/"
                               f"{self.ids.new('rcpt', now)}",
                   refunded=False, refunds=empty_list(f"/v1/charges/{ch_id}/refunds"), review=None,
                   shipping=None, source=None, source_transfer=None, statement_descriptor=None,
                   statement_descriptor_suffix=None, status="succeeded" if succeeded else "failed",
                   transfer_data=None, transfer_group=None)

    def balance_transaction(self, now: int, account: str, *, amount: int, currency: str, type: str,
                            reporting_category: str, source: str, description: str | None = None,
                            fee_details: list[dict] | None = None, available_on: int | None = None) -> dict:
        fee_details = fee_details or []
        fee = sum(f["amount"] for f in fee_details)
        pending = available_on is not None and available_on > now
        return obj(self.ids.new("txn", now, account), "balance_transaction", amount=amount,
                   available_on=available_on if available_on is not None else now, created=now,
                   currency=currency, description=description, exchange_rate=None, fee=fee,
                   fee_details=fee_details, net=amount - fee, reporting_category=reporting_category,
                   source=source, status="pending" if pending else "available", type=type)

    def transfer(self, tr_id: str, now: int, *, amount: int, currency: str, destination: str,
                 destination_payment: str, source_transaction: str, balance_transaction: str | None,
                 transfer_group: str | None, metadata: dict | None = None) -> dict:
        return obj(tr_id, "transfer", amount=amount, amount_reversed=0, balance_transaction=balance_transaction,
                   created=now, currency=currency, description=None, destination=destination,
                   destination_payment=destination_payment, livemode=False, metadata=dict(metadata or {}),
                   reversals=empty_list(f"/v1/transfers/{tr_id}/reversals"), reversed=False,
                   source_transaction=source_transaction, source_type="card", transfer_group=transfer_group)

    def application_fee(self, now: int, platform: str, *, account: str, amount: int, currency: str, charge: str,
                        application: str, balance_transaction: str | None, fee_id: str | None = None,
                        originating_transaction: str | None = None) -> dict:
        fee_id = fee_id or self.ids.new("fee", now, platform)
        return obj(fee_id, "application_fee", account=account, amount=amount, amount_refunded=0,
                   application=application, balance_transaction=balance_transaction, charge=charge,
                   created=now, currency=currency, livemode=False, originating_transaction=originating_transaction,
                   refunded=False, refunds=empty_list(f"/v1/application_fees/{fee_id}/refunds"))

    @staticmethod
    def destination_payment(py_id: str, now: int, *, amount: int, currency: str, transfer: str, application: str,
                            balance_transaction: str, application_fee: str | None, fee_amount: int | None) -> dict:
        """The `py_` payment a destination charge's transfer creates on the connected account (a Charge)."""
        return obj(py_id, "charge", amount=amount, amount_captured=amount, amount_refunded=0, application=application,
                   application_fee=application_fee, application_fee_amount=fee_amount,
                   balance_transaction=balance_transaction,
                   billing_details={"address": {"city": None, "country": None, "line1": None, "line2": None,
                                                "postal_code": None, "state": None},
                                    "email": None, "name": None, "phone": None},
                   calculated_statement_descriptor=None, captured=True, created=now, currency=currency, customer=None,
                   description=None, disputed=False, failure_balance_transaction=None, failure_code=None,
                   failure_message=None, fraud_details={}, invoice=None, livemode=False, metadata={},
                   on_behalf_of=None, outcome=None, paid=True, payment_intent=None, payment_method=None,
                   payment_method_details={"stripe_account": {}, "type": "stripe_account"}, receipt_email=None,
                   receipt_number=None, receipt_url=None, refunded=False,
                   refunds=empty_list(f"/v1/charges/{py_id}/refunds"), review=None, shipping=None, source=None,
                   source_transfer=transfer, statement_descriptor=None, statement_descriptor_suffix=None,
                   status="succeeded", transfer_data=None, transfer_group=None)

    def transfer_reversal(self, now: int, platform: str, *, transfer: str, amount: int, currency: str,
                          balance_transaction: str | None, source_refund: str | None,
                          destination_payment_refund: str | None, trr_id: str | None = None) -> dict:
        return obj(trr_id or self.ids.new("trr", now, platform), "transfer_reversal", amount=amount,
                   balance_transaction=balance_transaction, created=now, currency=currency,
                   destination_payment_refund=destination_payment_refund, metadata={},
                   source_refund=source_refund, transfer=transfer)

    def fee_refund(self, now: int, platform: str, *, fee: str, amount: int, currency: str,
                   balance_transaction: str | None) -> dict:
        return obj(self.ids.new("fr", now, platform), "fee_refund", amount=amount,
                   balance_transaction=balance_transaction, created=now, currency=currency, fee=fee, metadata={})

    def refund(self, now: int, account: str, *, amount: int, charge: dict, reason: str | None,
               metadata: dict | None, status: str, balance_transaction: str | None, prefix: str = "re") -> dict:
        """A refund (`re_`; `pyr_` for the refund of a destination charge's `py_` payment)."""
        return obj(self.ids.new(prefix, now, account), "refund", amount=amount,
                   balance_transaction=balance_transaction, charge=charge["id"], created=now,
                   currency=charge["currency"], destination_details={"card": {
                       "reference_status": "pending", "reference_type": "acquirer_reference_number",
                       "type": "refund"}, "type": "card"},
                   metadata=dict(metadata or {}),
                   payment_intent=charge["payment_intent"], reason=reason, receipt_number=None,
                   source_transfer_reversal=None, status=status, transfer_reversal=None)

    def dispute(self, now: int, account: str, *, charge: dict, reason: str, balance_transactions: list) -> dict:
        evidence_fields = [
            "access_activity_log", "billing_address", "cancellation_policy", "cancellation_policy_disclosure",
            "cancellation_rebuttal", "customer_communication", "customer_email_address", "customer_name",
            "customer_purchase_ip", "customer_signature", "duplicate_charge_documentation",
            "duplicate_charge_explanation", "duplicate_charge_id", "product_description", "receipt",
            "refund_policy", "refund_policy_disclosure", "refund_refusal_explanation", "service_date",
            "service_documentation", "shipping_address", "shipping_carrier", "shipping_date",
            "shipping_documentation", "shipping_tracking_number", "uncategorized_file", "uncategorized_text"]
        return obj(self.ids.new("dp", now, account), "dispute", amount=charge["amount"],
                   balance_transactions=balance_transactions, charge=charge["id"], created=now,
                   currency=charge["currency"], evidence={f: None for f in evidence_fields},
                   evidence_details={"due_by": now + 7 * 86400 - 1, "has_evidence": False, "past_due": False,
                                     "submission_count": 0},
                   is_charge_refundable=False, livemode=False, metadata={},
                   payment_intent=charge["payment_intent"], reason=reason, status="needs_response")

    def payout(self, now: int, account: str, *, amount: int, currency: str, destination: str | None,
               metadata: dict | None, description: str | None, method: str, balance_transaction: str | None,
               automatic: bool = False) -> dict:
        return obj(self.ids.new("po", now, account), "payout", amount=amount,
                   arrival_date=now + (2 * 86400 if method == "standard" else 1800), automatic=automatic,
                   balance_transaction=balance_transaction, created=now, currency=currency,
                   description=description or "STRIPE PAYOUT", destination=destination,
                   failure_balance_transaction=None, failure_code=None, failure_message=None, livemode=False,
                   metadata=dict(metadata or {}), method=method, original_payout=None, reversed_by=None,
                   source_type="card", statement_descriptor=None, status="pending", type="bank_account")

    @staticmethod
    def application(app_id: str, name: str) -> dict:
        return obj(app_id, "application", name=name)
