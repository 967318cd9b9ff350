"""Builders for the catalog and Checkout objects: products, prices, Checkout sessions and their
line items, shaped like the API's JSON (validated against Stripe's OpenAPI schema like the rest).
Each takes the ledger's `IdFactory` first."""

from __future__ import annotations

from sim.stripe.factory import obj as _obj
from sim.stripe.ids import IdFactory

SESSION_TTL_S = 24 * 3600  # Checkout's default and longest expiry
SESSION_MIN_TTL_S = 30 * 60


def product(ids: IdFactory, now: int, *, name: str, description: str | None, metadata: dict, active: bool = True,
            images: list | None = None, url: str | None = None, statement_descriptor: str | None = None,
            unit_label: str | None = None) -> dict:
    return _obj(ids.new("prod", now), "product", active=active, created=now, default_price=None,
                description=description, images=list(images or []), livemode=False, marketing_features=[],
                metadata=dict(metadata), name=name, package_dimensions=None, shippable=None,
                statement_descriptor=statement_descriptor, tax_code=None, type="service",
                unit_label=unit_label, updated=now, url=url)


def price(ids: IdFactory, now: int, account: str, *, product: str, currency: str, unit_amount: int,
          nickname: str | None, metadata: dict, lookup_key: str | None = None, active: bool = True) -> dict:
    return _obj(ids.new("price", now, account), "price", active=active, billing_scheme="per_unit",
                created=now, currency=currency, custom_unit_amount=None, livemode=False, lookup_key=lookup_key,
                metadata=dict(metadata), nickname=nickname, product=product, recurring=None,
                tax_behavior="unspecified", tiers_mode=None, transform_quantity=None, type="one_time",
                unit_amount=unit_amount, unit_amount_decimal=str(unit_amount))


def line_item(ids: IdFactory, now: int, account: str, *, price: dict, quantity: int, description: str) -> dict:
    total = price["unit_amount"] * quantity
    return _obj(ids.new("li", now, account), "item", amount_discount=0, amount_subtotal=total,
                amount_tax=0, amount_total=total, currency=price["currency"], description=description,
                discounts=[], price=price, quantity=quantity, taxes=[])


def checkout_session(ids: IdFactory, now: int, *, amount: int, currency: str, expires_at: int, success_url: str | None,
                     cancel_url: str | None, customer: str | None, customer_email: str | None,
                     client_reference_id: str | None, metadata: dict, locale: str | None,
                     submit_type: str | None) -> dict:
    cs_id = ids.new("cs_test", now)
    return _obj(cs_id, "checkout.session", after_expiration=None, allow_promotion_codes=None,
                amount_subtotal=amount, amount_total=amount,
                automatic_tax={"enabled": False, "liability": None, "status": None},
                billing_address_collection=None, cancel_url=cancel_url, client_reference_id=client_reference_id,
                client_secret=None, consent=None, consent_collection=None, created=now, currency=currency,
                custom_fields=[], custom_text={"after_submit": None, "shipping_address": None, "submit": None,
                                               "terms_of_service_acceptance": None},
                customer=customer, customer_creation=None if customer else "if_required",
                customer_details=None, customer_email=customer_email, expires_at=expires_at, invoice=None,
                invoice_creation={"enabled": False, "invoice_data": {
                    "account_tax_ids": None, "custom_fields": None, "description": None, "footer": None,
                    "issuer": None, "metadata": {}, "rendering_options": None}},
                livemode=False, locale=locale, metadata=dict(metadata), mode="payment", payment_intent=None,
                payment_link=None, payment_method_collection="if_required",
                payment_method_configuration_details=None, payment_method_options={"card": {
                    "request_three_d_secure": "automatic"}},
                payment_method_types=["card"], payment_status="unpaid",
                phone_number_collection={"enabled": False}, recovered_from=None,
                saved_payment_method_options=None, setup_intent=None, shipping_address_collection=None,
                shipping_cost=None, shipping_details=None, shipping_options=[], status="open",
                submit_type=submit_type, subscription=None, success_url=success_url,
                tax_id_collection={"enabled": False, "required": "never"},
                total_details={"amount_discount": 0, "amount_shipping": 0, "amount_tax": 0}, ui_mode="hosted",
                url=f"https://checkout.stripe.com/c/pay/{cs_id}#{ids.random_chars(40)}")
