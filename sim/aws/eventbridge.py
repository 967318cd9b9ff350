"""EventBridge for the world: pattern matching (re-exported from event_pattern) and the router."""

from sim.aws.event_pattern import InvalidEventPattern, matches, validate_pattern

__all__ = ["InvalidEventPattern", "matches", "validate_pattern"]
