"""Intrinsic functions of JSONPath-mode ASL (`States.Format(...)` and friends): parse and evaluate.

`parse` turns an expression into a small tree (raising ValueError, for validation); `evaluate`
runs it against the input, the context object and the variables, raising IntrinsicError (a
StatesError, "States.IntrinsicFailure") when a function fails, with AWS's cause shape:
"The function '<expr>' had the following error: <detail>". The engine may prefix the cause with
"An error occurred while executing the state '<name>' (entered at the event id #<n>). ".
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import math
import random
import re
import uuid
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from sim.asl import jsonpath
from sim.asl.errors import StatesError
from sim.asl.jsonutil import is_number, json_equal

__all__ = ["IntrinsicError", "Call", "Literal", "PathArg", "is_intrinsic", "parse", "evaluate", "FUNCTIONS"]

MAX_NESTING = 10
MAX_ARRAY_RANGE = 1000
MAX_INPUT_CHARS = 10_000
HASH_ALGORITHMS = {
    "MD5": hashlib.md5,
    "SHA-1": hashlib.sha1,
    "SHA-256": hashlib.sha256,
    "SHA-384": hashlib.sha384,
    "SHA-512": hashlib.sha512,
}

# name -> (min args, max args or None for unbounded)
FUNCTIONS: dict[str, tuple[int, int | None]] = {
    "Format": (1, None),
    "StringToJson": (1, 1),
    "JsonToString": (1, 1),
    "Array": (0, None),
    "ArrayPartition": (2, 2),
    "ArrayContains": (2, 2),
    "ArrayRange": (3, 3),
    "ArrayGetItem": (2, 2),
    "ArrayLength": (1, 1),
    "ArrayUnique": (1, 1),
    "Base64Encode": (1, 1),
    "Base64Decode": (1, 1),
    "Hash": (2, 2),
    "JsonMerge": (3, 3),
    "MathRandom": (2, 3),
    "MathAdd": (2, 2),
    "StringSplit": (2, 2),
    "UUID": (0, 0),
}


class IntrinsicError(StatesError):
    """A failed intrinsic call; `function` is the expression text and `detail` the inner message."""

    def __init__(self, function: str, detail: str, error: str = "States.IntrinsicFailure"):
        self.function = function
        self.detail = detail
        super().__init__(error, f"The function '{function}' had the following error: {detail}")


# ---------------------------------------------------------------- syntax tree


@dataclass(frozen=True)
class Literal:
    value: Any
    template: tuple | None = None  # for string literals: pieces, None standing for an unescaped "{}"


@dataclass(frozen=True)
class PathArg:
    path: jsonpath.Path

    @property
    def text(self) -> str:
        return self.path.text


@dataclass(frozen=True)
class Call:
    name: str
    args: tuple
    text: str


_CALL_RE = re.compile(r"\s*States\.([A-Za-z0-9]+)\s*\(")
_NUM_RE = re.compile(r"-?\d+(\.\d+)?([eE][+-]?\d+)?")


def is_intrinsic(value: Any) -> bool:
    """True when `value` is a string shaped like an intrinsic call (`States.Name(`...)."""
    return isinstance(value, str) and _CALL_RE.match(value) is not None


class _Parser:
    def __init__(self, text: str):
        self.text = text
        self.pos = 0

    def error(self, msg: str) -> ValueError:
        return ValueError(f"Invalid intrinsic function '{self.text}': {msg} (at position {self.pos})")

    def skip_ws(self) -> None:
        while self.pos < len(self.text) and self.text[self.pos].isspace():
            self.pos += 1

    def call(self, depth: int) -> Call:
        start = self.pos
        m = _CALL_RE.match(self.text, self.pos)
        if not m:
            raise self.error("expected 'States.<Function>('")
        name = m.group(1)
        if name not in FUNCTIONS:
            raise self.error(f"unknown function 'States.{name}'")
        if depth > MAX_NESTING:
            raise self.error(f"intrinsic functions can be nested at most {MAX_NESTING} deep")
        self.pos = m.end()
        args: list = []
        self.skip_ws()
        if self.text.startswith(")", self.pos):
            self.pos += 1
        else:
            while True:
                args.append(self.argument(depth))
                self.skip_ws()
                if self.text.startswith(",", self.pos):
                    self.pos += 1
                    continue
                if self.text.startswith(")", self.pos):
                    self.pos += 1
                    break
                raise self.error("expected ',' or ')'")
        low, high = FUNCTIONS[name]
        if len(args) < low or (high is not None and len(args) > high):
            raise self.error(f"States.{name} {_arity_text(low, high)}, but got {len(args)}")
        node = Call(name, tuple(args), self.text[start:self.pos].strip())
        _static_checks(node, self)
        return node

    def argument(self, depth: int) -> Any:
        self.skip_ws()
        rest = self.text[self.pos:]
        if rest.startswith("States."):
            return self.call(depth + 1)
        if rest.startswith("'"):
            return self.string()
        if rest.startswith("$"):
            return self.path()
        for word, value in (("null", None), ("true", True), ("false", False)):
            if rest.startswith(word) and not rest[len(word):len(word) + 1].isalnum():
                self.pos += len(word)
                return Literal(value)
        m = _NUM_RE.match(self.text, self.pos)
        if m:
            self.pos = m.end()
            text = m.group(0)
            return Literal(float(text) if any(c in text for c in ".eE") else int(text))
        raise self.error("expected an argument: a string, a number, null, a boolean, a path or a function")

    def string(self) -> Literal:
        self.pos += 1
        chars: list[str] = []
        pieces: list = []
        escaped_at: set[int] = set()
        while True:
            if self.pos >= len(self.text):
                raise self.error("unterminated string literal")
            ch = self.text[self.pos]
            if ch == "\\":
                nxt = self.text[self.pos + 1:self.pos + 2]
                if nxt not in ("'", "{", "}", "\\"):
                    raise self.error("open escape backslash '\\' in string literal")
                escaped_at.add(len(chars))
                chars.append(nxt)
                self.pos += 2
                continue
            self.pos += 1
            if ch == "'":
                break
            chars.append(ch)
        value = "".join(chars)
        buf: list[str] = []
        i = 0
        while i < len(chars):
            if chars[i] == "{" and i not in escaped_at and i + 1 < len(chars) and chars[i + 1] == "}" \
                    and i + 1 not in escaped_at:
                pieces.append("".join(buf))
                pieces.append(None)
                buf = []
                i += 2
                continue
            buf.append(chars[i])
            i += 1
        pieces.append("".join(buf))
        return Literal(value, tuple(pieces))

    def path(self) -> PathArg:
        start = self.pos
        depth = 0
        quote = ""
        while self.pos < len(self.text):
            ch = self.text[self.pos]
            if quote:
                if ch == "\\":
                    self.pos += 1
                elif ch == quote:
                    quote = ""
            elif ch in "'\"" and depth > 0:
                quote = ch
            elif ch in "[(":
                depth += 1
            elif ch in "])":
                if depth == 0:
                    break
                depth -= 1
            elif depth == 0 and (ch == "," or ch.isspace()):
                break
            self.pos += 1
        text = self.text[start:self.pos]
        try:
            return PathArg(jsonpath.parse(text))
        except ValueError as exc:
            raise self.error(str(exc)) from None


def _arity_text(low: int, high: int | None) -> str:
    if high is None:
        return f"expects at least {low} argument{'s' if low != 1 else ''}"
    if low == high:
        return f"expects {low} argument{'s' if low != 1 else ''}"
    return f"expects {low} to {high} arguments"


def _static_checks(node: Call, parser: _Parser) -> None:
    """Checks AWS can make without data: literal arguments of the wrong kind."""
    args = node.args
    if node.name == "Format" and isinstance(args[0], Literal) and not isinstance(args[0].value, str):
        raise parser.error("the first argument of States.Format must be a string")
    if node.name == "Format" and isinstance(args[0], Literal):
        holes = sum(1 for p in args[0].template if p is None)
        if holes != len(args) - 1:
            raise parser.error(
                f"States.Format has {holes} placeholder(s) '{{}}' but {len(args) - 1} value argument(s)"
            )
    if node.name == "Hash" and isinstance(args[1], Literal) and args[1].value not in HASH_ALGORITHMS:
        raise parser.error(f"unknown hash algorithm {args[1].value!r}; "
                           f"supported: {', '.join(HASH_ALGORITHMS)}")
    if node.name == "JsonMerge" and isinstance(args[2], Literal) and args[2].value is not False:
        raise parser.error("States.JsonMerge supports only shallow merging: the third argument must be false")


def parse(expr: str) -> Call:
    """Parse an intrinsic invocation; raise ValueError with a clear message when it is invalid."""
    if not isinstance(expr, str):
        raise ValueError("Invalid intrinsic function: expected a string")
    parser = _Parser(expr)
    node = parser.call(1)
    parser.skip_ws()
    if parser.pos != len(expr):
        raise parser.error("unexpected text after the closing parenthesis")
    return node


# ---------------------------------------------------------------- evaluation


class _Fail(Exception):
    def __init__(self, detail: str, error: str = "States.IntrinsicFailure"):
        self.detail = detail
        self.error = error
        super().__init__(detail)


def evaluate(expr: str | Call, input: Any, context: dict | None, variables: dict | None,
             rng: random.Random) -> Any:
    """Evaluate an intrinsic expression. Randomness (UUID, unseeded MathRandom) comes from `rng` only."""
    text = expr.text if isinstance(expr, Call) else expr
    try:
        node = expr if isinstance(expr, Call) else parse(expr)
    except ValueError as exc:
        raise IntrinsicError(str(text).strip(), str(exc)) from None
    try:
        return _eval(node, input, context, variables, rng)
    except _Fail as exc:
        raise IntrinsicError(node.text, exc.detail, exc.error) from None


def _pretty(value: Any) -> str:
    return json.dumps(value, indent=4, ensure_ascii=False)


def _eval(node: Any, input: Any, context: dict | None, variables: dict | None, rng: random.Random) -> Any:
    if isinstance(node, Literal):
        return node.value
    if isinstance(node, PathArg):
        try:
            return jsonpath.resolve(node.path, input, context, variables)
        except jsonpath.PathNotFound:
            where = {"$": input, "$$": context}.get(node.path.root, (variables or {}).get(node.path.root))
            raise _Fail(
                f"The JsonPath argument for the field '{node.text}' could not be found in the input "
                f"'{_pretty(where)}'",
                "States.Runtime",
            ) from None
    values = [_eval(a, input, context, variables, rng) for a in node.args]
    return _IMPLEMENTATIONS[node.name](node, values, rng)


# ---------------------------------------------------------------- helpers


def _type_name(v: Any) -> str:
    if v is None:
        return "null"
    if isinstance(v, bool):
        return "boolean"
    if is_number(v):
        return "number"
    if isinstance(v, str):
        return "string"
    if isinstance(v, list):
        return "array"
    return "object"


def _need(cond: bool, fn: str, what: str, value: Any) -> None:
    if not cond:
        raise _Fail(f"Invalid arguments in States.{fn}: expected {what}, but got {_type_name(value)} "
                    f"{_compact(value)}")


def _to_int(value: Any, fn: str, name: str) -> int:
    """Step Functions rounds non-integer arguments to the nearest integer (half away from zero)."""
    _need(is_number(value), fn, f"an integer for {name}", value)
    if isinstance(value, float):
        if not math.isfinite(value):
            raise _Fail(f"Invalid arguments in States.{fn}: {name} must be a finite number")
        return int(math.floor(abs(value) + 0.5)) * (1 if value >= 0 else -1)
    return value


def _compact(value: Any) -> str:
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False)


def _java_double(v: float) -> str:
    """Java's Double.toString for a finite double (shortest digits, as Python's repr)."""
    if v == 0:
        return "-0.0" if math.copysign(1.0, v) < 0 else "0.0"
    sign, digits, exp = Decimal(repr(v)).normalize().as_tuple()
    ds = "".join(map(str, digits))
    point = len(ds) + exp  # position of the decimal point relative to the digit string
    mag = abs(v)
    if 1e-3 <= mag < 1e7:
        if point <= 0:
            text = "0." + "0" * (-point) + ds
        elif point >= len(ds):
            text = ds + "0" * (point - len(ds)) + ".0"
        else:
            text = ds[:point] + "." + ds[point:]
    else:
        mantissa = ds[0] + "." + (ds[1:] or "0")
        text = f"{mantissa}E{point - 1}"
    return ("-" if sign else "") + text


def _format_value(value: Any) -> str:
    """How States.Format renders an argument: Java's String.valueOf of the converted value."""
    if isinstance(value, str):
        return value
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return _java_double(value) if math.isfinite(value) else str(value)
    if isinstance(value, int):
        return str(value)
    if isinstance(value, list):
        return "[" + ", ".join(_format_value(v) for v in value) + "]"
    return "{" + ", ".join(f"{k}={_format_value(v)}" for k, v in value.items()) + "}"


class _JavaRandom:
    """java.util.Random, so a seeded States.MathRandom is reproducible the way a JVM would be."""

    _MULT = 0x5DEECE66D
    _MASK = (1 << 48) - 1

    def __init__(self, seed: int):
        self.seed = (seed ^ self._MULT) & self._MASK

    def _next(self, bits: int) -> int:
        self.seed = (self.seed * self._MULT + 0xB) & self._MASK
        r = self.seed >> (48 - bits)
        return r - (1 << 32) if r >= 1 << 31 else r

    def next_int(self, bound: int) -> int:
        if bound & -bound == bound:
            return (bound * self._next(31)) >> 31
        while True:
            bits = self._next(31)
            val = bits % bound
            if -(1 << 31) <= bits - val + (bound - 1) < (1 << 31):
                return val


# ---------------------------------------------------------------- the functions


def _format(node: Call, args: list, rng: random.Random) -> str:
    template = args[0]
    _need(isinstance(template, str), "Format", "a string as the first argument", template)
    first = node.args[0]
    if isinstance(first, Literal):
        pieces = list(first.template)
    else:
        pieces = []
        for i, part in enumerate(template.split("{}")):
            if i:
                pieces.append(None)
            pieces.append(part)
    holes = sum(1 for p in pieces if p is None)
    if holes != len(args) - 1:
        raise _Fail(f"Number of arguments ({len(args) - 1}) does not match the number of "
                    f"placeholders ({holes}) in the format string")
    values = iter(args[1:])
    return "".join(_format_value(next(values)) if p is None else p for p in pieces)


def _string_to_json(node: Call, args: list, rng: random.Random) -> Any:
    (text,) = args
    _need(isinstance(text, str), "StringToJson", "a string", text)
    try:
        return json.loads(text)
    except (json.JSONDecodeError, RecursionError) as exc:
        raise _Fail(f"Unable to parse the string as JSON: {exc.msg if hasattr(exc, 'msg') else exc}") from None


def _json_to_string(node: Call, args: list, rng: random.Random) -> str:
    return _compact(args[0])


def _array(node: Call, args: list, rng: random.Random) -> list:
    return list(args)


def _array_partition(node: Call, args: list, rng: random.Random) -> list:
    array, size = args
    _need(isinstance(array, list), "ArrayPartition", "an array as the first argument", array)
    size = _to_int(size, "ArrayPartition", "the chunk size")
    if size <= 0:
        raise _Fail(f"Invalid arguments in States.ArrayPartition: the chunk size must be greater than 0, "
                    f"but got {size}")
    return [array[i:i + size] for i in range(0, len(array), size)]


def _array_contains(node: Call, args: list, rng: random.Random) -> bool:
    array, value = args
    _need(isinstance(array, list), "ArrayContains", "an array as the first argument", array)
    return any(json_equal(item, value) for item in array)


def _array_range(node: Call, args: list, rng: random.Random) -> list:
    start, end, step = (_to_int(v, "ArrayRange", n) for v, n in zip(args, ("start", "end", "step"), strict=True))
    if step == 0:
        raise _Fail("Invalid arguments in States.ArrayRange: the step must not be 0")
    count = max(0, (end - start) // step + 1)
    if count > MAX_ARRAY_RANGE:
        raise _Fail(f"Invalid arguments in States.ArrayRange: the result would have {count} items, "
                    f"more than the maximum of {MAX_ARRAY_RANGE}")
    return list(range(start, end + (1 if step > 0 else -1), step))


def _array_get_item(node: Call, args: list, rng: random.Random) -> Any:
    array, index = args
    _need(isinstance(array, list), "ArrayGetItem", "an array as the first argument", array)
    index = _to_int(index, "ArrayGetItem", "the index")
    if not 0 <= index < len(array):
        raise _Fail(f"Invalid arguments in States.ArrayGetItem: index {index} is out of bounds "
                    f"for an array of length {len(array)}")
    return array[index]


def _array_length(node: Call, args: list, rng: random.Random) -> int:
    (array,) = args
    _need(isinstance(array, list), "ArrayLength", "an array", array)
    return len(array)


def _array_unique(node: Call, args: list, rng: random.Random) -> list:
    (array,) = args
    _need(isinstance(array, list), "ArrayUnique", "an array", array)
    out: list = []
    for item in array:
        if not any(json_equal(item, seen) for seen in out):
            out.append(item)
    return out


def _limit(text: str, fn: str) -> None:
    if len(text) > MAX_INPUT_CHARS:
        raise _Fail(f"Invalid arguments in States.{fn}: the input is {len(text)} characters long, "
                    f"more than the maximum of {MAX_INPUT_CHARS}")


def _base64_encode(node: Call, args: list, rng: random.Random) -> str:
    (text,) = args
    _need(isinstance(text, str), "Base64Encode", "a string", text)
    _limit(text, "Base64Encode")
    return base64.b64encode(text.encode("utf-8")).decode("ascii")


def _base64_decode(node: Call, args: list, rng: random.Random) -> str:
    (text,) = args
    _need(isinstance(text, str), "Base64Decode", "a string", text)
    _limit(text, "Base64Decode")
    try:
        return base64.b64decode(text.encode("ascii"), validate=True).decode("utf-8")
    except (binascii.Error, UnicodeError, ValueError):
        raise _Fail("Invalid arguments in States.Base64Decode: the input is not valid Base64 data") from None


def _hash(node: Call, args: list, rng: random.Random) -> str:
    data, algorithm = args
    _need(isinstance(data, str), "Hash", "a string as the data to hash", data)
    if algorithm not in HASH_ALGORITHMS:
        raise _Fail(f"Invalid arguments in States.Hash: unsupported hash algorithm {_compact(algorithm)}; "
                    f"supported: {', '.join(HASH_ALGORITHMS)}")
    _limit(data, "Hash")
    return HASH_ALGORITHMS[algorithm](data.encode("utf-8")).hexdigest()


def _json_merge(node: Call, args: list, rng: random.Random) -> dict:
    left, right, deep = args
    _need(isinstance(left, dict), "JsonMerge", "a JSON object as the first argument", left)
    _need(isinstance(right, dict), "JsonMerge", "a JSON object as the second argument", right)
    _need(isinstance(deep, bool), "JsonMerge", "a boolean as the third argument", deep)
    if deep:
        raise _Fail("Invalid arguments in States.JsonMerge: deep merging is not supported, "
                    "the third argument must be false")
    return {**left, **right}


def _math_random(node: Call, args: list, rng: random.Random) -> int:
    start = _to_int(args[0], "MathRandom", "the start")
    end = _to_int(args[1], "MathRandom", "the end")
    if end <= start:
        raise _Fail(f"Invalid arguments in States.MathRandom: the end ({end}) must be greater than "
                    f"the start ({start})")
    if len(args) == 3:
        seed = _to_int(args[2], "MathRandom", "the seed")
        return start + _JavaRandom(seed).next_int(end - start) if end - start < 1 << 31 \
            else random.Random(seed).randrange(start, end)
    return rng.randrange(start, end)


def _math_add(node: Call, args: list, rng: random.Random) -> int:
    return _to_int(args[0], "MathAdd", "the first value") + _to_int(args[1], "MathAdd", "the second value")


def _string_split(node: Call, args: list, rng: random.Random) -> list:
    text, delimiters = args
    _need(isinstance(text, str), "StringSplit", "a string as the first argument", text)
    _need(isinstance(delimiters, str), "StringSplit", "a string of delimiters as the second argument",
          delimiters)
    if not delimiters:
        return [text] if text else []
    pattern = "[" + "".join(re.escape(c) for c in delimiters) + "]"
    return [part for part in re.split(pattern, text) if part]


def _uuid(node: Call, args: list, rng: random.Random) -> str:
    return str(uuid.UUID(int=rng.getrandbits(128), version=4))


_IMPLEMENTATIONS = {
    "Format": _format,
    "StringToJson": _string_to_json,
    "JsonToString": _json_to_string,
    "Array": _array,
    "ArrayPartition": _array_partition,
    "ArrayContains": _array_contains,
    "ArrayRange": _array_range,
    "ArrayGetItem": _array_get_item,
    "ArrayLength": _array_length,
    "ArrayUnique": _array_unique,
    "Base64Encode": _base64_encode,
    "Base64Decode": _base64_decode,
    "Hash": _hash,
    "JsonMerge": _json_merge,
    "MathRandom": _math_random,
    "MathAdd": _math_add,
    "StringSplit": _string_split,
    "UUID": _uuid,
}
