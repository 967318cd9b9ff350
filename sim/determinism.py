"""Process-wide randomness pinned to the world's seed while a world is active.

In-process code the harness does not own still draws random values: the stripe SDK's
Idempotency-Key (which Stripe echoes into events), `uuid.uuid4()` in libraries, moto's request
and resource ids, Python's global `random`. Inside `pinned(rng)` each draws from a named child
stream of the world's RNG, so the same seed gives byte-identical events and traces. Everything is
restored on exit.
"""

from __future__ import annotations

import contextlib
import random
import uuid

from sim.rng import Rng


@contextlib.contextmanager
def pinned(rng: Rng):
    from sim.stripe.sdk import deterministic_idempotency_keys

    uuid_rng = rng.child("uuid4")
    original_uuid4 = uuid.uuid4
    global_state = random.getstate()
    moto_random = _moto_random()
    moto_state = moto_random.getstate() if moto_random is not None else None

    def uuid4() -> uuid.UUID:
        return uuid.UUID(int=uuid_rng.getrandbits(128), version=4)

    uuid.uuid4 = uuid4
    random.seed(rng.child("global-random").getrandbits(64))
    if moto_random is not None:
        moto_random.seed(rng.child("moto").getrandbits(64))
    try:
        with deterministic_idempotency_keys(rng.child("stripe-idempotency")):
            yield
    finally:
        uuid.uuid4 = original_uuid4
        random.setstate(global_state)
        if moto_random is not None:
            moto_random.setstate(moto_state)


def _moto_random():
    try:
        from moto.moto_api._internal import mock_random
    except ImportError:
        return None
    return mock_random
