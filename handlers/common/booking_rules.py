"""Booking validation: fields, times, amount, references and provider overlap.

`parse_request(args)` collects every field problem into one ValidationError (nothing is read or
written before the request is well formed). `check_references(req)` loads the service and the
provider's profile (NotFoundError / ValidationError). `overlapping(req)` lists the provider's
live bookings that intersect [start, end) through ProviderBookingsIndex: a booking occupies its
slot while confirmed or completed, or while pending and its hold has not expired (a pending
booking nobody pays for frees the slot after BOOKING_HOLD_MINUTES, default 15 = the booking
workflow's timeout). Rules: start in the future and at most BOOKING_MAX_ADVANCE_DAYS (365) ahead,
end after start, at most BOOKING_MAX_HOURS (24) long, a positive integer amount in minor units
(≤ 99 999 999), a three-letter currency, customer ≠ provider, the service belonging to the provider,
and a provider with a Stripe Connect account that is not disconnected (payments are direct
charges on it).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from handlers.common import provider_state
from handlers.common.appsync import NotFoundError, ValidationError
from handlers.common.config import env_int
from handlers.common.isotime import now_utc, parse_iso, to_iso
from handlers.common.money import parse_amount, parse_currency
from handlers.common.repositories import BookingRepository, ServiceRepository, UserProfileRepository

_ID = re.compile(r"^[A-Za-z0-9_.:-]{1,128}$")
LIVE_STATUSES = ("pending", "confirmed", "completed")


@dataclass(frozen=True)
class BookingRequest:
    customer_id: str
    provider_id: str | None
    service_id: str
    start: datetime
    end: datetime
    amount: int
    currency: str
    payment_method_id: str | None = None
    booking_id: str | None = None
    notes: str | None = None
    customer_email: str | None = None


def hold_seconds() -> int:
    return env_int("BOOKING_HOLD_MINUTES", 15) * 60


def _ident(args: dict[str, Any], name: str, errors: list[str], *, required: bool = True) -> str | None:
    value = args.get(name)
    if value is None or value == "":
        if required:
            errors.append(f"{name} is required")
        return None
    if not isinstance(value, str) or not _ID.match(value):
        errors.append(f"{name} must be an identifier (letters, digits, _ . : -; at most 128)")
        return None
    return value


def parse_request(args: Any, *, customer_default: str | None = None) -> BookingRequest:
    """A well-formed booking request, or ValidationError listing every problem."""
    if not isinstance(args, dict):
        raise ValidationError("the booking must be an object")
    errors: list[str] = []
    if customer_default and not args.get("customerId"):
        args = {**args, "customerId": customer_default}
    customer = _ident(args, "customerId", errors)
    provider = _ident(args, "providerId", errors, required=False)
    service = _ident(args, "serviceId", errors)
    booking_id = _ident(args, "bookingId", errors, required=False)
    pm = _ident(args, "paymentMethodId", errors, required=False)
    start = end = None
    for name in ("startDateTime", "endDateTime"):
        try:
            value = parse_iso(args.get(name), name)
        except ValueError as exc:
            errors.append(str(exc))
            continue
        if name == "startDateTime":
            start = value
        else:
            end = value
    amount = 0
    try:
        amount = parse_amount(args.get("amount"))
    except ValueError as exc:
        errors.append(str(exc))
    currency = "usd"
    try:
        currency = parse_currency(args.get("currency") or "usd")
    except ValueError as exc:
        errors.append(str(exc))
    notes = args.get("notes")
    if notes is not None and (not isinstance(notes, str) or len(notes) > 2000):
        errors.append("notes must be a string of at most 2000 characters")
    email = args.get("customerEmail")
    if email is not None and (not isinstance(email, str) or "@" not in email or len(email) > 254):
        errors.append("customerEmail must be an e-mail address")
    if start and end:
        now = now_utc()
        if end <= start:
            errors.append("endDateTime must be after startDateTime")
        elif end - start > timedelta(hours=env_int("BOOKING_MAX_HOURS", 24)):
            errors.append(f"a booking lasts at most {env_int('BOOKING_MAX_HOURS', 24)} hours")
        if start <= now:
            errors.append("startDateTime must be in the future")
        elif start - now > timedelta(days=env_int("BOOKING_MAX_ADVANCE_DAYS", 365)):
            errors.append("startDateTime is too far ahead")
    if customer and provider and customer == provider:
        errors.append("a provider cannot book their own service")
    if errors:
        raise ValidationError("invalid booking: " + "; ".join(errors))
    assert customer and service and start and end
    return BookingRequest(customer, provider, service, start, end, amount, currency, pm, booking_id,
                          notes, email)


def check_references(req: BookingRequest) -> tuple[BookingRequest, dict[str, Any], dict[str, Any]]:
    """(request with providerId filled in, service, provider profile)."""
    service = ServiceRepository().get(req.service_id)
    if service is None:
        raise NotFoundError(f"service {req.service_id} not found")
    owner = service.get("providerId")
    provider_id = req.provider_id or owner
    if not provider_id:
        raise ValidationError("providerId is required (the service names no provider)")
    if owner and owner != provider_id:
        raise ValidationError(f"service {req.service_id} does not belong to provider {provider_id}")
    if service.get("active") is False or str(service.get("status", "")).lower() in ("inactive", "archived"):
        raise ValidationError(f"service {req.service_id} is not bookable")
    if provider_id == req.customer_id:
        raise ValidationError("a provider cannot book their own service")
    provider = UserProfileRepository().get(provider_id)
    if provider is None:
        raise NotFoundError(f"provider {provider_id} not found")
    if not provider.get("stripeAccountId"):
        raise ValidationError(f"provider {provider_id} cannot accept payments yet (no Stripe account)")
    if provider_state.disconnected(provider):
        raise ValidationError(f"provider {provider_id} cannot accept payments (their Stripe account is disconnected)")
    if provider_id != req.provider_id:
        req = BookingRequest(**{**req.__dict__, "provider_id": provider_id})
    return req, service, provider


def occupies_slot(booking: dict[str, Any], now: datetime) -> bool:
    status = booking.get("status")
    if status not in LIVE_STATUSES:
        return False
    if status == "pending" and booking.get("paymentStatus") != "succeeded":
        try:
            created = parse_iso(booking.get("createdAt"), "createdAt")
        except ValueError:
            return True
        return (now - created).total_seconds() < hold_seconds()
    return True


def overlapping(provider_id: str, start: datetime, end: datetime, *, exclude: str | None = None) -> list[dict]:
    """The provider's bookings occupying any part of [start, end)."""
    max_len = timedelta(hours=env_int("BOOKING_MAX_HOURS", 24))
    candidates = BookingRepository().by_provider(provider_id, start_from=to_iso(start - max_len - timedelta(days=1)),
                                                 start_to=to_iso(end))
    now, out = now_utc(), []
    for b in candidates:
        if b.get("id") == exclude or not occupies_slot(b, now):
            continue
        try:
            b_start = parse_iso(b.get("startDateTime"), "startDateTime")
            b_end = parse_iso(b.get("endDateTime"), "endDateTime")
        except ValueError:
            continue
        if b_start < end and b_end > start:
            out.append(b)
    return out
