"""The SDK retry policy the world applies to faulted calls."""

import random

from botocore.config import Config
from hypothesis import given
from hypothesis import strategies as st

from sim.aws.sdk_retry import RetryPolicy, policy_for


def ctx(**retries):
    return {"client_config": Config(retries=retries) if retries else None}


def test_defaults_follow_botocore():
    assert policy_for(ctx(mode="standard"), "dynamodb").max_attempts == 4
    assert policy_for(ctx(mode="standard"), "sns").max_attempts == 3
    assert policy_for(ctx(mode="legacy"), "dynamodb").max_attempts == 10
    assert policy_for(ctx(mode="legacy"), "sns").max_attempts == 5
    assert policy_for(ctx(mode="standard", total_max_attempts=1), "dynamodb").max_attempts == 1
    assert policy_for(ctx(mode="standard", max_attempts=2), "sqs").max_attempts == 3


def test_retryable_codes_and_statuses():
    p = RetryPolicy("standard", 3, "dynamodb")
    assert p.retryable("ProvisionedThroughputExceededException", 400)
    assert p.retryable("ThrottlingException", 400)
    assert p.retryable("InternalServerError", 500)
    assert not p.retryable("ConditionalCheckFailedException", 400)
    assert not p.retryable("ValidationException", 400)


@given(st.integers(1, 10), st.integers(0, 2**32))
def test_standard_backoff_is_bounded_and_jittered(attempt, seed):
    p = RetryPolicy("standard", 10, "dynamodb")
    throttled = p.delay(attempt, "ThrottlingException", random.Random(seed))
    assert 0 <= throttled <= min(2 ** (attempt - 1), 20)
    transient = p.delay(attempt, "InternalServerError", random.Random(seed))
    assert 0 <= transient <= min(0.025 * 2 ** (attempt - 1), 20)


def test_legacy_dynamodb_backoff_is_fixed_base():
    p = RetryPolicy("legacy", 10, "dynamodb")
    assert [p.delay(n, "ThrottlingException", random.Random(0)) for n in (1, 2, 3)] == [0.05, 0.1, 0.2]


def test_the_private_botocore_attributes_it_relies_on_exist():
    """A botocore upgrade that removes one fails here, naming what to update."""
    from sim.aws import sdk_retry

    for owner, name in sdk_retry.PRIVATE_ATTRIBUTES:
        value = sdk_retry.private(owner, name)  # raises ImportError with the message below if gone
        assert value, f"botocore's {owner.__name__}.{name} is empty"
    assert {"throttling_base_scale", "non_throttling_base_scale"} <= set(sdk_retry._BACKOFF)
    assert "ThrottlingException" in sdk_retry.THROTTLING_CODES and 503 in sdk_retry.TRANSIENT_STATUSES


def test_a_missing_private_attribute_fails_with_a_clear_message():
    import pytest

    from sim.aws import sdk_retry

    class Renamed:
        pass

    with pytest.raises(ImportError, match=r"botocore's private Renamed\._GONE.*update sim/aws/sdk_retry.py"):
        sdk_retry.private(Renamed, "_GONE")
