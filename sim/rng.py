"""Seeded randomness with named child streams.

`Rng(seed).child("stripe")` is an independent stream derived from the seed and the name
alone, so new randomness drawn in one component never shifts another component's stream.
"""

from __future__ import annotations

import hashlib
import random


def derive_seed(seed: int | str, *names: str) -> int:
    """A 64-bit seed from a parent seed and a path of names (stable across runs and Pythons)."""
    text = "/".join([str(seed), *names])
    return int.from_bytes(hashlib.sha256(text.encode()).digest()[:8], "big")


class Rng(random.Random):
    """A random.Random with a seed it remembers and deterministic named children."""

    def __init__(self, seed: int | str = 0, _path: tuple[str, ...] = ()):
        self.root_seed = seed
        self.path = _path
        super().__init__(derive_seed(seed, *_path) if _path else seed)

    def child(self, name: str) -> Rng:
        return Rng(self.root_seed, (*self.path, name))

    def token_hex(self, nbytes: int = 16) -> str:
        return self.getrandbits(nbytes * 8).to_bytes(nbytes, "big").hex()

    def uuid4(self) -> str:
        """A version-4 UUID string drawn from this stream."""
        import uuid

        return str(uuid.UUID(int=self.getrandbits(128), version=4))
