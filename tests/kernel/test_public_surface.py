"""One public surface: `sim` exports what a user imports, and every package says what it offers."""

import importlib
import pkgutil

import sim


def test_every_exported_name_resolves_and_is_cached():
    for name in sim.__all__:
        assert getattr(sim, name) is not None, name
    assert sim.World.__module__ == "sim.world"
    assert sim.InputError is importlib.import_module("sim.errors").InputError


def test_every_package_has_a_docstring():
    missing = []
    for info in pkgutil.walk_packages(sim.__path__, "sim."):
        if info.ispkg:
            module = importlib.import_module(info.name)
            if not (module.__doc__ or "").strip():
                missing.append(info.name)
    assert not missing, f"packages without a docstring saying what they offer: {missing}"
