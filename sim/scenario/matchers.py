"""Expected values: literals (dicts match as subsets, numbers by value) or matchers such as
`{gte: 1}`, `{in: [a, b]}`, `{exists: false}`, `{contains: "x"}`, `{regex: "^pi_"}`, `{approx: 9.6}`.

`mismatch(expected, actual)` returns None when the value matches, else a short reason.
"""

from __future__ import annotations

import re
from decimal import Decimal

OPERATORS = ("eq", "ne", "gt", "gte", "lt", "lte", "in", "not_in", "exists", "contains", "regex", "approx",
             "len")
MISSING = object()


def is_matcher(value) -> bool:
    return isinstance(value, dict) and bool(value) and all(k in OPERATORS for k in value)


def _num(value):
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    return value


def _eq(expected, actual) -> bool:
    actual = _num(actual)
    if isinstance(expected, bool) or isinstance(actual, bool):
        return expected is actual or (type(expected) is type(actual) and expected == actual)
    if isinstance(expected, (int, float)) and isinstance(actual, str):
        try:
            return float(actual) == float(expected)
        except ValueError:
            return False
    return expected == actual


def show(value) -> str:
    if value is MISSING:
        return "(missing)"
    text = repr(_num(value))
    return text if len(text) <= 80 else text[:77] + "..."


def mismatch(expected, actual) -> str | None:
    """None if `actual` satisfies `expected`, else why not."""
    actual = _num(actual)
    if is_matcher(expected):
        for op, arg in expected.items():
            reason = _check(op, arg, actual)
            if reason:
                return reason
        return None
    if isinstance(expected, dict):
        if not isinstance(actual, dict):
            return f"expected a mapping, got {show(actual)}"
        for key, sub in expected.items():
            reason = mismatch(sub, actual.get(key, MISSING))
            if reason:
                return f"{key}: {reason}"
        return None
    if isinstance(expected, list):
        if not isinstance(actual, list) or len(actual) != len(expected):
            return f"expected {show(expected)}, got {show(actual)}"
        for i, (e, a) in enumerate(zip(expected, actual, strict=True)):
            reason = mismatch(e, a)
            if reason:
                return f"[{i}]: {reason}"
        return None
    if actual is MISSING:
        return f"expected {show(expected)}, got (missing)"
    return None if _eq(expected, actual) else f"expected {show(expected)}, got {show(actual)}"


def _check(op: str, arg, actual) -> str | None:
    if op == "exists":
        present = actual is not MISSING and actual is not None
        return None if present == bool(arg) else f"expected {'present' if arg else 'absent'}, got {show(actual)}"
    if actual is MISSING:
        return f"expected {op} {show(arg)}, got (missing)"
    try:
        if op == "eq":
            ok = _eq(arg, actual)
        elif op == "ne":
            ok = not _eq(arg, actual)
        elif op == "gt":
            ok = actual > arg
        elif op == "gte":
            ok = actual >= arg
        elif op == "lt":
            ok = actual < arg
        elif op == "lte":
            ok = actual <= arg
        elif op == "in":
            ok = any(_eq(a, actual) for a in arg)
        elif op == "not_in":
            ok = not any(_eq(a, actual) for a in arg)
        elif op == "contains":
            ok = arg in actual if not isinstance(actual, (int, float)) else False
        elif op == "regex":
            ok = re.search(str(arg), str(actual)) is not None
        elif op == "approx":
            ok = abs(float(actual) - float(arg)) <= max(1e-9, abs(float(arg)) * 1e-6)
        elif op == "len":
            return mismatch(arg, len(actual))
        else:  # pragma: no cover - schema and OPERATORS agree
            return f"unknown matcher {op}"
    except TypeError:
        ok = False
    return None if ok else f"expected {op} {show(arg)}, got {show(actual)}"
