"""Test-suite settings shared by every package's tests.

Hypothesis: no per-example wall-clock deadline (the machine is small and CI may be loaded; speed
lives in `make bench`, never in tests) and no example database written into the tree.
"""

from hypothesis import settings

settings.register_profile("sim", deadline=None, database=None)
settings.load_profile("sim")
