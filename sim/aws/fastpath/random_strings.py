"""moto's random strings without a `Random.choice` call per character: the same strings from
the same draws.

moto draws a 52-character request id for every call it answers (`gen_amzn_requestid_long`, and
the fast path draws it too, so moto's seeded stream does not move), one `self.choice(pool)` per
character. `Random.choice(seq)` is `seq[self._randbelow(len(seq))]` (CPython 3.11 to 3.13's
`random.py`), so installed, `MotoRandom.get_random_string` builds the string from
`self._randbelow(len(pool))` directly: the same calls on the same generator, hence the same
characters and the same generator state afterwards. A generator whose class or instance has its
own `choice` keeps moto's method. `tests/aws/test_fastpath_random_strings.py` (hypothesis)
compares strings and states with moto's method.
"""

from __future__ import annotations

import random
import string

_originals: dict[str, object] = {}


def get_random_string(self, length: int = 20, include_digits: bool = True, lower_case: bool = False) -> str:
    """`MotoRandom.get_random_string`, drawing each character with `_randbelow` as `choice` does."""
    if type(self).choice is not random.Random.choice or "choice" in vars(self):
        return _originals["get_random_string"](self, length, include_digits, lower_case)
    pool = string.ascii_letters + string.digits if include_digits else string.ascii_letters
    size, below = len(pool), self._randbelow
    drawn = "".join([pool[below(size)] for _ in range(length)])
    return drawn.lower() if lower_case else drawn


def install() -> None:
    """Idempotent."""
    if _originals:
        return
    from moto.moto_api._internal.moto_random import MotoRandom

    _originals["get_random_string"] = MotoRandom.__dict__["get_random_string"]
    MotoRandom.get_random_string = get_random_string


def uninstall() -> None:
    if not _originals:
        return
    from moto.moto_api._internal.moto_random import MotoRandom

    MotoRandom.get_random_string = _originals.pop("get_random_string")


def installed() -> bool:
    return bool(_originals)
