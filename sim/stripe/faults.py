"""Stripe delivery faults: `Fault` is the fault plane's `DeliveryFault` (see sim/faults/delivery.py).

    Fault("duplicate", match={"type": "payment_intent.succeeded"}, copies=3, concurrent=True)
    Fault.parse({"drop": {"type": "charge.refunded"}})          # the scenario form
"""

from __future__ import annotations

from sim.faults.delivery import ATTEMPT_KINDS, DELIVERY_KINDS, KINDS, MATCH_KEYS, OPTION_KEYS, DeliveryFault

Fault = DeliveryFault

__all__ = ["ATTEMPT_KINDS", "DELIVERY_KINDS", "KINDS", "MATCH_KEYS", "OPTION_KEYS", "DeliveryFault", "Fault"]
