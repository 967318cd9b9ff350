"""Helpers for driving the fake with the real stripe SDK deterministically.

stripe-python puts a random `Idempotency-Key` (os.urandom) on every POST, and Stripe echoes the
key in the events the request causes (`event.request.idempotency_key`). Inside
`deterministic_idempotency_keys(rng)` the SDK draws those keys from `rng` instead, so a world's
events and trace stay byte-identical run to run.
"""

from __future__ import annotations

import random
from contextlib import contextmanager


@contextmanager
def deterministic_idempotency_keys(rng: random.Random):
    from stripe import _api_requestor

    original = _api_requestor._generate_idempotency_key

    def generate() -> str:
        b = rng.getrandbits(128).to_bytes(16, "big")
        return f"{b[0:4].hex()}-{b[4:6].hex()}-{b[6:8].hex()}-{b[8:10].hex()}-{b[10:].hex()}"

    _api_requestor._generate_idempotency_key = generate
    try:
        yield
    finally:
        _api_requestor._generate_idempotency_key = original
