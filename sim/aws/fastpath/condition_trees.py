"""moto's condition trees, cached by what they are built from: a ConditionExpression (or
FilterExpression) with its ExpressionAttributeNames and ExpressionAttributeValues.

moto builds the tree of `Op`s again on every conditional call (paths, functions, comparators,
booleans, then checks), and the handlers send a handful of expressions with values that repeat
(a booking's status, a webhook's event id while it is retried): on a storm about four calls in
five build a tree an earlier call already built.

Sharing a tree is safe because moto only reads it: `expr(item)` and `get_type(item)` of every
`Op`, `Func`, `AttributePath` and `AttributeValue` look at the item and return a new value or an
immutable one (a string, a Decimal made on each call, a new set, list or dict), and no caller
keeps or changes what the tree returns. The key is the expression and the `repr` of the names
and values (equal reprs of dicts, lists and strings are equal contents); the tree is built from a
private deep copy, so a caller changing its dicts later changes no cached tree. A hit also gives
the parser the names and values the tree used (`expr_attr_names_found`, `expr_attr_values_found`:
moto's responses check that every name and value given was used). Parse errors are not cached
(they raise again); parameters of other types than dicts are parsed as before. The cache is
bounded (least recently used out first).
"""

from __future__ import annotations

import copy
import json
from collections import OrderedDict

MAX_TREES = 512  # a 100-booking storm hits as often with 256 as with 4096 (78 %)

_originals: dict[str, object] = {}
_trees: OrderedDict = OrderedDict()


def _key(parser) -> tuple | None:
    names, values = parser.expression_attribute_names, parser.expression_attribute_values
    if type(names) not in (dict, type(None)) or type(values) not in (dict, type(None)):
        return None
    return parser.condition_expression, repr(names), repr(values)


def _private(value):
    """A deep copy of request data (JSON-shaped: a JSON round trip, else copy.deepcopy)."""
    if value is None:
        return None
    try:
        copied = json.loads(json.dumps(value))
    except (TypeError, ValueError):
        return copy.deepcopy(value)
    return copied if copied == value else copy.deepcopy(value)


def install() -> None:
    """Idempotent: ConditionExpressionParser.parse answers from the cache when it can."""
    if _originals:
        return
    from moto.dynamodb.comparisons import ConditionExpressionParser

    parse = ConditionExpressionParser.__dict__["parse"]
    _originals["parse"] = parse

    def cached_parse(self):
        key = _key(self) if self.condition_expression else None
        if key is None:
            return parse(self)
        hit = _trees.get(key)
        if hit is None:
            private = ConditionExpressionParser(self.condition_expression,
                                                _private(self.expression_attribute_names),
                                                _private(self.expression_attribute_values))
            hit = (parse(private), tuple(private.expr_attr_names_found), tuple(private.expr_attr_values_found))
            _trees[key] = hit
            if len(_trees) > MAX_TREES:
                _trees.popitem(last=False)
        else:
            _trees.move_to_end(key)
        op, names_found, values_found = hit
        self.expr_attr_names_found.extend(names_found)
        self.expr_attr_values_found.extend(values_found)
        return op

    ConditionExpressionParser.parse = cached_parse


def uninstall() -> None:
    if not _originals:
        return
    from moto.dynamodb.comparisons import ConditionExpressionParser

    ConditionExpressionParser.parse = _originals.pop("parse")
    _trees.clear()


def installed() -> bool:
    return bool(_originals)
