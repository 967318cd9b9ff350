"""One `sim serve` per test module (a subprocess on free ports); tests read its catalogue."""

from __future__ import annotations

import pytest

from tests.serve.serving import serving


@pytest.fixture(scope="module")
def served():
    with serving() as s:
        yield s


@pytest.fixture(scope="module")
def catalogue(served):
    return served.state()["entities"]
