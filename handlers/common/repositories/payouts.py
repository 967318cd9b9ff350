"""Payout table (PAYOUT_TABLE): id = the Stripe payout id (po_...); GSI ProviderPayoutsIndex (providerId, createdAt).

Fields: id, providerId, stripeAccountId, amount, currency, status (pending | in_transit | paid |
failed | canceled), statusRank, stateAt, arrivalDate, failureCode, failureMessage, createdAt (ISO).
"""

from __future__ import annotations

from typing import Any

from handlers.common.repositories.base import Repository


class PayoutRepository(Repository):
    env_var = "PAYOUT_TABLE"
    key = "id"

    def by_provider(self, provider_id: str, since: str | None = None) -> list[dict[str, Any]]:
        return self.query("ProviderPayoutsIndex", "providerId", provider_id, range_name="createdAt",
                          range_from=since)
