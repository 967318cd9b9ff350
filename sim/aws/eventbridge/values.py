"""Leaf values and their matchers: numbers as ruler's ComparableNumber (six decimals, -5e9..5e9),
IP addresses and CIDRs, exact / prefix / suffix / anything-but / numeric / exists / wildcard."""

from __future__ import annotations

import ipaddress
import re
from decimal import Decimal, InvalidOperation
from typing import Any

from sim.aws.eventbridge.errors import _IllegalArgument

# --------------------------------------------------------------------------------------------
# Numbers (ruler's ComparableNumber: six decimals, -5e9..5e9) and IP addresses (ruler's CIDR)
# --------------------------------------------------------------------------------------------

_FIVE_BILLION = Decimal(5_000_000_000)


def _comparable(text: str) -> Decimal:
    """The number as ruler compares it, or ``_IllegalArgument`` with ruler's message."""
    try:
        number = Decimal(text)
    except InvalidOperation as exc:
        raise _IllegalArgument(f"Cannot compare number : {text}") from exc
    if not number.is_finite():
        raise _IllegalArgument(f"Cannot compare number : {text}")
    exponent = number.normalize().as_tuple().exponent
    if isinstance(exponent, int) and exponent < -6:
        raise _IllegalArgument("Only values upto 6 decimals are supported")
    if abs(number) > _FIVE_BILLION:
        raise _IllegalArgument("Value must be between -5.0E9 and 5.0E9, inclusive")
    return number


def _comparable_or_none(text: str) -> Decimal | None:
    try:
        return _comparable(text)
    except _IllegalArgument:
        return None


_IPV4 = re.compile(r"[0-9]+\.[0-9]+\.[0-9]+\.[0-9]+")
_IPV6 = re.compile(r"[0-9a-fA-F:]*:[0-9a-fA-F:]*")


def _ip_to_int(ip: str) -> tuple[int, int]:
    """(width in bytes, value) of an IP literal, or ``_IllegalArgument`` as ruler's CIDR says."""
    if _IPV4.fullmatch(ip):
        parts = [int(p) for p in ip.split(".")]
        if any(p > 255 for p in parts):
            raise _IllegalArgument(f"Invalid IP address: {ip}")
        return 4, int.from_bytes(bytes(parts), "big")
    if _IPV6.fullmatch(ip):
        try:
            addr = ipaddress.IPv6Address(ip)
        except ValueError as exc:
            raise _IllegalArgument(f"Invalid IP address: {ip}") from exc
        if addr.ipv4_mapped is not None:  # Java's InetAddress yields an Inet4Address here
            return 4, int(addr.ipv4_mapped)
        return 16, int(addr)
    raise _IllegalArgument(f"Nonstandard IP address: {ip}")


def _cidr(text: str) -> tuple[int, int, int]:
    parts = text.split("/")
    while parts and parts[-1] == "":  # Java's String.split drops trailing empty strings
        parts.pop()
    if len(parts) != 2:
        raise _IllegalArgument("Malformed CIDR, one '/' required")
    if not re.fullmatch(r"[+-]?[0-9]+", parts[1]) or not -(2**31) <= int(parts[1]) < 2**31:
        raise _IllegalArgument("Malformed CIDR, mask bits must be an integer")
    mask = int(parts[1])
    if mask < 0:
        raise _IllegalArgument("Malformed CIDR, mask bits must not be negative")
    width, base = _ip_to_int(parts[0])
    if width == 4 and mask > 31:
        raise _IllegalArgument("IPv4 mask bits must be < 32")
    if width == 16 and mask > 127:
        raise _IllegalArgument("IPv6 mask bits must be < 128")
    host_bits = width * 8 - mask
    return width, base, base | ((1 << host_bits) - 1)


def _ip_range_if_possible(text: str) -> tuple[int, int, int] | None:
    if not (_IPV4.fullmatch(text) or _IPV6.fullmatch(text)):
        return None
    try:
        width, value = _ip_to_int(text)
    except _IllegalArgument:
        return None
    return width, value, value


# --------------------------------------------------------------------------------------------
# Event leaves and matchers
# --------------------------------------------------------------------------------------------


class _Leaf:
    """One flattened event value: its JSON kind, value, number text and array membership."""

    __slots__ = ("kind", "value", "text", "membership", "_num", "_ip")

    def __init__(self, kind: str, value: Any, text: str, membership: tuple):
        self.kind, self.value, self.text, self.membership = kind, value, text, membership
        self._num: Any = _UNSET
        self._ip: Any = _UNSET

    @property
    def number(self) -> Decimal | None:
        if self._num is _UNSET:
            self._num = _comparable_or_none(self.text) if self.kind == "number" else None
        return self._num

    @property
    def ip(self) -> tuple[int, int] | None:
        if self._ip is _UNSET:
            self._ip = None
            if self.kind == "string":
                try:
                    self._ip = _ip_to_int(self.value)
                except _IllegalArgument:
                    pass
        return self._ip


_UNSET = object()


def _wildcard_regex(tokens: list[str | None]) -> re.Pattern[str]:
    return re.compile("".join(".*" if t is None else re.escape(t) for t in tokens), re.DOTALL)


def _ignore_case_regex(text: str) -> str:
    parts = []
    for ch in text:
        options = {ch.lower(), ch.upper()}
        parts.append("(?:" + "|".join(re.escape(o) for o in sorted(options)) + ")")
    return "".join(parts)


class _Matcher:
    """A value matcher; ``match`` sees one event leaf."""

    exists: bool | None = None

    def match(self, leaf: _Leaf) -> bool:  # pragma: no cover - overridden
        raise NotImplementedError


class _Exact(_Matcher):
    def __init__(self, value: str):
        self.value = value

    def match(self, leaf):
        return leaf.kind == "string" and leaf.value == self.value


class _ExactNumber(_Matcher):
    def __init__(self, text: str):
        self.text, self.number = text, _comparable_or_none(text)

    def match(self, leaf):
        if leaf.kind != "number":
            return False
        if self.number is not None and leaf.number is not None:
            return self.number == leaf.number
        return leaf.text == self.text


class _Literal(_Matcher):
    def __init__(self, kind: str):
        self.kind = kind

    def match(self, leaf):
        return leaf.kind == self.kind


class _Regex(_Matcher):
    """prefix / suffix / equals-ignore-case / wildcard: all string-only regex matches."""

    def __init__(self, regex: str):
        self.regex = re.compile(regex, re.DOTALL)

    def match(self, leaf):
        return leaf.kind == "string" and self.regex.fullmatch(leaf.value) is not None


class _Prefix(_Matcher):
    def __init__(self, prefix: str):
        self.prefix = prefix

    def match(self, leaf):
        return leaf.kind == "string" and leaf.value.startswith(self.prefix)


class _Suffix(_Matcher):
    def __init__(self, suffix: str):
        self.suffix = suffix

    def match(self, leaf):
        return leaf.kind == "string" and leaf.value.endswith(self.suffix)


class _AnythingBut(_Matcher):
    """Matches every leaf (any type) unless one of ``inner`` matches it."""

    def __init__(self, inner: list[_Matcher]):
        self.inner = inner

    def match(self, leaf):
        return not any(m.match(leaf) for m in self.inner)


class _NumericRange(_Matcher):
    def __init__(self, low, low_open, high, high_open):
        self.low, self.low_open, self.high, self.high_open = low, low_open, high, high_open

    def match(self, leaf):
        if leaf.kind != "number" or leaf.number is None:
            return False
        n = leaf.number
        if self.low is not None and (n < self.low or (self.low_open and n == self.low)):
            return False
        return not (self.high is not None and (n > self.high or (self.high_open and n == self.high)))


class _IpRange(_Matcher):
    def __init__(self, width: int, low: int, high: int):
        self.width, self.low, self.high = width, low, high

    def match(self, leaf):
        ip = leaf.ip
        return ip is not None and ip[0] == self.width and self.low <= ip[1] <= self.high


class _Exists(_Matcher):
    def __init__(self, exists: bool):
        self.exists = exists

    def match(self, leaf):
        return bool(self.exists)


class _Wildcard(_Regex):
    def __init__(self, text: str, tokens: list[str | None]):
        super().__init__(_wildcard_regex(tokens).pattern)
        self.text, self.tokens = text, tokens


def _parse_wildcard(text: str) -> list[str | None]:
    """Ruler's WildcardParser over the quoted value; ``None`` is a wildcard, positions in bytes."""
    tokens: list[str | None] = []
    offset = 1  # the value is parsed with its surrounding quotes
    i, chars = 0, text
    while i < len(chars):
        ch = chars[i]
        if ch == "*":
            if i + 1 < len(chars) and chars[i + 1] == "*":
                raise _WildcardError(f"Consecutive wildcard characters at pos {offset}")
            tokens.append(None)
        elif ch == "\\":
            nxt = chars[i + 1] if i + 1 < len(chars) else '"'
            if nxt not in "*\\":
                raise _WildcardError(f"Invalid escape character at pos {offset}")
            tokens.append(nxt)
            i += 1
            offset += 1
        else:
            tokens.append(ch)
        offset += len(ch.encode("utf-8", "surrogatepass"))
        i += 1
    return tokens


class _WildcardError(Exception):
    pass
