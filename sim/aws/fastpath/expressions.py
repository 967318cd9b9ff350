"""Parsed DynamoDB expressions, cached: moto lexes every ConditionExpression, FilterExpression
and UpdateExpression again on every call, and the handlers send the same few hundred strings
over and over.

What is cached is the token stream of an expression string, which depends on nothing but the
string; moto still builds and validates its syntax tree against each call's names, values and
item, so errors and results are moto's. Lexer errors are not cached (they raise again). The
caches are bounded (an expression the size of a storm's ids would otherwise grow them forever).
"""

from __future__ import annotations

from collections import deque
from functools import lru_cache

_originals: dict[str, object] = {}
MAX_ENTRIES = 4096


def install() -> None:
    """Idempotent: moto's two lexers become cached."""
    if _originals:
        return
    from moto.dynamodb.comparisons import ConditionExpressionParser
    from moto.dynamodb.parsing.tokens import ExpressionTokenizer

    lex_condition = ConditionExpressionParser._lex_condition_expression
    make_list = ExpressionTokenizer.make_list.__func__
    _originals["condition"] = lex_condition
    _originals["update"] = ExpressionTokenizer.__dict__["make_list"]

    @lru_cache(maxsize=MAX_ENTRIES)
    def condition_tokens(expression: str) -> tuple:
        probe = ConditionExpressionParser.__new__(ConditionExpressionParser)
        probe.condition_expression = expression
        return tuple(lex_condition(probe))

    @lru_cache(maxsize=MAX_ENTRIES)
    def update_tokens(expression: str) -> tuple:
        return tuple(make_list(ExpressionTokenizer, expression))

    def cached_lex(self):
        return deque(condition_tokens(self.condition_expression))

    def cached_make_list(cls, input_expression_str):
        assert isinstance(input_expression_str, str)
        return list(update_tokens(input_expression_str))

    ConditionExpressionParser._lex_condition_expression = cached_lex
    ExpressionTokenizer.make_list = classmethod(cached_make_list)


def uninstall() -> None:
    if not _originals:
        return
    from moto.dynamodb.comparisons import ConditionExpressionParser
    from moto.dynamodb.parsing.tokens import ExpressionTokenizer

    ConditionExpressionParser._lex_condition_expression = _originals.pop("condition")
    ExpressionTokenizer.make_list = _originals.pop("update")


def installed() -> bool:
    return bool(_originals)
