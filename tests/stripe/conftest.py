"""Fixtures for the fake Stripe tests: a virtual clock, a seeded rng, a FakeStripe, a recorder."""

from __future__ import annotations

import pytest

from sim.clock import Clock
from sim.rng import Rng
from sim.stripe import FakeStripe
from sim.trace import Trace

START = "2026-03-02T09:00:00Z"
SECRET = "whsec_test_0123456789abcdef"


def played(seed: int, flows, *, pause: bool = True) -> FakeStripe:
    """A fake Stripe after the generator's `flows` (seeded; a refused call changes nothing), with
    1–30 s of virtual time between them when `pause`."""
    from sim.stripe.errors import StripeError
    from sim.stripe.generate import Generator

    fake = FakeStripe(Clock(START), Rng(seed).child("stripe"))
    gen = Generator(fake.ledger, Rng(seed).child("gen"), advance=fake.advance)
    for flow in flows:
        try:
            getattr(gen, f"_{flow}")()
        except StripeError:
            pass
        if pause:
            fake.advance(gen.rng.uniform(1, 30))
    return fake


class Recorder:
    """A webhook target: records (headers, body) and answers `status` (or a per-call list)."""

    def __init__(self, status: int | list = 200):
        self.status = status
        self.requests: list[tuple[dict, bytes]] = []

    def __call__(self, headers: dict, body: bytes):
        self.requests.append((headers, body))
        if isinstance(self.status, list):
            return self.status.pop(0) if self.status else 200
        return self.status

    @property
    def event_ids(self) -> list[str]:
        import json
        return [json.loads(b)["id"] for _, b in self.requests]


@pytest.fixture
def clock():
    return Clock(START)


@pytest.fixture
def trace(clock):
    return Trace(clock)


@pytest.fixture
def fake(clock, trace):
    fs = FakeStripe(clock, Rng(7).child("stripe"), trace=trace)
    yield fs
    fs.close()


@pytest.fixture
def ledger(fake):
    return fake.ledger


@pytest.fixture
def provider(fake):
    """An onboarded connected account (no events)."""
    return fake.create_connected_account(enabled=True).account["id"]


@pytest.fixture
def server(fake):
    with fake:
        yield fake


@pytest.fixture
def client(server):
    return server.client()
