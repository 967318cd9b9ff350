"""Ledger operations: the `@operation` decorator (atomic, locked, registered by name) and OpResult."""

from __future__ import annotations

import functools
from dataclasses import dataclass, field

# the registry of operations, filled by @operation (name -> method name)
OPERATIONS: dict[str, str] = {}


def operation(fn):
    """An atomic, locked ledger operation, listed in OPERATIONS for `Ledger.perform`."""
    OPERATIONS[fn.__name__] = fn.__name__

    @functools.wraps(fn)
    def wrapper(self, *args, **kwargs):
        with self.lock, self._atomic():
            return fn(self, *args, **kwargs)

    return wrapper


@dataclass
class OpResult:
    """What an operation produced: named objects (`result.payment_intent`) and its events, in order."""

    objects: dict[str, dict] = field(default_factory=dict)
    events: list[dict] = field(default_factory=list)

    def __getattr__(self, name: str):
        try:
            return self.__dict__["objects"][name]
        except KeyError:
            raise AttributeError(f"operation result has no object {name!r}; it has: "
                                 f"{', '.join(self.__dict__['objects']) or 'none'}") from None

    @property
    def types(self) -> list[str]:
        return [e["type"] for e in self.events]

    def event(self, event_type: str) -> dict:
        for e in self.events:
            if e["type"] == event_type:
                return e
        raise KeyError(f"no {event_type} event; produced: {', '.join(self.types) or 'none'}")


