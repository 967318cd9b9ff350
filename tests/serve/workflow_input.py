"""The booking-lifecycle input for the served demo world (its first customer, provider, service)."""

from __future__ import annotations

import json


def booking_input(catalogue: dict, day: int = 5) -> str:
    service = catalogue["services"][0]
    return json.dumps({"action": "CREATE", "booking": {
        "customerId": catalogue["customers"][0]["id"], "providerId": service["providerId"],
        "serviceId": service["id"], "startDateTime": f"2026-03-{day:02d}T10:00:00.000Z",
        "endDateTime": f"2026-03-{day:02d}T11:00:00.000Z", "amount": 12000, "currency": "usd",
        "paymentMethodId": "pm_card_visa"}})


MACHINE = "arn:aws:states:us-east-1:123456789012:stateMachine:ecosystem-booking-lifecycle"
