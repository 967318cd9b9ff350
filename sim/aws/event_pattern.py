"""Moved to the `sim.aws.eventbridge` package (lexer, compiler, values, matcher); these names stay
importable from here."""

from sim.aws.eventbridge.errors import InvalidEventPattern
from sim.aws.eventbridge.matcher import EventPattern, compile_pattern, matches, validate_pattern

__all__ = ["EventPattern", "InvalidEventPattern", "compile_pattern", "matches", "validate_pattern"]
