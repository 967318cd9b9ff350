import pytest

from sim.world import World


@pytest.fixture
def world():
    with World(seed=1, stripe=False) as w:
        yield w
