"""Expected values: literals, subsets and matchers."""

from decimal import Decimal

import pytest

from sim.scenario.matchers import MISSING, mismatch


@pytest.mark.parametrize("expected,actual", [
    (960, Decimal("960")), ("confirmed", "confirmed"), ({"gte": 1}, 3), ({"in": ["a", "b"]}, "b"),
    ({"exists": False}, MISSING), ({"exists": True}, 0), ({"contains": "sig"}, "bad signature"),
    ({"regex": "^pi_"}, "pi_123"), ({"approx": 9.6}, 9.6000001), ({"a": 1}, {"a": 1, "b": 2}),
    ({"lt": 5, "gt": 1}, 3), ({"len": 2}, [1, 2]), ([1, {"x": 1}], [1, {"x": 1, "y": 2}]), (12, "12"),
    (True, True), ({"ne": "failed"}, "succeeded"), ({"not_in": [1]}, 2),
])
def test_matches(expected, actual):
    assert mismatch(expected, actual) is None


@pytest.mark.parametrize("expected,actual,words", [
    (960, 961, "expected 960, got 961"), ("confirmed", MISSING, "got (missing)"), ({"gte": 2}, 1, "gte 2"),
    ({"exists": False}, "x", "absent"), ({"a": 1}, {"a": 2}, "a: expected 1, got 2"), (True, 1, "expected True"),
    ({"contains": "x"}, 5, "contains"), ([1], [1, 2], "expected [1]"), ({"gt": 1}, "a", "gt 1"),
])
def test_mismatches_say_why(expected, actual, words):
    reason = mismatch(expected, actual)
    assert reason is not None and words in reason
