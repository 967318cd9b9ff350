"""JSONPath as Step Functions evaluates it (Jayway semantics): parse, select, resolve, and ResultPath writes.

Definite paths (only single names and single indexes) return the value or raise PathNotFound;
indefinite ones (wildcard, slice, union, filter, deep scan) return a list of matches, possibly empty.
Roots: `$` (the input), `$$` (the context object) and `$name` (an ASL variable).
"""

from __future__ import annotations

import copy
import json
import math
import re
from dataclasses import dataclass
from typing import Any

from sim.asl.errors import StatesError
from sim.asl.jsonutil import is_number, json_equal

__all__ = [
    "PathNotFound",
    "Path",
    "parse",
    "select",
    "resolve",
    "is_reference_path",
    "set_path",
    "is_path",
]


class PathNotFound(LookupError):
    """A definite path that matches nothing in the document."""

    def __init__(self, path: str, detail: str = ""):
        self.path = path
        super().__init__(detail or f"No results for path: {path}")


_MISSING = object()
_FUNCTIONS = ("length", "size", "min", "max", "avg", "sum", "keys", "first", "last", "stddev")


# ---------------------------------------------------------------- syntax tree


@dataclass(frozen=True)
class Path:
    """A parsed path: `root` is "$", "$$" or a variable name; `segments` a tuple of segment tuples.

    Segments: ("name", (names...)), ("merge", (names...)), ("index", (ints...)), ("slice", start, stop), ("wild",),
    ("filter", expr), ("deep", segment), ("func", name).
    """

    text: str
    root: str
    segments: tuple

    @property
    def is_variable(self) -> bool:
        return self.root not in ("$", "$$")

    @property
    def definite(self) -> bool:
        return all(_segment_definite(s) for s in self.segments)

    @property
    def is_reference(self) -> bool:
        return all(s[0] in ("name", "index") and len(s[1]) == 1 for s in self.segments)


def _segment_definite(seg: tuple) -> bool:
    kind = seg[0]
    if kind in ("name", "index", "merge"):
        return len(seg[1]) == 1 or kind == "merge"
    return kind == "func"


class _Scanner:
    def __init__(self, text: str, pos: int = 0):
        self.text = text
        self.pos = pos

    def peek(self, n: int = 1) -> str:
        return self.text[self.pos:self.pos + n]

    def eof(self) -> bool:
        return self.pos >= len(self.text)

    def skip_ws(self) -> None:
        while not self.eof() and self.text[self.pos].isspace():
            self.pos += 1

    def expect(self, s: str) -> None:
        if not self.text.startswith(s, self.pos):
            raise self.error(f"expected '{s}'")
        self.pos += len(s)

    def error(self, msg: str) -> ValueError:
        return ValueError(f"Invalid JSONPath '{self.text}': {msg} at position {self.pos}")


_NAME_STOP = set(".[]()'\",")
_VAR_RE = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_INT_RE = re.compile(r"-?\d+")
_NUM_RE = re.compile(r"-?\d+(\.\d+)?([eE][+-]?\d+)?")


def parse(path: str) -> Path:
    """Parse a path; raise ValueError with a clear message when it is not a valid JSONPath."""
    if not isinstance(path, str):
        raise ValueError(f"Invalid JSONPath: expected a string, got {type(path).__name__}")
    if not path.startswith("$"):
        raise ValueError(f"Invalid JSONPath '{path}': a path must start with '$'")
    sc = _Scanner(path, 1)
    if sc.peek() == "$":
        root = "$$"
        sc.pos += 1
    else:
        m = _VAR_RE.match(path, 1)
        if m:
            root = m.group(0)
            sc.pos = m.end()
        else:
            root = "$"
    segments = _parse_segments(sc, stop=None)
    if not sc.eof():
        raise sc.error(f"unexpected '{sc.peek()}'")
    return Path(path, root, tuple(segments))


def _parse_segments(sc: _Scanner, stop: set | None) -> list:
    segments: list = []
    while not sc.eof():
        ch = sc.peek()
        if stop is not None and (ch in stop or ch.isspace()):
            break
        if sc.peek(2) == "..":
            sc.pos += 2
            if sc.peek() == "[":
                inner = _parse_bracket(sc)
            elif sc.peek() == "*":
                sc.pos += 1
                inner = ("wild",)
            else:
                inner = ("name", (_read_name(sc, stop),))
            segments.append(("deep", inner))
        elif ch == ".":
            sc.pos += 1
            if sc.peek() == "*":
                sc.pos += 1
                segments.append(("wild",))
            elif sc.peek() == "[":
                segments.append(_parse_bracket(sc))  # Jayway tolerates "$.[0]"
            else:
                name = _read_name(sc, stop)
                if sc.peek(2) == "()":
                    if name not in _FUNCTIONS:
                        raise sc.error(f"unknown function '{name}()'")
                    sc.pos += 2
                    segments.append(("func", name))
                else:
                    segments.append(("name", (name,)))
        elif ch == "[":
            segments.append(_parse_bracket(sc))
        else:
            raise sc.error(f"unexpected '{ch}'")
    for seg in segments[:-1]:
        if seg[0] == "func":
            raise sc.error("a function must be the last segment")
    if stop is None and segments and segments[-1][0] == "name" and len(segments[-1][1]) > 1:
        # Jayway: several quoted names as the last segment merge into one object (a definite path).
        segments[-1] = ("merge", segments[-1][1])
    return segments


def _read_name(sc: _Scanner, stop: set | None = None) -> str:
    start = sc.pos
    while not sc.eof():
        ch = sc.text[sc.pos]
        if ch in _NAME_STOP or ch.isspace() or (stop is not None and ch in stop):
            break
        sc.pos += 1
    if sc.pos == start:
        raise sc.error("expected a property name")
    return sc.text[start:sc.pos]


def _read_quoted(sc: _Scanner) -> str:
    quote = sc.peek()
    sc.pos += 1
    out = []
    while True:
        if sc.eof():
            raise sc.error("unterminated string")
        ch = sc.text[sc.pos]
        if ch == "\\" and sc.pos + 1 < len(sc.text):
            out.append(sc.text[sc.pos + 1])
            sc.pos += 2
            continue
        sc.pos += 1
        if ch == quote:
            return "".join(out)
        out.append(ch)


def _parse_bracket(sc: _Scanner) -> tuple:
    sc.expect("[")
    sc.skip_ws()
    ch = sc.peek()
    if ch == "?":
        sc.pos += 1
        sc.skip_ws()
        sc.expect("(")
        expr = _FilterParser(sc).parse_or()
        sc.skip_ws()
        sc.expect(")")
        seg: tuple = ("filter", expr)
    elif ch == "*":
        sc.pos += 1
        seg = ("wild",)
    elif ch in ("'", '"'):
        names = [_read_quoted(sc)]
        sc.skip_ws()
        while sc.peek() == ",":
            sc.pos += 1
            sc.skip_ws()
            if sc.peek() not in ("'", '"'):
                raise sc.error("expected a quoted property name")
            names.append(_read_quoted(sc))
            sc.skip_ws()
        seg = ("name", tuple(names))
    else:
        seg = _parse_index_or_slice(sc)
    sc.skip_ws()
    sc.expect("]")
    return seg


def _parse_index_or_slice(sc: _Scanner) -> tuple:
    def read_int() -> int | None:
        sc.skip_ws()
        m = _INT_RE.match(sc.text, sc.pos)
        if not m:
            return None
        sc.pos = m.end()
        sc.skip_ws()
        return int(m.group(0))

    first = read_int()
    if sc.peek() == ":":
        sc.pos += 1
        second = read_int()
        if sc.peek() == ":":
            raise sc.error("slice steps are not supported")
        return ("slice", first, second)
    if first is None:
        raise sc.error("expected an index, a slice, a quoted name, '*' or a filter")
    indexes = [first]
    while sc.peek() == ",":
        sc.pos += 1
        nxt = read_int()
        if nxt is None:
            raise sc.error("expected an index")
        indexes.append(nxt)
    return ("index", tuple(indexes))


# ---------------------------------------------------------------- filters

_CMP_OPS = ("==", "!=", "<=", ">=", "<", ">", "=~")


class _FilterParser:
    """Filter expressions: ||, &&, !, parentheses, comparisons, `in`/`nin`, and existence tests."""

    def __init__(self, sc: _Scanner):
        self.sc = sc

    def parse_or(self) -> tuple:
        left = self.parse_and()
        while True:
            self.sc.skip_ws()
            if self.sc.peek(2) != "||":
                return left
            self.sc.pos += 2
            left = ("or", left, self.parse_and())

    def parse_and(self) -> tuple:
        left = self.parse_not()
        while True:
            self.sc.skip_ws()
            if self.sc.peek(2) != "&&":
                return left
            self.sc.pos += 2
            left = ("and", left, self.parse_not())

    def parse_not(self) -> tuple:
        self.sc.skip_ws()
        if self.sc.peek() == "!" and self.sc.peek(2) != "!=":
            self.sc.pos += 1
            return ("not", self.parse_not())
        return self.parse_cmp()

    def parse_cmp(self) -> tuple:
        sc = self.sc
        sc.skip_ws()
        if sc.peek() == "(":
            sc.pos += 1
            inner = self.parse_or()
            sc.skip_ws()
            sc.expect(")")
            return inner
        left = self.parse_operand()
        sc.skip_ws()
        for op in _CMP_OPS:
            if sc.peek(len(op)) == op:
                sc.pos += len(op)
                sc.skip_ws()
                if op == "=~":
                    return ("cmp", op, left, self.parse_regex())
                return ("cmp", op, left, self.parse_operand())
        for word in ("nin", "in"):
            if re.match(rf"{word}\b", sc.text[sc.pos:]):
                sc.pos += len(word)
                sc.skip_ws()
                return ("cmp", word, left, self.parse_operand())
        if left[0] != "path":
            raise sc.error("expected a comparison operator")
        return ("exists", left)

    def parse_regex(self) -> tuple:
        sc = self.sc
        if sc.peek() != "/":
            raise sc.error("expected a /regex/")
        end = sc.text.find("/", sc.pos + 1)
        while end != -1 and sc.text[end - 1] == "\\":
            end = sc.text.find("/", end + 1)
        if end == -1:
            raise sc.error("unterminated regex")
        pattern = sc.text[sc.pos + 1:end]
        sc.pos = end + 1
        flags = 0
        while sc.peek() in ("i", "m", "s"):
            flags |= {"i": re.I, "m": re.M, "s": re.S}[sc.peek()]
            sc.pos += 1
        try:
            return ("lit", re.compile(pattern, flags))
        except re.error as exc:
            raise sc.error(f"invalid regex: {exc}") from None

    def parse_operand(self) -> tuple:
        sc = self.sc
        sc.skip_ws()
        ch = sc.peek()
        if ch in ("@", "$"):
            start = sc.pos
            sc.pos += 1
            if ch == "$" and sc.peek() == "$":
                sc.pos += 1
            segs = _parse_segments(sc, stop={")", " ", "=", "!", "<", ">", "&", "|", ","})
            return ("path", ch, tuple(segs), sc.text[start:sc.pos])
        if ch in ("'", '"'):
            return ("lit", _read_quoted(sc))
        if ch == "[":
            sc.pos += 1
            items = []
            sc.skip_ws()
            while sc.peek() != "]":
                items.append(self.parse_operand()[1])
                sc.skip_ws()
                if sc.peek() == ",":
                    sc.pos += 1
                    sc.skip_ws()
                elif sc.peek() != "]":
                    raise sc.error("expected ',' or ']'")
            sc.pos += 1
            return ("lit", items)
        for word, value in (("true", True), ("false", False), ("null", None)):
            if sc.text.startswith(word, sc.pos):
                sc.pos += len(word)
                return ("lit", value)
        m = _NUM_RE.match(sc.text, sc.pos)
        if m:
            sc.pos = m.end()
            text = m.group(0)
            return ("lit", float(text) if any(c in text for c in ".eE") else int(text))
        raise sc.error("expected a filter operand")


def _filter_value(operand: tuple, current: Any, root: Any) -> Any:
    if operand[0] == "lit":
        return operand[1]
    _, base, segs, _text = operand
    start = current if base == "@" else root
    matches = _walk(start, segs)
    if _all_definite(segs):
        return matches[0] if matches else _MISSING
    return matches


def _all_definite(segs: tuple) -> bool:
    return all(_segment_definite(s) for s in segs)


def _eval_filter(expr: tuple, current: Any, root: Any) -> bool:
    kind = expr[0]
    if kind == "or":
        return _eval_filter(expr[1], current, root) or _eval_filter(expr[2], current, root)
    if kind == "and":
        return _eval_filter(expr[1], current, root) and _eval_filter(expr[2], current, root)
    if kind == "not":
        return not _eval_filter(expr[1], current, root)
    if kind == "exists":
        value = _filter_value(expr[1], current, root)
        return value is not _MISSING and value != []
    _, op, lop, rop = expr
    left = _filter_value(lop, current, root)
    right = _filter_value(rop, current, root)
    if left is _MISSING or right is _MISSING:
        return op == "!=" and not (left is _MISSING and right is _MISSING)
    if op == "==":
        return json_equal(left, right)
    if op == "!=":
        return not json_equal(left, right)
    if op == "=~":
        return isinstance(left, str) and bool(right.fullmatch(left))
    if op in ("in", "nin"):
        found = isinstance(right, list) and any(json_equal(left, r) for r in right)
        return found if op == "in" else not found
    if is_number(left) and is_number(right) or isinstance(left, str) and isinstance(right, str):
        return {"<": left < right, "<=": left <= right, ">": left > right, ">=": left >= right}[op]
    return False


# ---------------------------------------------------------------- evaluation


def _walk(value: Any, segments: tuple, root: Any = _MISSING) -> list:
    """All matches of `segments` from `value` (Jayway: absent names in indefinite paths are skipped)."""
    if root is _MISSING:
        root = value
    current = [value]
    for seg in segments:
        nxt: list = []
        for node in current:
            _apply(seg, node, root, nxt)
        current = nxt
    return current


def _apply(seg: tuple, node: Any, root: Any, out: list) -> None:
    kind = seg[0]
    if kind == "name":
        if isinstance(node, dict):
            if len(seg[1]) == 1:
                if seg[1][0] in node:
                    out.append(node[seg[1][0]])
            else:
                for name in seg[1]:
                    if name in node:
                        out.append(node[name])
    elif kind == "merge":
        if isinstance(node, dict):
            out.append({name: node[name] for name in seg[1] if name in node})
    elif kind == "index":
        if isinstance(node, list):
            for i in seg[1]:
                j = i + len(node) if i < 0 else i
                if 0 <= j < len(node):
                    out.append(node[j])
    elif kind == "slice":
        if isinstance(node, list):
            n = len(node)
            start, stop = seg[1], seg[2]
            start = 0 if start is None else (max(n + start, 0) if start < 0 else min(start, n))
            stop = n if stop is None else (max(n + stop, 0) if stop < 0 else min(stop, n))
            out.extend(node[start:stop])
    elif kind == "wild":
        if isinstance(node, dict):
            out.extend(node.values())
        elif isinstance(node, list):
            out.extend(node)
    elif kind == "filter":
        if isinstance(node, list):
            out.extend(item for item in node if _eval_filter(seg[1], item, root))
        elif isinstance(node, dict) and _eval_filter(seg[1], node, root):
            out.append(node)
    elif kind == "deep":
        _deep(seg[1], node, root, out)
    elif kind == "func":
        result = _function(seg[1], node)
        if result is not _MISSING:
            out.append(result)


def _deep(inner: tuple, node: Any, root: Any, out: list) -> None:
    _apply(inner, node, root, out)
    if isinstance(node, dict):
        children = list(node.values())
    elif isinstance(node, list):
        children = list(node)
    else:
        return
    for child in children:
        if isinstance(child, dict | list):
            _deep(inner, child, root, out)


def _function(name: str, node: Any) -> Any:
    if name in ("length", "size"):
        if isinstance(node, list | dict | str):
            return len(node)
        return _MISSING
    if name == "keys":
        return list(node.keys()) if isinstance(node, dict) else _MISSING
    if not isinstance(node, list):
        return _MISSING
    if name in ("first", "last"):
        return (node[0] if name == "first" else node[-1]) if node else _MISSING
    nums = [x for x in node if is_number(x)]
    if not nums:
        return _MISSING
    if name == "min":
        return float(min(nums))
    if name == "max":
        return float(max(nums))
    if name == "sum":
        return float(sum(nums))
    mean = sum(nums) / len(nums)
    if name == "avg":
        return float(mean)
    return math.sqrt(sum((x - mean) ** 2 for x in nums) / len(nums))


def _fragment(seg: tuple) -> str:
    if seg[0] == "name":
        return "[" + ",".join(f"'{n}'" for n in seg[1]) + "]"
    if seg[0] == "index":
        return "[" + ",".join(str(i) for i in seg[1]) + "]"
    return "[*]"


def _check_definite_prefix(parsed: Path, data: Any) -> None:
    """Jayway raises, even for an indefinite path, when its definite prefix breaks before the leaf."""
    node = data
    shown = "$" if parsed.root == "$" else ("$$" if parsed.root == "$$" else "$" + parsed.root)
    segments = parsed.segments
    for i, seg in enumerate(segments):
        if seg[0] not in ("name", "index") or len(seg[1]) != 1:
            return
        leaf = i == len(segments) - 1
        if seg[0] == "name":
            if not isinstance(node, dict):
                raise PathNotFound(parsed.text, f"Expected to find an object with property {_fragment(seg)} "
                                                f"in path {shown} but found '{_java_class(node)}'. This is not "
                                                f"a json object according to the JsonProvider")
            if seg[1][0] not in node:
                if leaf:
                    raise PathNotFound(parsed.text, f"No results for path: {shown}{_fragment(seg)}")
                raise PathNotFound(parsed.text, f"Missing property in path {shown}{_fragment(seg)}")
            node = node[seg[1][0]]
        else:
            if not isinstance(node, list):
                raise PathNotFound(parsed.text, f"Filter: {_fragment(seg)} can only be applied to arrays. "
                                                f"Current context is: {json.dumps(node)}")
            j = seg[1][0] + len(node) if seg[1][0] < 0 else seg[1][0]
            if not 0 <= j < len(node):
                raise PathNotFound(parsed.text, f"No results for path: {shown}{_fragment(seg)}")
            node = node[j]
        shown += _fragment(seg)


def _java_class(value: Any) -> str:
    if isinstance(value, list):
        return "net.minidev.json.JSONArray"
    if isinstance(value, str):
        return "java.lang.String"
    if isinstance(value, bool):
        return "java.lang.Boolean"
    if isinstance(value, int):
        return "java.lang.Integer"
    if isinstance(value, float):
        return "java.lang.Double"
    return "null"


def _evaluate(parsed: Path, data: Any) -> Any:
    _check_definite_prefix(parsed, data)
    matches = _walk(data, parsed.segments)
    if parsed.definite:
        if not matches:
            raise PathNotFound(parsed.text)
        return matches[0]
    return matches


def select(path: str | Path, data: Any) -> Any:
    """Evaluate `path` (rooted at `$`) against `data` with Jayway semantics."""
    parsed = path if isinstance(path, Path) else parse(path)
    return _evaluate(parsed, data)


def resolve(path: str | Path, input: Any, context: dict | None, variables: dict | None) -> Any:
    """Evaluate a path on the input (`$`), the context object (`$$`) or a variable (`$name`)."""
    parsed = path if isinstance(path, Path) else parse(path)
    if parsed.root == "$":
        doc = input
    elif parsed.root == "$$":
        doc = context if context is not None else {}
    else:
        variables = variables or {}
        if parsed.root not in variables:
            raise PathNotFound(parsed.text, f"Variable '{parsed.root}' is not defined")
        doc = variables[parsed.root]
    return _evaluate(parsed, doc)


def is_path(value: Any) -> bool:
    """True when `value` is a string that parses as a JSONPath (any root)."""
    if not isinstance(value, str):
        return False
    try:
        parse(value)
    except ValueError:
        return False
    return True


def is_reference_path(path: Any) -> bool:
    """True for a path that names one node: only single names and single indexes, any root."""
    if not isinstance(path, str):
        return False
    try:
        return parse(path).is_reference
    except ValueError:
        return False


def _compact(value: Any) -> str:
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False)


def set_path(data: Any, path: str, value: Any) -> Any:
    """Return a new document with `value` placed at reference path `path` (ResultPath semantics).

    `$` replaces the document; missing object members along the way are created; stepping
    through anything that is not an object (or an array with that index) raises
    StatesError("States.ResultPathMatchFailure").
    """
    parsed = parse(path)
    if parsed.root != "$" or not parsed.is_reference:
        raise ValueError(f"'{path}' is not a valid ResultPath (a reference path on '$')")
    if not parsed.segments:
        return copy.deepcopy(value)

    def failure() -> StatesError:
        return StatesError(
            "States.ResultPathMatchFailure",
            f"Unable to apply ReferencePath {path} to input {_compact(data)}",
        )

    result = copy.deepcopy(data)
    node = result
    segments = parsed.segments
    for i, seg in enumerate(segments):
        last = i == len(segments) - 1
        key: Any = seg[1][0]
        if seg[0] == "name":
            if not isinstance(node, dict):
                raise failure()
            if last:
                node[key] = copy.deepcopy(value)
            else:
                if key not in node:
                    node[key] = {}
                node = node[key]
        else:
            if not isinstance(node, list):
                raise failure()
            j = key + len(node) if key < 0 else key
            if not 0 <= j < len(node):
                raise failure()
            if last:
                node[j] = copy.deepcopy(value)
            else:
                node = node[j]
    return result
