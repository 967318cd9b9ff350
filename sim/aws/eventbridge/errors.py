"""Errors of event patterns: `InvalidEventPattern` (AWS's message) and the internal parse errors."""

from __future__ import annotations

from sim.errors import InputError

_PREFIX = "Event pattern is not valid. Reason: "


class InvalidEventPattern(InputError):
    """A pattern AWS would reject (InvalidEventPatternException); ``str()`` is AWS's message."""

    def __init__(self, reason: str):
        self.reason = reason
        super().__init__(_PREFIX + reason)


class _ParseError(Exception):
    """Jackson's JsonParseException: the message already carries its location."""


class _IllegalArgument(Exception):
    """Java's IllegalArgumentException escaping the compiler: reported without a location."""
