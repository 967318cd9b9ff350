"""moto's `DynamoType` with `__slots__`: a stored attribute value costs 48 bytes, not 88.

moto keeps every attribute value of every item as a `DynamoType` (a `type` and a `value`, maps
and lists of them nested), and a plain class's instances carry a dictionary: a storm's tables
hold ~40 of them per webhook delivery, a sixth of what a storm keeps. Installed, the name
`DynamoType` in moto's modules (and any other module that imported it) is bound to a class with
the same methods, bases and name and `__slots__ = ("type", "value")`; every `DynamoType` moto
creates from then on is slotted. `type(x) is DynamoType` checks and `isinstance` read the module
global at call time, so they see the slotted class. The swap happens between worlds
(`fastpath.configure`), when moto's state has been reset with the previous world's mock; values
of the other class still reachable (a test keeping one across worlds) are accepted by the
slotted class's `__init__` as moto's own accepts its own. Uninstalled, the names are bound back.
"""

from __future__ import annotations

import sys

_state: dict[str, type] = {}


def _slotted(original: type) -> type:
    namespace = {k: v for k, v in vars(original).items() if k not in ("__dict__", "__weakref__")}
    namespace["__slots__"] = ("type", "value")
    init = original.__init__

    def __init__(self, type_as_dict):
        if type(type_as_dict) is original:   # a value made before the swap: copy it as moto copies its own
            self.type, self.value = type_as_dict.type, type_as_dict.value
            if self.is_list():
                self.value = [cls(val) for val in self.value]
            elif self.is_map():
                self.value = {k: cls(v) for k, v in self.value.items()}
            return
        init(self, type_as_dict)

    namespace["__init__"] = __init__
    cls = type(original.__name__, original.__bases__, namespace)
    cls.__qualname__ = original.__qualname__
    return cls


def _rebind(old: type, new: type) -> None:
    """Every module global bound to `old` is bound to `new` (moto's modules import the name)."""
    for module in list(sys.modules.values()):
        namespace = getattr(module, "__dict__", None)
        if not isinstance(namespace, dict):
            continue
        for name, value in list(namespace.items()):
            if value is old:
                namespace[name] = new


def install() -> None:
    """Idempotent."""
    if _state:
        return
    from moto.dynamodb.models import dynamo_type

    original = dynamo_type.DynamoType
    slotted = _slotted(original)
    _state.update(original=original, slotted=slotted)
    _rebind(original, slotted)


def uninstall() -> None:
    if not _state:
        return
    _rebind(_state["slotted"], _state["original"])
    _state.clear()


def installed() -> bool:
    return bool(_state)
