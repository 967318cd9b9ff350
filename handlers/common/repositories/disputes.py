"""Dispute table (DISPUTE_TABLE): id = the Stripe dispute id (dp_...); GSI BookingDisputesIndex (bookingId).

Fields: id, bookingId, chargeId, paymentIntentId, amount, currency, reason, status (Stripe's:
warning_needs_response | warning_under_review | warning_closed | needs_response | under_review |
won | lost), statusRank, stateAt, fundsWithdrawn, fundsReinstated, evidenceDueBy, createdAt.
Disputes the marketplace opens itself (not in Stripe) use ids that do not start with dp_.
"""

from __future__ import annotations

from typing import Any

from handlers.common.repositories.base import Repository


class DisputeRepository(Repository):
    env_var = "DISPUTE_TABLE"
    key = "id"

    def by_booking(self, booking_id: str) -> list[dict[str, Any]]:
        return self.query("BookingDisputesIndex", "bookingId", booking_id)
