"""Stripe-shaped object ids drawn from a seeded stream.

Stripe ids look like `pi_3MtwBwLkdIwHu7ix28a3tqPa`: a prefix, a version character (`3` for the
charge family, `1` otherwise), five characters that grow with time, the ten-character tag of the
account that owns the object, and eight random characters (24 after the prefix). Accounts are
`acct_` + 16, customers and products `cus_`/`prod_` + 14, requests `req_` + 14, secrets `whsec_` + 32,
Checkout sessions `cs_test_` + 58. We reproduce
those shapes so ids look real in logs and fit the handlers' validations.
"""

from __future__ import annotations

import functools
import random

ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"

# prefix -> (version char, uses account tag + time): the 24-character family
_FAMILY = {
    "pi": "3", "ch": "3", "re": "3", "py": "3", "pm": "1", "card": "1", "evt": "1", "txn": "1",
    "fee": "1", "fr": "1", "dp": "1", "du": "1", "po": "1", "ba": "1", "person": "1", "tr": "1",
    "trr": "1", "pyr": "1", "price": "1", "li": "1",
}
# prefixes with plain random bodies of a fixed length
_PLAIN = {"cus": 14, "req": 14, "whsec": 32, "ca": 32, "rcpt": 31, "seti": 24, "we": 24, "prod": 14,
          "cs_test": 58}


def base62(n: int, width: int) -> str:
    chars = []
    for _ in range(width):
        n, r = divmod(n, 62)
        chars.append(ALPHABET[r])
    return "".join(reversed(chars))


_BYTE_TO_CHAR = bytes(ord(ALPHABET[b % 62]) for b in range(256))


@functools.lru_cache(maxsize=64)
def time_chars(unix_seconds: int) -> str:
    """Five base-62 characters that increase with time (wrapping every ~29 years)."""
    return base62(unix_seconds % (62 ** 5), 5)


class IdFactory:
    """Unique ids from one random stream; the same stream and calls give the same ids."""

    def __init__(self, rng: random.Random):
        self._rng = rng
        self._issued: set[str] = set()

    def random_chars(self, n: int) -> str:
        return self._rng.getrandbits(8 * n).to_bytes(n, "big").translate(_BYTE_TO_CHAR).decode("ascii")

    def _unique(self, make) -> str:
        while True:
            value = make()
            if value not in self._issued:
                self._issued.add(value)
                return value

    def account(self, now: int) -> str:
        """`acct_` + 16: version, five time characters, a ten-character tag."""
        return self._unique(lambda: f"acct_1{time_chars(now)}{self.random_chars(10)}")

    def new(self, prefix: str, now: int, account_id: str | None = None) -> str:
        """An id for `prefix` at unix time `now`, tagged with the owning account's tag."""
        if prefix in _PLAIN:
            return self._unique(lambda: f"{prefix}_{self.random_chars(_PLAIN[prefix])}")
        if prefix not in _FAMILY:
            raise ValueError(f"unknown id prefix {prefix!r}; known: {', '.join(sorted([*_FAMILY, *_PLAIN]))}")
        tag = account_tag(account_id) if account_id else None
        version = _FAMILY[prefix]
        return self._unique(
            lambda: f"{prefix}_{version}{time_chars(now)}{tag or self.random_chars(10)}{self.random_chars(8)}")


def account_tag(account_id: str) -> str:
    """The ten-character tag Stripe embeds in the ids of an account's objects."""
    return account_id[-10:]
