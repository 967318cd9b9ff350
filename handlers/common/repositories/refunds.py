"""Refund table (REFUND_TABLE): id = the Stripe refund id (re_...); GSI BookingRefundsIndex (bookingId).

Fields: id, bookingId, chargeId, paymentIntentId, amount, currency, reason, status (pending |
requires_action | succeeded | failed | canceled), statusRank, stateAt, createdAt.
"""

from __future__ import annotations

from typing import Any

from handlers.common.repositories.base import Repository


class RefundRepository(Repository):
    env_var = "REFUND_TABLE"
    key = "id"

    def by_booking(self, booking_id: str) -> list[dict[str, Any]]:
        return self.query("BookingRefundsIndex", "bookingId", booking_id)
