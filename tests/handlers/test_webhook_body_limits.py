"""Webhook body limits: 512 KiB counted in UTF-8 bytes, and deep nesting is a validation error
(non-retryable), never an InternalError, in both the authorizer and stripe-webhook."""

import json

import pytest

from handlers.common import webhook_body
from handlers.common.appsync import ValidationError

LIMIT = 512 * 1024


def _event(filler: str) -> str:
    return json.dumps({"id": "evt_big", "object": "event", "type": "customer.updated", "created": 1,
                       "data": {"object": {"id": "cus_1", "object": "customer", "metadata": {"note": filler}}}},
                      ensure_ascii=False)


def _deep(levels: int) -> str:
    return ('{"id": "evt_deep", "object": "event", "type": "customer.updated", "created": 1, '
            '"data": {"object": {"id": "cus_1", "metadata": ' + "[" * levels + "]" * levels + "}}}")


def _signed(hx, body):
    return hx.webhook_event(body, hx.sign(body))


def test_limit_counts_bytes_not_characters():
    two_byte = _event("é" * 300_000)  # 300k characters, 600k bytes
    assert len(two_byte) < LIMIT < len(two_byte.encode())
    assert webhook_body.too_large(two_byte)
    assert not webhook_body.too_large(_event("a" * 300_000))
    assert webhook_body.too_large("\ud800" * (LIMIT // 2))  # a lone surrogate still counts, never raises


def test_authorizer_denies_a_body_over_512_kib_of_bytes(hx):
    small = _event("a" * 300_000)
    assert hx.authorize({"stripe-signature": hx.sign(small)}, small)["isAuthorized"]
    big = _event("é" * 300_000)
    assert not hx.authorize({"stripe-signature": hx.sign(big)}, big)["isAuthorized"]


def test_stripe_webhook_refuses_a_body_over_512_kib_of_bytes(hx):
    with pytest.raises(ValidationError, match="payload too large"):
        hx.invoke("stripe-webhook", _signed(hx, _event("é" * 300_000)))


@pytest.mark.parametrize("levels", [200, 5000])
def test_deeply_nested_signed_body_is_a_validation_error(hx, levels):
    body = _deep(levels)
    before = hx.snapshot()
    with pytest.raises(ValidationError, match="nested deeper than 64 levels"):
        hx.invoke("stripe-webhook", _signed(hx, body))
    assert hx.snapshot() == before
    assert not hx.authorize({"stripe-signature": hx.sign(body)}, body)["isAuthorized"]


def test_nesting_within_the_limit_parses():
    assert webhook_body.parse("[" * 64 + "]" * 64) is not None
    with pytest.raises(webhook_body.TooDeep):
        webhook_body.parse("[" * 65 + "]" * 65)
