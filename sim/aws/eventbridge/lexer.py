"""The pattern text tokenised like Jackson's streaming parser, so syntax errors and the
``at [Source: ...; line: L, column: C]`` locations in AWS's messages come out the same."""

from __future__ import annotations

import unicodedata

from sim.aws.eventbridge.errors import _ParseError

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
