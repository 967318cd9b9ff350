"""Errors shared across the harness: bad input (exit status 2) that names where it came from."""

from __future__ import annotations


class InputError(ValueError):
    """Bad input from a user: a scenario, an ASL file, a CLI argument, a payload.

    `where` is "file:line" (or just a file, or an argument name) and `field` a dotted path;
    `str()` renders "where: field: message" so every message names its origin.
    """

    def __init__(self, message: str, *, where: str | None = None, field: str | None = None):
        self.message = message
        self.where = where
        self.field = field
        super().__init__(self.render())

    def render(self) -> str:
        parts = [p for p in (self.where, self.field) if p]
        return ": ".join([*parts, self.message])


class BackendUnreachable(InputError):
    """An AWS endpoint URL that does not answer."""


class UnknownName(InputError):
    """A name we do not model (an operation, event type, fault kind…); the message lists the supported ones."""

    def __init__(self, what: str, name: str, supported):
        self.supported = sorted(supported)
        super().__init__(f"unknown {what} {name!r}; supported: {', '.join(self.supported)}", field=what)
