"""UserProfile table (USER_PROFILE_TABLE): id; GSIs StripeAccountIndex, EmailIndex.

Fields: id, email, firstName, lastName, userType (customer | provider | admin), stripeAccountId,
stripeCustomerId, profileOwner; the Connect status mirror written by stripe-webhook/stripe-connect:
stripeChargesEnabled, stripePayoutsEnabled, stripeDetailsSubmitted, stripeAccountStatus
(active | pending | restricted), stripeAccountStateAt.
"""

from __future__ import annotations

from typing import Any

from handlers.common.repositories.base import Repository


class UserProfileRepository(Repository):
    env_var = "USER_PROFILE_TABLE"
    key = "id"

    def by_stripe_account(self, account_id: str) -> dict[str, Any] | None:
        items = self.query("StripeAccountIndex", "stripeAccountId", account_id)
        return sorted(items, key=lambda i: i["id"])[0] if items else None

    def by_email(self, email: str) -> list[dict[str, Any]]:
        return self.query("EmailIndex", "email", email)

    def with_stripe_accounts(self) -> list[dict[str, Any]]:
        """Every profile carrying a stripeAccountId (a Scan; used by the daily reconciliation)."""
        return list(self.scan(has_attribute="stripeAccountId"))
