"""Bytes kept for a long time, kept small: the fake Stripe's event bodies and saved idempotent
answers, the bus log's events (zlib at its fastest level; `unpack(pack(b)) == b` exactly). A
storm keeps every one of them for as long as its world lives, and JSON compresses several fold."""

from __future__ import annotations

import hashlib
import zlib


def pack(data: bytes) -> bytes:
    return zlib.compress(data, 1)


def unpack(packed: bytes) -> bytes:
    return zlib.decompress(packed)


def digest(text: str) -> bytes:
    """A fixed-size stand-in for `text` when only equality with it is ever asked (SHA-256)."""
    return hashlib.sha256(text.encode("utf-8")).digest()
