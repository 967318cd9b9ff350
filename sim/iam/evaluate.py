"""IAM policy evaluation for identity-based policies, with AWS's logic.

`evaluate(statements, action, resource, context) -> Decision`: an explicit Deny in any applicable
statement wins; otherwise an applicable Allow allows; otherwise the request is implicitly denied.
A statement applies when its `Action` (or `NotAction`) matches the action, its `Resource` (or
`NotResource`) matches the resource and every condition in its `Condition` block holds.

Matching follows the policy grammar: `*` matches any run of characters and `?` exactly one;
action names are case-insensitive, resource ARNs case-sensitive. Conditions: the String*, Arn*,
Numeric*, Bool and Null operators, the `IfExists` suffix and the `ForAnyValue:`/`ForAllValues:`
set qualifiers; several operators, or several keys under one operator, must all hold, several
values for one key are alternatives (for a negated operator: none may match). A key absent from
the request makes a positive operator false and a negated one true (IfExists: true). An operator
outside that list raises `UnsupportedCondition` rather than being ignored.

Why not moto's `IAMPolicy` (moto/iam/access_control.py, moto 5): it has no `NotResource` (a
statement with one is treated like a trust policy and applies to every resource), it turns an
Allow whose condition fails into an explicit deny, supports only StringEquals (others are
ignored, i.e. pass), passes a condition whose key is missing, has no `?` wildcard, compiles
patterns as unescaped regular expressions and compares actions case-sensitively. The tests run
it side by side on the cases where it is right (tests/iam/test_evaluate.py).
"""

from __future__ import annotations

import enum
import functools
import re
from collections.abc import Iterable, Mapping
from typing import Any


class Decision(enum.Enum):
    ALLOW = "allow"
    IMPLICIT_DENY = "implicit-deny"
    EXPLICIT_DENY = "explicit-deny"

    @property
    def allowed(self) -> bool:
        return self is Decision.ALLOW


class UnsupportedCondition(ValueError):
    """A condition operator this evaluator does not implement (never silently ignored)."""


@functools.lru_cache(maxsize=4096)
def _pattern(glob: str, ignore_case: bool) -> re.Pattern:
    parts = []
    for ch in glob:
        parts.append(".*" if ch == "*" else "." if ch == "?" else re.escape(ch))
    return re.compile("".join(parts), re.DOTALL | (re.IGNORECASE if ignore_case else 0))


def glob_match(pattern: str, value: str, *, ignore_case: bool = False) -> bool:
    """AWS policy wildcards: `*` any run of characters (also none), `?` exactly one."""
    return _pattern(pattern, ignore_case).fullmatch(value) is not None


def _as_list(value: Any) -> list:
    if value is None:
        return []
    return list(value) if isinstance(value, (list, tuple)) else [value]


def action_matches(patterns: Any, action: str) -> bool:
    return any(glob_match(str(p), action, ignore_case=True) for p in _as_list(patterns))


def resource_matches(patterns: Any, resource: str) -> bool:
    return any(glob_match(str(p), resource) for p in _as_list(patterns))


# -- conditions ---------------------------------------------------------------------------------
def _num(v: Any) -> float | None:
    try:
        return float(v)
    except (TypeError, ValueError):
        return None


def _arn_like(pattern: str, value: str) -> bool:
    # ARN operators compare the six colon-separated parts; a wildcard never crosses a part boundary
    want, got = str(pattern).split(":", 5), str(value).split(":", 5)
    if len(want) != len(got):
        return False
    return all(glob_match(w, g) for w, g in zip(want, got, strict=True))


_COMPARE = {
    "StringEquals": lambda want, got: str(want) == str(got),
    "StringEqualsIgnoreCase": lambda want, got: str(want).lower() == str(got).lower(),
    "StringLike": lambda want, got: glob_match(str(want), str(got)),
    "ArnEquals": _arn_like,
    "ArnLike": _arn_like,
    "NumericEquals": lambda want, got: _num(got) is not None and _num(got) == _num(want),
    "NumericLessThan": lambda want, got: _num(got) is not None and _num(want) is not None and _num(got) < _num(want),
    "NumericLessThanEquals": lambda want, got: _num(got) is not None and _num(want) is not None
    and _num(got) <= _num(want),
    "NumericGreaterThan": lambda want, got: _num(got) is not None and _num(want) is not None
    and _num(got) > _num(want),
    "NumericGreaterThanEquals": lambda want, got: _num(got) is not None and _num(want) is not None
    and _num(got) >= _num(want),
    "Bool": lambda want, got: str(want).lower() == str(got).lower(),
}
_NEGATED = {
    "StringNotEquals": "StringEquals",
    "StringNotEqualsIgnoreCase": "StringEqualsIgnoreCase",
    "StringNotLike": "StringLike",
    "ArnNotEquals": "ArnEquals",
    "ArnNotLike": "ArnLike",
    "NumericNotEquals": "NumericEquals",
}


def _parse_operator(op: str) -> tuple[str | None, str, bool]:
    qualifier = None
    for q in ("ForAnyValue:", "ForAllValues:"):
        if op.startswith(q):
            qualifier, op = q[:-1], op[len(q):]
    if_exists = op.endswith("IfExists") and op != "IfExists"
    if if_exists:
        op = op[: -len("IfExists")]
    if op not in _COMPARE and op not in _NEGATED and op != "Null":
        raise UnsupportedCondition(f"condition operator {op!r} is not supported by the simulator's evaluator")
    return qualifier, op, if_exists


def _key_holds(op: str, qualifier: str | None, if_exists: bool, wanted: list, present: bool, got: list) -> bool:
    if op == "Null":
        want_null = str(wanted[0]).lower() == "true" if wanted else True
        return (not present) == want_null
    if not present:
        if qualifier == "ForAllValues":
            return True            # vacuously true over an empty set
        return if_exists or op in _NEGATED
    negated = op in _NEGATED
    base = _COMPARE[_NEGATED.get(op, op)]

    def one(value: Any) -> bool:
        hit = any(base(w, value) for w in wanted)
        return not hit if negated else hit

    if qualifier == "ForAllValues":
        return all(one(v) for v in got)
    return any(one(v) for v in got)   # single-valued keys, and ForAnyValue


def conditions_hold(block: Mapping[str, Any] | None, context: Mapping[str, Any]) -> bool:
    """Whether a statement's Condition block holds for the request context (keys are case-insensitive)."""
    if not block:
        return True
    lowered = {str(k).lower(): v for k, v in context.items()}
    for op, keys in block.items():
        qualifier, base_op, if_exists = _parse_operator(op)
        for key, wanted in (keys or {}).items():
            present = key.lower() in lowered and lowered[key.lower()] is not None
            got = _as_list(lowered.get(key.lower())) if present else []
            if not _key_holds(base_op, qualifier, if_exists, _as_list(wanted), present, got):
                return False
    return True


# -- statements and policies --------------------------------------------------------------------
def statement_applies(statement: Mapping[str, Any], action: str, resource: str,
                      context: Mapping[str, Any] | None = None) -> bool:
    if "NotAction" in statement:
        if action_matches(statement["NotAction"], action):
            return False
    elif not action_matches(statement.get("Action"), action):
        return False
    if "NotResource" in statement:
        if resource_matches(statement["NotResource"], resource):
            return False
    elif not resource_matches(statement.get("Resource"), resource):
        return False
    return conditions_hold(statement.get("Condition"), context or {})


def statements_of(policy: Any) -> list[Mapping[str, Any]]:
    """A policy document, a list of statements or one statement, as a list of statements."""
    if isinstance(policy, Mapping) and "Statement" in policy:
        policy = policy["Statement"]
    return _as_list(policy)


def evaluate(policy: Any, action: str, resource: str, context: Mapping[str, Any] | None = None) -> Decision:
    """The decision for one request against an identity-based policy (or its statements)."""
    allowed = False
    for statement in statements_of(policy):
        if statement_applies(statement, action, resource, context):
            if statement.get("Effect") == "Deny":
                return Decision.EXPLICIT_DENY
            if statement.get("Effect") == "Allow":
                allowed = True
    return Decision.ALLOW if allowed else Decision.IMPLICIT_DENY


def allowing_grants(policy: Any, action: str, resource: str,
                    context: Mapping[str, Any] | None = None) -> Iterable[tuple[int, str, str]]:
    """(statement index, action pattern, resource pattern) of every Allow grant that matches:
    what a request uses, for the granted-but-unused report."""
    for i, statement in enumerate(statements_of(policy)):
        if statement.get("Effect") != "Allow" or "NotAction" in statement or "NotResource" in statement:
            continue
        if not statement_applies(statement, action, resource, context):
            continue
        for a in _as_list(statement.get("Action")):
            if glob_match(str(a), action, ignore_case=True):
                for r in _as_list(statement.get("Resource")):
                    if glob_match(str(r), resource):
                        yield i, str(a), str(r)
