"""Stripe SDK results as plain dicts: `plain(obj)`.

stripe-python 16's StripeObject is not a dict (`.get` raises); handlers read Stripe results through
`plain()` so they work the same on SDK objects and on plain dicts.
"""

from __future__ import annotations

from typing import Any


def object_id(value: Any) -> str | None:
    """The id of an expandable field: the string itself, or the expanded object's `id`."""
    if isinstance(value, str) and value:
        return value
    if isinstance(value, dict) and isinstance(value.get("id"), str):
        return value["id"]
    return None


def plain(obj: Any) -> dict[str, Any]:
    if obj is None:
        return {}
    if isinstance(obj, dict):
        return obj
    to_dict = getattr(type(obj), "to_dict", None)
    if to_dict is not None:
        return obj.to_dict()
    raise TypeError(f"not a Stripe object: {type(obj).__name__}")
