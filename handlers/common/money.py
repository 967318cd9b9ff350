"""Money in integer minor units (cents), and the platform's 8% commission.

Rounding: the fee is PLATFORM_FEE_PERCENT (default 8) percent of the amount, rounded half up to the
whole minor unit (Decimal ROUND_HALF_UP). With 8% of an integer amount a tie (x.5) can never occur
(8·a/100 has a fractional part .5 only if 8·a ≡ 50 mod 100, impossible), so half-up, half-even and
Stripe-side rounding all agree. providerEarnings = amount - platformFee, so the two always sum to
the amount.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from handlers.common.config import platform_fee_percent

MAX_AMOUNT = 99_999_999  # Stripe's maximum for an 8-digit amount


@dataclass(frozen=True)
class FeeSplit:
    amount: int
    platform_fee: int
    provider_earnings: int


def _percent(percent: str | int | float | Decimal | None) -> Decimal:
    try:
        value = Decimal(str(percent if percent is not None else platform_fee_percent()))
    except InvalidOperation as exc:
        raise ValueError(f"bad fee percent {percent!r}") from exc
    if not value.is_finite() or value < 0 or value > 100:
        raise ValueError(f"fee percent out of range: {percent!r}")
    return value


def platform_fee(amount: int, percent: str | int | float | Decimal | None = None) -> int:
    """The commission on `amount` minor units, rounded half up."""
    return int((Decimal(int(amount)) * _percent(percent) / 100).quantize(Decimal(1), rounding=ROUND_HALF_UP))


def split(amount: int, percent: str | int | float | Decimal | None = None) -> FeeSplit:
    """amount → (amount, platform_fee, provider_earnings)."""
    fee = platform_fee(amount, percent)
    return FeeSplit(int(amount), fee, int(amount) - fee)


def prorated(part: int, of_amount: int, total: int) -> int:
    """`total` × part / of_amount rounded half up, e.g. the fee share of a partial refund."""
    if of_amount <= 0:
        return 0
    return int((Decimal(int(total)) * int(part) / int(of_amount)).quantize(Decimal(1), rounding=ROUND_HALF_UP))


def parse_amount(value: object, *, field: str = "amount", allow_zero: bool = False) -> int:
    """A positive integer number of minor units from user input; ValueError with a clear message."""
    if isinstance(value, bool) or value is None:
        raise ValueError(f"{field} must be an integer number of minor units")
    if isinstance(value, float):
        if not value.is_integer():
            raise ValueError(f"{field} must be an integer number of minor units")
        value = int(value)
    if isinstance(value, str):
        if not value.strip().lstrip("-").isdigit():
            raise ValueError(f"{field} must be an integer number of minor units")
        value = int(value.strip())
    if not isinstance(value, int):
        raise ValueError(f"{field} must be an integer number of minor units")
    if value < 0 or (value == 0 and not allow_zero):
        raise ValueError(f"{field} must be positive")
    if value > MAX_AMOUNT:
        raise ValueError(f"{field} must be at most {MAX_AMOUNT}")
    return value


def parse_currency(value: object) -> str:
    """A three-letter ISO currency code, lower-cased."""
    if not isinstance(value, str) or len(value.strip()) != 3 or not value.strip().isalpha():
        raise ValueError("currency must be a three-letter ISO code")
    return value.strip().lower()
