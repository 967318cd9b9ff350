"""Booking table (BOOKING_TABLE): id; GSIs PaymentIntentIndex, ProviderBookingsIndex, CustomerBookingsIndex.

Fields (architecture document): id, serviceId, customerId, providerId, startDateTime, endDateTime (ISO
strings), status (pending | confirmed | completed | cancelled), paymentStatus (pending | failed |
canceled | succeeded | partially_refunded | refunded), paymentIntentId, amount, platformFee,
providerEarnings, currency (amounts in integer minor units). The stripe-webhook adds the Stripe
facts it tracks (see handlers/common/precedence.py): paymentRank, paymentStateAt, chargeId,
amountRefunded, disputeId, disputeStatus, disputeRank, disputeStateAt, applicationFeeId, ...
"""

from __future__ import annotations

from typing import Any

from handlers.common.repositories.base import Repository


class BookingRepository(Repository):
    env_var = "BOOKING_TABLE"
    key = "id"

    def by_payment_intent(self, payment_intent_id: str) -> list[dict[str, Any]]:
        return self.query("PaymentIntentIndex", "paymentIntentId", payment_intent_id)

    def by_provider(self, provider_id: str, start_from: str | None = None,
                    start_to: str | None = None) -> list[dict[str, Any]]:
        return self.query("ProviderBookingsIndex", "providerId", provider_id, range_name="startDateTime",
                          range_from=start_from, range_to=start_to)

    def by_customer(self, customer_id: str) -> list[dict[str, Any]]:
        return self.query("CustomerBookingsIndex", "customerId", customer_id, range_name="startDateTime")
