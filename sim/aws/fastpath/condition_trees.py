"""moto's condition trees, cached by what they are built from: a ConditionExpression (or
FilterExpression) with its ExpressionAttributeNames and ExpressionAttributeValues.

moto builds the tree of `Op`s again on every conditional call (paths, functions, comparators,
booleans, then checks), and the handlers send a handful of expressions with values that repeat
(a booking's status, a webhook's event id while it is retried): on a storm about four calls in
five build a tree an earlier call already built.

Sharing a tree is safe because moto only reads it: `expr(item)` and `get_type(item)` of every
`Op`, `Func`, `AttributePath` and `AttributeValue` look at the item and return a new value or an
immutable one (a string, a Decimal made on each call, a new set, list or dict), and no caller
keeps or changes what the tree returns.

The key is the expression and the `repr` of the names and values the expression's last parse
looked up, not of the whole dicts: a call's ExpressionAttributeValues also hold its update's
values (timestamps, ids, messages), which no condition reads, and keyed on those four trees in
ten were built again. That key is sound because moto's parser reads the names and values only
through `_lookup_expression_attribute_name` and `_lookup_expression_attribute_value`, and is
otherwise a function of the expression: two calls with the same expression whose dicts agree on
every entry the first one looked up make the same look-ups, in the same order, with the same
results, and build the same tree. A call that lacks one of those entries is parsed as before,
uncached. Equal reprs of dicts, lists and strings are equal contents; the tree is built from a
private deep copy, so a caller changing its dicts later changes no cached tree. A hit also gives
the parser the names and values the tree used (`expr_attr_names_found`, `expr_attr_values_found`:
moto's responses check that every name and value given was used). Parse errors are not cached
(they raise again); parameters of other types than dicts are parsed as before. The cache is
bounded (least recently used out first).

A state guard (`#amount = :v0 AND #charge = :v1 AND attribute_not_exists(#refund) …`) carries
values that are new on every call, and a tree of fifteen clauses takes moto a millisecond to
build. So each tree is also kept as a template, keyed by the expression, the names it read and
the types of the values it read (each value's keys), and a call that matches a template gets the
template's tree with each placeholder's `AttributeValue` built anew from its own value (only
the objects on the way from the root to a placeholder are new: the rest is the template's,
shared as whole trees are; the result is not kept: on a storm those values are seldom seen again, and keeping the copies
filled the cache with guards of fifteen clauses, ~9 MiB at 400 bookings, that were never hit).
That is the tree moto would build: its parser reads a value only where `_make_operand` makes the
`AttributeValue(value)` of an `:placeholder` node (moto's comparisons.py, line 853), and what
the tree's constructors read of an `AttributeValue` is its type (`FuncBetween`'s NULL check):
nothing else about the parse depends on the values, so the look-ups, nodes, checks, errors and
names and values found are the template's.
"""

from __future__ import annotations

import copy
import json
from collections import OrderedDict

MAX_TREES = 512  # a 100-booking storm hits as often with 256 as with 4096 (78 %)

_originals: dict[str, object] = {}
_trees: OrderedDict = OrderedDict()
_reads: OrderedDict = OrderedDict()   # expression -> (names, values) its last parse looked up
_templates: OrderedDict = OrderedDict()   # (expression, names read, value types) -> template


def _plain(parser) -> bool:
    return (type(parser.expression_attribute_names) in (dict, type(None))
            and type(parser.expression_attribute_values) in (dict, type(None)))


def _key(expression: str, names: dict | None, values: dict | None, reads: tuple) -> tuple | None:
    """The expression with the entries it reads (`reads`: the name and value keys, in the order
    they were looked up), or None when one of them is not given."""
    read_names, read_values = reads
    try:
        return (expression, repr([(k, names[k]) for k in read_names]),
                repr([(k, values[k]) for k in read_values]))
    except (KeyError, TypeError):
        return None


def _shape(expression: str, names: dict | None, values: dict | None, reads: tuple) -> tuple | None:
    """The template key: the expression, the names it reads and the keys (types) of the values
    it reads, or None when one is not given or a value is not a dict."""
    read_names, read_values = reads
    try:
        types = [(k, tuple(values[k])) for k in read_values if type(values[k]) is dict]
        if len(types) != len(read_values):
            return None
        return expression, repr([(k, names[k]) for k in read_names]), repr(types)
    except (KeyError, TypeError):
        return None


def _parsed_privately(parse, parser) -> tuple:
    """(tree, names found, values found, reads, placeholders) from a parse of `parser`'s
    expression that looks its names and values up in private copies of the caller's entries
    (made once per entry, when first looked up) and records which it looked up, and which
    `AttributeValue` of the tree each `:placeholder` made (id -> (the value's key, the object))."""
    from moto.dynamodb.comparisons import ConditionExpressionParser

    private = ConditionExpressionParser(parser.condition_expression, parser.expression_attribute_names,
                                        parser.expression_attribute_values)
    read_names: dict[str, object] = {}
    read_values: dict[str, object] = {}
    placeholders: dict[int, tuple] = {}

    def name(key):
        if key not in read_names:
            read_names[key] = _private(ConditionExpressionParser._lookup_expression_attribute_name(private, key))
        return read_names[key]

    def value(key):
        if key not in read_values:
            read_values[key] = _private(ConditionExpressionParser._lookup_expression_attribute_value(private, key))
        return read_values[key]

    def make_operand(node):
        made = ConditionExpressionParser._make_operand(private, node)
        if node.kind == ConditionExpressionParser.Kind.EXPRESSION_ATTRIBUTE_VALUE:
            placeholders[id(made)] = (node.text, made)
        return made

    private._lookup_expression_attribute_name, private._lookup_expression_attribute_value = name, value
    private._make_operand = make_operand
    op = parse(private)
    return (op, tuple(private.expr_attr_names_found), tuple(private.expr_attr_values_found),
            (tuple(read_names), tuple(read_values)), placeholders)


def _from_template(template: tuple, values: dict) -> tuple:
    """(tree, names found, values found): the template's tree with every placeholder's
    `AttributeValue` made from `values` (a private copy of each, as moto would make it)."""
    from moto.dynamodb.comparisons import AttributeValue

    op, placeholders, leading, names_found, values_found = template
    copies: dict[str, object] = {}
    memo: dict[int, object] = {}
    for ident, (key, _made) in placeholders.items():
        if key not in copies:
            copies[key] = _private(values[key])
        memo[ident] = AttributeValue(copies[key])
    return _rebuilt(op, memo, leading), names_found, values_found


def _template(op, placeholders: dict, names_found: tuple, values_found: tuple) -> tuple:
    """What `_from_template` needs: the tree, its placeholders, and the ids of the objects on the
    way from its root to them (the only ones a copy needs anew)."""
    leading: set[int] = set()
    _mark(op, placeholders, leading, set())
    return op, placeholders, frozenset(leading), names_found, values_found


def _mark(value, targets: dict, leading: set, seen: set) -> bool:
    """Whether `value` is or holds one of `targets`; adds the ids of those that hold one."""
    ident = id(value)
    if ident in targets:
        return True
    if ident in seen or type(value) in _ATOMS:
        return ident in leading
    seen.add(ident)
    if type(value) in (list, tuple):
        parts = value
    elif _plain_condition_object(value):
        parts = list(value.__dict__.values())
    else:
        return False
    found = False
    for part in parts:
        found = _mark(part, targets, leading, seen) or found
    if found:
        leading.add(ident)
    return found


def _rebuilt(value, memo: dict, leading: frozenset):
    """`value` with the objects in `leading` made anew (and those in `memo` replaced); every
    other object is the template's own, shared as whole cached trees are (moto only reads them)."""
    known = memo.get(id(value))
    if known is not None:
        return known
    if id(value) not in leading:
        return value
    cls = type(value)
    if cls is list or cls is tuple:
        new_seq = cls(_rebuilt(v, memo, leading) for v in value)
        memo[id(value)] = new_seq
        return new_seq
    new = object.__new__(cls)
    memo[id(value)] = new
    new.__dict__.update({k: _rebuilt(v, memo, leading) for k, v in value.__dict__.items()})
    return new


def _plain_condition_object(value) -> bool:
    """An object of moto's comparisons module whose state is its `__dict__` (no copy hooks)."""
    cls = type(value)
    return cls.__module__ == "moto.dynamodb.comparisons" and hasattr(value, "__dict__") \
        and not hasattr(value, "__deepcopy__") and not hasattr(cls, "__slots__")


_ATOMS = frozenset((str, int, float, bool, type(None), bytes))


def _private(value):
    """A deep copy of request data (JSON-shaped: a JSON round trip, else copy.deepcopy)."""
    if value is None or type(value) is str:
        return value
    try:
        copied = json.loads(json.dumps(value))
    except (TypeError, ValueError):
        return copy.deepcopy(value)
    return copied if copied == value else copy.deepcopy(value)


def _bounded(cache: OrderedDict, key, value) -> None:
    cache[key] = value
    cache.move_to_end(key)
    if len(cache) > MAX_TREES:
        cache.popitem(last=False)


def install() -> None:
    """Idempotent: ConditionExpressionParser.parse answers from the cache when it can."""
    if _originals:
        return
    from moto.dynamodb.comparisons import ConditionExpressionParser

    parse = ConditionExpressionParser.__dict__["parse"]
    _originals["parse"] = parse

    def cached_parse(self):
        expression = self.condition_expression
        if not expression or not _plain(self):
            return parse(self)
        names, values = self.expression_attribute_names, self.expression_attribute_values
        reads = _reads.get(expression)
        key = _key(expression, names, values, reads) if reads is not None else None
        hit = _trees.get(key) if key is not None else None
        if hit is None:
            shape = _shape(expression, names, values, reads) if key is not None else None
            template = _templates.get(shape) if shape is not None else None
            if template is not None:   # not kept: a guard's values are seldom seen twice
                _templates.move_to_end(shape)
                hit = _from_template(template, values)
            else:
                op, names_found, values_found, reads, placeholders = _parsed_privately(parse, self)
                hit = (op, names_found, values_found)
                _bounded(_reads, expression, reads)
                key = _key(expression, names, values, reads)
                shape = _shape(expression, names, values, reads)
                if shape is not None:
                    _bounded(_templates, shape, _template(op, placeholders, names_found, values_found))
                if key is not None:
                    _bounded(_trees, key, hit)
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
    _reads.clear()
    _templates.clear()


def installed() -> bool:
    return bool(_originals)
