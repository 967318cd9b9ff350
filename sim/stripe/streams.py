"""Named random streams for the fake Stripe's parts (ids, people, faults) from the caller's rng.

With the kernel's `sim.rng.Rng` each part gets `rng.child(name)`, independent of the others; a
plain `random.Random` (tests, ad-hoc use) is split deterministically by drawing a seed from it.
"""

from __future__ import annotations

import hashlib
import random


def child(rng: random.Random, name: str) -> random.Random:
    if hasattr(rng, "child"):
        return rng.child(name)
    seed = rng.getrandbits(64)
    return random.Random(int.from_bytes(hashlib.sha256(f"{seed}/{name}".encode()).digest()[:8], "big"))
