"""EventBridge event patterns: validated and matched the way AWS does it.

AWS runs its open-source *event-ruler* behind PutRule/TestEventPattern. This module mirrors it:

* the pattern text is tokenised like Jackson's streaming parser, so syntax errors and the
  ``at [Source: ...; line: L, column: C]`` locations in AWS's messages come out the same;
* it is compiled like ``JsonRuleCompiler`` (with ``$or``), falling back to the legacy
  ``RuleCompiler`` (where ``$or`` is an ordinary field name) exactly when ruler's
  ``Machine.addRule`` does; the error AWS reports is the last compiler's;
* events are flattened to dotted leaf paths (arrays of objects are "crushed out") and matched
  with ruler's array consistency: two matched fields may not come from different elements of
  the same array.

Public API: ``matches``, ``validate_pattern``, ``compile_pattern`` / ``EventPattern`` and
``InvalidEventPattern`` (a ``ValueError`` whose ``str`` is AWS's message).
"""

from __future__ import annotations

import functools
import ipaddress
import itertools
import json
import re
import unicodedata
from decimal import Decimal, InvalidOperation
from typing import Any

from sim.errors import InputError

__all__ = [
    "EventPattern",
    "InvalidEventPattern",
    "compile_pattern",
    "matches",
    "validate_pattern",
]

_PREFIX = "Event pattern is not valid. Reason: "


class InvalidEventPattern(InputError):
    """A pattern AWS would reject (InvalidEventPatternException); ``str()`` is AWS's message."""

    def __init__(self, reason: str):
        self.reason = reason
        super().__init__(_PREFIX + reason)


class _ParseError(Exception):
    """Jackson's JsonParseException: the message already carries its location."""


class _IllegalArgument(Exception):
    """Java's IllegalArgumentException escaping the compiler: reported without a location."""


# --------------------------------------------------------------------------------------------
# Jackson-compatible tokenizer
# --------------------------------------------------------------------------------------------

START_OBJECT, END_OBJECT, START_ARRAY, END_ARRAY, FIELD_NAME = "{", "}", "[", "]", "name"
VALUE_STRING, VALUE_INT, VALUE_FLOAT = "string", "int", "float"
VALUE_TRUE, VALUE_FALSE, VALUE_NULL = "true", "false", "null"
_NUMERIC_TOKENS = (VALUE_INT, VALUE_FLOAT)
_LITERALS = {"t": ("true", VALUE_TRUE), "f": ("false", VALUE_FALSE), "n": ("null", VALUE_NULL)}
_VALID_VALUES = "(JSON String, Number, Array, Object or token 'null', 'true' or 'false')"
_ESCAPES = {'"': '"', "\\": "\\", "/": "/", "b": "\b", "f": "\f", "n": "\n", "r": "\r", "t": "\t"}
_MAX_SNIPPET = 500


def _utf16_len(text: str) -> int:
    return len(text) + sum(1 for ch in text if ord(ch) > 0xFFFF)


def _char_desc(ch: str) -> str:
    code = ord(ch)
    if code < 0x20 or 0x7F <= code <= 0x9F:
        return f"(CTRL-CHAR, code {code})"
    if code > 255:
        return f"'{ch}' (code {code} / 0x{code:x})"
    return f"'{ch}' (code {code})"


def _java_ident_start(ch: str) -> bool:
    return ch.isalpha() or ch in "_$" or unicodedata.category(ch) in ("Sc", "Pc", "Nl")


def _java_ident_part(ch: str) -> bool:
    if _java_ident_start(ch) or ch.isdigit():
        return True
    code = ord(ch)
    if code <= 8 or 0x0E <= code <= 0x1B or 0x7F <= code <= 0x9F:
        return True
    return unicodedata.category(ch) in ("Mn", "Mc", "Nd", "Cf")


class _Context:
    __slots__ = ("kind", "index", "line", "column")

    def __init__(self, kind: str, line: int, column: int):
        self.kind, self.index, self.line, self.column = kind, -1, line, column

    def expect_comma(self) -> bool:
        self.index += 1
        return self.kind != "root" and self.index > 0

    @property
    def desc(self) -> str:
        return {"root": "root", "array": "Array", "object": "Object"}[self.kind]


class _Lexer:
    """A streaming JSON tokenizer reproducing Jackson's tokens, errors and locations."""

    def __init__(self, text: str):
        self.s, self.n, self.pos = text, len(text), 0
        self.line, self.row_start = 1, 0
        self.stack = [_Context("root", 1, 0)]
        self.token: str | None = None
        self.pending: str | None = None
        self.name = ""
        self.raw = ""  # text of the current number / literal token
        self.incomplete = False  # a string token whose body has not been read yet
        self.string_value = ""
        self.token_line, self.token_column = 1, 1

    # -- locations and errors ----------------------------------------------------------------
    def _source(self) -> str:
        snippet = self.s[:_MAX_SNIPPET]
        out = ['(String)"']
        for ch in snippet:
            code = ord(ch)
            if (code < 0x20 or 0x7F <= code <= 0x9F) and ch not in "\r\n":
                out.append(f"\\u{code:04x}")
            else:
                out.append(ch)
        out.append('"')
        if self.n > _MAX_SNIPPET:
            out.append(f"[truncated {self.n - _MAX_SNIPPET} chars]")
        return "".join(out)

    def location(self, line: int | None = None, column: int | None = None, back: int = 0) -> str:
        if line is None:
            line = self.line
            column = _utf16_len(self.s[self.row_start : max(self.row_start, self.pos - back)]) + 1
        return f"[Source: {self._source()}; line: {line}, column: {column}]"

    def error(self, message: str, back: int = 0) -> _ParseError:
        return _ParseError(f"{message}\n at {self.location(back=back)}")

    def unexpected(self, ch: str, comment: str) -> _ParseError:
        return self.error(f"Unexpected character ({_char_desc(ch)}): {comment}", back=1)

    def _eof(self, suffix: str) -> _ParseError:
        return self.error(f"Unexpected end-of-input{suffix}")

    # -- whitespace ----------------------------------------------------------------------------
    def _skip_ws(self) -> str | None:
        s, n = self.s, self.n
        while self.pos < n:
            ch = s[self.pos]
            self.pos += 1
            if ch in " \t":
                continue
            if ch == "\n":
                self.line, self.row_start = self.line + 1, self.pos
                continue
            if ch == "\r":
                if self.pos < n and s[self.pos] == "\n":
                    self.pos += 1
                self.line, self.row_start = self.line + 1, self.pos
                continue
            if ch < " ":
                raise self.error(
                    f"Illegal character ({_char_desc(ch)}): only regular white space "
                    "(\\r, \\n, \\t) is allowed between tokens",
                    back=1,
                )
            if ch == "/":
                raise self.unexpected(
                    ch,
                    "maybe a (non-standard) comment? (not recognized as one since Feature "
                    "'ALLOW_COMMENTS' not enabled for parser)",
                )
            return ch
        return None

    # -- token reading -------------------------------------------------------------------------
    def next(self) -> str | None:
        if self.token == FIELD_NAME:
            token, self.pending = self.pending, None
            self._push_for(token)
            self.token = token
            return token
        if self.incomplete:
            self._read_string(what="string value")
        ch = self._skip_ws()
        if ch is None:
            ctx = self.stack[-1]
            if ctx.kind != "root":
                start = self.location(ctx.line, ctx.column)
                raise self._eof(f": expected close marker for {ctx.desc} (start marker at {start})")
            self.token = None
            return None
        if ch in "]}":
            return self._close(ch)
        ctx = self.stack[-1]
        if ctx.expect_comma():
            if ch != ",":
                raise self.unexpected(ch, f"was expecting comma to separate {ctx.desc} entries")
            ch = self._skip_ws()
            if ch is None:
                raise self._eof(f" within/between {ctx.desc} entries")
        if ctx.kind == "object":
            if ch != '"':
                raise self.unexpected(ch, "was expecting double-quote to start field name")
            self.name = self._read_string(what="name")
            ch = self._skip_ws()
            if ch != ":":
                if ch is None:
                    raise self._eof(" within/between Object entries")
                raise self.unexpected(ch, "was expecting a colon to separate field name and value")
            ch = self._skip_ws()
            if ch is None:
                raise self._eof(" within/between Object entries")
            self.pending = self._value(ch)
            self.token = FIELD_NAME
            return FIELD_NAME
        token = self._value(ch)
        self._push_for(token)
        self.token = token
        return token

    def _push_for(self, token: str | None) -> None:
        if token == START_ARRAY:
            self.stack.append(_Context("array", self.token_line, self.token_column))
        elif token == START_OBJECT:
            self.stack.append(_Context("object", self.token_line, self.token_column))

    def _close(self, ch: str) -> str:
        ctx = self.stack[-1]
        want = {"array": "]", "object": "}"}.get(ctx.kind)
        if want != ch:
            expected = "}" if ch == "]" else "]"
            start = self.location(ctx.line, ctx.column)
            raise self.error(
                f"Unexpected close marker '{ch}': expected '{expected}' (for {ctx.desc} starting at {start})",
                back=1,
            )
        self.stack.pop()
        self.token = END_ARRAY if ch == "]" else END_OBJECT
        return self.token

    def _value(self, ch: str) -> str:
        self.token_line = self.line
        self.token_column = _utf16_len(self.s[self.row_start : self.pos - 1]) + 1
        if ch == '"':
            self.incomplete = True
            return VALUE_STRING
        if ch == "[":
            return START_ARRAY
        if ch == "{":
            return START_OBJECT
        if ch in _LITERALS:
            word, token = _LITERALS[ch]
            self._match_word(word)
            self.raw = word
            return token
        if ch == "-" or ch.isdigit() and ch.isascii():
            return self._number(ch)
        if ch == "}":
            raise self.unexpected(ch, "expected a value")
        if ch in "NI":
            word = "NaN" if ch == "N" else "Infinity"
            self._match_word(word)
            raise self.error(
                f"Non-standard token '{word}': enable `JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS` to allow"
            )
        if _java_ident_start(ch):
            raise self._invalid_token(ch)
        raise self.unexpected(ch, f"expected a valid value {_VALID_VALUES}")

    def _invalid_token(self, matched: str) -> _ParseError:
        buf = [matched]
        while self.pos < self.n and _java_ident_part(self.s[self.pos]):
            buf.append(self.s[self.pos])
            self.pos += 1
            if len(buf) >= 256:
                buf.append("...")
                break
        return self.error(f"Unrecognized token '{''.join(buf)}': was expecting {_VALID_VALUES}")

    def _match_word(self, word: str) -> None:
        for i in range(1, len(word)):
            if self.pos >= self.n or self.s[self.pos] != word[i]:
                raise self._invalid_token(word[:i])
            self.pos += 1
        if self.pos < self.n:
            nxt = self.s[self.pos]
            if nxt >= "0" and nxt not in "]}" and _java_ident_part(nxt):
                raise self._invalid_token(word)

    def _number(self, first: str) -> str:
        s, n = self.s, self.n
        start = self.pos - 1
        if first == "-":
            if self.pos >= n:
                raise self._eof(" in a Number value")
            ch = s[self.pos]
            if not ("0" <= ch <= "9"):
                if ch == "I":
                    self.pos += 1
                    self._match_word("Infinity")
                    raise self.error(
                        "Non-standard token '-Infinity': enable "
                        "`JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS` to allow"
                    )
                raise self._number_char("expected digit (0-9) to follow minus sign, for valid numeric value")
            self.pos += 1
            first = ch
        if first == "0" and self.pos < n and "0" <= s[self.pos] <= "9":
            raise self.error("Invalid numeric value: Leading zeroes not allowed")
        while self.pos < n and "0" <= s[self.pos] <= "9":
            self.pos += 1
        token = VALUE_INT
        if self.pos < n and s[self.pos] == ".":
            self.pos += 1
            if self.pos >= n or not ("0" <= s[self.pos] <= "9"):
                raise self._number_char("Decimal point not followed by a digit")
            while self.pos < n and "0" <= s[self.pos] <= "9":
                self.pos += 1
            token = VALUE_FLOAT
        if self.pos < n and s[self.pos] in "eE":
            self.pos += 1
            if self.pos < n and s[self.pos] in "+-":
                self.pos += 1
            if self.pos >= n or not ("0" <= s[self.pos] <= "9"):
                raise self._number_char("Exponent indicator not followed by a digit")
            while self.pos < n and "0" <= s[self.pos] <= "9":
                self.pos += 1
            token = VALUE_FLOAT
        self.raw = s[start : self.pos]
        return token

    def _number_char(self, comment: str) -> _ParseError:
        if self.pos >= self.n:
            return self._eof(" in a Number value")
        ch = self.s[self.pos]
        self.pos += 1
        return _ParseError(
            f"Unexpected character ({_char_desc(ch)}) in numeric value: {comment}\n at "
            f"{self.location(back=1)}"
        )

    def _read_string(self, what: str) -> str:
        """Read a string body; the opening quote is already consumed."""
        s, n = self.s, self.n
        out: list[str] = []
        while True:
            if self.pos >= n:
                if what == "name":
                    raise self._eof(" in field name")
                raise self._eof(": was expecting closing quote for a string value")
            ch = s[self.pos]
            self.pos += 1
            if ch == '"':
                break
            if ch == "\\":
                out.append(self._escape())
            elif ch < " ":
                raise self.error(
                    f"Illegal unquoted character ({_char_desc(ch)}): has to be escaped using "
                    f"backslash to be included in {what}",
                    back=1,
                )
            else:
                out.append(ch)
        self.incomplete = False
        return _join_surrogates("".join(out))

    def _escape(self) -> str:
        if self.pos >= self.n:
            raise self._eof(" in character escape sequence")
        ch = self.s[self.pos]
        self.pos += 1
        if ch in _ESCAPES:
            return _ESCAPES[ch]
        if ch != "u":
            raise self.error(f"Unrecognized character escape {_char_desc(ch)}")
        value = 0
        for _ in range(4):
            if self.pos >= self.n:
                raise self._eof(" in character escape sequence")
            h = self.s[self.pos]
            self.pos += 1
            if h not in "0123456789abcdefABCDEF":
                raise self.unexpected(h, "expected a hex-digit for character escape sequence")
            value = value * 16 + int(h, 16)
        return chr(value)

    # -- token values --------------------------------------------------------------------------
    def text(self) -> str:
        """Jackson's getText(): finishes a pending string token."""
        if self.token == VALUE_STRING:
            if self.incomplete:
                self.string_value = self._read_string(what="string value")
            return self.string_value
        if self.token == FIELD_NAME:
            return self.name
        if self.token in (START_OBJECT, END_OBJECT, START_ARRAY, END_ARRAY):
            return self.token
        return self.raw


def _join_surrogates(text: str) -> str:
    if not any(0xD800 <= ord(c) <= 0xDFFF for c in text):
        return text
    return text.encode("utf-16", "surrogatepass").decode("utf-16", "replace")


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


# --------------------------------------------------------------------------------------------
# The rule compiler (JsonRuleCompiler / RuleCompiler)
# --------------------------------------------------------------------------------------------

_RESERVED_IN_OR = frozenset(
    "exactly equals-ignore-case prefix suffix anything-but exists wildcard numeric cidr "
    "= < <= > >= regex not-wildcard not-equals-ignore-case date-after date-on-or-after "
    "date-before date-on-or-before in-date-range ip-address-in-range ip-address-not-in-range".split()
)

Branch = dict  # dotted path -> list of matchers


class _Compiler:
    def __init__(self, text: str, with_or: bool):
        self.lx = _Lexer(text)
        self.with_or = with_or

    def barf(self, message: str) -> _ParseError:
        return self.lx.error(message)

    def compile(self) -> list[Branch]:
        lx = self.lx
        if lx.next() != START_OBJECT:
            raise self.barf("Filter is not an object")
        rules: list[Branch] = [] if self.with_or else [{}]
        self._object(rules, [], inside_or=False)
        return rules

    def _object(self, rules: list[Branch], path: list[str], inside_or: bool) -> None:
        lx = self.lx
        present = False
        while lx.next() != END_OBJECT:
            present = True
            name = lx.name
            if self.with_or and name == "$or":
                self._or(rules, path)
                continue
            if inside_or and name in _RESERVED_IN_OR:
                raise self.barf(f"{name} is Ruler reserved fieldName which cannot be used inside $or.")
            token = lx.next()
            if token == START_OBJECT:
                self._object(rules, [*path, name], inside_or)
            elif token == START_ARRAY:
                self._values(rules, ".".join([*path, name]))
            else:
                raise self.barf(f'"{name}" must be an object or an array')
        if not present:
            raise self.barf("Empty objects are not allowed")

    def _or(self, rules: list[Branch], path: list[str]) -> None:
        lx = self.lx
        current = [dict(r) for r in rules]
        rules.clear()
        if lx.next() != START_ARRAY:
            raise self.barf("It must be an Array followed with $or.")
        count = 0
        while (token := lx.next()) != END_ARRAY:
            count += 1
            if token != START_OBJECT:
                raise self.barf("Only JSON object is allowed in array of $or relationship.")
            branch_rules = [dict(r) for r in current] or [{}]
            self._object(branch_rules, path, inside_or=True)
            rules.extend(branch_rules)
        if count < 2:
            raise self.barf("There must have at least 2 Objects in $or relationship.")

    def _values(self, rules: list[Branch], name: str) -> None:
        lx = self.lx
        values: list[_Matcher] = []
        while (token := lx.next()) != END_ARRAY:
            if token == START_OBJECT:
                values.append(self._expression())
            elif token == VALUE_STRING:
                text = lx.text()
                ip = _ip_range_if_possible(text)
                values.append(_IpRange(*ip) if ip else _Exact(text))
            elif token in _NUMERIC_TOKENS:
                values.append(_ExactNumber(lx.text()))
            elif token in (VALUE_TRUE, VALUE_FALSE, VALUE_NULL):
                values.append(_Literal(token))
            else:
                raise self.barf("Match value must be String, number, true, false, or null")
        if not values:
            raise self.barf("Empty arrays are not allowed")
        if not rules:
            rules.append({})
        for rule in rules:
            rule[name] = values

    # -- match expressions ({"prefix": ...}, {"numeric": [...]}, ...) -------------------------
    def _end(self, message: str = "Only one key allowed in match expression") -> None:
        if self.lx.next() != END_OBJECT:
            raise self.barf(message)

    def _string_operand(self, message: str) -> str:
        if self.lx.next() != VALUE_STRING:
            raise self.barf(message)
        return self.lx.text()

    def _expression(self) -> _Matcher:
        lx = self.lx
        if lx.next() != FIELD_NAME:
            raise self.barf("Match expression name not found")
        op = lx.name
        if op == "exactly":
            value = self._string_operand("exact match pattern must be a string")
            self._end()
            return _Exact(value)
        if op in ("prefix", "suffix"):
            token = lx.next()
            if token == START_OBJECT:
                return self._ignore_case_affix(op)
            if token != VALUE_STRING:
                raise self.barf(f"{op} match pattern must be a string")
            value = lx.text()
            self._end()
            return _Prefix(value) if op == "prefix" else _Suffix(value)
        if op == "numeric":
            if lx.next() != START_ARRAY:
                raise self.barf("Value of numeric must be an array.")
            matcher = self._numeric()
            self._end("Too many elements in numeric expression")
            return matcher
        if op == "anything-but":
            return self._anything_but()
        if op == "exists":
            token = lx.next()
            if token not in (VALUE_TRUE, VALUE_FALSE):
                raise self.barf("exists match pattern must be either true or false.")
            self._end()
            return _Exists(token == VALUE_TRUE)
        if op == "cidr":
            value = self._string_operand("prefix match pattern must be a string")
            matcher = _IpRange(*_cidr(value))
            self._end()
            return matcher
        if op == "equals-ignore-case":
            value = self._string_operand("equals-ignore-case match pattern must be a string")
            self._end()
            return _Regex(_ignore_case_regex(value))
        if op == "wildcard":
            value = self._string_operand("wildcard match pattern must be a string")
            try:
                tokens = _parse_wildcard(value)
            except _WildcardError as exc:
                raise self.barf(str(exc)) from None
            self._end()
            return _Wildcard(value, tokens)
        raise self.barf(f"Unrecognized match type {op}")

    def _ignore_case_affix(self, op: str) -> _Matcher:
        lx = self.lx
        title = op.capitalize()
        if lx.next() != FIELD_NAME:
            raise self.barf(f"{title} expression name not found")
        if lx.name != "equals-ignore-case":
            raise self.barf(f"Unsupported {op} pattern: {lx.name}")
        value = self._string_operand("equals-ignore-case match pattern must be a string")
        self._end()
        self._end()
        body = _ignore_case_regex(value)
        return _Regex(body + ".*" if op == "prefix" else ".*" + body)

    def _numeric(self) -> _Matcher:
        lx = self.lx
        if lx.next() != VALUE_STRING:
            raise self.barf(f"Invalid member in numeric match: {lx.text()}")
        operator = lx.text()
        token = lx.next()
        try:
            if operator in ("=", ">=", ">", "<=", "<"):
                if token not in _NUMERIC_TOKENS:
                    label = "equals" if operator == "=" else operator
                    raise self.barf(f"Value of {label} must be numeric")
                value = lx.text()
                token = lx.next()
                if operator in ("=", "<=", "<"):
                    if token != END_ARRAY:
                        raise self.barf("Too many elements in numeric expression")
                    number = _comparable(value)
                    if operator == "=":
                        return _NumericRange(number, False, number, False)
                    return _NumericRange(None, False, number, operator == "<")
                if token == END_ARRAY:
                    return _NumericRange(_comparable(value), operator == ">", None, False)
                return self._numeric_range(token, value, operator == ">")
            raise self.barf(f"Unrecognized numeric range operator: {operator}")
        except _IllegalArgument as exc:
            raise self.barf(str(exc)) from None

    def _numeric_range(self, token, bottom: str, open_bottom: bool) -> _Matcher:
        lx = self.lx
        if token != VALUE_STRING:
            raise self.barf(f"Bad value in numeric range: {lx.text()}")
        operator = lx.text()
        if operator not in ("<", "<="):
            raise self.barf(f"Bad numeric range operator: {operator}")
        if lx.next() not in _NUMERIC_TOKENS:
            raise self.barf(f"Value of {operator} must be numeric")
        top = lx.text()
        if lx.next() != END_ARRAY:
            raise self.barf("Too many terms in numeric range expression")
        low, high = _comparable(bottom), _comparable(top)
        if low >= high:
            raise _IllegalArgument("Bottom must be less than top")
        return _NumericRange(low, open_bottom, high, operator == "<")

    def _anything_but(self) -> _Matcher:
        lx = self.lx
        kind = None
        token = lx.next()
        if token == START_OBJECT:
            if lx.next() != FIELD_NAME:
                raise self.barf("Anything-But expression name not found")
            kind = lx.name
            if kind not in ("equals-ignore-case", "prefix", "suffix", "wildcard"):
                raise self.barf(f"Unsupported anything-but pattern: {kind}")
            token = lx.next()
        if token not in (START_ARRAY, VALUE_STRING, *_NUMERIC_TOKENS):
            raise self.barf("Value of anything-but must be an array or single string/number value.")
        if kind is None:
            inner = self._anything_but_list() if token == START_ARRAY else self._anything_but_one(token)
        elif token == START_ARRAY:
            inner = self._anything_but_set(kind)
        else:
            inner = self._anything_but_set_one(kind, token)
        self._end("Too many elements in numeric expression")
        if kind is not None:
            self._end("Too many elements in numeric expression")
        return _AnythingBut(inner)

    def _wrapped(self, message: str) -> _ParseError:
        """A barf raised inside ruler's try/catch, which re-barfs with the first message."""
        return self.barf(str(self.barf(message)))

    def _anything_but_list(self) -> list[_Matcher]:
        lx = self.lx
        inner: list[_Matcher] = []
        has_number = has_string = False
        while (token := lx.next()) != END_ARRAY:
            if token == VALUE_STRING:
                inner.append(_Exact(lx.text()))
                has_string = True
            elif token in _NUMERIC_TOKENS:
                try:
                    inner.append(_NumericRange(*(2 * (_comparable(lx.text()), False))))
                except _IllegalArgument as exc:
                    raise self.barf(str(exc)) from None
                has_number = True
            else:
                raise self._wrapped("Inside anything but list, start|null|boolean is not supported.")
        if has_number == has_string:
            raise self.barf(
                "Inside anything but list, either all values are number or string, "
                "mixed type is not supported"
            )
        return inner

    def _anything_but_one(self, token: str) -> list[_Matcher]:
        if token == VALUE_STRING:
            return [_Exact(self.lx.text())]
        number = _comparable(self.lx.text())  # an IllegalArgumentException escapes here in ruler
        return [_NumericRange(number, False, number, False)]

    def _set_value(self, kind: str, text: str, wrapped: bool) -> _Matcher:
        if kind in ("prefix", "suffix") and not text:
            message = "Null prefix/suffix not allowed"
            raise self._wrapped(message) if wrapped else self.barf(message)
        if kind == "prefix":
            return _Prefix(text)
        if kind == "suffix":
            return _Suffix(text)
        if kind == "equals-ignore-case":
            return _Regex(_ignore_case_regex(text))
        return _Wildcard(text, [])  # tokens filled in by _check_wildcards

    def _set_type_error(self, kind: str) -> str:
        if kind == "equals-ignore-case":
            return "Inside anything-but/equals-ignore-case list, number|start|null|boolean is not supported."
        if kind == "wildcard":
            return "wildcard match pattern must be a string"
        return "prefix/suffix match pattern must be a string"

    def _check_wildcards(self, inner: list[_Matcher]) -> list[_Matcher]:
        checked: list[_Matcher] = []
        for matcher in inner:
            if isinstance(matcher, _Wildcard):
                try:
                    matcher = _Wildcard(matcher.text, _parse_wildcard(matcher.text))
                except _WildcardError as exc:
                    raise self.barf(str(exc)) from None
            checked.append(matcher)
        return checked

    def _anything_but_set(self, kind: str) -> list[_Matcher]:
        lx = self.lx
        inner: list[_Matcher] = []
        while (token := lx.next()) != END_ARRAY:
            if token != VALUE_STRING:
                raise self._wrapped(self._set_type_error(kind))
            inner.append(self._set_value(kind, lx.text(), wrapped=True))
        return self._check_wildcards(inner)

    def _anything_but_set_one(self, kind: str, token: str) -> list[_Matcher]:
        if token != VALUE_STRING:
            raise self.barf(self._set_type_error(kind))
        return self._check_wildcards([self._set_value(kind, self.lx.text(), wrapped=False)])


# --------------------------------------------------------------------------------------------
# Wildcard complexity (AWS rejects rules whose wildcards make matching too non-deterministic)
# --------------------------------------------------------------------------------------------

_MAX_COMPLEXITY = 10  # calibrated on AWS-recorded accept/reject cases, see the tests
_TOO_COMPLEX = (
    "Rule is too complex - try using fewer wildcard characters or fewer repeating character "
    "sequences after a wildcard character"
)


def _complexity(patterns: list[list[str | None]]) -> int:
    """Most wildcard-pattern NFA states a single input can keep alive at once (ruler's measure)."""
    toks = [['"', *p, '"'] for p in patterns]
    alphabet = sorted({t for p in toks for t in p if t is not None}) + ["\x00"]

    def closure(states):
        out, todo = set(states), list(states)
        while todo:
            pid, kind, i = todo.pop()
            tk = toks[pid]
            nxt = None
            if kind == "s" or (i < len(tk) and tk[i] is None):
                nxt = (pid, "p", i + 1)
            if nxt and nxt not in out:
                out.add(nxt)
                todo.append(nxt)
        return out

    def step(states, ch):
        out = set()
        for pid, kind, i in states:
            tk = toks[pid]
            if kind == "s":
                out.add((pid, "s", i))
            elif i < len(tk):
                if tk[i] is None:
                    out.add((pid, "s", i))
                elif tk[i] == ch:
                    out.add((pid, "p", i + 1))
        return frozenset(out)

    def size(states):
        extra = sum(
            1
            for pid, kind, i in states
            if kind == "p" and i < len(toks[pid]) and toks[pid][i] is None and (pid, "s", i) not in states
        )
        return len(states) + extra

    start = frozenset((pid, "p", 0) for pid in range(len(toks)))
    seen, queue, best = {start}, [start], 0
    while queue and len(seen) < 20_000:
        current = closure(queue.pop())
        for ch in alphabet:
            nxt = step(current, ch)
            if not nxt or nxt in seen:
                continue
            best = max(best, size(nxt))
            if best > _MAX_COMPLEXITY:
                return best
            seen.add(nxt)
            queue.append(nxt)
    return best


def _check_complexity(branches: list[Branch]) -> None:
    by_path: dict[str, dict[str, list[str | None]]] = {}
    for branch in branches:
        for path, matchers in branch.items():
            for m in matchers:
                if type(m) is _Wildcard and None in m.tokens:
                    by_path.setdefault(path, {})[m.text] = m.tokens
    for patterns in by_path.values():
        if _complexity(list(patterns.values())) > _MAX_COMPLEXITY:
            raise _IllegalArgument(_TOO_COMPLEX)


# --------------------------------------------------------------------------------------------
# Compiled patterns and matching
# --------------------------------------------------------------------------------------------


def _compile_text(text: str) -> list[Branch]:
    try:
        try:
            branches = _Compiler(text, with_or=True).compile()
        except _ParseError:
            branches = _Compiler(text, with_or=False).compile()  # ruler's addRule fallback
        _check_complexity(branches)
    except _ParseError as exc:
        raise InvalidEventPattern(str(exc)) from None
    except _IllegalArgument as exc:
        raise InvalidEventPattern(str(exc)) from None
    except RecursionError:
        raise InvalidEventPattern("Filter is nested too deeply") from None
    return branches


class _JsonNumber(str):
    """A number from an event's JSON text, kept as written (ruler compares the text)."""


def _event_from_text(text: str | bytes) -> Any:
    try:
        return json.loads(text, parse_int=_JsonNumber, parse_float=_JsonNumber, parse_constant=_JsonNumber)
    except (ValueError, TypeError) as exc:
        raise InputError(f"Event is not valid JSON: {exc}") from None


def _leaf(value: Any, membership: tuple) -> _Leaf | None:
    if isinstance(value, _JsonNumber):
        return _Leaf("number", None, str(value), membership)
    if value is None:
        return _Leaf("null", None, "null", membership)
    if value is True or value is False:
        return _Leaf("true" if value else "false", None, "true" if value else "false", membership)
    if isinstance(value, str):
        return _Leaf("string", value, value, membership)
    if isinstance(value, (int, float, Decimal)):
        return _Leaf(
            "number", None, json.dumps(value) if not isinstance(value, Decimal) else str(value), membership
        )
    return _Leaf("string", str(value), str(value), membership)


class EventPattern:
    """A validated, compiled pattern; ``matches(event)`` is cheap to call repeatedly."""

    def __init__(self, source: str, branches: list[Branch]):
        self.source = source
        self._branches = branches
        self._paths = {p for b in branches for p in b}
        self._prefixes = {".".join(p.split(".")[:i]) for p in self._paths for i in range(1, p.count(".") + 2)}

    def as_dict(self) -> dict:
        """The pattern as JSON (the last of duplicate keys wins, as in ``json.loads``)."""
        text = self.source.lstrip(" \t\r\n")
        value, _ = json.JSONDecoder().raw_decode(text)
        return value

    def matches(self, event: dict | str | bytes) -> bool:
        if isinstance(event, (str, bytes, bytearray)):
            event = _event_from_text(event)
        if not isinstance(event, dict):
            return False
        flat = self._flatten(event)
        return any(_branch_matches(branch, flat) for branch in self._branches)

    def _flatten(self, event: dict) -> dict[str, list[_Leaf]]:
        flat: dict[str, list[_Leaf]] = {}
        array_ids = itertools.count()
        prefixes, paths = self._prefixes, self._paths

        def walk(value: Any, path: str, membership: tuple) -> None:
            if isinstance(value, dict):
                for key, child in value.items():
                    child_path = f"{path}.{key}" if path else str(key)
                    if child_path in prefixes:
                        walk(child, child_path, membership)
            elif isinstance(value, (list, tuple)):
                aid = next(array_ids)
                for index, child in enumerate(value):
                    walk(child, path, (*membership, (aid, index)))
            elif path in paths:
                flat.setdefault(path, []).append(_leaf(value, membership))

        walk(event, "", ())
        return flat


def _branch_matches(branch: Branch, flat: dict[str, list[_Leaf]]) -> bool:
    constrained: list[list[_Leaf]] = []
    for path, matchers in branch.items():
        leaves = flat.get(path, ())
        if not leaves and any(m.exists is False for m in matchers):
            continue
        candidates = [
            leaf for leaf in leaves if any(m.exists is not False and m.match(leaf) for m in matchers)
        ]
        if not candidates:
            return False
        if all(leaf.membership for leaf in candidates):
            constrained.append(candidates)
    if not constrained:
        return True
    constrained.sort(key=len)
    return _consistent(constrained, 0, {})


def _consistent(fields: list[list[_Leaf]], index: int, chosen: dict[int, int]) -> bool:
    """Can one leaf per field be chosen so no two come from different elements of one array?"""
    if index == len(fields):
        return True
    for leaf in fields[index]:
        if all(chosen.get(aid, pos) == pos for aid, pos in leaf.membership):
            added = [aid for aid, _ in leaf.membership if aid not in chosen]
            chosen.update(leaf.membership)
            if _consistent(fields, index + 1, chosen):
                return True
            for aid in added:
                del chosen[aid]
    return False


def _pattern_text(pattern: Any) -> str:
    if isinstance(pattern, (bytes, bytearray)):
        return pattern.decode("utf-8", "replace")
    if isinstance(pattern, str):
        return pattern
    try:
        return json.dumps(pattern)
    except (TypeError, ValueError) as exc:
        raise InvalidEventPattern(f"Filter is not valid JSON ({exc})") from None


@functools.lru_cache(maxsize=512)
def _compile_cached(text: str) -> EventPattern:
    return EventPattern(text, _compile_text(text))


def compile_pattern(pattern: dict | str | bytes) -> EventPattern:
    """Validate and compile a pattern (dict or JSON text); raises ``InvalidEventPattern``."""
    return _compile_cached(_pattern_text(pattern))


def validate_pattern(pattern: dict | str | bytes) -> dict:
    """Parse and validate a pattern as PutRule does; return it as a dict."""
    return compile_pattern(pattern).as_dict()


def matches(pattern: dict | str | bytes, event: dict | str | bytes) -> bool:
    """Does ``event`` match ``pattern``? Raises ``InvalidEventPattern`` for a bad pattern."""
    return compile_pattern(pattern).matches(event)
