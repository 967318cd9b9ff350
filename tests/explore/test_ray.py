"""`sim explore --ray`: findings on a local Ray instance are those of a local run."""

from pathlib import Path

import pytest

ray = pytest.importorskip("ray", reason="ray is not installed (pip install '.[cluster]'): --ray is not tested here")

from sim.explore import drivers  # noqa: E402

ROOT = Path(__file__).resolve().parents[2]


def test_findings_on_ray_are_those_of_a_local_run():
    kwargs = dict(seed=7, kinds=(), runs=1, jobs=1, shrink=True, shrink_budget=2, mutant="fee-rounding")
    local = drivers.explore(**kwargs)
    ray.init(num_cpus=1, include_dashboard=False, log_to_driver=False,
             runtime_env={"env_vars": {"PYTHONPATH": str(ROOT)}})
    try:
        remote = drivers.explore(ray="auto", **kwargs)
    finally:
        ray.shutdown()
    assert [o.to_dict() | {"wall_s": 0} for o in remote.outcomes] == \
        [o.to_dict() | {"wall_s": 0} for o in local.outcomes]
    assert [f.to_dict() | {"wall_s": 0} for f in remote.findings] == \
        [f.to_dict() | {"wall_s": 0} for f in local.findings]
    assert local.findings and local.findings[0].invariant == "money-adds-up"
