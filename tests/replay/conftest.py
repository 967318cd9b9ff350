"""Shared paths and small builders for the replay tests."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
INCIDENT = ROOT / "scenarios" / "incidents" / "2026-02-17-partial-outage.events.json"
DELIVERIES = ROOT / "scenarios" / "incidents" / "2026-02-17-partial-outage.deliveries.jsonl"


def event(n: int, type_: str = "payment_intent.succeeded", created: int = 1_771_318_931, **extra) -> dict:
    obj = {"id": f"pi_{n}", "object": "payment_intent", "amount": 12000, "currency": "usd",
           "metadata": {"bookingId": f"bk_{n}"}}
    return {"id": f"evt_{n}", "object": "event", "type": type_, "created": created, "data": {"object": obj},
            **extra}


@pytest.fixture(scope="session")
def incident_events() -> list[dict]:
    return json.loads(INCIDENT.read_text())["data"]
