"""The per-task environment swap: after any sequence of switches each task sees its function's
variables over the process's own, C code (getenv) sees what Python sees, and restoring gives
back the environment as it was."""

from __future__ import annotations

import ctypes
import os
from types import SimpleNamespace

from hypothesis import given, settings
from hypothesis import strategies as st

from sim.aws.environment import TaskEnvironment

KEYS = ["SIMTEST_A", "SIMTEST_B", "SIMTEST_C", "SIMTEST_D"]
_libc = ctypes.CDLL(None)
_libc.getenv.restype = ctypes.c_char_p

envs = st.dictionaries(st.sampled_from(KEYS), st.sampled_from(["x", "y", "z", "é"]), max_size=4)


def _c_getenv(key: str) -> str | None:
    raw = _libc.getenv(key.encode())
    return None if raw is None else raw.decode("utf-8", "surrogateescape")


@settings(max_examples=150, deadline=None)
@given(base=envs, tasks=st.lists(st.one_of(st.none(), envs), min_size=1, max_size=4),
       order=st.lists(st.integers(0, 3), max_size=12))
def test_each_task_sees_its_environment_and_restore_gives_the_original(base, tasks, order):
    for key in KEYS:
        os.environ.pop(key, None)
    os.environ.update(base)
    before = {k: os.environ.get(k) for k in KEYS}
    objects = [None if env is None else SimpleNamespace(env=env, meta={}) for env in tasks]
    swap = TaskEnvironment()
    try:
        for i in order:
            task = objects[i % len(objects)]
            swap.switch(task)
            overlay = task.env if task is not None else {}
            for key in KEYS:
                expected = overlay.get(key, before[key])
                assert os.environ.get(key) == expected
                assert _c_getenv(key) == expected
        swap.restore()
        assert {k: os.environ.get(k) for k in KEYS} == before
        assert {k: _c_getenv(k) for k in KEYS} == before
    finally:
        for key in KEYS:
            os.environ.pop(key, None)
