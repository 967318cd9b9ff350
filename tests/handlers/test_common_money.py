"""handlers.common.money: the 8 % fee, its rounding, and amount parsing."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from handlers.common import money


def test_fee_of_the_design_example():
    assert money.split(12000) == money.FeeSplit(12000, 960, 11040)


@pytest.mark.parametrize("amount, fee", [(1, 0), (6, 0), (7, 1), (12345, 988), (99, 8), (50, 4), (0, 0)])
def test_fee_rounds_half_up_to_the_cent(amount, fee):
    assert money.platform_fee(amount) == fee


def test_half_up_with_another_percent():
    assert money.platform_fee(25, "10") == 3      # 2.5 → 3 (half-even would give 2)
    assert money.platform_fee(15, "10") == 2      # 1.5 → 2


@given(st.integers(min_value=1, max_value=money.MAX_AMOUNT))
def test_split_sums_to_amount_and_never_ties(amount):
    s = money.split(amount)
    assert s.platform_fee + s.provider_earnings == amount
    assert (amount * 8) % 100 != 50               # so rounding mode cannot matter at 8 %
    assert s.platform_fee == round(amount * 8 / 100)


def test_prorated():
    assert money.prorated(6000, 12000, 960) == 480
    assert money.prorated(1, 3, 2) == 1
    assert money.prorated(5, 0, 100) == 0


@pytest.mark.parametrize("bad", [0, -5, 1.5, "12a", None, True, [], 10**9])
def test_parse_amount_rejects(bad):
    with pytest.raises(ValueError):
        money.parse_amount(bad)


def test_parse_amount_and_currency_accept():
    assert money.parse_amount("1200") == 1200
    assert money.parse_amount(5.0) == 5
    assert money.parse_currency("USD") == "usd"
    with pytest.raises(ValueError):
        money.parse_currency("dollars")
