"""A provider's standing with Stripe Connect, as the profile mirrors it.

`disconnected(profile)`: the provider deauthorized the platform (account.application.deauthorized,
handlers/common/deauthorization.py): no new bookings, no payouts, until they connect again.
"""

from __future__ import annotations

from typing import Any

DISCONNECTED = "disconnected"


def disconnected(profile: dict[str, Any] | None) -> bool:
    return bool(profile) and (profile.get("stripeAccountStatus") == DISCONNECTED
                              or profile.get("stripeConnected") is False)
