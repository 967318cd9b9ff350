"""Deterministic identifiers: `derived_id("bk", part, ...)` = "bk_" + 24 hex chars of SHA-256.

Handlers derive ids from what identifies the thing (and, where a repeat is a new thing, the
current time from time.time(), which the harness makes virtual), never from uuid4: the same
request at the same instant yields the same id, which doubles as an idempotency key.
"""

from __future__ import annotations

import hashlib


def derived_id(prefix: str, *parts: object) -> str:
    text = "\x1f".join("" if p is None else str(p) for p in parts)
    return f"{prefix}_{hashlib.sha256(text.encode('utf-8')).hexdigest()[:24]}"
