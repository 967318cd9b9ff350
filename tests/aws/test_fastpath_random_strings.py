"""`fastpath.random_strings` draws moto's random strings as moto does: the same string and the
same generator state afterwards, for any seed, length and flags."""

import pytest
from hypothesis import given
from hypothesis import strategies as st
from moto.moto_api._internal.moto_random import MotoRandom

from sim.aws.fastpath import random_strings


@pytest.fixture(autouse=True)
def installed():
    was = random_strings.installed()
    random_strings.install()
    yield
    (random_strings.install if was else random_strings.uninstall)()


def drawn(method, seed, length, digits, lower, calls=3):
    rng = MotoRandom(seed)
    strings = [method(rng, length, digits, lower) for _ in range(calls)]
    return strings, rng.getstate()


@given(seed=st.integers(0, 2**64), length=st.integers(0, 80), digits=st.booleans(), lower=st.booleans())
def test_the_same_strings_and_the_same_state_as_motos(seed, length, digits, lower):
    assert drawn(random_strings.get_random_string, seed, length, digits, lower) == \
        drawn(random_strings._originals["get_random_string"], seed, length, digits, lower)


def test_installed_on_motos_generator_with_its_defaults():
    from moto.moto_api._internal import mock_random

    assert type(mock_random).get_random_string is random_strings.get_random_string
    mine, theirs = MotoRandom(7), MotoRandom(7)
    assert mine.get_random_string(length=52) == random_strings._originals["get_random_string"](theirs, length=52)
    assert len(mine.get_random_string()) == 20


def test_a_generator_with_its_own_choice_keeps_motos_method():
    class Fixed(MotoRandom):
        def choice(self, seq):
            return seq[0]
    assert Fixed(1).get_random_string(length=4) == "aaaa"


def test_another_way_of_drawing_would_be_caught():
    """The comparison above can fail: `choices` draws from `random()`, not `_randbelow`."""
    def by_choices(rng, length, digits, lower):
        import string
        return "".join(rng.choices(string.ascii_letters + (string.digits if digits else ""), k=length))
    assert drawn(by_choices, 3, 52, True, False) != \
        drawn(random_strings._originals["get_random_string"], 3, 52, True, False)
