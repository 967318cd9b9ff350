"""Compiled patterns and matching: events flattened to dotted leaf paths (arrays of objects
crushed out) and matched with ruler's array consistency; the public `matches`, `validate_pattern`,
`compile_pattern`."""

from __future__ import annotations

import functools
import itertools
import json
from decimal import Decimal
from typing import Any

from sim.aws.eventbridge.compiler import Branch, _check_complexity, _Compiler
from sim.aws.eventbridge.errors import InvalidEventPattern, _IllegalArgument, _ParseError
from sim.aws.eventbridge.values import _Leaf
from sim.errors import InputError

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
