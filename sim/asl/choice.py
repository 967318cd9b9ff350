"""Choice rules of JSONPath-mode ASL: every comparison operator, its `...Path` form, type tests, And/Or/Not.

A type mismatch makes a comparison false; a `Variable` (or `...Path` comparand) that resolves to
nothing raises States.Runtime, except under IsPresent. `choose` returns the first matching rule's Next.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal
from typing import Any

from sim.asl import jsonpath
from sim.asl.errors import StatesError

__all__ = [
    "evaluate_rule",
    "choose",
    "parse_timestamp",
    "string_matches",
    "validate_pattern",
    "COMPARISONS",
    "TYPE_TESTS",
    "OPERATORS",
]

_KINDS = ("Equals", "LessThan", "GreaterThan", "LessThanEquals", "GreaterThanEquals")
_FAMILIES = ("String", "Numeric", "Timestamp")
COMPARISONS: dict[str, tuple[str, str]] = {f + k: (f, k) for f in _FAMILIES for k in _KINDS}
COMPARISONS["BooleanEquals"] = ("Boolean", "Equals")
PATH_COMPARISONS = {op + "Path": fam for op, fam in COMPARISONS.items()}
TYPE_TESTS = ("IsPresent", "IsNull", "IsNumeric", "IsString", "IsBoolean", "IsTimestamp")
OPERATORS: tuple[str, ...] = (*COMPARISONS, *PATH_COMPARISONS, "StringMatches", *TYPE_TESTS)
LOGICAL = ("And", "Or", "Not")

_TIMESTAMP_RE = re.compile(
    r"^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.(\d+))?(Z|[+-]\d{2}:\d{2})$"
)
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def parse_timestamp(value: Any) -> tuple[int, Decimal] | None:
    """An RFC3339 timestamp as Step Functions accepts it -> (epoch seconds, fraction); else None.

    Uppercase T and Z, seconds required, optional fraction, `Z` or a `+hh:mm` offset.
    """
    if not isinstance(value, str):
        return None
    m = _TIMESTAMP_RE.match(value)
    if not m:
        return None
    year, month, day, hour, minute, second = (int(g) for g in m.groups()[:6])
    zone = m.group(8)
    try:
        offset = timedelta(0) if zone == "Z" else timedelta(
            hours=int(zone[1:3]), minutes=int(zone[4:6])) * (1 if zone[0] == "+" else -1)
        if abs(offset) >= timedelta(hours=24):
            return None
        moment = datetime(year, month, day, hour, minute, second, tzinfo=timezone(offset))
    except ValueError:
        return None
    seconds = int((moment - _EPOCH).total_seconds())
    fraction = Decimal("0." + m.group(7)) if m.group(7) else Decimal(0)
    return seconds, fraction


def validate_pattern(pattern: str) -> str | None:
    """Why a StringMatches pattern is invalid (a backslash not before `*` or `\\`), or None."""
    i = 0
    while i < len(pattern):
        if pattern[i] == "\\":
            if i + 1 >= len(pattern) or pattern[i + 1] not in "*\\":
                return "an escape backslash must be followed by '*' or '\\'"
            i += 2
            continue
        i += 1
    return None


def _pattern_regex(pattern: str) -> re.Pattern:
    parts: list[str] = []
    i = 0
    while i < len(pattern):
        ch = pattern[i]
        if ch == "\\" and i + 1 < len(pattern):
            parts.append(re.escape(pattern[i + 1]))
            i += 2
            continue
        parts.append(".*" if ch == "*" else re.escape(ch))
        i += 1
    return re.compile("".join(parts), re.DOTALL)


def string_matches(value: str, pattern: str) -> bool:
    """`*` matches any run of characters (including none); `\\*` is a literal star, `\\\\` a backslash."""
    return _pattern_regex(pattern).fullmatch(value) is not None


def _is_number(v: Any) -> bool:
    return isinstance(v, int | float) and not isinstance(v, bool)


def _invalid_path(path: str) -> StatesError:
    return StatesError(
        "States.Runtime",
        f"Invalid path '{path}': The choice state's condition path references an invalid value.",
    )


def _lookup(path: str, input: Any, context: dict | None, variables: dict | None) -> Any:
    try:
        return jsonpath.resolve(path, input, context, variables)
    except (jsonpath.PathNotFound, ValueError):
        raise _invalid_path(path) from None


def _compare(family: str, kind: str, left: Any, right: Any) -> bool:
    if family == "String":
        if not (isinstance(left, str) and isinstance(right, str)):
            return False
        a, b = left.encode("utf-16-be"), right.encode("utf-16-be")  # Java orders by UTF-16 code unit
    elif family == "Numeric":
        if not (_is_number(left) and _is_number(right)):
            return False
        a, b = left, right
    elif family == "Boolean":
        return isinstance(left, bool) and isinstance(right, bool) and left == right
    else:
        a, b = parse_timestamp(left), parse_timestamp(right)
        if a is None or b is None:
            return False
    if kind == "Equals":
        return a == b
    if kind == "LessThan":
        return a < b
    if kind == "GreaterThan":
        return a > b
    if kind == "LessThanEquals":
        return a <= b
    return a >= b


def _type_test(op: str, value: Any) -> bool:
    if op == "IsNull":
        return value is None
    if op == "IsNumeric":
        return _is_number(value)
    if op == "IsString":
        return isinstance(value, str)
    if op == "IsBoolean":
        return isinstance(value, bool)
    return parse_timestamp(value) is not None


def _operator_of(rule: dict) -> str:
    found = [k for k in rule if k in OPERATORS or k in LOGICAL]
    if len(found) != 1:
        raise StatesError("States.Runtime", "A choice rule must have exactly one comparison operator, "
                          f"but found {len(found)}: {found}")
    return found[0]


def evaluate_rule(rule: dict, input: Any, context: dict | None, variables: dict | None) -> bool:
    """Evaluate one JSONPath-mode choice rule (recursively through And/Or/Not)."""
    op = _operator_of(rule)
    if op == "And":
        return all(evaluate_rule(r, input, context, variables) for r in rule["And"])
    if op == "Or":
        return any(evaluate_rule(r, input, context, variables) for r in rule["Or"])
    if op == "Not":
        return not evaluate_rule(rule["Not"], input, context, variables)
    variable = rule.get("Variable")
    if not isinstance(variable, str):
        raise StatesError("States.Runtime", f"The choice rule with operator '{op}' has no Variable")
    operand = rule[op]
    if op == "IsPresent":
        try:
            jsonpath.resolve(variable, input, context, variables)
            present = True
        except (jsonpath.PathNotFound, ValueError):
            present = False
        return present == operand
    value = _lookup(variable, input, context, variables)
    if op in TYPE_TESTS:
        return _type_test(op, value) == operand
    if op == "StringMatches":
        return isinstance(value, str) and isinstance(operand, str) and string_matches(value, operand)
    if op in PATH_COMPARISONS:
        family, kind = COMPARISONS[op[:-4]]
        operand = _lookup(operand, input, context, variables)
    else:
        family, kind = COMPARISONS[op]
    return _compare(family, kind, value, operand)


def choose(state: dict, input: Any, context: dict | None, variables: dict | None,
           evaluate_condition: Callable[[str], Any] | None = None) -> str | None:
    """The Next of the first matching rule of a Choice state, or None (caller: Default or NoChoiceMatched).

    JSONata rules (`Condition`) need `evaluate_condition(expression) -> value`; the value must be a boolean.
    """
    for rule in state.get("Choices", []):
        if "Condition" in rule:
            if evaluate_condition is None:
                raise ValueError("a JSONata Condition needs evaluate_condition")
            result = evaluate_condition(rule["Condition"])
            if not isinstance(result, bool):
                raise StatesError(
                    "States.QueryEvaluationError",
                    f"The Condition '{rule['Condition']}' returned a non-boolean result.",
                )
            matched = result
        else:
            matched = evaluate_rule(rule, input, context, variables)
        if matched:
            return rule["Next"]
    return None
