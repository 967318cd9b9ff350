"""Lazy package exports: names imported from their module on first use (PEP 562), so importing a
package (or one of its small modules) does not load everything it offers."""

from __future__ import annotations

import importlib
from collections.abc import Callable


def exports(package: str, namespace: dict, names: dict[str, str]) -> tuple[Callable, Callable]:
    """`__getattr__` and `__dir__` for a package exporting `names` ({name: module})."""

    def __getattr__(name: str):
        module = names.get(name)
        if module is None:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        value = getattr(importlib.import_module(module), name)
        namespace[name] = value
        return value

    def __dir__():
        return sorted(set(namespace) | set(names))

    return __getattr__, __dir__
