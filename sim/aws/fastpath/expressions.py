"""Parsed DynamoDB expressions, cached: moto lexes every ConditionExpression, FilterExpression
and UpdateExpression again on every call, and the handlers send the same few hundred strings
over and over.

What is cached depends on nothing but the expression string: the token stream of a condition
(moto then builds and checks its tree against each call's names and values), and the syntax tree
of an update expression (moto's validator deep-copies that tree before it substitutes names,
values and the item, and only reads the original), so errors and results are moto's. Parse
errors are not cached (they raise again). The
caches are bounded (an expression the size of a storm's ids would otherwise grow them forever).
"""

from __future__ import annotations

from collections import deque
from functools import lru_cache

_originals: dict[str, object] = {}
MAX_ENTRIES = 4096


def install() -> None:
    """Idempotent: moto's condition lexer and update-expression parser become cached."""
    if _originals:
        return
    from moto.dynamodb.comparisons import ConditionExpressionParser
    from moto.dynamodb.parsing.expressions import UpdateExpressionParser

    lex_condition = ConditionExpressionParser._lex_condition_expression
    make = UpdateExpressionParser.make.__func__
    _originals["condition"] = lex_condition
    _originals["update"] = UpdateExpressionParser.__dict__["make"]

    @lru_cache(maxsize=MAX_ENTRIES)
    def condition_tokens(expression: str) -> tuple:
        probe = ConditionExpressionParser.__new__(ConditionExpressionParser)
        probe.condition_expression = expression
        return tuple(lex_condition(probe))

    @lru_cache(maxsize=MAX_ENTRIES)
    def update_tree(expression: str):
        return make(UpdateExpressionParser, expression)

    def cached_lex(self):
        return deque(condition_tokens(self.condition_expression))

    def cached_make(cls, expression_str):
        if cls is not UpdateExpressionParser or not isinstance(expression_str, str):
            return make(cls, expression_str)
        return update_tree(expression_str)

    ConditionExpressionParser._lex_condition_expression = cached_lex
    UpdateExpressionParser.make = classmethod(cached_make)


def uninstall() -> None:
    if not _originals:
        return
    from moto.dynamodb.comparisons import ConditionExpressionParser
    from moto.dynamodb.parsing.expressions import UpdateExpressionParser

    ConditionExpressionParser._lex_condition_expression = _originals.pop("condition")
    UpdateExpressionParser.make = _originals.pop("update")


def installed() -> bool:
    return bool(_originals)
