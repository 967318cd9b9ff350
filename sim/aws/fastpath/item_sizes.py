"""moto's item sizes, computed without copying: the same numbers, the same errors.

moto measures items everywhere — on every write (400 KB limit), for every query and scan result
(1 MB pages) — and `DynamoType.size()` of a map measures `DynamoType(child).size()`: a full copy
of each child's subtree at every level. `Item.__init__` stores attributes through
`LimitedSizeDict.__setitem__`, which re-measures the whole item before each insert: O(n²) per
item built, and moto builds one for every put and every copy.

Installed:
- `DynamoType.size` walks the value itself; for a map's child it measures what
  `DynamoType(child)` would hold (a child given as a plain `{type: value}` dict is read the way
  moto's constructor reads it), so the number is moto's.
- `Item.__init__` converts and stores the attributes in the same order and raises
  `ItemSizeTooLarge` at the same attribute: before the insert that would make the running total
  (key bytes + value size of every attribute so far, what `LimitedSizeDict` recomputes each
  time) exceed moto's limit.
`tests/aws/test_fastpath_items.py` (hypothesis) compares both with moto's on random values.
"""

from __future__ import annotations

_originals: dict[str, object] = {}
_SETS = ("SS", "NS", "BS")
LIMIT = 405000   # LimitedSizeDict's


def _bytesize(value) -> int:
    return len(value if isinstance(value, bytes) else value.encode("utf-8"))


def _scalar(type_: str, value) -> int:
    """`DynamoType.size()` of a value that is neither a set, a list nor a map."""
    if type_ == "N":
        return len(str(value))
    if isinstance(value, bool):
        return 1
    return _bytesize(value)


def _copied(child) -> int:
    """`DynamoType(child).size()`: the size of the copy moto's constructor would make."""
    if isinstance(child, dict):
        type_, value = list(child)[0], list(child.values())[0]
    else:   # a DynamoType (moto's own class or the slotted one, `slotted_types`)
        type_, value = child.type, child.value
    if type_ == "L":
        return sum([_copied(v) for v in value])
    if type_ == "M":
        return sum([_bytesize(k) + _copied(v) for k, v in value.items()])
    if type_ in _SETS:
        sub = type_[0]
        return sum([_scalar(sub, v) for v in value])
    return _scalar(type_, value)


def size(self) -> int:
    """`DynamoType.size`, without the copies."""
    type_, value = self.type, self.value
    if type_ == "N":
        return len(str(value))
    if type_ in _SETS:
        sub = type_[0]
        return sum([_scalar(sub, v) for v in value])
    if type_ == "L":
        return sum([v.size() for v in value])
    if type_ == "M":
        return sum([_bytesize(k) + _copied(v) for k, v in value.items()])
    if isinstance(value, bool):
        return 1
    return _bytesize(value)


def item_init(self, hash_key, range_key, attrs) -> None:
    """`Item.__init__`, measuring each attribute once."""
    from moto.dynamodb.exceptions import ItemSizeTooLarge
    from moto.dynamodb.models.dynamo_type import DynamoType, LimitedSizeDict

    self.hash_key = hash_key
    self.range_key = range_key
    self.attrs = stored = LimitedSizeDict()
    total = 0
    for key, value in attrs.items():
        typed = DynamoType(value)
        added = _bytesize(key) + typed.size()
        if total + added > LIMIT:
            raise ItemSizeTooLarge
        dict.__setitem__(stored, key, typed)
        total += added


def install() -> None:
    """Idempotent."""
    if _originals:
        return
    from moto.dynamodb.models.dynamo_type import DynamoType, Item

    _originals.update(size=DynamoType.__dict__["size"], init=Item.__dict__["__init__"])
    DynamoType.size = size
    Item.__init__ = item_init


def uninstall() -> None:
    if not _originals:
        return
    from moto.dynamodb.models.dynamo_type import DynamoType, Item

    DynamoType.size = _originals.pop("size")
    Item.__init__ = _originals.pop("init")


def installed() -> bool:
    return bool(_originals)
