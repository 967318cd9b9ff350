"""The world the recorded events refer to: providers (one per Connect account, keeping its id),
customers (one per Stripe customer on the payments, keeping its id), a service per provider, and
a booking per payment (its `metadata.bookingId` / `booking_id`, the payment intent's amount and
currency), bound to the recorded payment intent so that webhooks about it find the booking.

Built from the events alone, in the order they happened; what cannot be derived is said in `notes`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from sim.replay.export import Export

_BOOKING_ID = re.compile(r"^[A-Za-z0-9_.:-]{1,128}$")   # booking-processor's identifier rule
_PRIORITY = {"payment_intent": 0, "charge": 1, "dispute": 2}  # whose amount/currency wins


@dataclass
class Provider:
    alias: str
    account: str | None        # the recorded acct_ id (None: a new one, for a platform payment)


@dataclass
class Customer:
    alias: str
    stripe_id: str | None


@dataclass
class Service:
    alias: str
    provider: str
    price: int
    currency: str


@dataclass
class Booking:
    alias: str
    booking_id: str | None     # the recorded id (None: booking-processor derives one)
    payment_intent: str
    amount: int
    currency: str
    customer: str
    service: str


@dataclass
class Cast:
    providers: list[Provider] = field(default_factory=list)
    customers: list[Customer] = field(default_factory=list)
    services: list[Service] = field(default_factory=list)
    bookings: list[Booking] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


@dataclass
class _Payment:
    pi: str
    order: int
    account: str | None = None
    booking_id: str | None = None
    customer: str | None = None
    amount: int | None = None
    currency: str | None = None
    rank: int = 99


def _id(value) -> str | None:
    if isinstance(value, dict):
        value = value.get("id")
    return value if isinstance(value, str) and value else None


def _booking_of(obj: dict) -> str | None:
    meta = obj.get("metadata")
    if not isinstance(meta, dict):
        return None
    value = meta.get("bookingId") or meta.get("booking_id")
    return value if isinstance(value, str) and value else None


def _payments(export: Export) -> list[_Payment]:
    payments: dict[str, _Payment] = {}
    charges: dict[str, str] = {}
    for r in export.events:
        obj, kind = r.object, r.object.get("object")
        if kind == "payment_intent":
            pi = _id(obj.get("id"))
        elif kind == "charge":
            pi = _id(obj.get("payment_intent"))
            if pi and _id(obj.get("id")):
                charges[obj["id"]] = pi
        elif kind in ("refund", "dispute"):
            pi = _id(obj.get("payment_intent")) or charges.get(_id(obj.get("charge")) or "")
        else:
            continue
        if not pi:
            continue
        p = payments.setdefault(pi, _Payment(pi, len(payments)))
        p.account = p.account or r.account
        p.booking_id = p.booking_id or _booking_of(obj)
        p.customer = p.customer or (_id(obj.get("customer")) if kind in ("payment_intent", "charge") else None)
        rank = _PRIORITY.get(kind, 99)
        amount = obj.get("amount")
        if rank < p.rank and isinstance(amount, int) and not isinstance(amount, bool) and amount > 0:
            p.amount, p.rank = amount, rank
            currency = obj.get("currency")
            p.currency = currency.lower() if isinstance(currency, str) and currency else p.currency
    return sorted(payments.values(), key=lambda p: p.order)


def build_cast(export: Export) -> Cast:
    cast = Cast()
    accounts: list[str] = []
    for r in export.events:
        for acct in (r.account, r.object.get("id") if r.object.get("object") == "account" else None):
            if isinstance(acct, str) and acct.startswith("acct_") and acct not in accounts:
                accounts.append(acct)
    providers = {acct: Provider(f"p{i + 1}", acct) for i, acct in enumerate(accounts)}
    # one booking per booking id (its latest payment intent is the bound one), else per payment intent
    groups: dict[str, list[_Payment]] = {}
    for p in _payments(export):
        groups.setdefault(p.booking_id or p.pi, []).append(p)
    customers: dict[str | None, Customer] = {}
    services: dict[str, Service] = {}
    for key, group in groups.items():
        p = group[-1]
        if p.amount is None:
            cast.notes.append(f"{p.pi}: no amount in the export (no payment intent or charge object): "
                              f"no booking for it")
            continue
        if len(group) > 1:
            cast.notes.append(f"booking {key}: {len(group)} payment intents ({', '.join(g.pi for g in group)}); "
                              f"bound to the last")
        if p.account is None:
            providers.setdefault("", Provider(f"p{len(providers) + 1}", None))
            cast.notes.append(f"{p.pi}: not on a connected account (no event.account): its booking gets a "
                              f"provider with a new Connect account")
        provider = providers[p.account or ""]
        if provider.alias not in services:
            services[provider.alias] = Service(f"s{len(services) + 1}", provider.alias, max(50, p.amount),
                                               p.currency or "usd")
        if p.customer not in customers:
            customers[p.customer] = Customer(f"c{len(customers) + 1}", p.customer)
        booking_id = p.booking_id
        if booking_id is not None and not _BOOKING_ID.match(booking_id):
            cast.notes.append(f"{p.pi}: bookingId {booking_id!r} is not an identifier booking-processor accepts; "
                              f"the booking gets a derived id (webhooks find it through the payment intent)")
            booking_id = None
        if p.booking_id is None:
            cast.notes.append(f"{p.pi}: no metadata.bookingId; the booking is found through its payment intent")
        cast.bookings.append(Booking(f"b{len(cast.bookings) + 1}", booking_id, p.pi, p.amount,
                                     p.currency or "usd", customers[p.customer].alias,
                                     services[provider.alias].alias))
    cast.providers = list(providers.values())
    cast.customers = list(customers.values())
    cast.services = list(services.values())
    return cast
