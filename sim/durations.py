"""Durations as people write them in scenarios and on the command line: `90s`, `1m`, `26h`,
`2d`, `1h30m`, plain seconds, or a timedelta."""

from __future__ import annotations

import re
from datetime import timedelta

from sim.errors import InputError

_UNITS = {"ms": 0.001, "s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604800}
_PART = re.compile(r"(\d+(?:\.\d+)?)(ms|s|m|h|d|w)")


def to_timedelta(value: float | int | str | timedelta) -> timedelta:
    if isinstance(value, timedelta):
        return value
    if isinstance(value, bool):
        raise InputError(f"expected a duration, got {value!r}")
    if isinstance(value, (int, float)):
        if value < 0:
            raise InputError(f"a duration cannot be negative, got {value!r}")
        return timedelta(seconds=value)
    text = str(value).strip().replace(" ", "")
    if re.fullmatch(r"\d+(\.\d+)?", text):
        return timedelta(seconds=float(text))
    pos, total = 0, 0.0
    for m in _PART.finditer(text):
        if m.start() != pos:
            break
        total += float(m.group(1)) * _UNITS[m.group(2)]
        pos = m.end()
    if pos != len(text) or not text:
        raise InputError(f"expected a duration like 90s, 1m, 26h, 2d or 1h30m, got {value!r}")
    return timedelta(seconds=total)
