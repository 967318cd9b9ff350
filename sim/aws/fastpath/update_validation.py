"""moto's UpdateExpression validation, with less repeated work: the same tree, the same errors.

For every UpdateItem moto deep-copies the expression's syntax tree and runs ten processors over
the copy, each a full depth-first traversal; three of them (action counts, overlapping paths,
key attributes) are quadratic in the number of actions, and the traversal itself rebuilds the
processor's type map at every node. Installed:

1. `DepthFirstTraverser.traverse` builds the processor's map once per traversal (every moto
   processor's `_processing_map` is a constant dict of its own bound methods, in a fixed order
   of node classes) and otherwise does exactly what `traverse_node_recursively` does, node by
   node, hook by hook: which processor takes a node (the first class of the map it is an
   instance of) is looked up once per (processor class, node class), and the child hook is not
   called where the processor has moto's empty one. A traverser class that overrides any of
   moto's traversal methods keeps moto's own.
2. The validator's copy of the tree is made by a copier for moto's `Node`s (a new instance of
   the node's class with its attributes copied, parents through the same memo) instead of
   `copy.deepcopy`'s generic reduce protocol; anything that is not a node, a list or an
   immutable atom is still `copy.deepcopy`'d.
3. The first three processors read only the tree, the ExpressionAttributeNames and the table's
   key attributes, and change nothing: once they have passed for a tree (the parsed tree of an
   expression string is cached and shared, `fastpath.expressions`) with those names and key
   attributes, later validations of it skip them. A failure is never remembered (it raises
   again). The memo is bounded and holds its trees, so a key (the tree's id) is never reused.
4. A tree validated again (a shared parsed tree) is copied by unpickling its pickled bytes, made
   the second time it is seen: C builds the same objects (pickle and `copy.deepcopy` both use the
   objects' reduce protocol; moto's nodes define no copy or pickle hooks) two to three times as
   fast as the copier. A tree seen once is copied by the copier; one that cannot be pickled keeps
   the copier. Bounded like the memo, and holding its trees for the same reason.

5. The last four processors take one traversal, not four. `NoneExistingPathChecker`,
   `TypeMismatchValidator` and `EmptyStringKeyValueValidator` only raise or hand back the node
   they were given, so when none raises the tree is what `ExecuteOperations` alone makes of it.
   Their checks are made during `ExecuteOperations`' traversal: a `NoneExistingPath` when it is
   visited (every node of the tree `NoneExistingPathChecker` would have seen is visited before
   anything replaces it), and each SET action once its children are done (`ExecuteOperations`
   replaces only the values below SET actions, so each one and its subtree are then as the two
   validators would have found them). The first error raised by any of them is not trusted to
   be the one moto would raise first: the validation is then run again, moto's way, on a new
   copy of the tree (the processors change nothing but the copy), and that error is raised.

`tests/aws/test_fastpath_update_validation.py` (hypothesis) runs random updates with this
installed and not and requires the same items, answers and errors.
"""

from __future__ import annotations

import copy
import pickle
from collections import OrderedDict

MAX_ENTRIES = 4096
_ATOMS = (str, int, float, bool, type(None), bytes)
_ATOM_TYPES = frozenset(_ATOMS)
_NODE = None   # moto's Node class, imported on first use
_originals: dict[str, object] = {}
_passed: OrderedDict = OrderedDict()   # (id(tree), names, key attributes) -> tree
_pickled: OrderedDict = OrderedDict()  # id(tree) -> (tree, its pickled bytes, or None when seen once)


def traverse(self, node):
    """`DepthFirstTraverser.traverse`, with the processing map built once and each node's class
    looked up once per processor class (which processor, if any, `isinstance` would pick)."""
    from moto.dynamodb.parsing.ast_nodes import DepthFirstTraverser

    cls = type(self)
    if (cls.traverse_node_recursively is not DepthFirstTraverser.traverse_node_recursively
            or cls.process is not DepthFirstTraverser.process
            or cls.nodes_to_be_processed is not DepthFirstTraverser.nodes_to_be_processed):
        return _originals["traverse"](self, node)
    processors = [processor for _, processor in self._processing_map().items()]
    picks = _picks.get(cls)
    if picks is None:
        picks = _picks[cls] = {}
    pre = None if cls.pre_processing_of_child is DepthFirstTraverser.pre_processing_of_child \
        else self.pre_processing_of_child

    def visit(node, child_id=-1):
        pick = picks.get(type(node), _UNKNOWN)
        if pick is _UNKNOWN:
            pick = _pick(self, type(node), picks)
        if pick is _NOT_A_NODE:
            return node
        parent_node = node.parent
        children = node.children
        if children is not None:
            for i, child_node in enumerate(children):
                if pre is not None:
                    pre(node, i)
                visit(child_node, i)
        if pick is not _UNPROCESSED:
            node = processors[pick](node)
            node.parent = parent_node
            if parent_node:
                parent_node.children[child_id] = node
        return node

    return visit(node)


_UNKNOWN, _NOT_A_NODE, _UNPROCESSED = object(), object(), object()
_picks: dict = {}   # processor class -> {node class: index of its processor | _UNPROCESSED | _NOT_A_NODE}


def _pick(processor, node_cls, picks: dict):
    """What moto's traversal does with a node of `node_cls`: not a Node (returned as it is), a
    Node no processor takes, or the index of the first processor whose class it is an instance of."""
    from moto.dynamodb.parsing.ast_nodes import Node

    if not issubclass(node_cls, Node):
        pick = _NOT_A_NODE
    else:
        pick = next((i for i, kind in enumerate(processor._processing_map()) if issubclass(node_cls, kind)),
                    _UNPROCESSED)
    picks[node_cls] = pick
    return pick


def clone(value, memo: dict):
    """`copy.deepcopy(value, memo)` for a tree of moto's `Node`s."""
    if type(value) in _ATOM_TYPES or isinstance(value, _ATOMS):
        return value
    known = memo.get(id(value))
    if known is not None:
        return known
    if isinstance(value, _node_class()) and not hasattr(value, "__deepcopy__"):
        new = object.__new__(type(value))
        memo[id(value)] = new
        attrs = new.__dict__
        for k, v in value.__dict__.items():
            attrs[k] = v if type(v) in _ATOM_TYPES else clone(v, memo)
        return new
    if type(value) is list:
        new_list: list = []
        memo[id(value)] = new_list
        new_list.extend([v if type(v) in _ATOM_TYPES else clone(v, memo) for v in value])
        return new_list
    return copy.deepcopy(value, memo)


def _node_class():
    global _NODE
    if _NODE is None:
        from moto.dynamodb.parsing.ast_nodes import Node

        _NODE = Node
    return _NODE


def validator_init(self, expression, expression_attribute_names, expression_attribute_values, item, table):
    """`Validator.__init__`, copying the tree with `clone` and remembering which tree it was."""
    self.expression_attribute_names = expression_attribute_names
    self.expression_attribute_values = expression_attribute_values
    self.item = item
    self.table = table
    self.processors = self.get_ast_processors()
    self.node_to_validate = copy_of(expression)
    self._sim_source = expression


def copy_of(tree):
    """A deep copy of `tree`: unpickled from its bytes when the tree was seen before, else `clone`."""
    entry = _pickled.get(id(tree))   # the entry holds its tree, so its id is this tree's
    if entry is None:
        _remember(tree, None)
        return clone(tree, {})
    _pickled.move_to_end(id(tree))
    data = entry[1]
    if data is None:
        try:
            data = pickle.dumps(tree, protocol=pickle.HIGHEST_PROTOCOL)
        except Exception:  # noqa: BLE001 - not picklable: the copier, always
            data = b""
        _remember(tree, data)
    return pickle.loads(data) if data else clone(tree, {})


def _remember(tree, data) -> None:
    _pickled[id(tree)] = (tree, data)
    if len(_pickled) > MAX_ENTRIES:
        _pickled.popitem(last=False)


def validate(self):
    """`UpdateExpressionValidator.validate`: the tree-only checks once per tree, names, keys."""
    from moto.dynamodb.parsing.validators import (
        ActionCountValidator,
        OverlappingPathsValidator,
        UpdateHashRangeKeyValidator,
    )

    processors = self.processors
    key = _memo_key(self)
    first = tuple(type(p) for p in processors[:3])
    if key is None or first != (ActionCountValidator, OverlappingPathsValidator, UpdateHashRangeKeyValidator):
        return _originals["validate"](self)
    n = self.node_to_validate
    skip = key in _passed
    if skip:
        _passed.move_to_end(key)
    last = processors[6:] if _fusable(processors[6:]) else None
    for i, processor in enumerate(processors):
        if i < 3 and skip:
            continue
        if i == 6 and last is not None:
            try:
                return _execute_and_check(*last, n)
            except Exception:  # noqa: BLE001 - moto's own run says which error comes first
                self.node_to_validate, self.processors = copy_of(self._sim_source), self.get_ast_processors()
                return _originals["validate"](self)
        n = processor.traverse(n)
        if i == 2 and not skip:
            _passed[key] = self._sim_source
            if len(_passed) > MAX_ENTRIES:
                _passed.popitem(last=False)
    return n


def _fusable(last) -> bool:
    """Whether the last four processors are exactly moto's, with moto's traversal."""
    from moto.dynamodb.parsing.validators import (
        EmptyStringKeyValueValidator,
        ExecuteOperations,
        NoneExistingPathChecker,
        TypeMismatchValidator,
    )

    return tuple(type(p) for p in last) == (NoneExistingPathChecker, ExecuteOperations, TypeMismatchValidator,
                                            EmptyStringKeyValueValidator) \
        and all(_plain_traversal(type(p)) for p in last)


def _plain_traversal(cls) -> bool:
    from moto.dynamodb.parsing.ast_nodes import DepthFirstTraverser

    return all(getattr(cls, name) is getattr(DepthFirstTraverser, name)
               for name in ("traverse_node_recursively", "process", "nodes_to_be_processed",
                            "pre_processing_of_child"))


def _execute_and_check(missing, execute, types, empty, node):
    """`ExecuteOperations`' traversal of `node` (as `traverse` makes it), raising what
    `NoneExistingPathChecker` would at a `NoneExistingPath` and checking each SET action with
    the two validators once its children are done."""
    from moto.dynamodb.parsing.ast_nodes import (
        NoneExistingPath,
        UpdateExpressionSetAction,
        UpdateExpressionValue,
    )

    def visit(node, child_id=-1):
        if not isinstance(node, _node_class()):
            return node
        if isinstance(node, NoneExistingPath):
            missing.raise_none_existing_path(node)
        parent_node = node.parent
        children = node.children
        if children is not None:
            for i, child_node in enumerate(children):
                visit(child_node, i)
        if isinstance(node, UpdateExpressionValue):
            node = execute.process_update_expression_value(node)
            node.parent = parent_node
            if parent_node:
                parent_node.children[child_id] = node
        elif isinstance(node, UpdateExpressionSetAction):
            types.check_for_type_mismatch(node)
            empty.check_for_empty_string_key_value(node)
        return node

    return visit(node)


def _memo_key(validator):
    source = getattr(validator, "_sim_source", None)
    if source is None:
        return None
    names = validator.expression_attribute_names
    try:
        names_key = None if names is None else tuple(sorted(names.items()))
        key = (id(source), names_key, tuple(validator.table.table_key_attrs))
        hash(key)
    except Exception:  # noqa: BLE001 - names moto would read otherwise: moto's path
        return None
    return key


def install() -> None:
    """Idempotent."""
    if _originals:
        return
    from moto.dynamodb.parsing.ast_nodes import DepthFirstTraverser
    from moto.dynamodb.parsing.validators import UpdateExpressionValidator, Validator

    _originals.update(traverse=DepthFirstTraverser.__dict__["traverse"], init=Validator.__dict__["__init__"],
                      validate=UpdateExpressionValidator.validate, own=UpdateExpressionValidator.__dict__.get("validate"))
    DepthFirstTraverser.traverse = traverse
    Validator.__init__ = validator_init
    UpdateExpressionValidator.validate = validate


def uninstall() -> None:
    if not _originals:
        return
    from moto.dynamodb.parsing.ast_nodes import DepthFirstTraverser
    from moto.dynamodb.parsing.validators import UpdateExpressionValidator, Validator

    DepthFirstTraverser.traverse = _originals.pop("traverse")
    Validator.__init__ = _originals.pop("init")
    own = _originals.pop("own")
    if own is None:
        del UpdateExpressionValidator.validate
    else:
        UpdateExpressionValidator.validate = own
    _originals.pop("validate")
    _passed.clear()
    _pickled.clear()


def installed() -> bool:
    return bool(_originals)
