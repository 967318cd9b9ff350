"""Parameter checks shared by the ledger and the API, failing with Stripe's 400 naming the param.

Values may arrive as Python values (ledger calls) or as form strings (the API): integers and
booleans accept both.
"""

from __future__ import annotations

from sim.stripe import errors

CURRENCIES = ("aud", "cad", "chf", "dkk", "eur", "gbp", "jpy", "nok", "nzd", "sek", "sgd", "usd")
MIN_CHARGE = {"usd": 50, "eur": 50, "gbp": 30, "cad": 50, "aud": 50, "jpy": 50, "chf": 50}


def integer(param: str, value, *, minimum: int | None = None, maximum: int | None = None,
            allow_none: bool = False) -> int | None:
    if value is None or value == "":
        if allow_none:
            return None
        raise errors.required(param)
    if isinstance(value, bool):
        raise errors.invalid(param, f"Invalid integer: {value}")
    if isinstance(value, str):
        text = value.strip()
        if not (text.lstrip("-").isdigit()):
            raise errors.invalid(param, f"Invalid integer: {value}")
        value = int(text)
    if not isinstance(value, int):
        raise errors.invalid(param, f"Invalid integer: {value!r}")
    if minimum is not None and value < minimum:
        raise errors.invalid(param, f"Invalid {param}: must be at least {minimum}")
    if maximum is not None and value > maximum:
        raise errors.invalid(param, f"Invalid {param}: must be at most {maximum}")
    return value


def boolean(param: str, value, default: bool = False) -> bool:
    if value is None:
        return default
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value in ("true", "false"):
        return value == "true"
    raise errors.invalid(param, f"Invalid boolean: {value}")


def currency(param: str, value) -> str:
    if value is None or value == "":
        raise errors.required(param)
    if not isinstance(value, str) or value.lower() not in CURRENCIES:
        raise errors.invalid(param, f"Invalid currency: {value}. Stripe currently supports these currencies: "
                                    f"{', '.join(CURRENCIES)}")
    return value.lower()


def amount(param: str, value, currency_code: str) -> int:
    value = integer(param, value, minimum=1)
    minimum = MIN_CHARGE.get(currency_code, 50)
    if value < minimum:
        raise errors.StripeError(f"Amount must be at least {minimum} {currency_code}", code="amount_too_small",
                                 param=param)
    if value > 99999999:
        raise errors.StripeError("Amount must be no more than 999,999.99", code="amount_too_large", param=param)
    return value


def choice(param: str, value, options, *, allow_none: bool = False):
    if value is None and allow_none:
        return None
    if value not in options:
        raise errors.invalid(param, f"Invalid {param}: must be one of {', '.join(map(str, options))}")
    return value


def metadata(value, param: str = "metadata") -> dict[str, str]:
    """Stripe's metadata rules: up to 50 keys, key ≤ 40 characters, value ≤ 500, strings."""
    if value is None or value == "":
        return {}
    if not isinstance(value, dict):
        raise errors.invalid(param, "Invalid object")
    if len(value) > 50:
        raise errors.invalid(param, "You can specify up to 50 keys in metadata.")
    out = {}
    for key, val in value.items():
        if not isinstance(key, str) or not key or len(key) > 40:
            raise errors.invalid(f"{param}[{key}]", "Metadata keys must be 1 to 40 characters long.")
        if isinstance(val, (int, float)) and not isinstance(val, bool):
            val = str(val)
        if not isinstance(val, str):
            raise errors.invalid(f"{param}[{key}]", "Metadata values must be strings.")
        if len(val) > 500:
            raise errors.invalid(f"{param}[{key}]", "Metadata values can have up to 500 characters.")
        out[key] = val
    return out


def string(param: str, value, *, allow_none: bool = True, max_length: int = 5000) -> str | None:
    if value is None:
        if allow_none:
            return None
        raise errors.required(param)
    if not isinstance(value, str):
        raise errors.invalid(param, f"Invalid string: {value!r}")
    if len(value) > max_length:
        raise errors.invalid(param, f"Invalid {param}: must be at most {max_length} characters")
    return value
